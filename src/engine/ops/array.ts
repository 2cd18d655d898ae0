/**
 * Core array ops, reductions and matmul, with their gradients. More array ops (concat, gather,
 * slicing, tile...) live in their own modules next to this one and follow the same pattern.
 */
import { backend } from '../backend';
import { type DTypeName, type NumericData, allocate, dtypeKindWord, isFloat } from '../dtype';
import { getEngine, registerOp } from '../engine';
import { TFError, opError } from '../errors';
import { type Shape, broadcastShapes, normalizeAxis, shapeText, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { broadcastOrThrow, checkNumeric, checkSameDType, make, numeric, scalarLike, unbroadcast } from './helpers';
import { checkDType } from './kernel-util';

const run = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);

function copyData(t: Tensor): NumericData | string[] {
  return t.dtype === 'string' ? (t.data as string[]).slice() : (t.data as NumericData);
}

// ---- shape ops ----------------------------------------------------------------------------

/** Resolves a reshape target with at most one -1. */
export function resolveReshape(shape: readonly number[], size: number, inputShape: Shape): number[] {
  const out = shape.slice();
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    const known = out.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    if (known === 0 || size % known !== 0) {
      throw opError('Reshape', `Input to reshape is a tensor with ${size} values, but the requested shape requires a multiple of ${known}`, true);
    }
    out[unknown] = size / known;
  }
  if (sizeOf(out) !== size) {
    throw new TFError(
      'InvalidArgumentError',
      `{{function_node __wrapped__Reshape_device_/job:localhost/replica:0/task:0/device:CPU:0}} Input to reshape is a tensor with ${size} values, but the requested shape has ${sizeOf(out)} [Op:Reshape]`,
    );
  }
  void inputShape;
  return out;
}

registerOp<{ shape: number[] }>({
  type: 'Reshape',
  forward: ([x], { shape }) => [make(x.dtype, resolveReshape(shape, x.size, x.shape), copyData(x))],
  grad: ({ upstream: [dy], inputs: [x] }) => [run('Reshape', [dy], { shape: x.shape.slice() })],
});

