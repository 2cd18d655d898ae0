/**
 * Every differentiable op (and TensorFlow composite) against central finite differences in
 * float64 on random shapes, broadcasting pairs and random attributes; a representative set also
 * to second order (nested tapes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import type { Tensor } from '../../src/engine';
import {
  type Fn,
  type Sampler,
  awayFromZero,
  broadcastPairArb,
  checkFirstOrder,
  checkSecondOrder,
  dim,
  positive,
  property,
  rng,
  sample,
  seedArb,
  tapeGradient,
  shapeArb,
  uniform,
} from './gradcheck';

const e = () => tf.getEngine();
const run1 = (type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): Tensor => e().run1(type, inputs, attrs);
const runN = (type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}): Tensor[] => e().run(type, inputs, attrs);
const int32 = (shape: number[], values: number[]): Tensor => e().constant('int32', shape, Int32Array.from(values));
const pick = <T,>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

interface Case {
  name: string;
  /** Input shapes and a seed for the op's own random choices (axes, indices, flags). */
  gen: fc.Arbitrary<{ shapes: number[][]; p: number }>;
  samplers: Sampler[];
  f: (xs: Tensor[], p: number) => Tensor | Tensor[];
  second?: boolean;
  runs?: number;
  /** Inputs whose gradient is checked (default: all). */
  differentiable?: boolean[];
  /** Inputs checked to second order (default: as `differentiable`). */
  secondOrder?: boolean[];
}

const withSeed = (shapes: fc.Arbitrary<number[][]>) => fc.record({ shapes, p: seedArb });
const unaryGen = (minRank = 0, maxRank = 3) => withSeed(shapeArb(minRank, maxRank).map((s) => [s]));
const pairGen = () => withSeed(broadcastPairArb().map(([a, b]) => [a, b]));

const unary = (name: string, type: string, sampler: Sampler, second = false): Case => ({
  name,
  gen: unaryGen(),
  samplers: [sampler],
  f: ([x]) => run1(type, [x]),
  second,
});
const binary = (name: string, type: string, a: Sampler, b: Sampler, second = false): Case => ({
  name,
  gen: pairGen(),
  samplers: [a, b],
  f: ([x, y]) => run1(type, [x, y]),
  second,
});

/** Values in (-2, 8) away from Relu6's kinks at 0 and 6. */
const relu6Values: Sampler = (r) => pick(r, [uniform(-2, -0.2), uniform(0.2, 5.8), uniform(6.2, 8)])(r);
const randomAxes = (r: () => number, rank: number): number[] | null => {
  if (r() < 0.25) return null;
  const axes = Array.from({ length: rank }, (_, i) => i).filter(() => r() < 0.5);
  return axes.map((a) => (r() < 0.5 ? a - rank : a));
};

