/**
 * Neural-network ops: LeakyRelu, Softsign, Softmax, LogSoftmax, the two softmax cross-entropy
 * kernels and L2Loss. Each gradient follows TensorFlow's nn_grad.py and is built from engine ops,
 * so it is differentiable again (the cross-entropy ops carry TensorFlow's second-order term).
 */
import { dtypeKindWord } from '../dtype';
import { registerOp } from '../engine';
import { TFError } from '../errors';
import { broadcastShapes, shapeText } from '../shape';
import type { Tensor } from '../tensor';
import { backend } from '../backend';
import { checkSameDType, make, numeric, scalarLike, unbroadcast } from './helpers';
import { aroundAxis, checkDType, checkedAxis, fromDoubles, isAllZeros, kernelError, run1, scratch } from './kernel-util';

const mul = (a: Tensor, b: Tensor): Tensor => run1('Mul', [a, b]);

registerOp<{ alpha?: number }>({
  type: 'LeakyRelu',
  forward: ([x], { alpha = 0.2 }) => {
    checkDType('LeakyRelu', x);
    const v = numeric(x);
    const out = new Float64Array(v.length);
    const a = Math.fround(alpha);
    for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? v[i] : v[i] * a;
    return [fromDoubles(x.dtype, x.shape.slice(), out)];
  },
  // TensorFlow's LeakyReluGrad: the upstream where x > 0, alpha times it elsewhere (alpha is a
  // float32 attribute, so 0.2 is 0.20000000298023224 on float64 tensors too).
  grad: ({ upstream: [dy], inputs: [x], attrs: { alpha = 0.2 } }) => [
    run1('SelectV2', [run1('Greater', [x, scalarLike(0, x)]), dy, mul(dy, scalarLike(Math.fround(alpha), dy))]),
  ],
});

registerOp({
  type: 'Softsign',
  forward: ([x]) => {
    checkDType('Softsign', x);
    const v = numeric(x);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i] / (1 + Math.abs(v[i]));
    return [fromDoubles(x.dtype, x.shape.slice(), out)];
  },
  // d/dx x/(1+|x|) = 1/(1+|x|)^2, as TensorFlow's SoftsignGrad op.
  grad: ({ upstream: [dy], inputs: [x] }) => [run1('SoftsignGrad', [dy, x])],
});

/** SoftsignGrad has no gradient in TensorFlow: differentiating softsign twice is a LookupError. */
registerOp({
  type: 'SoftsignGrad',
  forward: ([dy, x]) => {
    const g = numeric(dy);
    const v = numeric(x);
    const out = new Float64Array(g.length);
    const r = x.dtype === 'float64' ? (u: number) => u : Math.fround;
    for (let i = 0; i < g.length; i++) {
      const d = r(1 + Math.abs(v[i]));
      out[i] = r(g[i] / r(d * d));
    }
    return [fromDoubles(dy.dtype, dy.shape.slice(), out)];
  },
  noGradient: 'missing',
});

/** Rounding of intermediates: float32 (and float16, which TensorFlow computes in float32) kernels round each step. */
const stepRounding = (x: Tensor): ((v: number) => number) => (x.dtype === 'float64' ? (v: number) => v : Math.fround);

/**
 * Softmax or log-softmax along one axis, step by step as TensorFlow's Eigen kernel: shift by the
 * max, exp, sum, then multiply by the sum's reciprocal (or subtract its log).
 */
function softmaxAlong(x: Tensor, axis: number, log: boolean): Float64Array {
  const v = numeric(x);
  const r = stepRounding(x);
  const { outer, n, inner } = aroundAxis(x.shape, axis);
  const out = new Float64Array(v.length);
  const shifted = new Float64Array(n);
  const exps = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let k = 0, at = base; k < n; k++, at += inner) if (v[at] > max) max = v[at];
      let sum = 0;
      for (let k = 0, at = base; k < n; k++, at += inner) {
        shifted[k] = r(v[at] - max);
        exps[k] = r(Math.exp(shifted[k]));
        sum = r(sum + exps[k]);
      }
      if (log) {
        const logSum = r(Math.log(sum));
        for (let k = 0, at = base; k < n; k++, at += inner) out[at] = r(shifted[k] - logSum);
      } else {
        const inverse = r(1 / sum);
        for (let k = 0, at = base; k < n; k++, at += inner) out[at] = r(exps[k] * inverse);
      }
    }
  }
  return out;
}

