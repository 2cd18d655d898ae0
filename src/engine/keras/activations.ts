/**
 * Keras activations by name. Like Keras 3 on TensorFlow, the outputs of `sigmoid` and `softmax`
 * remember their logits, and the cross-entropy losses use those logits instead of the
 * probabilities (Keras's `_keras_logits`), which changes the loss value near 0 and 1.
 */
import { getEngine } from '../engine';
import { TFError } from '../errors';
import type { Tensor } from '../tensor';
import { hasOp, softmax as nnSoftmax } from './nn';

export type Activation = (x: Tensor) => Tensor;
export type ActivationIdentifier = string | Activation | null | undefined;

const run = (type: string, inputs: Tensor[]): Tensor => getEngine().run1(type, inputs);

const kerasLogits = new WeakMap<Tensor, Tensor>();

/** The logits a Keras sigmoid/softmax output was computed from (Keras's `output._keras_logits`). */
export function logitsOf(output: Tensor): Tensor | undefined {
  return kerasLogits.get(output);
}

export function relu(x: Tensor): Tensor {
  return run('Relu', [x]);
}

export function sigmoid(x: Tensor): Tensor {
  const out = run('Sigmoid', [x]);
  kerasLogits.set(out, x);
  return out;
}

export function softmax(x: Tensor): Tensor {
  const out = nnSoftmax(x, -1);
  kerasLogits.set(out, x);
  return out;
}

export function tanh(x: Tensor): Tensor {
  return run('Tanh', [x]);
}

export function linear(x: Tensor): Tensor {
  return x;
}

export function elu(x: Tensor): Tensor {
  return run('Elu', [x]);
}

export function softplus(x: Tensor): Tensor {
  return run('Softplus', [x]);
}

/**
 * Keras's default gelu is the exact one, which TensorFlow writes 0.5 * x * erfc(-x / sqrt(2)):
 * erfc keeps precision for negative x, where 1 + erf(x) would cancel.
 */
export function gelu(x: Tensor): Tensor {
  const engine = getEngine();
  const c = (v: number) => engine.scalar(v, x.dtype);
  const scaled = engine.run1('Mul', [engine.run1('Neg', [x]), c(0.7071067811865476)]);
  const tail = hasOp('Erfc') ? engine.run1('Erfc', [scaled]) : engine.run1('Sub', [c(1), engine.run1('Erf', [scaled])]);
  return engine.run1('Mul', [engine.run1('Mul', [c(0.5), x]), tail]);
}

const BY_NAME: Record<string, Activation> = { relu, sigmoid, softmax, tanh, linear, elu, softplus, gelu };

/** Names `activations.get` accepts. */
export const ACTIVATION_NAMES: readonly string[] = Object.keys(BY_NAME);

/** keras.activations.get: a name, a callable, or null/undefined (meaning linear). */
export function getActivation(identifier: ActivationIdentifier): Activation {
  if (identifier === null || identifier === undefined) return linear;
  if (typeof identifier === 'function') return identifier;
  const fn = BY_NAME[identifier];
  if (!fn) throw new TFError('ValueError', `Could not interpret activation function identifier: ${identifier}`);
  return fn;
}

/** The name of a built-in activation (for layer configs and the trace), else undefined. */
export function activationName(fn: Activation): string | undefined {
  return Object.entries(BY_NAME).find(([, f]) => f === fn)?.[0];
}
