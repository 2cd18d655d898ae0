/**
 * Data types: TensorFlow's names, how each is stored, and the rounding that keeps results exact
 * to the dtype (float32 results are rounded per op so printed digits match TensorFlow's).
 */
import type { DTypeName } from '../trace/types';
import { TFError } from './errors';

export type { DTypeName };

/** Storage per dtype. int64 is kept in a Float64Array: exact for |x| < 2^53, and fast. */
export type NumericData = Float32Array | Float64Array | Int32Array | Uint8Array;
export type TensorData = NumericData | string[];

export const FLOAT_DTYPES: ReadonlySet<DTypeName> = new Set(['float16', 'float32', 'float64']);
export const INT_DTYPES: ReadonlySet<DTypeName> = new Set(['int32', 'int64']);

export function isFloat(dtype: DTypeName): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

export function isInteger(dtype: DTypeName): boolean {
  return dtype === 'int32' || dtype === 'int64';
}

export function isNumeric(dtype: DTypeName): boolean {
  return dtype !== 'string' && dtype !== 'bool';
}

/** TensorFlow differentiates only real/complex floating dtypes (backprop_util.IsTrainable). */
export function isTrainableDType(dtype: DTypeName): boolean {
  return isFloat(dtype);
}

let allocationLimit = Number.POSITIVE_INFINITY;

/** Largest tensor (in elements) any op may create; the engine sets it per run. */
export function setAllocationLimit(maxElements: number): void {
  allocationLimit = maxElements;
}

// ---- reused buffers -------------------------------------------------------------------------
//
// Fresh memory is costly on the machines this runs on (the first touch of each 4 KiB page costs
// about 11 µs: a new buffer of a million floats costs more than five adds over it). So large
// buffers that are provably dead (see GradientTape: the intermediates of a backward pass nothing
// else can see) come back here through releaseBuffer() and allocate() hands them out again, zeroed.

/** Buffers smaller than this are cheap to make (the allocator reuses its own memory). */
const POOL_MIN_BYTES = 64 * 1024;
/** No buffer with fewer elements than this is pooled (whatever its element size). */
export const POOL_MIN_ELEMENTS = POOL_MIN_BYTES / 8;
/** Most memory the pool keeps (beyond it, released buffers are left to the garbage collector). */
const POOL_MAX_BYTES = 64 * 1024 * 1024;
/** Released buffers by storage kind and length (key: length * 4 + kind). */
const pool = new Map<number, NumericData[]>();
let pooledBytes = 0;
/** While a backward pass watches allocations (see watchAllocations): the large buffers made. */
let allocationLog: Set<NumericData> | null = null;

function storageKind(data: NumericData): number {
  return data instanceof Float32Array ? 0 : data instanceof Float64Array ? 1 : data instanceof Int32Array ? 2 : 3;
}

function pooled(kind: number, size: number, bytes: number): NumericData | undefined {
  const buffer = pool.get(size * 4 + kind)?.pop();
  if (buffer === undefined) return undefined;
  pooledBytes -= bytes;
  buffer.fill(0);
  return buffer;
}

/**
 * Gives a buffer back for reuse. The caller guarantees nothing will read or write it again: no
 * tensor, cache or caller holds it (the next allocate() of its size and kind returns it).
 */
export function releaseBuffer(data: NumericData): void {
  const bytes = data.byteLength;
  if (bytes < POOL_MIN_BYTES || pooledBytes + bytes > POOL_MAX_BYTES) return;
  const key = data.length * 4 + storageKind(data);
  let list = pool.get(key);
  if (!list) pool.set(key, (list = []));
  if (list.includes(data)) return;
  list.push(data);
  pooledBytes += bytes;
}

/**
 * Starts logging the large buffers allocate() returns into `log`, or stops with null; returns the
 * previous log, to restore with stopWatchingAllocations (passes may nest).
 */
export function watchAllocations(log: Set<NumericData> | null): Set<NumericData> | null {
  const previous = allocationLog;
  allocationLog = log;
  return previous;
}

export function stopWatchingAllocations(previous: Set<NumericData> | null): void {
  allocationLog = previous;
}

/** Bytes held for reuse (tests and benchmarks). */
export function pooledBufferBytes(): number {
  return pooledBytes;
}

function logged<T extends NumericData>(data: T): T {
  if (allocationLog !== null && data.byteLength >= POOL_MIN_BYTES) allocationLog.add(data);
  return data;
}