/**
 * TensorFlow's Softmax kernels work on the last axis (tf.nn.softmax transposes for others). The
 * optional `axis` attribute lets callers skip the transposes; -1 is TensorFlow's op exactly.
 */
type AxisAttrs = { axis?: number };

function softmaxAxis(type: string, x: Tensor, axis: number | undefined): number {
  if (x.rank < 1) throw kernelError(type, `logits must have >= 1 dimension, got ${shapeText(x.shape)}`);
  return checkedAxis(axis ?? -1, x.rank, (m) => kernelError(type, m));
}

const sumAlong = (t: Tensor, axis: number): Tensor => run1('Sum', [t], { axis: [axis], keepdims: true });

registerOp<AxisAttrs>({
  type: 'Softmax',
  forward: ([x], { axis }) => {
    checkDType('Softmax', x);
    return [fromDoubles(x.dtype, x.shape.slice(), softmaxAlong(x, softmaxAxis('Softmax', x, axis), false))];
  },
  // (dy - sum(dy * y)) * y
  grad: ({ upstream: [dy], outputs: [y], attrs: { axis = -1 } }) => [mul(run1('Sub', [dy, sumAlong(mul(dy, y), axis)]), y)],
});

registerOp<AxisAttrs>({
  type: 'LogSoftmax',
  forward: ([x], { axis }) => {
    checkDType('LogSoftmax', x);
    return [fromDoubles(x.dtype, x.shape.slice(), softmaxAlong(x, softmaxAxis('LogSoftmax', x, axis), true))];
  },
  // dy - sum(dy) * exp(y)
  grad: ({ upstream: [dy], outputs: [y], attrs: { axis = -1 } }) => [run1('Sub', [dy, mul(sumAlong(dy, axis), run1('Exp', [y]))])],
});

/** grad_loss expanded along the class axis times t, TensorFlow's _BroadcastMul. */
function broadcastMul(vec: Tensor, mat: Tensor, axis: number): Tensor {
  return mul(run1('ExpandDims', [vec], { axis }), mat);
}

/**
 * The second-order term of both cross-entropy gradients: what flows back through the `backprop`
 * output (softmax - labels) into the logits, the softmax Jacobian applied to grad_grad
 * (TensorFlow writes the row sum as a batched matmul; a Sum is the same for any rank).
 */
function backpropOutputTerm(gradGrad: Tensor, logits: Tensor, axis: number): Tensor {
  const softmax = run1('Softmax', [logits], axis === -1 ? {} : { axis });
  return mul(run1('Sub', [gradGrad, sumAlong(mul(gradGrad, softmax), axis)]), softmax);
}

/** Loss and backprop (softmax - labels) along `axis`, step by step as TensorFlow's XentEigenImpl. */
function crossEntropy(logits: Tensor, labelAt: (flat: number, o: number, k: number, i: number) => number, axis: number): { loss: Float64Array; backprop: Float64Array; lossShape: number[] } {
  const x = numeric(logits);
  const r = stepRounding(logits);
  const { outer, n, inner } = aroundAxis(logits.shape, axis);
  const loss = scratch(outer * inner);
  const backprop = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * n + k) * inner + i;
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, x[at(k)]);
      let sum = 0;
      for (let k = 0; k < n; k++) sum = r(sum + r(Math.exp(r(x[at(k)] - max))));
      const logSum = r(Math.log(sum));
      let l = 0;
      for (let k = 0; k < n; k++) {
        const shifted = r(x[at(k)] - max);
        const label = labelAt(at(k), o, k, i);
        l = r(l + r(label * r(logSum - shifted)));
        backprop[at(k)] = r(r(r(Math.exp(shifted)) / sum) - label);
      }
      loss[o * inner + i] = l;
    }
  }
  return { loss, backprop, lossShape: logits.shape.filter((_, d) => d !== axis) };
}

