/**
 * The TypeScript face of the engine, shaped like TensorFlow's Python API (`tf.add`, `tf.matmul`,
 * `tf.reduce_sum`, `tf.Variable`, `tf.GradientTape`) so the Python package maps one-to-one onto it.
 * Each function converts its operands with TensorFlow's rules and runs one op.
 */
import type { DTypeName } from './dtype';
import { type Attrs, getEngine } from './engine';
import { type TensorLike, constant, toTensor, toTensorPair } from './convert';
import { TFError } from './errors';
import { Tensor, Variable } from './tensor';
import { GradientTape, type Differentiable, type GradientOptions } from './tape';

const run1 = (type: string, inputs: Tensor[], attrs?: Attrs): Tensor => getEngine().run1(type, inputs, attrs);
const binary = (type: string) => (a: TensorLike, b: TensorLike): Tensor => run1(type, toTensorPair(a, b));
const unary = (type: string) => (x: TensorLike): Tensor => run1(type, [toTensor(x)]);

/** `+`: strings concatenate through TensorFlow's `Add` op (AddV2 has no string kernel). */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = toTensorPair(a, b);
  return run1(x.dtype === 'string' && y.dtype === 'string' ? 'Add' : 'AddV2', [x, y]);
}
export const subtract = binary('Sub');
export const multiply = binary('Mul');
export const maximum = binary('Maximum');
export const minimum = binary('Minimum');
export const pow = binary('Pow');
export const floordiv = binary('FloorDiv');
export const floormod = binary('FloorMod');
export const greater = binary('Greater');
export const greaterEqual = binary('GreaterEqual');
export const less = binary('Less');
export const lessEqual = binary('LessEqual');
export const equal = binary('Equal');
export const notEqual = binary('NotEqual');

/** `/`: integers are divided as float64 (Python 3 true division), floats with RealDiv. */
export function divide(a: TensorLike, b: TensorLike): Tensor {
  let [x, y] = toTensorPair(a, b);
  // TensorFlow's truediv checks dtypes in Python before any op runs.
  if (x.dtype !== y.dtype) throw new TFError('TypeError', `\`x\` and \`y\` must have the same dtype, got tf.${x.dtype} != tf.${y.dtype}.`);
  if (x.dtype === 'int32' || x.dtype === 'int64') {
    x = run1('Cast', [x], { dtype: 'float64' });
    y = run1('Cast', [y], { dtype: 'float64' });
  }
  return run1('RealDiv', [x, y]);
}

export const negative = unary('Neg');
export const abs = unary('Abs');
export const sign = unary('Sign');
export const square = unary('Square');
export const sqrt = unary('Sqrt');
export const rsqrt = unary('Rsqrt');
export const exp = unary('Exp');
export const log = unary('Log');
export const log1p = unary('Log1p');
export const sin = unary('Sin');
export const cos = unary('Cos');
export const tan = unary('Tan');
export const tanh = unary('Tanh');
export const sigmoid = unary('Sigmoid');
export const softplus = unary('Softplus');
export const erf = unary('Erf');
export const floor = unary('Floor');
export const ceil = unary('Ceil');
export const round = unary('Round');
export const relu = unary('Relu');
export const relu6 = unary('Relu6');
export const elu = unary('Elu');
export const identity = unary('Identity');
/** tf.stop_gradient: a variable argument is read without marking it accessed, as in TensorFlow. */
export function stopGradient(x: TensorLike): Tensor {
  const input = x instanceof Variable ? getEngine().readVariable(x, undefined, false) : toTensor(x);
  return run1('StopGradient', [input]);
}
export const zerosLike = unary('ZerosLike');
export const onesLike = unary('OnesLike');

export function cast(x: TensorLike, dtype: DTypeName): Tensor {
  return run1('Cast', [toTensor(x)], { dtype });
}

export function reshape(x: TensorLike, shape: number[]): Tensor {
  return run1('Reshape', [toTensor(x)], { shape });
}

export function transpose(x: TensorLike, perm?: number[]): Tensor {
  return run1('Transpose', [toTensor(x)], perm ? { perm } : {});
}

export function expandDims(x: TensorLike, axis: number): Tensor {
  return run1('ExpandDims', [toTensor(x)], { axis });
}

export function squeeze(x: TensorLike, axis?: number[]): Tensor {
  return run1('Squeeze', [toTensor(x)], axis ? { axis } : {});
}

export function stack(values: TensorLike[], axis = 0): Tensor {
  const tensors = values.map((v) => toTensor(v));
  return run1('Pack', tensors, { axis });
}

export function unstack(x: TensorLike, axis = 0): Tensor[] {
  return getEngine().run('Unpack', [toTensor(x)], { axis });
}

export function broadcastTo(x: TensorLike, shape: number[]): Tensor {
  return run1('BroadcastTo', [toTensor(x)], { shape });
}

export function where(cond: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = toTensorPair(x, y);
  return run1('SelectV2', [toTensor(cond, 'bool'), a, b]);
}

