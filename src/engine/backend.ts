/**
 * Kernels: the numeric loops behind the ops, on plain typed arrays. Everything the ops need from
 * arithmetic goes through the `Backend` interface, so a faster backend (WebAssembly SIMD) can
 * replace these without touching ops or the tape. Kernels know nothing of tapes or traces.
 */
import { type DTypeName, type NumericData, allocate, roundFloat16InPlace } from './dtype';
import { type Shape, sizeOf, stridesOf } from './shape';
import { simdMatmul } from './matmul-simd';

export type BinaryCode = 'add' | 'sub' | 'mul' | 'div';
export type ReduceKind = 'sum' | 'prod' | 'max' | 'min';

export interface Backend {
  readonly name: string;
  /** Elementwise a∘b with numpy broadcasting into `outShape`; result stored (rounded) as `dtype`. */
  binary(code: BinaryCode, a: NumericData, aShape: Shape, b: NumericData, bShape: Shape, outShape: Shape, dtype: DTypeName): NumericData;
  /** Elementwise f(a, b) for the less common binary ops. */
  binaryFn(fn: (x: number, y: number) => number, a: NumericData, aShape: Shape, b: NumericData, bShape: Shape, outShape: Shape, dtype: DTypeName): NumericData;
  unary(fn: (x: number) => number, x: NumericData, dtype: DTypeName): NumericData;
  /** Reduces over `axes` (sorted, unique); the output keeps reduced dims as size 1 in row-major order. */
  reduce(kind: ReduceKind, x: NumericData, shape: Shape, axes: readonly number[], dtype: DTypeName): NumericData;
  /** Batched matmul: a [batch..., m, k] (or transposed), b [batch..., k, n]; batch dims broadcast. */
  matmul(a: NumericData, aShape: Shape, b: NumericData, bShape: Shape, transposeA: boolean, transposeB: boolean, outShape: Shape, dtype: DTypeName): NumericData;
  transpose(x: NumericData, shape: Shape, perm: readonly number[], dtype: DTypeName): NumericData;
  /** Copies x broadcast to `outShape` (materialised). */
  broadcastTo(x: NumericData, shape: Shape, outShape: Shape, dtype: DTypeName): NumericData;
}

function finish(out: NumericData, dtype: DTypeName): NumericData {
  if (dtype === 'float16') roundFloat16InPlace(out as Float32Array);
  return out;
}

/** Offsets of each output element into an input broadcast to outShape. */
function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array | null {
  const size = sizeOf(outShape);
  if (inShape.length === outShape.length && sizeOf(inShape) === size) return null; // identity
  const rank = outShape.length;
  const inStrides = new Array<number>(rank).fill(0);
  const rawStrides = stridesOf(inShape);
  const offset = rank - inShape.length;
  for (let i = 0; i < inShape.length; i++) inStrides[i + offset] = inShape[i] === 1 ? 0 : rawStrides[i];
  const index = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let i = 0; i < size; i++) {
    index[i] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      pos += inStrides[d];
      if (counter[d] < outShape[d]) break;
      pos -= inStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return index;
}

function binaryLoop(code: BinaryCode, a: NumericData, b: NumericData, out: NumericData, n: number, aScalar: boolean, bScalar: boolean): void {
  // Separate loops per op and per scalar case: the common elementwise shapes stay monomorphic and fast.
  if (!aScalar && !bScalar) {
    switch (code) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return;
    }
  }
  if (bScalar) {
    const s = b[0];
    switch (code) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[aScalar ? 0 : i] + s; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[aScalar ? 0 : i] - s; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[aScalar ? 0 : i] * s; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[aScalar ? 0 : i] / s; return;
    }
  }
  const s = a[0];
  switch (code) {
    case 'add': for (let i = 0; i < n; i++) out[i] = s + b[i]; return;
    case 'sub': for (let i = 0; i < n; i++) out[i] = s - b[i]; return;
    case 'mul': for (let i = 0; i < n; i++) out[i] = s * b[i]; return;
    case 'div': for (let i = 0; i < n; i++) out[i] = s / b[i]; return;
  }
}

/** Below this many multiply-adds a JavaScript loop beats packing for the SIMD kernel. */
const SIMD_MATMUL_MIN_WORK = 4096;

/**
 * One matrix product in JavaScript (float64, integers, small float32): rows accumulated in
 * float64 and stored once. The first term is assigned, not added to zero, so 0 * -x gives -0
 * like a lone multiply; and no term is skipped, so 0 * inf gives NaN as in TensorFlow.
 */