const elementwise: Case[] = [
  binary('AddV2', 'AddV2', uniform(-2, 2), uniform(-2, 2)),
  binary('Sub', 'Sub', uniform(-2, 2), uniform(-2, 2)),
  binary('Mul', 'Mul', uniform(-2, 2), uniform(-2, 2), true),
  binary('RealDiv', 'RealDiv', uniform(-2, 2), awayFromZero(0.5, 2), true),
  binary('Pow', 'Pow', positive(0.5, 2), uniform(-2, 2), true),
  binary('Maximum', 'Maximum', uniform(-2, 2), uniform(-2, 2)),
  binary('Minimum', 'Minimum', uniform(-2, 2), uniform(-2, 2)),
  binary('SquaredDifference', 'SquaredDifference', uniform(-2, 2), uniform(-2, 2), true),
  binary('Add (numeric)', 'Add', uniform(-2, 2), uniform(-2, 2)),
  binary('FloorMod', 'FloorMod', uniform(-3, 3), awayFromZero(0.5, 2)),
  binary('DivNoNan', 'DivNoNan', uniform(-2, 2), awayFromZero(0.5, 2), true),
  unary('Neg', 'Neg', uniform(-2, 2)),
  unary('Abs', 'Abs', awayFromZero()),
  unary('Square', 'Square', uniform(-2, 2), true),
  unary('Sqrt', 'Sqrt', positive(), true),
  unary('Rsqrt', 'Rsqrt', positive(), true),
  unary('Exp', 'Exp', uniform(-2, 2), true),
  unary('Expm1', 'Expm1', uniform(-2, 2), true),
  unary('Log', 'Log', positive(), true),
  unary('Log1p', 'Log1p', uniform(-0.5, 2), true),
  unary('Reciprocal', 'Reciprocal', awayFromZero(0.5, 2), true),
  unary('Sin', 'Sin', uniform(-3, 3), true),
  unary('Cos', 'Cos', uniform(-3, 3), true),
  unary('Tan', 'Tan', uniform(-1.2, 1.2), true),
  unary('Tanh', 'Tanh', uniform(-2, 2), true),
  unary('Sigmoid', 'Sigmoid', uniform(-3, 3), true),
  unary('Softplus', 'Softplus', uniform(-3, 3), true),
  unary('Erf', 'Erf', uniform(-2, 2), true),
  unary('Erfc', 'Erfc', uniform(-2, 2), true),
  unary('Relu', 'Relu', awayFromZero()),
  unary('Relu6', 'Relu6', relu6Values),
  unary('Elu', 'Elu', awayFromZero(), true),
  unary('Selu', 'Selu', awayFromZero(), true),
  unary('LeakyRelu', 'LeakyRelu', awayFromZero()),
  // Second order: TensorFlow has no gradient for SoftsignGrad (LookupError, tested in ops-composites).
  unary('Softsign', 'Softsign', awayFromZero()),
  unary('Identity', 'Identity', uniform(-2, 2)),
  { name: 'Cast float64→float64', gen: unaryGen(), samplers: [uniform(-2, 2)], f: ([x]) => run1('Cast', [x], { dtype: 'float64' }) },
  { name: 'LeakyRelu alpha', gen: unaryGen(), samplers: [awayFromZero()], f: ([x], p) => run1('LeakyRelu', [x], { alpha: rng(p)() }) },
  { name: 'AddN', gen: withSeed(shapeArb().map((s) => [s, s, s])), samplers: [uniform(-2, 2), uniform(-2, 2), uniform(-2, 2)], f: (xs) => run1('AddN', xs) },
];

const shapeOps: Case[] = [
  { name: 'Reshape', gen: unaryGen(), samplers: [uniform(-2, 2)], f: ([x], p) => run1('Reshape', [x], { shape: rng(p)() < 0.5 ? [-1] : [...x.shape].reverse() }) },
  {
    name: 'ExpandDims',
    gen: unaryGen(),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => run1('ExpandDims', [x], { axis: randInt(rng(p), -x.rank - 1, x.rank) }),
  },
  {
    name: 'Squeeze',
    gen: withSeed(shapeArb(0, 3).map((s) => [[1, ...s, 1]])),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => run1('Squeeze', [x], rng(p)() < 0.5 ? {} : { axis: [0, -1] }),
  },
  {
    name: 'Transpose',
    gen: unaryGen(),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      const perm = x.shape.map((_, i) => i).sort(() => r() - 0.5);
      return run1('Transpose', [x], { perm });
    },
  },
  {
    name: 'BroadcastTo',
    gen: withSeed(broadcastPairArb().map(([a, b]) => (a.length <= b.length ? [a, b] : [b, a]))),
    samplers: [uniform(-2, 2), uniform(-2, 2)],
    // The second input only carries the target shape: multiply it in so both are differentiable.
    f: ([x, y]) => {
      const shape = tf.broadcastTo(x, y.shape.map((d, i) => Math.max(d, x.shape[i - (y.rank - x.rank)] ?? 1))).shape;
      return tf.multiply(run1('BroadcastTo', [x], { shape }), y);
    },
  },
  {
    name: 'Pack/Unpack',
    gen: withSeed(shapeArb(0, 2).map((s) => [s, s, s])),
    samplers: [uniform(-2, 2), uniform(-2, 2), uniform(-2, 2)],
    f: (xs, p) => {
      const r = rng(p);
      const packed = run1('Pack', xs, { axis: randInt(r, -xs[0].rank - 1, xs[0].rank) });
      return runN('Unpack', [packed], { axis: randInt(r, -packed.rank, packed.rank - 1) });
    },
    second: true,
  },
  { name: 'Fill', gen: withSeed(shapeArb().map(() => [[]])), samplers: [uniform(-2, 2)], f: ([x], p) => run1('Fill', [x], { shape: [randInt(rng(p), 1, 3), 2] }) },
  {
    name: 'SelectV2',
    gen: withSeed(broadcastPairArb().map(([a, b]) => [a, b])),
    samplers: [uniform(-2, 2), uniform(-2, 2)],
    f: ([x, y], p) => {
      const r = rng(p);
      const shape = tf.add(tf.zerosLike(x), tf.zerosLike(y)).shape;
      const condShape = shape.map((d) => (r() < 0.3 ? 1 : d));
      const n = condShape.reduce((a, b) => a * b, 1);
      const cond = e().constant('bool', condShape, Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)));
      return run1('SelectV2', [cond, x, y]);
    },
  },
];

