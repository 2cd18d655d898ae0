/**
 * Composites record the ops TensorFlow's Python functions run, in TensorFlow's order (the lists
 * below are the float-carrying ops of each function's graph in TensorFlow 2.21, without the
 * function's closing Identity and the int32 Shape feeding a Reshape); gather's gradient is marked
 * as tf.IndexedSlices exactly where TensorFlow returns one; einsum forms and slicing follow
 * Python/numpy semantics.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import type { Tensor } from '../../src/engine';
import { rng } from './gradcheck';

function opsOf(body: () => unknown): string[] {
  const engine = tf.setEngine(new tf.Engine());
  const before = engine.recorder!.toTrace().ops.length;
  body();
  return engine.recorder!.toTrace().ops.slice(before).map((op) => op.type);
}

const x23 = (): Tensor => tf.constant([[1, -2, 3], [4, 5, -6]]);

describe('composites record TensorFlow\'s op sequence', () => {
  const cases: [string, () => unknown, string[]][] = [
    ['reduce_logsumexp', () => tf.reduceLogsumexp(x23(), 1), ['Max', 'IsFinite', 'SelectV2', 'StopGradient', 'Sub', 'Exp', 'Sum', 'Log', 'Reshape', 'AddV2']],
    ['norm', () => tf.norm(x23()), ['Mul', 'Sum', 'Sqrt', 'Squeeze']],
    ['norm ord=1 axis=1', () => tf.norm(x23(), 1, 1), ['Abs', 'Sum', 'Squeeze']],
    ['gelu', () => tf.gelu(x23()), ['Mul', 'Neg', 'Mul', 'Erfc', 'Mul']],
    ['gelu approximate', () => tf.gelu(x23(), true), ['Mul', 'Pow', 'Mul', 'AddV2', 'Mul', 'Tanh', 'AddV2', 'Mul']],
    ['sigmoid_cross_entropy_with_logits', () => tf.sigmoidCrossEntropyWithLogits(x23(), x23()), ['ZerosLike', 'GreaterEqual', 'Select', 'Neg', 'Select', 'Mul', 'Sub', 'Exp', 'Log1p', 'AddV2']],
    ['softmax_cross_entropy_with_logits', () => tf.softmaxCrossEntropyWithLogits(x23(), x23()), ['Reshape', 'Reshape', 'SoftmaxCrossEntropyWithLogits', 'Reshape']],
    ['clip_by_value', () => tf.clipByValue(x23(), 0, 1), ['Minimum', 'Maximum']],
    ['reduce_variance', () => tf.reduceVariance(x23(), 0), ['Mean', 'Sub', 'Square', 'Mean']],
    ['reduce_std', () => tf.reduceStd(x23()), ['Mean', 'Sub', 'Square', 'Mean', 'Sqrt']],
    ['log_sigmoid', () => tf.logSigmoid(x23()), ['Neg', 'Softplus', 'Neg']],
    ['softmax axis 0', () => tf.softmax(x23(), 0), ['Transpose', 'Softmax', 'Transpose']],
    ['eye square', () => tf.eye(3), ['MatrixDiagV3']],
    ['eye rectangular', () => tf.eye(2, 3), ['MatrixSetDiagV3']],
    ['x[1, ::-1]', () => tf.getItem(x23(), [1, { step: -1 }]), ['StridedSlice']],
    ['einsum', () => tf.einsum('ij,kj->ik', x23(), x23()), ['Einsum']],
    ['divide_no_nan', () => tf.divideNoNan(x23(), x23()), ['DivNoNan']],
    ['leaky_relu', () => tf.leakyRelu(x23()), ['LeakyRelu']],
    ['sparse_softmax_cross_entropy_with_logits', () => tf.sparseSoftmaxCrossEntropyWithLogits([0, 1], x23()), ['SparseSoftmaxCrossEntropyWithLogits']],
  ];
  for (const [name, body, expected] of cases) it(name, () => expect(opsOf(body)).toEqual(expected));
});

describe('einsum records the resolved equation', () => {
  it('an implicit output is spelled out, as TensorFlow passes it to its Einsum op', () => {
    const engine = tf.setEngine(new tf.Engine());
    tf.einsum('ij,jk', x23(), tf.transpose(x23()));
    const ops = engine.recorder!.toTrace().ops.filter((op) => op.type === 'Einsum');
    expect(ops.map((op) => op.attrs.equation)).toEqual(['ij,jk->ik']);
  });
  it('three operands become two Einsum ops', () => {
    const engine = tf.setEngine(new tf.Engine());
    tf.einsum('ij,jk,kl->il', x23(), tf.transpose(x23()), x23());
    expect(engine.recorder!.toTrace().ops.filter((op) => op.type === 'Einsum').length).toBe(2);
  });
});

describe('tf.gather gradients', () => {
  function gatherGrad(axis: number): { grad: Tensor; indexedSlices: boolean | undefined } {
    const engine = tf.setEngine(new tf.Engine());
    const x = tf.variable([[1, 2], [3, 4]]);
    const { tape, result } = tf.withTape({}, () => tf.gather(x, [0, 0, 1], axis));
    const [g] = tape.gradient([result], [x]);
    const call = engine.recorder!.toTrace().gradients[0];
    return { grad: g as Tensor, indexedSlices: call.sources[0].indexedSlices };
  }

  it('axis 0: repeated indices are summed and the result is marked tf.IndexedSlices (as TensorFlow returns)', () => {
    const { grad, indexedSlices } = gatherGrad(0);
    expect(grad.toNested()).toEqual([[2, 2], [1, 1]]);
    expect(indexedSlices).toBe(true);
  });

  it('axis 1: a dense tensor, as in TensorFlow', () => {
    const { grad, indexedSlices } = gatherGrad(1);
    expect(grad.toNested()).toEqual([[2, 1], [2, 1]]);
    expect(indexedSlices).toBeUndefined();
  });
});

/** numpy basic indexing on nested arrays: the reference for StridedSlice built by getItem. */
function pyIndex(value: unknown, shape: number[], items: tf.SliceItem[]): unknown {
  const consuming = items.filter((it) => it !== 'ellipsis' && it !== 'newaxis').length;
  const expanded: tf.SliceItem[] = [];
  let sawEllipsis = false;
  for (const it of items) {
    if (it === 'ellipsis' && !sawEllipsis) {
      sawEllipsis = true;
      for (let k = 0; k < shape.length - consuming; k++) expanded.push({});
    } else expanded.push(it);
  }
  if (!sawEllipsis) for (let k = consuming; k < shape.length; k++) expanded.push({});
  const walk = (v: unknown, rest: tf.SliceItem[]): unknown => {
    if (rest.length === 0) return v;
    const [head, ...tail] = rest;
    if (head === 'newaxis') return [walk(v, tail)];
    const arr = v as unknown[];
    const n = arr.length;
    if (typeof head === 'number') return walk(arr[head < 0 ? head + n : head], tail);
    if (head === 'ellipsis') throw new Error('unexpanded ellipsis');
    const step = head.step ?? 1;
    const norm = (b: number | null | undefined, dflt: number, lo: number, hi: number): number => {
      if (b === null || b === undefined) return dflt;
      const r = b < 0 ? b + n : b;
      return Math.min(Math.max(r, lo), hi);
    };
    const start = step > 0 ? norm(head.start, 0, 0, n) : norm(head.start, n - 1, -1, n - 1);
    const stop = step > 0 ? norm(head.stop, n, 0, n) : norm(head.stop, -1, -1, n - 1);
    const out: unknown[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(walk(arr[i], tail));
    return out;
  };
  return walk(value, expanded);
}

describe('x[...] (StridedSlice) follows Python indexing', () => {
  it('random subscripts with ints, steps (negative too), out-of-range bounds, ..., newaxis', () => {
    tf.setEngine(new tf.Engine({ trace: false }));
    const r = rng(7);
    const randInt = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let trial = 0; trial < 400; trial++) {
      const shape = Array.from({ length: randInt(1, 3) }, () => randInt(1, 4));
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.reshape(tf.range(0, size, 1, 'float32'), shape);
      const items: tf.SliceItem[] = [];
      let consumed = 0;
      let ellipsis = false;
      for (let k = 0, count = randInt(0, shape.length + 1); k < count; k++) {
        const kind = r();
        if (kind < 0.15 && !ellipsis) {
          items.push('ellipsis');
          ellipsis = true;
        } else if (kind < 0.3) items.push('newaxis');
        else if (consumed < shape.length && !ellipsis) {
          const d = shape[consumed++];
          if (kind < 0.5) items.push(randInt(-d, d - 1));
          else items.push({ start: r() < 0.3 ? null : randInt(-d - 2, d + 2), stop: r() < 0.3 ? null : randInt(-d - 2, d + 2), step: r() < 0.3 ? null : [-3, -2, -1, 1, 2, 3][randInt(0, 5)] });
        }
      }
      const ours = tf.getItem(x, items);
      expect(ours.toNested(), `${JSON.stringify(shape)}[${JSON.stringify(items)}]`).toEqual(pyIndex(x.toNested(), shape, items));
    }
  });
});

describe('ops TensorFlow cannot differentiate twice', () => {
  it('softsign: the second derivative is LookupError "gradient registry has no entry for: SoftsignGrad"', () => {
    tf.setEngine(new tf.Engine());
    const x = tf.constant([0.5, -2]);
    const outer = new tf.GradientTape();
    outer.enter();
    let g: Tensor | null;
    try {
      outer.watch(x);
      const { tape, result } = tf.withTape({}, (t) => {
        t.watch(x);
        return tf.softsign(x);
      });
      [g] = tape.gradient([result], [x]);
    } finally {
      outer.exit();
    }
    expect(g?.toNested()).toEqual([1 / 2.25, 1 / 9].map(Math.fround));
    expect(() => outer.gradient([g as Tensor], [x])).toThrowError(new tf.TFError('LookupError', 'gradient registry has no entry for: SoftsignGrad'));
  });
});