function matmulJs(
  a: NumericData, aOff: number, b: NumericData, bOff: number,
  m: number, k: number, n: number, transposeA: boolean, transposeB: boolean,
  out: NumericData, oOff: number,
): void {
  const row = scratchRow(n);
  for (let i = 0; i < m; i++) {
    if (k === 0) row.fill(0, 0, n);
    for (let t = 0; t < k; t++) {
      const av = transposeA ? a[aOff + t * m + i] : a[aOff + i * k + t];
      if (transposeB) {
        if (t === 0) for (let j = 0; j < n; j++) row[j] = av * b[bOff + j * k];
        else for (let j = 0; j < n; j++) row[j] += av * b[bOff + j * k + t];
      } else {
        const base = bOff + t * n;
        if (t === 0) for (let j = 0; j < n; j++) row[j] = av * b[base + j];
        else for (let j = 0; j < n; j++) row[j] += av * b[base + j];
      }
    }
    const o = oOff + i * n;
    for (let j = 0; j < n; j++) out[o + j] = row[j];
  }
}

let rowScratch = new Float64Array(256);
/** A reusable float64 row (fresh memory is costly here; kernels run one at a time). */
function scratchRow(n: number): Float64Array {
  if (rowScratch.length < n) rowScratch = new Float64Array(Math.max(n, rowScratch.length * 2));
  return rowScratch;
}

// ---- elementwise loops -------------------------------------------------------------------------

type UnaryRun = (fn: (x: number) => number, x: NumericData, out: NumericData, n: number) => void;
type BinaryRun = (
  fn: (x: number, y: number) => number,
  a: NumericData, aOff: number, aStep: number, b: NumericData, bOff: number, bStep: number,
  out: NumericData, outOff: number, len: number,
) => void;

const unaryRun: UnaryRun = (fn, x, out, n) => {
  for (let i = 0; i < n; i++) out[i] = fn(x[i]);
};

const binaryFnRun: BinaryRun = (fn, a, aOff, aStep, b, bOff, bStep, out, outOff, len) => {
  for (let j = 0; j < len; j++) out[outOff + j] = fn(a[aOff + j * aStep], b[bOff + j * bStep]);
};

/** Arrays at least this long get a loop compiled for their function (see specializedUnary). */
const SPECIALIZE_MIN = 2048;

/**
 * One shared loop calling many different functions is megamorphic: V8 cannot inline the call
 * and every element pays a full call (10x slower for -x). A loop compiled per function (a new
 * function object with its own type feedback) inlines it. Cached per function; hosts that
 * forbid `new Function` (a strict CSP) keep the shared loop.
 */
const unaryLoops = new WeakMap<object, UnaryRun>();
const binaryLoops = new WeakMap<object, BinaryRun>();
let canCompile = true;

function compileLoop<T>(params: string[], body: string, fallback: T): T {
  if (!canCompile) return fallback;
  try {
    return new Function(...params, body) as T;
  } catch {
    canCompile = false;
    return fallback;
  }
}

function specializedUnary(fn: (x: number) => number): UnaryRun {
  let loop = unaryLoops.get(fn);
  if (!loop) {
    loop = compileLoop<UnaryRun>(['fn', 'x', 'out', 'n'], 'for (let i = 0; i < n; i++) out[i] = fn(x[i]);', unaryRun);
    unaryLoops.set(fn, loop);
  }
  return loop;
}

function specializedBinary(fn: (x: number, y: number) => number): BinaryRun {
  let loop = binaryLoops.get(fn);
  if (!loop) {
    loop = compileLoop<BinaryRun>(
      ['fn', 'a', 'aOff', 'aStep', 'b', 'bOff', 'bStep', 'out', 'outOff', 'len'],
      'for (let j = 0; j < len; j++) out[outOff + j] = fn(a[aOff + j * aStep], b[bOff + j * bStep]);',
      binaryFnRun,
    );
    binaryLoops.set(fn, loop);
  }
  return loop;
}