const reduction = (type: string, sampler: Sampler, second = false): Case => ({
  name: type,
  gen: unaryGen(),
  samplers: [sampler],
  f: ([x], p) => {
    const r = rng(p);
    return run1(type, [x], { axis: randomAxes(r, x.rank), keepdims: r() < 0.5 });
  },
  second,
});

const reductions: Case[] = [
  reduction('Sum', uniform(-2, 2), true),
  reduction('Mean', uniform(-2, 2), true),
  reduction('Prod', awayFromZero(0.5, 1.5), true),
  reduction('Max', uniform(-2, 2)),
  reduction('Min', uniform(-2, 2)),
  {
    name: 'Cumsum',
    gen: unaryGen(1, 3),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      return run1('Cumsum', [x], { axis: randInt(r, -x.rank, x.rank - 1), exclusive: r() < 0.5, reverse: r() < 0.5 });
    },
    second: true,
  },
  {
    name: 'Cumprod',
    gen: unaryGen(1, 3),
    samplers: [awayFromZero(0.5, 1.5)],
    f: ([x], p) => {
      const r = rng(p);
      return run1('Cumprod', [x], { axis: randInt(r, -x.rank, x.rank - 1), exclusive: r() < 0.5, reverse: r() < 0.5 });
    },
    second: true,
  },
];

const matmulGen = (batched: boolean) =>
  fc
    .record({ m: dim(), k: dim(), n: dim(), ta: fc.boolean(), tb: fc.boolean(), batch: broadcastPairArb(2), p: seedArb })
    .map(({ m, k, n, ta, tb, batch, p }) => {
      const [ba, bb] = batched ? batch : [[], []];
      const a = [...ba, ...(ta ? [k, m] : [m, k])];
      const b = [...bb, ...(tb ? [n, k] : [k, n])];
      // The flags ride along in the seed's low bits so f can read them back.
      return { shapes: [a, b], p: (p & ~3) | (ta ? 1 : 0) | (tb ? 2 : 0) };
    });

const matmuls: Case[] = [
  {
    name: 'MatMul (all transpose flags)',
    gen: matmulGen(false),
    samplers: [uniform(-2, 2), uniform(-2, 2)],
    f: ([a, b], p) => run1('MatMul', [a, b], { transpose_a: (p & 1) !== 0, transpose_b: (p & 2) !== 0 }),
    second: true,
  },
  {
    name: 'BatchMatMulV2 (batch broadcasting, transpose flags)',
    gen: matmulGen(true),
    samplers: [uniform(-2, 2), uniform(-2, 2)],
    f: ([a, b], p) => run1('BatchMatMulV2', [a, b], { transpose_a: (p & 1) !== 0, transpose_b: (p & 2) !== 0 }),
    second: true,
  },
];

const classesGen = (labels: boolean) => withSeed(fc.tuple(shapeArb(0, 2), dim(4)).map(([outer, c]) => (labels ? [[...outer, c], [...outer, c]] : [[...outer, c]])));

