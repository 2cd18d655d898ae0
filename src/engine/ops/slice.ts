/**
 * StridedSlice: Python's `x[...]` (ints, slices with steps, `...`, `tf.newaxis`) as TensorFlow
 * maps it onto begin/end/strides and five bit masks. StridedSliceGrad scatters an upstream back
 * into zeros of the input's shape; its own gradient is the StridedSlice of the upstream, so slices
 * are differentiable to any order.
 */
import { type NumericData } from '../dtype';
import { allocateChecked, registerOp } from '../engine';
import { sizeOf, stridesOf } from '../shape';
import type { Tensor } from '../tensor';
import { make, numeric } from './helpers';
import { kernelError, run1 } from './kernel-util';

export interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  begin_mask?: number;
  end_mask?: number;
  ellipsis_mask?: number;
  new_axis_mask?: number;
  shrink_axis_mask?: number;
  [key: string]: unknown;
}

/** For each input dimension: first index, step and count; plus the output shape. */
export interface SlicePlan {
  begin: number[];
  stride: number[];
  size: number[];
  outShape: number[];
}

const bit = (mask: number | undefined, i: number): boolean => ((mask ?? 0) & (1 << i)) !== 0;

/** TensorFlow's ValidateStridedSliceOp: sparse spec → dense per-dimension begin/stride/size. */
export function planStridedSlice(shape: readonly number[], attrs: StridedSliceAttrs, opType = 'StridedSlice'): SlicePlan {
  const err = (m: string) => kernelError(opType, m, { name: 'strided_slice/' });
  const { begin, end, strides } = attrs;
  const n = begin.length;
  if (end.length !== n || strides.length !== n) {
    throw err(`Expected begin, end, and strides to be 1D equal size tensors, but got shapes [${begin.length}], [${end.length}], and [${strides.length}] instead.`);
  }
  for (let i = 0; i < n; i++) if (strides[i] === 0) throw err(`strides[${i}] must be non-zero`);
  const rank = shape.length;
  let hasEllipsis = false;
  let consuming = 0;
  for (let i = 0; i < n; i++) {
    if (bit(attrs.ellipsis_mask, i)) hasEllipsis = true;
    else if (!bit(attrs.new_axis_mask, i)) consuming++;
  }
  // Without an ellipsis, TensorFlow behaves as if one ended the spec (trailing dims kept whole).
  const entries = hasEllipsis ? n : n + 1;
  const plan: SlicePlan = { begin: [], stride: [], size: [], outShape: [] };
  let dim = 0;
  let seenEllipsis = false;
  for (let i = 0; i < entries; i++) {
    const isEllipsis = i === n || (bit(attrs.ellipsis_mask, i) && !seenEllipsis);
    if (isEllipsis) {
      seenEllipsis = true;
      const covered = rank - consuming;
      for (let k = 0; k < covered && dim < rank; k++, dim++) {
        plan.begin.push(0);
        plan.stride.push(1);
        plan.size.push(shape[dim]);
        plan.outShape.push(shape[dim]);
      }
      continue;
    }
    if (bit(attrs.ellipsis_mask, i)) continue; // a second ellipsis is ignored by the kernel
    if (bit(attrs.new_axis_mask, i)) {
      plan.outShape.push(1);
      continue;
    }
    if (dim >= rank) throw err(`Index out of range using input dim ${dim}; input has only ${rank} dims`);
    const d = shape[dim];
    const stride = strides[i];
    if (bit(attrs.shrink_axis_mask, i)) {
      const index = begin[i] < 0 ? begin[i] + d : begin[i];
      if (index < 0 || index >= d) throw err(`slice index ${index} of dimension ${dim} out of bounds.`);
      plan.begin.push(index);
      plan.stride.push(1);
      plan.size.push(1);
      dim++;
      continue;
    }
    const clamp = (v: number): number => (stride > 0 ? Math.min(Math.max(v, 0), d) : Math.min(Math.max(v, -1), d - 1));
    const resolve = (v: number): number => clamp(v < 0 ? v + d : v);
    const b = bit(attrs.begin_mask, i) ? (stride > 0 ? 0 : d - 1) : resolve(begin[i]);
    const e = bit(attrs.end_mask, i) ? (stride > 0 ? d : -1) : resolve(end[i]);
    const size = stride > 0 ? Math.max(0, Math.ceil((e - b) / stride)) : Math.max(0, Math.ceil((b - e) / -stride));
    plan.begin.push(b);
    plan.stride.push(stride);
    plan.size.push(size);
    plan.outShape.push(size);
    dim++;
  }
  return plan;
}

/** Input offsets of the selected elements, in output (row-major) order. */
function selectedOffsets(shape: readonly number[], plan: SlicePlan): Int32Array {
  const total = sizeOf(plan.size);
  const offsets = new Int32Array(total);
  const rank = shape.length;
  if (total === 0) return offsets;
  const inStrides = stridesOf(shape);
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let d = 0; d < rank; d++) pos += plan.begin[d] * inStrides[d];
  for (let i = 0; i < total; i++) {
    offsets[i] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      pos += plan.stride[d] * inStrides[d];
      if (counter[d] < plan.size[d]) break;
      pos -= plan.stride[d] * inStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return offsets;
}

registerOp<StridedSliceAttrs>({
  type: 'StridedSlice',
  forward: ([x], attrs) => {
    const plan = planStridedSlice(x.shape, attrs);
    const offsets = selectedOffsets(x.shape, plan);
    const out = allocateChecked(x.dtype, offsets.length);
    const src = x.data as unknown as unknown[];
    const dst = out as unknown as unknown[];
    for (let i = 0; i < offsets.length; i++) dst[i] = src[offsets[i]];
    return [make(x.dtype, plan.outShape, out)];
  },
  grad: ({ upstream: [dy], inputs: [x], attrs }) => [run1('StridedSliceGrad', [dy], { ...attrs, shape: x.shape.slice() })],
});

registerOp<StridedSliceAttrs & { shape: number[] }>({
  type: 'StridedSliceGrad',
  forward: ([dy], attrs) => {
    const plan = planStridedSlice(attrs.shape, attrs, 'StridedSliceGrad');
    const offsets = selectedOffsets(attrs.shape, plan);
    const out = allocateChecked(dy.dtype, sizeOf(attrs.shape)) as NumericData;
    const g = numeric(dy);
    // Offsets are distinct (a strided selection), so assignment is the scatter.
    for (let i = 0; i < offsets.length; i++) out[offsets[i]] = g[i];
    return [make(dy.dtype, attrs.shape.slice(), out)];
  },
  grad: ({ upstream: [ddy], attrs }) => {
    const { shape: _shape, ...sliceAttrs } = attrs;
    void _shape;
    return [run1('StridedSlice', [ddy], sliceAttrs)];
  },
});

export type { Tensor };
