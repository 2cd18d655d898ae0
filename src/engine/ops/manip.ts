/**
 * Array manipulation: ConcatV2, Split/SplitV, Tile, GatherV2 (+ UnsortedSegmentSum, its
 * gradient), OneHot, Range, LinSpace, and the matrix-diagonal ops behind tf.eye and einsum's
 * repeated labels. Gradients follow TensorFlow's array_grad.py, written with engine ops.
 */
import { type DTypeName, type TensorData, dtypeKindWord, isFloat, isInteger } from '../dtype';
import { allocateChecked, getEngine, getOpDef as getEngineOpDef, registerOp } from '../engine';
import { TFError } from '../errors';
import { shapeText, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { make, numeric } from './helpers';
import { type KernelErrorOptions, aroundAxis, checkDType, fromDoubles, kernelError, run1, runN, scratch } from './kernel-util';

type Slot = unknown[];

/** Copies `count` elements between flat buffers of any dtype (typed arrays or string arrays). */
function copyRange(src: TensorData, srcAt: number, dst: TensorData, dstAt: number, count: number): void {
  const s = src as unknown as Slot;
  const d = dst as unknown as Slot;
  for (let i = 0; i < count; i++) d[dstAt + i] = s[srcAt + i];
}

// ---- ConcatV2 -----------------------------------------------------------------------------

registerOp<{ axis: number }>({
  type: 'ConcatV2',
  forward: (inputs, { axis }) => {
    const err = (m: string) => kernelError('ConcatV2', m, { wrapped: `ConcatV2_N_${inputs.length}`, name: 'concat' });
    const first = inputs[0];
    for (let i = 1; i < inputs.length; i++) {
      if (inputs[i].dtype !== first.dtype) {
        throw new TFError(
          'InvalidArgumentError',
          `cannot compute ConcatV2 as input #${i}(zero-based) was expected to be a ${dtypeKindWord(first.dtype)} tensor but is a ${dtypeKindWord(inputs[i].dtype)} tensor [Op:ConcatV2] name: concat`,
        );
      }
    }
    const rank = first.rank;
    if (axis < -rank || axis >= rank) {
      if (rank === 0) throw err("ConcatOp : Can't concatenate scalars (use tf.stack instead)");
      throw err(`ConcatOp : Expected concatenating dimensions in the range [${-rank}, ${rank}), but got ${axis}`);
    }
    const a = axis < 0 ? axis + rank : axis;
    for (let i = 1; i < inputs.length; i++) {
      const s = inputs[i].shape;
      if (s.length !== rank) throw err(`ConcatOp : Ranks of all input tensors should match: shape[0] = ${shapeText(first.shape)} vs. shape[${i}] = ${shapeText(s)}`);
      for (let d = 0; d < rank; d++) {
        if (d !== a && s[d] !== first.shape[d]) {
          throw err(`ConcatOp : Dimension ${d} in both shapes must be equal: shape[0] = ${shapeText(first.shape)} vs. shape[${i}] = ${shapeText(s)}`);
        }
      }
    }
    const outShape = first.shape.slice();
    outShape[a] = inputs.reduce((p, t) => p + t.shape[a], 0);
    const { outer, inner } = aroundAxis(first.shape, a);
    const out = allocateChecked(first.dtype, sizeOf(outShape));
    const rowOut = outShape[a] * inner;
    let offset = 0;
    for (const t of inputs) {
      const chunk = t.shape[a] * inner;
      for (let o = 0; o < outer; o++) copyRange(t.data, o * chunk, out, o * rowOut + offset, chunk);
      offset += chunk;
    }
    return [make(first.dtype, outShape, out)];
  },
  // Eager TensorFlow splits the upstream back into the inputs' sizes along the axis.
  grad: ({ upstream: [dy], inputs, attrs: { axis } }) => {
    const a = axis < 0 ? axis + dy.rank : axis;
    return runN('SplitV', [dy], { size_splits: inputs.map((t) => t.shape[a]), axis: a });
  },
});

// ---- Split / SplitV -----------------------------------------------------------------------

function splitAlong(x: Tensor, a: number, sizes: number[]): Tensor[] {
  const { outer, n, inner } = aroundAxis(x.shape, a);
  const outs: Tensor[] = [];
  let start = 0;
  for (const size of sizes) {
    const shape = x.shape.slice();
    shape[a] = size;
    const out = allocateChecked(x.dtype, sizeOf(shape));
    for (let o = 0; o < outer; o++) copyRange(x.data, (o * n + start) * inner, out, o * size * inner, size * inner);
    outs.push(make(x.dtype, shape, out));
    start += size;
  }
  return outs;
}

function splitAxis(type: string, x: Tensor, axis: number, wrapped: string): number {
  const rank = x.rank;
  if (axis < -rank || axis >= rank) {
    throw kernelError(type, `-input rank(-${rank}) <= split_dim < input rank (${rank}), but got ${axis}`, { wrapped, name: 'split' });
  }
  return axis < 0 ? axis + rank : axis;
}

registerOp<{ axis: number; num_split: number }>({
  type: 'Split',
  forward: ([x], { axis, num_split }) => {
    if (num_split < 1) {
      throw new TFError(
        'InvalidArgumentError',
        `Value for attr 'num_split' of ${num_split} must be at least minimum 1\n\t; NodeDef: {{node Split}}; Op<name=Split; signature=split_dim:int32, value:T -> output:num_split*T; attr=num_split:int,min=1; attr=T:type> [Op:Split] name: split`,
      );
    }
    const wrapped = `Split_num_split_${num_split}`;
    const a = splitAxis('Split', x, axis, wrapped);
    const size = x.shape[a];
    if (size % num_split !== 0) {
      throw kernelError('Split', `Number of ways to split should evenly divide the split dimension, but got split_dim ${axis} (size = ${size}) and num_split ${num_split}`, { wrapped, name: 'split' });
    }
    return splitAlong(x, a, new Array<number>(num_split).fill(size / num_split));
  },
  grad: ({ upstream, attrs: { axis } }) => [run1('ConcatV2', upstream, { axis })],
});

registerOp<{ axis: number; size_splits: number[] }>({
  type: 'SplitV',
  forward: ([x], { axis, size_splits }) => {
    const wrapped = `SplitV_num_split_${size_splits.length}`;
    const a = splitAxis('SplitV', x, axis, wrapped);
    const total = x.shape[a];
    const sizes = size_splits.slice();
    const unknown = sizes.indexOf(-1);
    const known = sizes.reduce((p, s) => (s === -1 ? p : p + s), 0);
    const bad = () =>
      kernelError('SplitV', `Determined shape must either match input shape along split_dim exactly if fully specified, or be less than the size of the input along split_dim if not fully specified.  Got: ${known}`, { wrapped, name: 'split' });
    if (unknown >= 0) {
      if (known > total) throw bad();
      sizes[unknown] = total - known;
    } else if (known !== total) throw bad();
    return splitAlong(x, a, sizes);
  },
  grad: ({ upstream, attrs: { axis } }) => [run1('ConcatV2', upstream, { axis })],
});

// ---- Tile ---------------------------------------------------------------------------------

registerOp<{ multiples: number[] }>({
  type: 'Tile',
  forward: ([x], { multiples }) => {
    if (multiples.length !== x.rank) {
      throw kernelError('Tile', `Expected multiples argument to be a vector of length ${x.rank} but got length ${multiples.length}`);
    }
    multiples.forEach((m, i) => {
      if (m < 0) throw kernelError('Tile', `Expected multiples[${i}] >= 0, but got ${m}`);
    });
    const outShape = x.shape.map((d, i) => d * multiples[i]);
    const out = allocateChecked(x.dtype, sizeOf(outShape));
    const src = x.data as unknown as Slot;
    const dst = out as unknown as Slot;
    const rank = x.rank;
    const n = sizeOf(outShape);
    const inStrides = new Array<number>(rank);
    let s = 1;
    for (let d = rank - 1; d >= 0; d--) {
      inStrides[d] = s;
      s *= x.shape[d];
    }
    const counter = new Array<number>(rank).fill(0);
    for (let i = 0; i < n; i++) {
      let at = 0;
      for (let d = 0; d < rank; d++) at += (counter[d] % x.shape[d]) * inStrides[d];
      dst[i] = src[at];
      for (let d = rank - 1; d >= 0; d--) {
        if (++counter[d] < outShape[d]) break;
        counter[d] = 0;
      }
    }
    return [make(x.dtype, outShape, out)];
  },
  // TensorFlow's _TileGrad: view the upstream as [m0, d0, m1, d1, ...] and sum the m axes.
  grad: ({ upstream: [dy], inputs: [x], attrs: { multiples } }) => {
    const split: number[] = [];
    x.shape.forEach((d, i) => split.push(multiples[i], d));
    const reshaped = run1('Reshape', [dy], { shape: split });
    return [run1('Sum', [reshaped], { axis: x.shape.map((_, i) => 2 * i), keepdims: false })];
  },
});

// ---- GatherV2 and UnsortedSegmentSum ------------------------------------------------------

/** Segment ids must be integers (TensorFlow's `Tindices` attribute). */
function checkIndices(opType: string, indices: Tensor): void {
  if (!isInteger(indices.dtype)) {
    throw new TFError('InvalidArgumentError', `Value for attr 'Tindices' of ${dtypeKindWord(indices.dtype)} is not in the list of allowed values: int32, int64 [Op:${opType}] name: `);
  }
}

registerOp<{ axis?: number; batch_dims?: number }>({
  type: 'GatherV2',
  forward: ([params, indices], { axis = 0, batch_dims = 0 }) => {
    if (!isInteger(indices.dtype)) {
      throw new TFError(
        'InvalidArgumentError',
        `Value for attr 'Tindices' of ${dtypeKindWord(indices.dtype)} is not in the list of allowed values: int16, int32, int64\n\t; NodeDef: {{node GatherV2}}; Op<name=GatherV2; signature=params:Tparams, indices:Tindices, axis:Taxis -> output:Tparams; attr=batch_dims:int,default=0; attr=Tparams:type; attr=Tindices:type,allowed=[DT_INT16, DT_INT32, DT_INT64]; attr=Taxis:type,allowed=[DT_INT32, DT_INT64]> [Op:GatherV2] name: `,
      );
    }
    const rank = params.rank;
    // Eager TensorFlow ends these messages with ` name: `; when an argument came from a Python
    // list (tf.gather(x, [0, 5])) its fast path drops that suffix: api-ops strips it then.
    const withName = {};
    if (rank < 1 || axis < -rank || axis >= rank) {
      // TensorFlow's shape function reports the rank an axis would need (axis + 1, or -axis).
      throw kernelError('GatherV2', `Shape must be at least rank ${axis >= 0 ? axis + 1 : -axis} but is rank ${rank}`, withName);
    }
    const a = axis < 0 ? axis + rank : axis;
    const b = batchDimsOf(batch_dims, indices.rank, withName);
    for (let d = 0; d < b; d++) {
      if (params.shape[d] !== indices.shape[d]) {
        throw kernelError('GatherV2', `params.shape[${d}]: ${params.shape[d]} should be equal to indices.shape[${d}]: ${indices.shape[d]}`, withName);
      }
    }
    // Layout: params [batch, mid, n, inner], indices [batch, k]; out [batch, mid, k, inner].
    const batch = sizeOf(params.shape.slice(0, b));
    const mid = sizeOf(params.shape.slice(b, a));
    const n = params.shape[a];
    const inner = sizeOf(params.shape.slice(a + 1));
    const ids = numeric(indices);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= n) throw kernelError('GatherV2', `indices${multiIndex(i, indices.shape)} = ${ids[i]} is not in [0, ${n})`, withName);
    }
    const outShape = [...params.shape.slice(0, a), ...indices.shape.slice(b), ...params.shape.slice(a + 1)];
    const out = allocateChecked(params.dtype, sizeOf(outShape));
    const k = batch === 0 ? 0 : ids.length / batch;
    for (let bi = 0; bi < batch; bi++) {
      for (let m = 0; m < mid; m++) {
        const o = bi * mid + m;
        for (let j = 0; j < k; j++) copyRange(params.data, (o * n + ids[bi * k + j]) * inner, out, (o * k + j) * inner, inner);
      }
    }
    return [make(params.dtype, outShape, out)];
  },
  // TensorFlow's _GatherV2Grad: move the gathered axis to the front, sum rows by index with
  // UnsortedSegmentSum, move it back. On axis 0 TensorFlow returns tf.IndexedSlices; we return the
  // dense equivalent and mark it so the views can say so.
  grad: ({ upstream: [dy], inputs: [params, indices], attrs: { axis = 0, batch_dims = 0 } }) => {
    const a = axis < 0 ? axis + params.rank : axis;
    if (batch_dims !== 0) return [batchGatherGrad(dy, params, indices, a, batchDimsOf(batch_dims, indices.rank, {})), null];
    const count = indices.size;
    const flatIds = run1('Reshape', [indices], { shape: [count] });
    const valuesShape = [...params.shape.slice(0, a), count, ...params.shape.slice(a + 1)];
    let values = run1('Reshape', [dy], { shape: valuesShape });
    if (a === 0) {
      const g = run1('UnsortedSegmentSum', [values, flatIds], { num_segments: params.shape[0] });
      g.fromIndexedSlices = true;
      return [g, null];
    }
    const rank = valuesShape.length;
    const perm = [a, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== a)];
    values = run1('Transpose', [values], { perm });
    const summed = run1('UnsortedSegmentSum', [values, flatIds], { num_segments: params.shape[a] });
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [run1('Transpose', [summed], { perm: inverse }), null];
  },
});