const nn: Case[] = [
  { name: 'Softmax', gen: unaryGen(1, 3), samplers: [uniform(-2, 2)], f: ([x]) => run1('Softmax', [x]), second: true },
  { name: 'LogSoftmax', gen: unaryGen(1, 3), samplers: [uniform(-2, 2)], f: ([x]) => run1('LogSoftmax', [x]), second: true },
  { name: 'tf.nn.softmax(axis)', gen: unaryGen(1, 3), samplers: [uniform(-2, 2)], f: ([x], p) => tf.softmax(x, randInt(rng(p), -x.rank, x.rank - 1)) },
  { name: 'tf.nn.log_softmax(axis)', gen: unaryGen(1, 3), samplers: [uniform(-2, 2)], f: ([x], p) => tf.logSoftmax(x, randInt(rng(p), -x.rank, x.rank - 1)) },
  {
    name: 'SoftmaxCrossEntropyWithLogits (logits and labels)',
    gen: classesGen(true),
    samplers: [uniform(-2, 2), positive(0.1, 1)],
    // TensorFlow's gradient assumes each label row sums to 1: normalise inside f so it always does.
    f: ([logits, labels]) => tf.softmaxCrossEntropyWithLogits(tf.divide(labels, tf.reduceSum(labels, -1, true)), logits),
    second: true,
    // TensorFlow's gradient sends nothing from the `backprop` output to the labels (see below).
    secondOrder: [true, false],
  },
  {
    name: 'SoftmaxCrossEntropyWithLogits op, both outputs',
    gen: withSeed(fc.tuple(dim(3), dim(4)).map(([b, c]) => [[b, c], [b, c]])),
    samplers: [uniform(-2, 2), positive(0.1, 1)],
    f: ([logits, labels]) => runN('SoftmaxCrossEntropyWithLogits', [logits, tf.divide(labels, tf.reduceSum(labels, -1, true))]),
    second: true,
    // As in TensorFlow's _SoftmaxCrossEntropyWithLogitsGrad, the labels' gradient ignores what
    // reaches the second output (backprop = softmax - labels): only the logits are exact there.
    differentiable: [true, false],
  },
  {
    name: 'SparseSoftmaxCrossEntropyWithLogits',
    gen: classesGen(false),
    samplers: [uniform(-2, 2)],
    f: ([logits], p) => {
      const r = rng(p);
      const outer = logits.shape.slice(0, -1);
      const labels = int32(outer, Array.from({ length: outer.reduce((a, b) => a * b, 1) }, () => randInt(r, 0, logits.shape[logits.rank - 1] - 1)));
      return tf.sparseSoftmaxCrossEntropyWithLogits(labels, logits);
    },
    second: true,
  },
  { name: 'L2Loss', gen: unaryGen(), samplers: [uniform(-2, 2)], f: ([x]) => run1('L2Loss', [x]), second: true },
  { name: 'tf.nn.sigmoid_cross_entropy_with_logits', gen: withSeed(shapeArb().map((s) => [s, s])), samplers: [awayFromZero(0.1, 3), uniform(0, 1)], f: ([x, z]) => tf.sigmoidCrossEntropyWithLogits(z, x), second: true },
  { name: 'tf.nn.gelu exact', gen: unaryGen(), samplers: [uniform(-3, 3)], f: ([x]) => tf.gelu(x), second: true },
  { name: 'tf.nn.gelu approximate', gen: unaryGen(), samplers: [uniform(-3, 3)], f: ([x]) => tf.gelu(x, true), second: true },
  { name: 'tf.math.log_sigmoid', gen: unaryGen(), samplers: [uniform(-3, 3)], f: ([x]) => tf.logSigmoid(x) },
];

