/**
 * Small pieces shared by the op modules added after math.ts/array.ts: float outputs computed in
 * doubles and stored with the dtype's rounding, TensorFlow's kernel error format with the op's
 * wrapped name and name suffix, and axis checks with TensorFlow's range messages.
 */
import { type DTypeName, type NumericData, allocate, dtypeCode, dtypeKindWord, roundFloat16InPlace } from '../dtype';
import { allocateChecked, getEngine } from '../engine';
import { TFError } from '../errors';
import { Tensor } from '../tensor';
import { DTYPE_RULES } from './dtype-errors';

export const run1 = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);
export const runN = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor[] => getEngine().run(type, inputs, attrs);

const MIN_NORMAL_FLOAT32 = 1.1754943508222875e-38;
const MIN_NORMAL_FLOAT64 = 2.2250738585072014e-308;

/**
 * Stores doubles as `dtype` (float32 rounds on store, float16 is rounded explicitly). TensorFlow's
 * CPU kernels run with flush-to-zero: a subnormal float32/float64 result is stored as (signed) 0,
 * e.g. tf.sigmoid(-100.) is 0.0, not 3.7e-44.
 */
export function fromDoubles(dtype: DTypeName, shape: number[], values: ArrayLike<number>): Tensor {
  const data = allocate(dtype, values.length) as NumericData;
  for (let i = 0; i < values.length; i++) data[i] = values[i];
  if (dtype === 'float16') roundFloat16InPlace(data as Float32Array);
  else if (dtype === 'float32' || dtype === 'float64') {
    const limit = dtype === 'float32' ? MIN_NORMAL_FLOAT32 : MIN_NORMAL_FLOAT64;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v !== 0 && v > -limit && v < limit) data[i] = v < 0 ? -0 : 0;
    }
  }
  return new Tensor(dtype, shape, data);
}

export interface KernelErrorOptions {
  /** The function name TensorFlow wraps the kernel in (`ConcatV2_N_2`); defaults to the op type. */
  wrapped?: string;
  /** The op name TensorFlow prints after `name: ` (`concat`, `strided_slice/`); undefined omits `name:`. */
  name?: string | null;
}

/** An InvalidArgumentError raised by a kernel, formatted exactly as eager TensorFlow prints it. */
export function kernelError(opType: string, message: string, options: KernelErrorOptions = {}): TFError {
  const wrapped = options.wrapped ?? opType;
  const name = options.name === undefined ? ' name: ' : options.name === null ? '' : ` name: ${options.name}`;
  return new TFError(
    'InvalidArgumentError',
    `{{function_node __wrapped__${wrapped}_device_/job:localhost/replica:0/task:0/device:CPU:0}} ${message} [Op:${opType}]${name}`,
  );
}

/** Normalises an axis, raising `Expected dimension in the range [-r, r), but got a` like ArgMax. */
export function checkedAxis(axis: number, rank: number, onError: (message: string) => TFError, prefix = 'Expected dimension'): number {
  const r = Math.max(rank, 1);
  if (axis < -r || axis >= r) throw onError(`${prefix} in the range [${-r}, ${r}), but got ${axis}`);
  return axis < 0 ? axis + r : axis;
}

/** outer × size(axis) × inner decomposition of a shape around one axis. */
export function aroundAxis(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, n: shape.length === 0 ? 1 : shape[axis], inner };
}

/** True when every element is zero: TensorFlow skips a second-order term for zero upstreams. */
export function isAllZeros(t: Tensor): boolean {
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/**
 * TensorFlow's dtype check for an op's `T` attribute (table generated from TensorFlow): throws
 * its exact InvalidArgumentError for a dtype the op does not accept. Ops without a rule accept all.
 */
/** The rules in a Map: looked up on every op (a large object literal is a slow dictionary). */
const RULES = new Map(Object.entries(DTYPE_RULES));

export function hasDTypeRule(opType: string): boolean {
  return RULES.has(opType);
}


/**
 * checkDType for one op type, with its rule looked up once (elementwise ops check on every call):
 * null when TensorFlow's rule for the op is not in dtype-errors.ts.
 */
export function dtypeChecker(opType: string): ((t: Tensor) => void) | null {
  const rule = RULES.get(opType);
  if (!rule) return null;
  let mask = 0;
  for (const dtype of rule.allowed) mask |= (1 << dtypeCode(dtype));
  return (t) => {
    if ((mask & (1 << dtypeCode(t.dtype))) === 0) throw new TFError('InvalidArgumentError', rule.template.replace('{dtype}', dtypeKindWord(t.dtype)));
  };
}

export function checkDType(opType: string, t: Tensor): void {
  const rule = RULES.get(opType);
  if (!rule || rule.allowed.includes(t.dtype)) return;
  throw new TFError('InvalidArgumentError', rule.template.replace('{dtype}', dtypeKindWord(t.dtype)));
}

/** A float64 scratch buffer under the engine's tensor size cap (a huge request is an error, not a hang). */
export function scratch(size: number): Float64Array {
  return allocateChecked('float64', size) as Float64Array;
}
