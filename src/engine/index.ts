/**
 * Tapescope's autodiff engine: TensorFlow eager + GradientTape semantics in TypeScript.
 * Importing this module registers every op.
 */
import './ops/math';
import './ops/array';
import './ops/math-extra';
import './ops/nn';
import './ops/manip';
import './ops/slice';
import './ops/einsum';

export * from './api';
export * from './api-ops';
export { Engine, getEngine, setEngine, registerOp, getOpDef, registeredOpTypes, type OpDef, type GradContext, type EngineOptions } from './engine';
export { GradientTape, resetWarningCounters, type Differentiable, type GradientOptions } from './tape';
export { TFError, type PythonErrorType } from './errors';
export { type DTypeName, type TensorData, isFloat, isInteger } from './dtype';
export { flattenNested, inferDType, toTensorPair, type TensorLike, type ConstantOptions } from './convert';
export { setBackend, backend, type Backend } from './backend';
export { snapshot } from './trace-recorder';
export { keras, random, Module } from './keras/public';