function batchDimsOf(batchDims: number, indicesRank: number, options: KernelErrorOptions): number {
  if (batchDims < -indicesRank || batchDims > indicesRank) {
    throw kernelError('GatherV2', `Expected batch_dims in the range [${-indicesRank}, ${indicesRank}], but got ${batchDims}`, options);
  }
  return batchDims < 0 ? batchDims + indicesRank : batchDims;
}

/** TensorFlow's index text in errors: `[3]` for vectors, `[0,1]` for higher ranks. */
function multiIndex(flat: number, shape: readonly number[]): string {
  if (shape.length <= 1) return `[${flat}]`;
  const parts = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    parts[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return `[${parts.join(',')}]`;
}

/**
 * Gradient of a batched gather (TensorFlow's _BatchGatherGrad): offset each batch's indices by
 * batch * n, sum rows with UnsortedSegmentSum, and lay the result out as params again.
 */
function batchGatherGrad(dy: Tensor, params: Tensor, indices: Tensor, a: number, b: number): Tensor {
  const rb = b;
  const rm = a - b;
  const ri = indices.rank - b;
  const rn = params.rank - a - 1;
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  // dy is [batch(rb), mid(rm), idx(ri), inner(rn)]: bring the index dims next to the batch dims.
  const toRows = [...range(0, rb), ...range(rb + rm, ri), ...range(rb, rm), ...range(rb + rm + ri, rn)];
  const batch = sizeOf(params.shape.slice(0, b));
  const n = params.shape[a];
  const k = batch === 0 ? 0 : indices.size / batch;
  const rowSize = sizeOf(params.shape.slice(b, a)) * sizeOf(params.shape.slice(a + 1));
  const rows = run1('Reshape', [run1('Transpose', [dy], { perm: toRows })], { shape: [batch * k, rowSize] });
  const ids = numeric(indices);
  const offsetIds = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) offsetIds[i] = Math.floor(i / Math.max(k, 1)) * n + ids[i];
  const segmentIds = getEngine().constant('int32', [ids.length], offsetIds);
  const summed = run1('UnsortedSegmentSum', [rows, segmentIds], { num_segments: batch * n });
  // [batch, n, mid, inner] back to params' [batch, mid, n, inner].
  const grouped = run1('Reshape', [summed], { shape: [...params.shape.slice(0, b), n, ...params.shape.slice(b, a), ...params.shape.slice(a + 1)] });
  const back = [...range(0, rb), ...range(rb + 1, rm), rb, ...range(rb + rm + 1, rn)];
  return run1('Transpose', [grouped], { perm: back });
}