function binaryRun(code: BinaryCode, a: NumericData, aOff: number, aStep: number, b: NumericData, bOff: number, bStep: number, out: NumericData, outOff: number, len: number): void {
  switch (code) {
    case 'add': for (let j = 0; j < len; j++) out[outOff + j] = a[aOff + j * aStep] + b[bOff + j * bStep]; return;
    case 'sub': for (let j = 0; j < len; j++) out[outOff + j] = a[aOff + j * aStep] - b[bOff + j * bStep]; return;
    case 'mul': for (let j = 0; j < len; j++) out[outOff + j] = a[aOff + j * aStep] * b[bOff + j * bStep]; return;
    case 'div': for (let j = 0; j < len; j++) out[outOff + j] = a[aOff + j * aStep] / b[bOff + j * bStep]; return;
  }
}

/**
 * Walks a broadcast a∘b in runs along the innermost output dimension: for each run, the output
 * offset, each input's offset and step (0 when broadcast along it, 1 otherwise) and the length.
 * No index array is materialised (a fresh Int32Array per op cost as much as the arithmetic).
 */
function forEachRun(
  aShape: Shape, bShape: Shape, outShape: Shape,
  run: (outOff: number, aOff: number, aStep: number, bOff: number, bStep: number, len: number) => void,
): void {
  const rank = outShape.length;
  if (rank === 0) {
    run(0, 0, 0, 0, 0, 1);
    return;
  }
  const aStrides = alignedStrides(aShape, outShape);
  const bStrides = alignedStrides(bShape, outShape);
  const len = outShape[rank - 1];
  const aStep = aStrides[rank - 1];
  const bStep = bStrides[rank - 1];
  const outer = sizeOf(outShape) / Math.max(len, 1);
  if (len === 0) return;
  const counter = new Array<number>(rank - 1).fill(0);
  let aOff = 0;
  let bOff = 0;
  for (let r = 0; r < outer; r++) {
    run(r * len, aOff, aStep, bOff, bStep, len);
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      aOff += aStrides[d];
      bOff += bStrides[d];
      if (counter[d] < outShape[d]) break;
      aOff -= aStrides[d] * counter[d];
      bOff -= bStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
}

/** Strides of `inShape` aligned to `outShape` (numpy broadcasting): 0 along broadcast dims. */
function alignedStrides(inShape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const out = new Array<number>(rank).fill(0);
  const raw = stridesOf(inShape);
  const offset = rank - inShape.length;
  for (let i = 0; i < inShape.length; i++) out[i + offset] = inShape[i] === 1 ? 0 : raw[i];
  return out;
}

export interface ValueSummary {
  min: number;
  max: number;
  mean: number;
  finite: number;
  nanCount: number;
  infCount: number;
}

/** Summaries by array: tensor data is immutable, and reshape/identity/read share their input's. */
const summaries = new WeakMap<object, ValueSummary>();

/** Drops the cached summary of an array about to be reused for other values (releaseBuffer). */
export function forgetSummary(data: object): void {
  summaries.delete(data);
}

/**
 * min, max, mean of the finite values and the NaN / inf counts, in one tight pass (the trace
 * summarises every tensor larger than its snapshot limit, so this runs once per op output).
 * `v - v === 0` holds exactly for finite v; the rare non-finite arrays get a second pass.
 * Cached per array, so an array passed here must never change afterwards (tensor data never does).
 */
export function summarizeValues(data: ArrayLike<number>): ValueSummary {
  const cached = summaries.get(data);
  if (cached) return cached;
  const summary = computeSummary(data);
  summaries.set(data, summary);
  return summary;
}

function computeSummary(data: ArrayLike<number>): ValueSummary {
  const n = data.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v - v === 0) {
      min = v < min ? v : min;
      max = v > max ? v : max;
      sum += v;
      finite++;
    }
  }
  let nanCount = 0;
  let infCount = 0;
  if (finite !== n) {
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v !== v) nanCount++;
      else if (v - v !== 0) infCount++;
    }
  }
  return { min, max, mean: finite > 0 ? sum / finite : NaN, finite, nanCount, infCount };
}

/** acc ∘ v for a reduction; max/min keep the first NaN they meet (TensorFlow's and numpy's rule). */
function combine(kind: ReduceKind, acc: number, v: number): number {
  switch (kind) {
    case 'sum': return acc + v;
    case 'prod': return acc * v;
    case 'max': return acc !== acc ? acc : v > acc || v !== v ? v : acc;
    case 'min': return acc !== acc ? acc : v < acc || v !== v ? v : acc;
  }
}

/**
 * Reductions whose reduced axes form one block of adjacent dims: the input is then
 * [outer, reduced, inner] and each output element combines a strided run, with contiguous inner
 * loops (bias gradients reduce the leading axis, means the trailing ones). Returns false for
 * other patterns (e.g. axes 0 and 2 of a rank-3 tensor), which take the general loop.
 */