registerOp<{ axis: number }>({
  type: 'ExpandDims',
  forward: ([x], { axis }) => {
    const a = axis < 0 ? axis + x.rank + 1 : axis;
    if (a < 0 || a > x.rank) throw opError('ExpandDims', `Tried to expand dim index ${axis} for tensor with ${x.rank} dimensions.`);
    const shape = x.shape.slice();
    shape.splice(a, 0, 1);
    return [make(x.dtype, shape, copyData(x))];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => [run('Reshape', [dy], { shape: x.shape.slice() })],
});

registerOp<{ axis?: number[] }>({
  type: 'Squeeze',
  forward: ([x], { axis }) => {
    let shape: number[];
    if (!axis || axis.length === 0) shape = x.shape.filter((d) => d !== 1);
    else {
      const axes = axis.map((a) => normalizeAxis(a, x.rank));
      for (const a of axes) {
        if (x.shape[a] !== 1) throw opError('Squeeze', `Can not squeeze dim[${a}], expected a dimension of 1, got ${x.shape[a]}`);
      }
      shape = x.shape.filter((_, i) => !axes.includes(i));
    }
    return [make(x.dtype, shape, copyData(x))];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => [run('Reshape', [dy], { shape: x.shape.slice() })],
});

registerOp<{ perm?: number[] }>({
  type: 'Transpose',
  forward: ([x], { perm }) => {
    const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
    if (p.length !== x.rank) throw opError('Transpose', `transpose expects a vector of size ${x.rank}. But input(1) is a vector of size ${p.length}`);
    const shape = p.map((i) => x.shape[i]);
    if (x.dtype === 'string') {
      throw new TFError('UnimplementedError', 'Tapescope does not transpose string tensors yet');
    }
    return [make(x.dtype, shape, backend().transpose(numeric(x), x.shape, p, x.dtype))];
  },
  grad: ({ upstream: [dy], inputs: [x], attrs: { perm } }) => {
    const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
    const inverse = new Array<number>(p.length);
    p.forEach((axis, i) => (inverse[axis] = i));
    return [run('Transpose', [dy], { perm: inverse })];
  },
});

registerOp<{ shape: number[] }>({
  type: 'BroadcastTo',
  forward: ([x], { shape }) => {
    const out = broadcastShapes(x.shape, shape);
    if (!out || out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
      throw opError('BroadcastTo', `Unable to broadcast tensor of shape ${shapeText(x.shape)} to tensor of shape ${shapeText(shape)}`);
    }
    return [make(x.dtype, shape.slice(), backend().broadcastTo(numeric(x), x.shape, shape, x.dtype))];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => [unbroadcast(dy, x)],
});

registerOp<{ axis: number }>({
  type: 'Pack',
  forward: (inputs, { axis }) => {
    const dtype = checkSameDType('Pack', inputs);
    const first = inputs[0];
    const rank = first.rank + 1;
    const a = axis < 0 ? axis + rank : axis;
    for (let i = 1; i < inputs.length; i++) {
      if (inputs[i].shape.join(',') !== first.shape.join(',')) {
        throw opError('Pack', `Shapes of all inputs must match: values[0].shape = ${shapeText(first.shape)} != values[${i}].shape = ${shapeText(inputs[i].shape)}`);
      }
    }
    const outShape = first.shape.slice();
    outShape.splice(a, 0, inputs.length);
    const outer = sizeOf(first.shape.slice(0, a));
    const inner = sizeOf(first.shape.slice(a));
    const out = allocate(dtype, sizeOf(outShape));
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inputs.length; k++) {
        const src = inputs[k].data;
        const base = (o * inputs.length + k) * inner;
        for (let j = 0; j < inner; j++) (out as unknown[])[base + j] = src[o * inner + j];
      }
    }
    return [make(dtype, outShape, out)];
  },
  grad: ({ upstream: [dy], inputs, attrs: { axis } }) => getEngine().run('Unpack', [dy], { axis, num: inputs.length }),
});

registerOp<{ axis: number; num?: number }>({
  type: 'Unpack',
  forward: ([x], { axis }) => {
    const a = normalizeAxis(axis, x.rank);
    const n = x.shape[a];
    const outShape = x.shape.filter((_, i) => i !== a);
    const outer = sizeOf(x.shape.slice(0, a));
    const inner = sizeOf(x.shape.slice(a + 1));
    const outs: Tensor[] = [];
    for (let k = 0; k < n; k++) {
      const out = allocate(x.dtype, sizeOf(outShape));
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < inner; j++) (out as unknown[])[o * inner + j] = x.data[(o * n + k) * inner + j];
      }
      outs.push(make(x.dtype, outShape.slice(), out));
    }
    return outs;
  },
  grad: ({ upstream, attrs: { axis } }) => [run('Pack', upstream, { axis })],
});

registerOp({
  type: 'ZerosLike',
  forward: ([x]) => [make(x.dtype, x.shape.slice(), allocate(x.dtype, x.size))],
  noGradient: 'nondifferentiable',
});

registerOp({
  type: 'OnesLike',
  forward: ([x]) => {
    const data = allocate(x.dtype, x.size);
    if (x.dtype === 'string') throw opError('OnesLike', 'OnesLike is not defined for string tensors');
    (data as NumericData).fill(1);
    return [make(x.dtype, x.shape.slice(), data)];
  },
  noGradient: 'nondifferentiable',
});

/** tf.fill(dims, value): the value input is differentiable (sum of the upstream). */
registerOp<{ shape: number[] }>({
  type: 'Fill',
  forward: ([value], { shape }) => {
    if (value.rank !== 0) throw opError('Fill', `value must be a scalar, got shape ${shapeText(value.shape)}`);
    const data = allocate(value.dtype, sizeOf(shape));
    (data as unknown[] as (number | string)[]).fill(value.data[0] as number);
    return [make(value.dtype, shape.slice(), data)];
  },
  grad: ({ upstream: [dy] }) => [run('Sum', [dy], { axis: dy.shape.map((_, i) => i), keepdims: false })],
});