const composites: Case[] = [
  {
    name: 'tf.clip_by_value',
    gen: withSeed(shapeArb().map((s) => [s, [], []])),
    samplers: [(r) => pick(r, [uniform(-3, -1.2), uniform(-0.8, 0.8), uniform(1.2, 3)])(r), uniform(-1.1, -0.9), uniform(0.9, 1.1)],
    f: ([x, lo, hi]) => tf.clipByValue(x, lo, hi),
  },
  {
    name: 'tf.reduce_logsumexp',
    gen: unaryGen(),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      return tf.reduceLogsumexp(x, randomAxes(r, x.rank), r() < 0.5);
    },
    second: true,
  },
  {
    name: 'tf.norm (euclidean, 1, inf, 3; vector and matrix)',
    gen: unaryGen(2, 3),
    samplers: [awayFromZero(0.2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      const ord = pick(r, ['euclidean', 1, Infinity, 3] as const);
      const matrix = ord !== 3 && r() < 0.5;
      const axis = matrix ? ([0, x.rank - 1] as [number, number]) : r() < 0.3 ? null : randInt(r, -x.rank, x.rank - 1);
      return tf.norm(x, ord, axis, r() < 0.5);
    },
  },
  {
    name: 'tf.math.reduce_variance / reduce_std',
    gen: unaryGen(1, 3),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      const axes = randomAxes(r, x.rank);
      // reduce_std over the whole tensor of at least two elements (sqrt'(0) is infinite).
      return [tf.reduceVariance(x, axes, r() < 0.5), tf.reduceStd(tf.concat([x, tf.add(x, 1)], 0))];
    },
  },
  { name: 'tf.math.truediv / divide_no_nan', gen: pairGen(), samplers: [uniform(-2, 2), awayFromZero(0.5, 2)], f: ([x, y]) => [tf.truediv(x, y), tf.divideNoNan(y, x)] },
  {
    name: 'tf.linspace (start, stop)',
    gen: withSeed(fc.constant([[], []])),
    samplers: [uniform(-2, 0), uniform(0.5, 2)],
    f: ([a, b], p) => tf.linspace(a, b, randInt(rng(p), 1, 6)),
  },
];

const arrayOps: Case[] = [
  {
    name: 'ConcatV2',
    gen: withSeed(fc.tuple(shapeArb(1, 3), fc.array(dim(), { minLength: 2, maxLength: 3 }), fc.nat()).map(([s, sizes, a]) => {
      const axis = a % s.length;
      return sizes.map((d) => s.map((x, i) => (i === axis ? d : x)));
    })),
    samplers: [uniform(-2, 2), uniform(-2, 2), uniform(-2, 2)],
    f: (xs) => {
      // The axis is the one dimension where the inputs differ (or 0).
      const axis = Math.max(0, xs[0].shape.findIndex((d, i) => xs.some((x) => x.shape[i] !== d)));
      return run1('ConcatV2', xs, { axis: axis - (xs.length === 3 ? xs[0].rank : 0) });
    },
    second: true,
  },
  {
    name: 'Split',
    gen: withSeed(fc.tuple(shapeArb(0, 2), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).map(([s, parts, each]) => [[parts * each, ...s]])),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const n = x.shape[0];
      const divisors = [1, 2, 3, 6].filter((k) => n % k === 0);
      return runN('Split', [x], { axis: 0, num_split: pick(rng(p), divisors) });
    },
  },
  {
    name: 'SplitV (with -1)',
    gen: withSeed(fc.tuple(shapeArb(0, 2), fc.integer({ min: 2, max: 5 })).map(([s, n]) => [[...s, n]])),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const n = x.shape[x.rank - 1];
      const first = randInt(rng(p), 0, n - 1);
      return runN('SplitV', [x], { axis: -1, size_splits: [first, -1] });
    },
  },
  {
    name: 'Tile',
    gen: unaryGen(),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      return run1('Tile', [x], { multiples: x.shape.map(() => randInt(r, 1, 3)) });
    },
    second: true,
  },
  {
    name: 'GatherV2 (axis, repeated indices)',
    gen: unaryGen(1, 3),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      const axis = randInt(r, -x.rank, x.rank - 1);
      const n = x.shape[axis < 0 ? axis + x.rank : axis];
      const idxShape = pick(r, [[], [4], [2, 2]]);
      const count = idxShape.reduce((a, b) => a * b, 1);
      return run1('GatherV2', [x, int32(idxShape, Array.from({ length: count }, () => randInt(r, 0, n - 1)))], { axis });
    },
    second: true,
  },
  {
    name: 'GatherV2 batch_dims',
    gen: withSeed(fc.tuple(shapeArb(1, 2), dim(3), shapeArb(0, 1)).map(([batch, n, inner]) => [[...batch, 2, n, ...inner]])),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => {
      const r = rng(p);
      const b = r() < 0.5 ? 1 : x.rank >= 4 ? 2 : 1;
      const axis = b + 1;
      const n = x.shape[axis];
      const idxShape = [...x.shape.slice(0, b), randInt(r, 1, 3)];
      const count = idxShape.reduce((p2, d) => p2 * d, 1);
      return run1('GatherV2', [x, int32(idxShape, Array.from({ length: count }, () => randInt(r, 0, n - 1)))], { axis, batch_dims: b });
    },
    second: true,
  },
  {
    name: 'MatrixDiagV3 / MatrixDiagPartV3 / MatrixSetDiagV3',
    gen: withSeed(fc.tuple(shapeArb(0, 1), dim(3), dim(3)).map(([b, m, n]) => [[...b, m, n], [...b, Math.min(m, n)]])),
    samplers: [uniform(-2, 2), uniform(-2, 2)],
    f: ([x, d]) => [run1('MatrixDiagPartV3', [x]), run1('MatrixSetDiagV3', [x, d]), run1('MatrixDiagV3', [d], { num_rows: x.shape[x.rank - 2] + 1, num_cols: x.shape[x.rank - 1] })],
    second: true,
  },
];