registerOp<{ num_segments: number }>({
  type: 'UnsortedSegmentSum',
  forward: ([data, segmentIds], { num_segments }) => {
    checkIndices('UnsortedSegmentSum', segmentIds);
    const prefix = segmentIds.rank;
    if (segmentIds.shape.some((d, i) => d !== data.shape[i])) {
      throw kernelError('UnsortedSegmentSum', `data.shape = ${shapeText(data.shape)} does not start with segment_ids.shape = ${shapeText(segmentIds.shape)}`);
    }
    const inner = sizeOf(data.shape.slice(prefix));
    const outShape = [num_segments, ...data.shape.slice(prefix)];
    const acc = scratch(sizeOf(outShape));
    const ids = numeric(segmentIds);
    const v = numeric(data);
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j];
      if (id < 0) continue; // negative ids are dropped, as in TensorFlow
      if (id >= num_segments) throw kernelError('UnsortedSegmentSum', `segment_ids[${j}] = ${id} is out of range [0, ${num_segments})`);
      for (let i = 0; i < inner; i++) acc[id * inner + i] += v[j * inner + i];
    }
    return [fromDoubles(data.dtype, outShape, acc)];
  },
  grad: ({ upstream: [dy], inputs: [, segmentIds] }) => {
    // Gathering rows back; ids are in range here (negative ones never come from our gradients).
    const flat = run1('Reshape', [segmentIds], { shape: [segmentIds.size] });
    const gathered = run1('GatherV2', [dy, flat], { axis: 0, batch_dims: 0 });
    return [run1('Reshape', [gathered], { shape: [...segmentIds.shape, ...dy.shape.slice(1)] }), null];
  },
});