/**
 * Storage for a new tensor, zero-filled. Every kernel allocates through here, so the size cap holds
 * for every op: a huge tensor is TensorFlow's out-of-memory error, never a frozen host. Large
 * buffers come from the released ones when there is one of the size.
 */
export function allocate(dtype: DTypeName, size: number): TensorData {
  if (size > allocationLimit) {
    throw new TFError(
      'ResourceExhaustedError',
      `OOM when allocating tensor with ${size} elements: Tapescope's limit is ${allocationLimit} elements per tensor (raise it with --max-tensor-elements, or the tapescope.maxTensorElements setting)`,
    );
  }
  if (dtype !== 'string' && size * 8 >= POOL_MIN_BYTES) return logged(allocateLarge(dtype, size));
  switch (dtype) {
    case 'float32':
    case 'float16':
      return new Float32Array(size);
    case 'float64':
    case 'int64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
    case 'string':
      return new Array<string>(size).fill('');
  }
}

function allocateLarge(dtype: Exclude<DTypeName, 'string'>, size: number): NumericData {
  switch (dtype) {
    case 'float32':
    case 'float16':
      return pooled(0, size, size * 4) ?? new Float32Array(size);
    case 'float64':
    case 'int64':
      return pooled(1, size, size * 8) ?? new Float64Array(size);
    case 'int32':
      return pooled(2, size, size * 4) ?? new Int32Array(size);
    case 'bool':
      return pooled(3, size, size) ?? new Uint8Array(size);
  }
}

const f32Scratch = new Float32Array(1);
const u32View = new Uint32Array(f32Scratch.buffer);

/** Rounds a double to the nearest IEEE half-precision value (ties to even), returned as a double. */
export function roundToFloat16(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const sign = value < 0 ? -1 : 1;
  const abs = Math.abs(value);
  if (abs >= 65520) return sign * Infinity; // rounds past the largest half, 65504
  let exponent = Math.floor(Math.log2(abs));
  // log2 can be off by one next to powers of two.
  if (Math.pow(2, exponent) > abs) exponent--;
  else if (Math.pow(2, exponent + 1) <= abs) exponent++;
  // 10 fraction bits; below 2^-14 half is subnormal with a fixed spacing of 2^-24.
  const spacing = Math.pow(2, Math.max(exponent, -14) - 10);
  const scaled = abs / spacing; // exact: spacing is a power of two
  let rounded = Math.floor(scaled);
  const fraction = scaled - rounded;
  if (fraction > 0.5 || (fraction === 0.5 && rounded % 2 === 1)) rounded++;
  return sign * rounded * spacing;
}

/** Rounds a double to what the dtype can hold (used for scalars; arrays round by storage). */
export function roundTo(dtype: DTypeName, value: number): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(value);
    case 'float16':
      return roundToFloat16(value);
    case 'float64':
      return value;
    case 'int32':
      return value | 0;
    case 'int64':
      return Math.trunc(value);
    case 'bool':
      return value ? 1 : 0;
    case 'string':
      throw new Error('roundTo: string dtype has no numeric value');
  }
}

/** Applies float16 rounding in place (float16 lives in a Float32Array). */
export function roundFloat16InPlace(data: Float32Array): void {
  for (let i = 0; i < data.length; i++) data[i] = roundToFloat16(data[i]);
}

/** True when a float32 bit pattern is NaN: used for fast NaN checks without branching on doubles. */
export function isFloat32NaNBits(value: number): boolean {
  f32Scratch[0] = value;
  return (u32View[0] & 0x7fffffff) > 0x7f800000;
}

/** TensorFlow's dtype words used in error messages ("expected to be a float tensor"). */
export function dtypeKindWord(dtype: DTypeName): string {
  switch (dtype) {
    case 'float32':
      return 'float';
    case 'float64':
      return 'double';
    case 'float16':
      return 'half';
    case 'int32':
      return 'int32';
    case 'int64':
      return 'int64';
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
  }
}

/** Every dtype, by its small integer code (dtypeCode). */
export const DTYPE_BY_CODE: readonly DTypeName[] = ['float32', 'float64', 'float16', 'int32', 'int64', 'bool', 'string'];

/**
 * A dtype's index in DTYPE_BY_CODE, for packed records and bit masks on the hot path (a switch:
 * a keyed lookup by the dtype string is slow there).
 */
export function dtypeCode(dtype: DTypeName): number {
  switch (dtype) {
    case 'float32':
      return 0;
    case 'float64':
      return 1;
    case 'float16':
      return 2;
    case 'int32':
      return 3;
    case 'int64':
      return 4;
    case 'bool':
      return 5;
    case 'string':
      return 6;
  }
}