/** A random Python subscript for a shape: ints, slices with steps (negative too), `...`, newaxis. */
export function randomSubscript(r: () => number, shape: number[]): tf.SliceItem[] {
  const items: tf.SliceItem[] = [];
  let consumed = 0;
  let ellipsis = false;
  const count = randInt(r, 0, shape.length + 2);
  for (let k = 0; k < count; k++) {
    const kind = r();
    if (kind < 0.15 && !ellipsis) {
      items.push('ellipsis');
      ellipsis = true;
    } else if (kind < 0.3) items.push('newaxis');
    else if (consumed < shape.length) {
      // Without an ellipsis dims are consumed from the left; with one, roughly (bounds still valid).
      const d = shape[consumed];
      if (kind < 0.5) items.push(randInt(r, -d, d - 1));
      else {
        const bound = () => (r() < 0.3 ? null : randInt(r, -d - 1, d + 1));
        items.push({ start: bound(), stop: bound(), step: r() < 0.3 ? null : pick(r, [-2, -1, 1, 2, 3]) });
      }
      consumed++;
    }
  }
  // An int after an ellipsis indexes a later dim: keep ints in range for every dim by using 0/-1.
  if (ellipsis) return items.map((it) => (typeof it === 'number' ? (it < 0 ? -1 : 0) : it));
  return items;
}

const slicing: Case[] = [
  {
    name: 'StridedSlice (x[...] with ints, steps, ..., newaxis)',
    gen: unaryGen(1, 3),
    samplers: [uniform(-2, 2)],
    f: ([x], p) => tf.getItem(x, randomSubscript(rng(p), x.shape)),
    second: true,
    runs: 40,
  },
];

const EINSUM_FORMS: { eq: string; shapes: (d: number[]) => number[][] }[] = [
  { eq: 'ij,jk->ik', shapes: ([a, b, c]) => [[a, b], [b, c]] },
  { eq: 'ij,kj->ik', shapes: ([a, b, c]) => [[a, b], [c, b]] },
  { eq: 'bij,bjk->bik', shapes: ([a, b, c, d]) => [[d, a, b], [d, b, c]] },
  { eq: 'i,i->', shapes: ([a]) => [[a], [a]] },
  { eq: 'i,j->ij', shapes: ([a, b]) => [[a], [b]] },
  { eq: 'ij,ij->i', shapes: ([a, b]) => [[a, b], [a, b]] },
  { eq: 'ij->ji', shapes: ([a, b]) => [[a, b]] },
  { eq: 'ii->i', shapes: ([a]) => [[a, a]] },
  { eq: 'ii', shapes: ([a]) => [[a, a]] },
  { eq: 'ij->', shapes: ([a, b]) => [[a, b]] },
  { eq: 'ij->j', shapes: ([a, b]) => [[a, b]] },
  { eq: 'bxby->bxy', shapes: ([a, b, c]) => [[a, b, a, c]] },
  { eq: 'ij,jk', shapes: ([a, b, c]) => [[a, b], [b, c]] },
  { eq: '...ij,...jk->...ik', shapes: ([a, b, c, d]) => [[d, a, b], [1, b, c]] },
  { eq: 'ijk,k->ij', shapes: ([a, b, c]) => [[a, b, c], [c]] },
  { eq: 'ij,j->i', shapes: ([a, b]) => [[a, b], [b]] },
  { eq: 'iij,j->i', shapes: ([a, b]) => [[a, a, b], [b]] },
];