// ---- OneHot, Range, LinSpace --------------------------------------------------------------

type OneHotAttrs = { depth: number; on_value?: number; off_value?: number; axis?: number; dtype?: DTypeName };

registerOp<OneHotAttrs>({
  type: 'OneHot',
  forward: ([indices], { depth, on_value = 1, off_value = 0, axis = -1, dtype = 'float32' }) => {
    if (!isInteger(indices.dtype)) {
      throw new TFError(
        'InvalidArgumentError',
        `Value for attr 'TI' of ${dtypeKindWord(indices.dtype)} is not in the list of allowed values: uint8, int8, int32, int64\n\t; NodeDef: {{node OneHot}}; Op<name=OneHot; signature=indices:TI, depth:int32, on_value:T, off_value:T -> output:T; attr=axis:int,default=-1; attr=T:type; attr=TI:type,default=DT_INT64,allowed=[DT_UINT8, DT_INT8, DT_INT32, DT_INT64]> [Op:OneHot]`,
      );
    }
    const outRank = indices.rank + 1;
    if (axis !== -1 && (axis < 0 || axis >= outRank)) {
      throw kernelError('OneHot', `Expected axis to be -1 or between [0, ${outRank}).  But received: ${axis}`, { name: null });
    }
    if (depth < 0) throw kernelError('OneHot', `depth must be non-negative, got: ${depth}`, { name: null });
    const a = axis === -1 ? indices.rank : axis;
    const outShape = indices.shape.slice();
    outShape.splice(a, 0, depth);
    const { outer, inner } = aroundAxis(outShape, a);
    const ids = numeric(indices);
    const out = scratch(sizeOf(outShape)).fill(off_value);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const id = ids[o * inner + i];
        if (id >= 0 && id < depth) out[(o * depth + id) * inner + i] = on_value;
      }
    }
    return [fromDoubles(dtype, outShape, out)];
  },
  noGradient: 'nondifferentiable',
});

