/**
 * Turning user values into tensors with TensorFlow's dtype rules: Python-style floats become
 * float32 and ints int32 unless a dtype is given; a scalar operand takes the other operand's dtype.
 */
import { type DTypeName, type TensorData, allocate, isFloat, isInteger, roundTo } from './dtype';
import { getEngine } from './engine';
import { TFError } from './errors';
import { Tensor, Variable } from './tensor';
import type { SourceLocation } from '../trace/types';

export type Scalar = number | boolean | string;
export type NestedArray = Scalar | NestedArray[];
export type TensorLike = Tensor | Variable | NestedArray | Float32Array | Float64Array | Int32Array;

/** Shape and flat elements of a nested JS array; throws on ragged input like TensorFlow does. */
export function flattenNested(value: NestedArray): { shape: number[]; flat: Scalar[] } {
  const shape: number[] = [];
  let probe: NestedArray = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const flat: Scalar[] = [];
  const walk = (v: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new TFError('ValueError', "Can't convert non-rectangular Python sequence to Tensor.");
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new TFError('ValueError', "Can't convert non-rectangular Python sequence to Tensor.");
    }
    for (const e of v) walk(e, depth + 1);
  };
  walk(value, 0);
  return { shape, flat };
}

/** The dtype TensorFlow infers for Python values: bool, int32, float32 or string. */
export function inferDType(flat: readonly Scalar[], integersAreInts: boolean): DTypeName {
  if (flat.length === 0) return 'float32';
  if (flat.every((v) => typeof v === 'boolean')) return 'bool';
  if (flat.some((v) => typeof v === 'string')) return 'string';
  if (integersAreInts && flat.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'int32';
  return 'float32';
}

function fillData(dtype: DTypeName, flat: readonly Scalar[]): TensorData {
  const data = allocate(dtype, flat.length);
  if (dtype === 'string') {
    flat.forEach((v, i) => ((data as string[])[i] = String(v)));
    return data;
  }
  const numeric = data as Float32Array;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === 'string') throw new TFError('TypeError', `Cannot convert '${v}' to EagerTensor of dtype ${dtype}`);
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (isInteger(dtype) && !Number.isInteger(n)) {
      throw new TFError('TypeError', `Cannot convert ${formatPyNumber(n)} to EagerTensor of dtype ${dtype}`);
    }
    numeric[i] = roundTo(dtype, n);
  }
  return data;
}

function formatPyNumber(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export interface ConstantOptions {
  dtype?: DTypeName;
  shape?: number[];
  name?: string;
  loc?: SourceLocation;
  /** Treat integral JS numbers as Python ints (int32). The Python bridge says which were ints. */
  integersAreInts?: boolean;
}

/** tf.constant: a new tensor from a value, optionally broadcast to `shape` (a scalar fills it). */
export function constant(value: TensorLike, options: ConstantOptions = {}): Tensor {
  const engine = getEngine();
  if (value instanceof Variable) value = engine.readVariable(value, options.loc);
  if (value instanceof Tensor) {
    let t = value;
    if (options.dtype && options.dtype !== t.dtype) t = engine.run1('Cast', [t], { dtype: options.dtype }, options.loc);
    if (options.shape) t = engine.run1('Reshape', [t], { shape: options.shape }, options.loc);
    return t;
  }
  let flat: Scalar[];
  let shape: number[];
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    flat = Array.from(value);
    shape = [value.length];
  } else {
    ({ shape, flat } = flattenNested(value));
  }
  const dtype = options.dtype ?? (value instanceof Int32Array ? 'int32' : value instanceof Float64Array ? 'float64' : inferDType(flat, options.integersAreInts ?? false));
  if (options.shape) {
    const size = options.shape.reduce((p, d) => p * d, 1);
    if (flat.length === 1 && size !== 1) flat = new Array<Scalar>(size).fill(flat[0]);
    else if (flat.length !== size) {
      throw new TFError('TypeError', `Eager execution of tf.constant with unsupported shape. Tensor ${JSON.stringify(value)} (converted from ${JSON.stringify(value)}) has ${flat.length} elements, but got \`shape\` ${`(${options.shape.join(', ')}${options.shape.length === 1 ? ',' : ''})`} with ${size} elements).`);
    }
    shape = options.shape.slice();
  }
  return engine.constant(dtype, shape, fillData(dtype, flat), options.name, options.loc);
}

/**
 * tf.convert_to_tensor for an operand: tensors pass through (variables are read, which is what
 * makes a tape watch them); plain values take `dtypeHint` (the other operand's dtype).
 */
export function toTensor(value: TensorLike, dtypeHint?: DTypeName, loc?: SourceLocation): Tensor {
  if (value instanceof Tensor) return value;
  const engine = getEngine();
  if (value instanceof Variable) return engine.readVariable(value, loc);
  if (dtypeHint !== undefined) {
    const { flat } = flattenNested(value as NestedArray);
    if (isInteger(dtypeHint) && flat.some((v) => typeof v === 'number' && !Number.isInteger(v))) {
      const bad = flat.find((v) => typeof v === 'number' && !Number.isInteger(v)) as number;
      throw new TFError('TypeError', `Cannot convert ${bad} to EagerTensor of dtype ${dtypeHint}`);
    }
    if (!isFloat(dtypeHint) && !isInteger(dtypeHint) && dtypeHint !== 'bool' && flat.some((v) => typeof v === 'number')) {
      throw new TFError('TypeError', `Cannot convert ${JSON.stringify(value)} to EagerTensor of dtype ${dtypeHint}`);
    }
    return constant(value, { dtype: dtypeHint, loc });
  }
  return constant(value, { loc });
}

/** Two operands of a binary op: a plain value takes the dtype of the tensor beside it. */
export function toTensorPair(a: TensorLike, b: TensorLike, loc?: SourceLocation): [Tensor, Tensor] {
  const aIsT = a instanceof Tensor || a instanceof Variable;
  const bIsT = b instanceof Tensor || b instanceof Variable;
  if (aIsT && !bIsT) {
    const ta = toTensor(a, undefined, loc);
    return [ta, toTensor(b, ta.dtype, loc)];
  }
  if (bIsT && !aIsT) {
    const tb = toTensor(b, undefined, loc);
    return [toTensor(a, tb.dtype, loc), tb];
  }
  return [toTensor(a, undefined, loc), toTensor(b, undefined, loc)];
}