function reduceBlocks(kind: ReduceKind, x: NumericData, shape: Shape, reduced: boolean[], acc: Float64Array): boolean {
  const first = reduced.indexOf(true);
  const last = reduced.lastIndexOf(true);
  for (let i = first; i <= last; i++) if (!reduced[i]) return false;
  const outer = sizeOf(shape.slice(0, first));
  const r = sizeOf(shape.slice(first, last + 1));
  const inner = sizeOf(shape.slice(last + 1));
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = acc[o];
      const base = o * r;
      if (kind === 'sum') for (let t = 0; t < r; t++) s += x[base + t];
      else for (let t = 0; t < r; t++) s = combine(kind, s, x[base + t]);
      acc[o] = s;
    }
    return true;
  }
  for (let o = 0; o < outer; o++) {
    const out = o * inner;
    for (let t = 0; t < r; t++) {
      const base = (o * r + t) * inner;
      if (kind === 'sum') for (let j = 0; j < inner; j++) acc[out + j] += x[base + j];
      else for (let j = 0; j < inner; j++) acc[out + j] = combine(kind, acc[out + j], x[base + j]);
    }
  }
  return true;
}

/** Integer division semantics for int dtypes are handled by the ops (floordiv, truncatediv). */
export const cpuBackend: Backend = {
  name: 'cpu-js',

  binary(code, a, aShape, b, bShape, outShape, dtype) {
    const n = sizeOf(outShape);
    const out = allocate(dtype, n) as NumericData;
    const aSize = a.length;
    const bSize = b.length;
    if ((aSize === n || aSize === 1) && (bSize === n || bSize === 1) && (aSize === n || bSize === n || n === 1)) {
      binaryLoop(code, a, b, out, n, aSize === 1 && n !== 1, bSize === 1 && n !== 1);
      return finish(out, dtype);
    }
    forEachRun(aShape, bShape, outShape, (outOff, aOff, aStep, bOff, bStep, len) => {
      binaryRun(code, a, aOff, aStep, b, bOff, bStep, out, outOff, len);
    });
    return finish(out, dtype);
  },

  binaryFn(fn, a, aShape, b, bShape, outShape, dtype) {
    const n = sizeOf(outShape);
    const out = allocate(dtype, n) as NumericData;
    const loop = n >= SPECIALIZE_MIN ? specializedBinary(fn) : binaryFnRun;
    if (a.length === n && b.length === n) loop(fn, a, 0, 1, b, 0, 1, out, 0, n);
    else if (a.length === n && b.length === 1) loop(fn, a, 0, 1, b, 0, 0, out, 0, n);
    else if (a.length === 1 && b.length === n) loop(fn, a, 0, 0, b, 0, 1, out, 0, n);
    else {
      forEachRun(aShape, bShape, outShape, (outOff, aOff, aStep, bOff, bStep, len) => {
        loop(fn, a, aOff, aStep, b, bOff, bStep, out, outOff, len);
      });
    }
    return finish(out, dtype);
  },

  unary(fn, x, dtype) {
    const n = x.length;
    const out = allocate(dtype, n) as NumericData;
    (n >= SPECIALIZE_MIN ? specializedUnary(fn) : unaryRun)(fn, x, out, n);
    return finish(out, dtype);
  },

  reduce(kind, x, shape, axes, dtype) {
    const rank = shape.length;
    const reduced = new Array<boolean>(rank).fill(false);
    for (const a of axes) reduced[a] = true;
    const outShape = shape.map((d, i) => (reduced[i] ? 1 : d));
    const outSize = sizeOf(outShape);
    const acc = new Float64Array(outSize);
    const init = kind === 'sum' ? 0 : kind === 'prod' ? 1 : kind === 'max' ? -Infinity : Infinity;
    acc.fill(init);
    const n = x.length;
    if (outSize === 1) {
      let s = init;
      if (kind === 'sum') for (let i = 0; i < n; i++) s += x[i];
      else if (kind === 'prod') for (let i = 0; i < n; i++) s *= x[i];
      else if (kind === 'max') for (let i = 0; i < n; i++) { const v = x[i]; if (v > s || Number.isNaN(v)) s = v; if (Number.isNaN(s)) break; }
      else for (let i = 0; i < n; i++) { const v = x[i]; if (v < s || Number.isNaN(v)) s = v; if (Number.isNaN(s)) break; }
      acc[0] = s;
    } else if (reduceBlocks(kind, x, shape, reduced, acc)) {
      // done: the reduced axes were one block (leading, trailing or in the middle)
    } else {
      // Output offset of each input element: strides of the output with reduced dims zeroed.
      const outStrides = stridesOf(outShape).map((s, i) => (reduced[i] ? 0 : s));
      const counter = new Array<number>(rank).fill(0);
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i];
        switch (kind) {
          case 'sum': acc[pos] += v; break;
          case 'prod': acc[pos] *= v; break;
          case 'max': if (v > acc[pos] || Number.isNaN(v)) acc[pos] = Number.isNaN(acc[pos]) ? acc[pos] : v; break;
          case 'min': if (v < acc[pos] || Number.isNaN(v)) acc[pos] = Number.isNaN(acc[pos]) ? acc[pos] : v; break;
        }
        for (let d = rank - 1; d >= 0; d--) {
          counter[d]++;
          pos += outStrides[d];
          if (counter[d] < shape[d]) break;
          pos -= outStrides[d] * counter[d];
          counter[d] = 0;
        }
      }
    }
    const out = allocate(dtype, outSize) as NumericData;
    for (let i = 0; i < outSize; i++) out[i] = acc[i];
    return finish(out, dtype);
  },

  matmul(a, aShape, b, bShape, transposeA, transposeB, outShape, dtype) {
    const ra = aShape.length;
    const rb = bShape.length;
    const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
    const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
    const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
    const batchShape = outShape.slice(0, -2);
    const batch = sizeOf(batchShape);
    const out = allocate(dtype, batch * m * n) as NumericData;
    const aBatchIndex = broadcastIndex(aShape.slice(0, -2), batchShape);
    const bBatchIndex = broadcastIndex(bShape.slice(0, -2), batchShape);
    const aMat = m * k;
    const bMat = k * n;
    // float32 (and float16, computed in float32 like TensorFlow's CPU kernels) goes to the SIMD
    // kernel when the product is big enough to pay for packing; k == 1 stays in JavaScript so an
    // outer product keeps IEEE signed zeros exactly as a single multiply gives them.
    const simd = (dtype === 'float32' || dtype === 'float16') && k > 1 && m * n * k >= SIMD_MATMUL_MIN_WORK ? simdMatmul() : null;
    for (let p = 0; p < batch; p++) {
      const aOff = (aBatchIndex ? aBatchIndex[p] : aShape.length > 2 ? p : 0) * aMat;
      const bOff = (bBatchIndex ? bBatchIndex[p] : bShape.length > 2 ? p : 0) * bMat;
      const oOff = p * m * n;
      if (simd) simd.matmul(a as Float32Array, aOff, b as Float32Array, bOff, m, k, n, transposeA, transposeB, out as Float32Array, oOff);
      else matmulJs(a, aOff, b, bOff, m, k, n, transposeA, transposeB, out, oOff);
    }
    return finish(out, dtype);
  },

  transpose(x, shape, perm, dtype) {
    const rank = shape.length;
    const outShape = perm.map((p) => shape[p]);
    const n = x.length;
    const out = allocate(dtype, n) as NumericData;
    const inStrides = stridesOf(shape);
    const permStrides = perm.map((p) => inStrides[p]);
    const counter = new Array<number>(rank).fill(0);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      out[i] = x[pos];
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]++;
        pos += permStrides[d];
        if (counter[d] < outShape[d]) break;
        pos -= permStrides[d] * counter[d];
        counter[d] = 0;
      }
    }
    return out;
  },

  broadcastTo(x, shape, outShape, dtype) {
    const n = sizeOf(outShape);
    const out = allocate(dtype, n) as NumericData;
    if (x.length === 1) {
      out.fill(x[0]);
      return out;
    }
    if (x.length === n) {
      out.set(x);
      return out;
    }
    forEachRun(shape, [], outShape, (outOff, xOff, xStep, _bOff, _bStep, len) => {
      if (xStep === 0) out.fill(x[xOff], outOff, outOff + len);
      else out.set(x.subarray(xOff, xOff + len), outOff);
    });
    return out;
  },
};

let activeBackend: Backend = cpuBackend;

export function backend(): Backend {
  return activeBackend;
}

export function setBackend(next: Backend): void {
  activeBackend = next;
}