type RangeAttrs = { start: number; limit: number; delta: number; dtype: DTypeName };

registerOp<RangeAttrs>({
  type: 'Range',
  forward: (_inputs, { start, limit, delta, dtype }) => {
    const err = (m: string) => kernelError('Range', m);
    if (delta === 0) throw err(`Requires delta != 0: ${delta}`);
    if (delta > 0 && start > limit) throw err(`Requires start <= limit when delta > 0: ${start}/${limit}`);
    if (delta < 0 && start < limit) throw err(`Requires start >= limit when delta < 0: ${start}/${limit}`);
    let size: number;
    let values: Float64Array;
    if (isInteger(dtype)) {
      size = Math.floor((Math.abs(limit - start) + Math.abs(delta) - 1) / Math.abs(delta));
      values = scratch(size);
      for (let i = 0; i < size; i++) values[i] = start + i * delta;
    } else {
      const round = dtype === 'float64' ? (v: number) => v : Math.fround;
      const [s, l, d] = [round(start), round(limit), round(delta)];
      size = Math.ceil(Math.abs((l - s) / d));
      values = scratch(size);
      // start + i * delta in the dtype's arithmetic, as TensorFlow's kernel computes each element.
      for (let i = 0; i < size; i++) values[i] = round(s + round(i * d));
    }
    return [fromDoubles(dtype, [size], values)];
  },
  noGradient: 'nondifferentiable',
});