export function fill(shape: number[], value: TensorLike): Tensor {
  return run1('Fill', [toTensor(value)], { shape });
}

export function zeros(shape: number[], dtype: DTypeName = 'float32'): Tensor {
  return constant(0, { dtype, shape });
}

export function ones(shape: number[], dtype: DTypeName = 'float32'): Tensor {
  return constant(1, { dtype, shape });
}

type Axis = number | number[] | null | undefined;
const reduction = (type: string) => (x: TensorLike, axis?: Axis, keepdims = false): Tensor =>
  run1(type, [toTensor(x)], { axis: axis ?? null, keepdims });

export const reduceSum = reduction('Sum');
export const reduceMean = reduction('Mean');
export const reduceProd = reduction('Prod');
export const reduceMax = reduction('Max');
export const reduceMin = reduction('Min');

export function matmul(a: TensorLike, b: TensorLike, options: { transposeA?: boolean; transposeB?: boolean } = {}): Tensor {
  const [x, y] = toTensorPair(a, b);
  const type = x.rank > 2 || y.rank > 2 ? 'BatchMatMulV2' : 'MatMul';
  return run1(type, [x, y], { transpose_a: options.transposeA ?? false, transpose_b: options.transposeB ?? false });
}

export interface VariableOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DTypeName;
}

/** tf.Variable(initial_value, name=..., trainable=...). */
export function variable(initial: TensorLike, options: VariableOptions = {}): Variable {
  const value = initial instanceof Variable ? initial.value : constant(initial, options.dtype ? { dtype: options.dtype } : {});
  return getEngine().createVariable(value, options.name, options.trainable ?? true);
}

/** Reads a variable (watched by recording tapes when trainable). */
export function read(v: Variable): Tensor {
  return getEngine().readVariable(v);
}

export function assign(v: Variable, value: TensorLike): Variable {
  getEngine().assignVariable(v, toTensor(value, v.dtype), 'assign');
  return v;
}

export function assignAdd(v: Variable, value: TensorLike): Variable {
  getEngine().assignVariable(v, toTensor(value, v.dtype), 'assign_add');
  return v;
}

export function assignSub(v: Variable, value: TensorLike): Variable {
  getEngine().assignVariable(v, toTensor(value, v.dtype), 'assign_sub');
  return v;
}

export interface TapeOptions {
  persistent?: boolean;
  watchAccessedVariables?: boolean;
}

/** Runs `body` inside a recording tape (the TypeScript form of `with tf.GradientTape() as tape:`). */
export function withTape<T>(options: TapeOptions, body: (tape: GradientTape) => T): { tape: GradientTape; result: T } {
  const tape = new GradientTape(options.persistent ?? false, options.watchAccessedVariables ?? true);
  tape.enter();
  try {
    return { tape, result: body(tape) };
  } finally {
    tape.exit();
  }
}

/** A nested structure of sources or results, as tf.nest sees it. */
export type Nest<T> = T | Nest<T>[] | { [key: string]: Nest<T> };

function isLeaf(x: unknown): x is Differentiable {
  return x instanceof Tensor || x instanceof Variable;
}

export function flattenNest<T>(structure: Nest<T>, isLeafValue: (x: unknown) => x is T): T[] {
  if (isLeafValue(structure)) return [structure];
  if (Array.isArray(structure)) return structure.flatMap((s) => flattenNest(s, isLeafValue));
  if (structure && typeof structure === 'object') {
    // tf.nest flattens dicts in sorted key order.
    const obj = structure as { [key: string]: Nest<T> };
    return Object.keys(obj).sort().flatMap((k) => flattenNest(obj[k], isLeafValue));
  }
  return [structure as T];
}

export function packNest<T, U>(structure: Nest<T>, flat: U[], isLeafValue: (x: unknown) => x is T): Nest<U> {
  let i = 0;
  const pack = (s: Nest<T>): Nest<U> => {
    if (isLeafValue(s)) return flat[i++];
    if (Array.isArray(s)) return s.map(pack);
    if (s && typeof s === 'object') {
      const obj = s as { [key: string]: Nest<T> };
      const out: { [key: string]: Nest<U> } = {};
      const values = new Map<string, Nest<U>>();
      for (const k of Object.keys(obj).sort()) values.set(k, pack(obj[k]));
      for (const k of Object.keys(obj)) out[k] = values.get(k) as Nest<U>;
      return out;
    }
    return flat[i++];
  };
  return pack(structure);
}

/** tape.gradient with nested targets and sources; the result has the structure of `sources`. */
export function gradient(
  tape: GradientTape,
  target: Nest<Differentiable>,
  sources: Nest<Differentiable>,
  options: GradientOptions = {},
): Nest<Tensor | null> {
  const flatTargets = flattenNest(target, isLeaf);
  const flatSources = flattenNest(sources, isLeaf);
  const grads = tape.gradient(flatTargets, flatSources, options);
  return packNest(sources, grads, isLeaf);
}

export { GradientTape, Tensor, Variable, constant, toTensor };