/** tf.where(cond, x, y) with broadcasting (SelectV2). */
registerOp({
  type: 'SelectV2',
  forward: (inputs) => {
    const [cond, x, y] = inputs;
    if (cond.dtype !== 'bool') throw opError('SelectV2', `cannot compute SelectV2 as input #0(zero-based) was expected to be a bool tensor but is a ${dtypeKindWord(cond.dtype)} tensor`, false);
    // x is input #1 and y input #2: a mismatch is reported on y, as TensorFlow does.
    if (y.dtype !== x.dtype) {
      throw opError('SelectV2', `cannot compute SelectV2 as input #2(zero-based) was expected to be a ${dtypeKindWord(x.dtype)} tensor but is a ${dtypeKindWord(y.dtype)} tensor`, false);
    }
    const dtype = x.dtype;
    const xy = broadcastShapes(x.shape, y.shape);
    const shape = xy && broadcastShapes(cond.shape, xy);
    if (!shape) {
      throw opError('SelectV2', `condition ${shapeText(cond.shape)}, then ${shapeText(x.shape)}, and else ${shapeText(y.shape)} must be broadcastable`);
    }
    const n = sizeOf(shape);
    const cb = backend().broadcastTo(numeric(cond), cond.shape, shape, 'bool');
    const out = allocate(dtype, n);
    if (dtype === 'string') {
      // Strings select by index (the numeric kernels do not carry them).
      const index = (t: Tensor) => backend().broadcastTo(Float64Array.from({ length: t.size }, (_, i) => i), t.shape, shape, 'float64');
      const xi = index(x);
      const yi = index(y);
      const xs = x.data as string[];
      const ys = y.data as string[];
      const os = out as string[];
      for (let i = 0; i < n; i++) os[i] = cb[i] ? xs[xi[i]] : ys[yi[i]];
      return [make(dtype, shape, os)];
    }
    const xb = x.size === n && x.shape.length === shape.length ? numeric(x) : backend().broadcastTo(numeric(x), x.shape, shape, dtype);
    const yb = y.size === n && y.shape.length === shape.length ? numeric(y) : backend().broadcastTo(numeric(y), y.shape, shape, dtype);
    const o = out as NumericData;
    for (let i = 0; i < n; i++) o[i] = cb[i] ? xb[i] : yb[i];
    return [make(dtype, shape, o)];
  },
  grad: ({ upstream: [dy], inputs: [cond, x, y], needed }) => {
    const zeros = run('ZerosLike', [dy]);
    return [
      null,
      needed[1] ? unbroadcast(run('SelectV2', [cond, dy, zeros]), x) : null,
      needed[2] ? unbroadcast(run('SelectV2', [cond, zeros, dy]), y) : null,
    ];
  },
});

// ---- reductions ---------------------------------------------------------------------------