/** tf.linspace(start, stop, num): start + i * ((stop - start) / (num - 1)), the last one exactly stop. */
registerOp<{ num: number }>({
  type: 'LinSpace',
  forward: ([start, stop], { num }) => {
    checkDType('LinSpace', start);
    if (num <= 0) throw kernelError('LinSpace', `Requires num > 0: ${num}`);
    const round = start.dtype === 'float64' ? (v: number) => v : Math.fround;
    const s = start.scalarValue();
    const e = stop.scalarValue();
    const values = scratch(num);
    const delta = round(round(e - s) / Math.max(num - 1, 1));
    for (let i = 0; i < num; i++) values[i] = round(s + round(i * delta));
    if (num > 1) values[num - 1] = e;
    return [fromDoubles(start.dtype, [num], values)];
  },
  // Linear in start and stop: weights (1 - i/(n-1)) and i/(n-1), summed against the upstream.
  grad: ({ upstream: [dy], inputs: [start], attrs: { num } }) => {
    const w = scratch(num);
    for (let i = 0; i < num; i++) w[i] = num === 1 ? 0 : i / (num - 1);
    const engine = getEngine();
    const weights = engine.constant(dy.dtype, [num], fromDoubles(dy.dtype, [num], w).data);
    const toStop = run1('Sum', [run1('Mul', [dy, weights])], { axis: [0], keepdims: false });
    const toStart = run1('Sub', [run1('Sum', [dy], { axis: [0], keepdims: false }), toStop]);
    void start;
    return [toStart, toStop];
  },
});

// ---- matrix diagonals (tf.eye, einsum's repeated labels) ----------------------------------