const einsums: Case[] = [
  {
    name: 'Einsum (one- and two-operand forms)',
    gen: fc.record({ form: fc.nat({ max: EINSUM_FORMS.length - 1 }), dims: fc.array(dim(), { minLength: 4, maxLength: 4 }), p: seedArb }).map(({ form, dims, p }) => ({
      shapes: EINSUM_FORMS[form].shapes(dims),
      p: p * 32 + form,
    })),
    samplers: [uniform(-2, 2), uniform(-2, 2)],
    f: (xs, p) => tf.einsum(EINSUM_FORMS[p % 32].eq, ...xs),
    second: true,
    runs: 40,
  },
];

function runCase(c: Case, order: 1 | 2): void {
  property(
    c.gen,
    ({ shapes, p }) => {
      const inputs = sample(shapes, shapes.map((_, i) => c.samplers[i] ?? c.samplers[0]), p);
      const f: Fn = (xs) => c.f(xs, p);
      if (order === 1) checkFirstOrder(c.name, f, inputs, p, { differentiable: c.differentiable });
      else checkSecondOrder(c.name, f, inputs, p, { differentiable: c.secondOrder ?? c.differentiable });
    },
    order === 1 ? (c.runs ?? 12) : Math.ceil((c.runs ?? 12) / 3),
  );
}

const groups: [string, Case[]][] = [
  ['elementwise', elementwise],
  ['shape ops', shapeOps],
  ['reductions', reductions],
  ['matmul', matmuls],
  ['nn', nn],
  ['composites', composites],
  ['array ops', arrayOps],
  ['slicing', slicing],
  ['einsum', einsums],
];

for (const [group, cases] of groups) {
  describe(`first-order gradients vs finite differences: ${group}`, () => {
    for (const c of cases) it(c.name, () => runCase(c, 1));
  });
}

describe('second-order gradients (nested tapes) vs finite differences of the first gradient', () => {
  for (const [, cases] of groups) for (const c of cases) if (c.second) it(c.name, () => runCase(c, 2));
});

/** Differentiable ops whose gradients other suites check (Keras' BiasAdd, variable reads). */
const CHECKED_ELSEWHERE = new Set(['BiasAdd', 'BiasAddGrad', 'ReadVariableOp']);

describe('coverage', () => {
  it('every registered op with a gradient runs in this suite (forward or inside a checked gradient)', () => {
    const seen = new Set<string>();
    for (const [, cases] of groups) {
      for (const c of cases) {
        const [{ shapes, p }] = fc.sample(c.gen, { seed: 1, numRuns: 1 });
        const inputs = sample(shapes, shapes.map((_, i) => c.samplers[i] ?? c.samplers[0]), p);
        const engine = tf.setEngine(new tf.Engine());
        tapeGradient((xs) => c.f(xs, p), inputs, p);
        if (c.second) checkSecondOrder(c.name, (xs) => c.f(xs, p), inputs, p, { differentiable: c.secondOrder ?? c.differentiable });
        for (const op of engine.recorder!.toTrace().ops) seen.add(op.type);
      }
    }
    const missing = tf.registeredOpTypes().filter((t) => tf.getOpDef(t).grad && !seen.has(t) && !CHECKED_ELSEWHERE.has(t));
    expect(missing).toEqual([]);
  });
});