export function reductionAxes(x: Tensor, axis: number[] | number | null | undefined, opType = 'Sum'): number[] {
  if (axis === null || axis === undefined) return x.shape.map((_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  const out: number[] = [];
  for (const a of list) {
    const n = a < 0 ? a + x.rank : a;
    if (n < 0 || n >= x.rank) {
      throw opError(opType, `Invalid reduction dimension (${a} for input with ${x.rank} dimension(s)`, true);
    }
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((p, q) => p - q);
}

function reducedShape(shape: Shape, axes: number[], keepdims: boolean): number[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Gradient of a reduction: reshape the upstream to keepdims form, then broadcast to the input. */
function expandReduced(dy: Tensor, x: Tensor, axes: number[]): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const g = dy.shape.join(',') === kept.join(',') ? dy : run('Reshape', [dy], { shape: kept });
  return run('BroadcastTo', [g], { shape: x.shape.slice() });
}

type ReduceAttrs = { axis?: number[] | number | null; keepdims?: boolean };

function reduceForward(type: string, kind: 'sum' | 'prod' | 'max' | 'min', mean = false) {
  return ([x]: Tensor[], { axis, keepdims }: ReduceAttrs): Tensor[] => {
    checkDType(type, x);
    checkNumeric(type, x);
    const axes = reductionAxes(x, axis, type);
    const outShape = reducedShape(x.shape, axes, keepdims ?? false);
    let dtype: DTypeName = x.dtype;
    if (x.dtype === 'bool') dtype = 'bool';
    const data = backend().reduce(kind, numeric(x), x.shape, axes, mean ? 'float64' : dtype);
    if (mean) {
      const count = axes.reduce((p, a) => p * x.shape[a], 1);
      const out = allocate(dtype, data.length) as NumericData;
      // Integer means truncate, as TensorFlow's integer Mean does.
      for (let i = 0; i < data.length; i++) out[i] = isFloat(dtype) ? data[i] / count : Math.trunc(data[i] / count);
      if (dtype === 'float16') return [make(dtype, outShape, backend().unary((v) => v, out, dtype))];
      return [make(dtype, outShape, out)];
    }
    return [make(dtype, outShape, data)];
  };
}

registerOp<ReduceAttrs>({
  type: 'Sum',
  forward: reduceForward('Sum', 'sum'),
  grad: ({ upstream: [dy], inputs: [x], attrs: { axis } }) => [expandReduced(dy, x, reductionAxes(x, axis))],
});

registerOp<ReduceAttrs>({
  type: 'Mean',
  forward: reduceForward('Mean', 'sum', true),
  grad: ({ upstream: [dy], inputs: [x], attrs: { axis } }) => {
    const axes = reductionAxes(x, axis);
    const count = axes.reduce((p, a) => p * x.shape[a], 1);
    return [run('RealDiv', [expandReduced(dy, x, axes), scalarLike(count, dy)])];
  },
});

registerOp<ReduceAttrs>({
  type: 'Prod',
  forward: reduceForward('Prod', 'prod'),
  // TensorFlow's _ProdGrad: the product of the others as exclusive cumulative products from the
  // left and from the right (no division, so zeros, NaNs and infinities behave as in TensorFlow).
  grad: ({ upstream: [dy], inputs: [x], attrs: { axis } }) => {
    const axes = reductionAxes(x, axis);
    const grad = expandReduced(dy, x, axes);
    const others = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...axes, ...others];
    const reducedNum = axes.reduce((p, a) => p * x.shape[a], 1);
    const otherNum = others.reduce((p, a) => p * x.shape[a], 1);
    const permuted = run('Transpose', [x], { perm });
    const reshaped = run('Reshape', [permuted], { shape: [reducedNum, otherNum] });
    const left = run('Cumprod', [reshaped], { axis: 0, exclusive: true, reverse: false });
    const right = run('Cumprod', [reshaped], { axis: 0, exclusive: true, reverse: true });
    const y = run('Reshape', [run('Mul', [left, right])], { shape: permuted.shape.slice() });
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    const out = run('Mul', [grad, run('Transpose', [y], { perm: inverse })]);
    return [run('Reshape', [out], { shape: x.shape.slice() })];
  },
});

function minMaxGrad(dy: Tensor, x: Tensor, y: Tensor, axis: ReduceAttrs['axis']): Tensor {
  // The upstream is shared equally among the elements equal to the extreme (TensorFlow's _MinOrMaxGrad).
  const axes = reductionAxes(x, axis);
  const yFull = expandReduced(y, x, axes);
  const equal = run('Cast', [run('Equal', [x, yFull])], { dtype: x.dtype });
  const count = expandReduced(run('Sum', [equal], { axis: axes, keepdims: true }), x, axes);
  return run('Mul', [run('RealDiv', [equal, count]), expandReduced(dy, x, axes)]);
}

registerOp<ReduceAttrs>({
  type: 'Max',
  forward: reduceForward('Max', 'max'),
  grad: ({ upstream: [dy], inputs: [x], outputs: [y], attrs: { axis } }) => [minMaxGrad(dy, x, y, axis)],
});

registerOp<ReduceAttrs>({
  type: 'Min',
  forward: reduceForward('Min', 'min'),
  grad: ({ upstream: [dy], inputs: [x], outputs: [y], attrs: { axis } }) => [minMaxGrad(dy, x, y, axis)],
});

// ---- matmul -------------------------------------------------------------------------------

type MatMulAttrs = { transpose_a?: boolean; transpose_b?: boolean };

function matmulShape(a: Tensor, b: Tensor, ta: boolean, tb: boolean): number[] {
  const type = a.rank > 2 || b.rank > 2 ? 'BatchMatMulV2' : 'MatMul';
  if (a.rank < 2 || b.rank < 2) {
    const bad = a.rank < 2 ? a : b;
    throw opError(type, `In[${a.rank < 2 ? 0 : 1}] ndims must be >= 2: ${bad.rank}`);
  }
  const m = ta ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const k1 = ta ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const k2 = tb ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  const n = tb ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  if (k1 !== k2) {
    if (type === 'MatMul') throw opError(type, `Matrix size-incompatible: In[0]: ${shapeText(a.shape)}, In[1]: ${shapeText(b.shape)}`);
    throw opError(type, `Matrix size-incompatible: In[0]: ${shapeText(a.shape)}, In[1]: ${shapeText(b.shape)}`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batch) throw opError(type, `In[0] and In[1] must have compatible batch dimensions: ${shapeText(a.shape)} vs. ${shapeText(b.shape)}`);
  return [...batch, m, n];
}

function matmulForward(type: string) {
  return (inputs: Tensor[], { transpose_a = false, transpose_b = false }: MatMulAttrs): Tensor[] => {
    const [a, b] = inputs;
    const dtype = checkSameDType(type, inputs);
    checkDType(type, a);
    checkNumeric(type, a);
    const shape = matmulShape(a, b, transpose_a, transpose_b);
    return [make(dtype, shape, backend().matmul(numeric(a), a.shape, numeric(b), b.shape, transpose_a, transpose_b, shape, dtype))];
  };
}

/** TensorFlow's _MatMulGrad, for each combination of transpose flags; batch dims are unbroadcast. */
function matmulGrad(type: string) {
  return ({ upstream: [g], inputs: [a, b], attrs: { transpose_a = false, transpose_b = false }, needed }: {
    upstream: Tensor[];
    inputs: Tensor[];
    attrs: MatMulAttrs;
    needed: readonly boolean[];
  }): (Tensor | null)[] => {
    const mm = (x: Tensor, y: Tensor, ta: boolean, tb: boolean) => run(type, [x, y], { transpose_a: ta, transpose_b: tb });
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (!transpose_a && !transpose_b) {
      if (needed[0]) ga = mm(g, b, false, true);
      if (needed[1]) gb = mm(a, g, true, false);
    } else if (!transpose_a && transpose_b) {
      if (needed[0]) ga = mm(g, b, false, false);
      if (needed[1]) gb = mm(g, a, true, false);
    } else if (transpose_a && !transpose_b) {
      if (needed[0]) ga = mm(b, g, false, true);
      if (needed[1]) gb = mm(a, g, false, false);
    } else {
      if (needed[0]) ga = mm(b, g, true, true);
      if (needed[1]) gb = mm(g, a, true, true);
    }
    return [ga ? unbroadcast(ga, a) : null, gb ? unbroadcast(gb, b) : null];
  };
}

registerOp<MatMulAttrs>({ type: 'MatMul', forward: matmulForward('MatMul'), grad: matmulGrad('MatMul') });
registerOp<MatMulAttrs>({ type: 'BatchMatMulV2', forward: matmulForward('BatchMatMulV2'), grad: matmulGrad('BatchMatMulV2') });

export { reducedShape };
export type { DTypeName };