/** MatrixDiagV3 with k = 0: a batch of vectors [..., n] becomes diagonal matrices [..., rows, cols]. */
registerOp<{ num_rows?: number; num_cols?: number; padding_value?: number }>({
  type: 'MatrixDiagV3',
  forward: ([diag], { num_rows, num_cols, padding_value = 0 }) => {
    const n = diag.shape[diag.rank - 1];
    const rows = num_rows ?? n;
    const cols = num_cols ?? n;
    const batch = diag.size / Math.max(n, 1);
    const outShape = [...diag.shape.slice(0, -1), rows, cols];
    const out = scratch(sizeOf(outShape)).fill(padding_value);
    const v = numeric(diag);
    const m = Math.min(rows, cols, n);
    for (let b = 0; b < batch; b++) for (let i = 0; i < m; i++) out[b * rows * cols + i * cols + i] = v[b * n + i];
    return [fromDoubles(diag.dtype, outShape, out)];
  },
  grad: ({ upstream: [dy], inputs: [diag] }) => {
    const part = run1('MatrixDiagPartV3', [dy]);
    const n = diag.shape[diag.rank - 1];
    if (part.shape[part.rank - 1] === n) return [part];
    // A padded output (num_rows/num_cols beyond the diagonal) has a longer diagonal: keep the first n.
    return [run1('StridedSlice', [part], { begin: [0, 0], end: [0, n], strides: [1, 1], begin_mask: 0, end_mask: 0, ellipsis_mask: 1, new_axis_mask: 0, shrink_axis_mask: 0 })];
  },
});

/** MatrixDiagPartV3 with k = 0: the main diagonal of each matrix [..., rows, cols] → [..., min]. */
registerOp({
  type: 'MatrixDiagPartV3',
  forward: ([x]) => {
    if (x.rank < 2) throw kernelError('MatrixDiagPartV3', `input must be at least 2-dim, received shape: ${shapeText(x.shape)}`);
    const rows = x.shape[x.rank - 2];
    const cols = x.shape[x.rank - 1];
    const m = Math.min(rows, cols);
    const batch = x.size / Math.max(rows * cols, 1);
    const v = numeric(x);
    const out = scratch(batch * m);
    for (let b = 0; b < batch; b++) for (let i = 0; i < m; i++) out[b * m + i] = v[b * rows * cols + i * cols + i];
    return [fromDoubles(x.dtype, [...x.shape.slice(0, -2), m], out)];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => {
    const rows = x.shape[x.rank - 2];
    const cols = x.shape[x.rank - 1];
    return [run1('MatrixDiagV3', [dy], { num_rows: rows, num_cols: cols })];
  },
});

/** MatrixSetDiagV3 with k = 0: replaces the main diagonal of each matrix. */
registerOp({
  type: 'MatrixSetDiagV3',
  forward: ([x, diag]) => {
    const rows = x.shape[x.rank - 2];
    const cols = x.shape[x.rank - 1];
    const m = Math.min(rows, cols);
    const batch = x.size / Math.max(rows * cols, 1);
    const out = Float64Array.from(numeric(x));
    const d = numeric(diag);
    for (let b = 0; b < batch; b++) for (let i = 0; i < m; i++) out[b * rows * cols + i * cols + i] = d[b * m + i];
    return [fromDoubles(x.dtype, x.shape.slice(), out)];
  },
  grad: ({ upstream: [dy], inputs: [, diag] }) => [
    run1('MatrixSetDiagV3', [dy, run1('ZerosLike', [diag])]),
    run1('MatrixDiagPartV3', [dy]),
  ],
});

/**
 * tf.compat.v1.where's `Select` (what nn_impl's composites such as
 * sigmoid_cross_entropy_with_logits run): condition, x and y of one shape, no broadcasting.
 */
registerOp({
  type: 'Select',
  forward: (inputs) => {
    const [cond, x, y] = inputs;
    if (cond.shape.join(',') !== x.shape.join(',') || x.shape.join(',') !== y.shape.join(',')) {
      throw kernelError('Select', `'then' and 'else' must have the same size.  but received: ${shapeText(x.shape)} vs. ${shapeText(y.shape)}`);
    }
    return getEngineOpDef('SelectV2').forward(inputs, {});
  },
  grad: ({ upstream: [dy], inputs: [cond], needed }) => {
    const zeros = run1('ZerosLike', [dy]);
    return [null, needed[1] ? run1('Select', [cond, dy, zeros]) : null, needed[2] ? run1('Select', [cond, zeros, dy]) : null];
  },
});