registerOp<AxisAttrs>({
  type: 'SoftmaxCrossEntropyWithLogits',
  forward: (inputs, { axis }) => {
    const [logits, labels] = inputs;
    checkDType('SoftmaxCrossEntropyWithLogits', logits);
    checkSameDType('SoftmaxCrossEntropyWithLogits', inputs);
    // TensorFlow's kernel takes 2-D inputs whose rows/classes may broadcast; we accept any rank.
    const shape = broadcastShapes(logits.shape, labels.shape);
    if (logits.rank < 1 || !shape || shape.length !== logits.rank) {
      throw kernelError('SoftmaxCrossEntropyWithLogits', `logits and labels must be broadcastable: logits_size=${shapeText(logits.shape)} labels_size=${shapeText(labels.shape)}`);
    }
    const full = shape.some((d, i) => d !== logits.shape[i]) ? make(logits.dtype, shape, backend().broadcastTo(numeric(logits), logits.shape, shape, logits.dtype)) : logits;
    const a = checkedAxis(axis ?? -1, full.rank, (m) => kernelError('SoftmaxCrossEntropyWithLogits', m));
    const z = labels.shape.join(',') === shape.join(',') ? numeric(labels) : backend().broadcastTo(numeric(labels), labels.shape, shape, labels.dtype);
    const { loss, backprop, lossShape } = crossEntropy(full, (flat) => z[flat], a);
    return [fromDoubles(logits.dtype, lossShape, loss), fromDoubles(logits.dtype, shape, backprop)];
  },
  grad: ({ upstream: [gradLoss, gradGrad], inputs: [logits, labels], outputs: [, backprop], attrs: { axis = -1 }, needed }) => {
    let g = broadcastMul(gradLoss, backprop, axis);
    if (!isAllZeros(gradGrad)) g = run1('AddV2', [g, backpropOutputTerm(gradGrad, logits, axis)]);
    const gLabels = needed[1] ? unbroadcast(broadcastMul(gradLoss, run1('Neg', [run1('LogSoftmax', [logits], axis === -1 ? {} : { axis })]), axis), labels) : null;
    return [unbroadcast(g, logits), gLabels];
  },
});

registerOp<AxisAttrs>({
  type: 'SparseSoftmaxCrossEntropyWithLogits',
  forward: ([logits, labels], { axis }) => {
    checkDType('SparseSoftmaxCrossEntropyWithLogits', logits);
    if (labels.dtype !== 'int32' && labels.dtype !== 'int64') {
      throw new TFError(
        'InvalidArgumentError',
        `Value for attr 'Tlabels' of ${dtypeKindWord(labels.dtype)} is not in the list of allowed values: int32, int64\n\t; NodeDef: {{node SparseSoftmaxCrossEntropyWithLogits}}; Op<name=SparseSoftmaxCrossEntropyWithLogits; signature=features:T, labels:Tlabels -> loss:T, backprop:T; attr=T:type,allowed=[DT_HALF, DT_BFLOAT16, DT_FLOAT, DT_DOUBLE]; attr=Tlabels:type,default=DT_INT64,allowed=[DT_INT32, DT_INT64]> [Op:SparseSoftmaxCrossEntropyWithLogits] name: `,
      );
    }
    const err = (m: string) => kernelError('SparseSoftmaxCrossEntropyWithLogits', m);
    if (logits.rank < 1) throw err(`logits must be 2-D, but got shape ${shapeText(logits.shape)}`);
    const a = checkedAxis(axis ?? -1, logits.rank, err);
    const expected = logits.shape.filter((_, d) => d !== a);
    if (labels.shape.join(',') !== expected.join(',')) {
      throw err(`logits and labels must have the same first dimension, got logits shape ${shapeText(logits.shape)} and labels shape ${shapeText(labels.shape)}`);
    }
    const n = logits.shape[a];
    const ids = numeric(labels);
    for (let r = 0; r < ids.length; r++) {
      if (ids[r] < 0 || ids[r] >= n) {
        throw err(`Received a label value of ${ids[r]} which is outside the valid range of [0, ${n}).  Label values: ${Array.from(ids).join(' ')}`);
      }
    }
    const { inner } = aroundAxis(logits.shape, a);
    const { loss, backprop, lossShape } = crossEntropy(logits, (_flat, o, k, i) => (ids[o * inner + i] === k ? 1 : 0), a);
    return [fromDoubles(logits.dtype, lossShape, loss), fromDoubles(logits.dtype, logits.shape.slice(), backprop)];
  },
  grad: ({ upstream: [gradLoss, gradGrad], inputs: [logits], outputs: [, backprop], attrs: { axis = -1 } }) => {
    let g = broadcastMul(gradLoss, backprop, axis);
    if (!isAllZeros(gradGrad)) g = run1('AddV2', [g, backpropOutputTerm(gradGrad, logits, axis)]);
    return [g, null];
  },
});

registerOp({
  type: 'L2Loss',
  forward: ([x]) => {
    checkDType('L2Loss', x);
    const v = numeric(x);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    return [fromDoubles(x.dtype, [], [s / 2])];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => [mul(x, dy)],
});
