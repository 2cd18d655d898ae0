/**
 * tf.random: the Philox generator against the published known-answer vectors, TensorFlow's
 * seeding rules (global seed, op seeds, per-kernel counters, set_seed resets, fresh engines),
 * moments of each distribution, the ops in the trace, and TensorFlow's errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine, TFError, Tensor, constant, getEngine, random, read, reduceSum, setEngine, variable, withTape } from '../../src/engine';

function values(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}

function moments(v: number[]): { mean: number; variance: number; skewness: number; kurtosis: number } {
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of v) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

function thrown(fn: () => unknown): TFError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TFError) return e;
    throw e;
  }
  throw new Error('expected a TFError');
}

beforeEach(() => {
  setEngine(new Engine());
});

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0'));
    expect(hex(random.philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(hex(random.philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(random.philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('seeding (TensorFlow semantics)', () => {
  it('set_seed makes a program reproducible, in the same engine and in a fresh one', () => {
    const program = () => {
      random.setSeed(42);
      return [random.normal([5]), random.uniform([5]), random.truncatedNormal([5]), random.uniform([5], 0, 10, { dtype: 'int32' })].map(values);
    };
    const first = program();
    expect(program()).toEqual(first);
    setEngine(new Engine());
    expect(program()).toEqual(first);
    // Successive ops get different op seeds.
    expect(first[0]).not.toEqual(values(random.normal([5])));
  });

  it('different global seeds give different values', () => {
    random.setSeed(1);
    const a = values(random.normal([4]));
    random.setSeed(2);
    expect(values(random.normal([4]))).not.toEqual(a);
  });

  it('without any seed, runs are still reproducible: each fresh engine restarts a fixed default sequence', () => {
    const a = [values(random.normal([4])), values(random.normal([4]))];
    expect(a[0]).not.toEqual(a[1]);
    setEngine(new Engine());
    expect([values(random.normal([4])), values(random.normal([4]))]).toEqual(a);
    expect(random.getGlobalSeed()).toBeUndefined();
  });

  it('an op seed alone uses DEFAULT_GRAPH_SEED; the same op and seed advance one kernel counter', () => {
    expect(random.getSeed(7)).toEqual([random.DEFAULT_GRAPH_SEED, 7]);
    const a1 = values(random.uniform([3], 0, 1, { seed: 1 }));
    const a2 = values(random.uniform([3], 0, 1, { seed: 1 }));
    expect(a2).not.toEqual(a1);
    setEngine(new Engine());
    expect(values(random.uniform([3], 0, 1, { seed: 1 }))).toEqual(a1);
    expect(values(random.uniform([3], 0, 1, { seed: 1 }))).toEqual(a2);
  });

  it('set_seed resets the kernel counters (the A1, A2, A1, A2 example of the TensorFlow docs)', () => {
    random.setSeed(1234);
    const a1 = values(random.uniform([1], 0, 1, { seed: 1 }));
    const a2 = values(random.uniform([1], 0, 1, { seed: 1 }));
    random.setSeed(1234);
    expect(values(random.uniform([1], 0, 1, { seed: 1 }))).toEqual(a1);
    expect(values(random.uniform([1], 0, 1, { seed: 1 }))).toEqual(a2);
    expect(random.getSeed(5)).toEqual([1234, 5]);
  });

  it('global and op seed (0, 0) becomes (0, 2^31 - 1) as in TensorFlow', () => {
    random.setSeed(0);
    expect(random.getSeed(0)).toEqual([0, 2 ** 31 - 1]);
  });

  it('normal and uniform with the same seeds are independent streams', () => {
    const u = values(random.uniform([1000], 0, 1, { seed: 3 }));
    const n = values(random.normal([1000], 0, 1, { seed: 3 }));
    let cov = 0;
    for (let i = 0; i < u.length; i++) cov += (u[i] - 0.5) * n[i];
    expect(Math.abs(cov / u.length)).toBeLessThan(4 * Math.sqrt(1 / 12) / Math.sqrt(u.length));
  });
});

describe('distributions', () => {
  const N = 200_000;
  /** Four standard errors of the sample mean: the moment checks fail by chance about 1 in 15,000 runs (but seeds are fixed). */
  const meanTolerance = (std: number) => (4 * std) / Math.sqrt(N);

  it('normal(mean=2, stddev=3): mean, variance, skewness and kurtosis', () => {
    random.setSeed(11);
    const m = moments(values(random.normal([N], 2, 3)));
    expect(Math.abs(m.mean - 2)).toBeLessThan(meanTolerance(3));
    expect(Math.abs(m.variance / 9 - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(Math.abs(m.skewness)).toBeLessThan(4 * Math.sqrt(6 / N));
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(4 * Math.sqrt(24 / N));
  });

  it('normal float64 and float16 have their dtype and the right spread', () => {
    random.setSeed(12);
    const d = random.normal([N], 0, 1, { dtype: 'float64' });
    expect(d.dtype).toBe('float64');
    expect(Math.abs(moments(values(d)).variance - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    const h = random.normal([1000], 0, 1, { dtype: 'float16' });
    expect(h.dtype).toBe('float16');
    expect(values(h).every((x) => Math.abs(x) < 8)).toBe(true);
    const u = values(random.uniform([20_000], 0, 1, { dtype: 'float16' }));
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(u).size).toBe(1024);
  });

  it('uniform(-1, 3): bounds, mean and variance (width^2 / 12)', () => {
    random.setSeed(13);
    const v = values(random.uniform([N], -1, 3));
    expect(v.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(-1);
    expect(v.reduce((a, b) => Math.max(a, b))).toBeLessThan(3);
    expect(v.reduce((a, b) => Math.min(a, b))).toBeLessThan(-0.999);
    expect(v.reduce((a, b) => Math.max(a, b))).toBeGreaterThan(2.999);
    const m = moments(v);
    expect(Math.abs(m.mean - 1)).toBeLessThan(meanTolerance(4 / Math.sqrt(12)));
    expect(Math.abs(m.variance / (16 / 12) - 1)).toBeLessThan(0.01);
  });

  it('uniform integers: every value of [minval, maxval) about equally often (chi-square)', () => {
    random.setSeed(14);
    const t = random.uniform([N], -3, 5, { dtype: 'int32' });
    expect(t.dtype).toBe('int32');
    const counts = new Map<number, number>();
    for (const x of values(t)) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4]);
    const expected = N / 8;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 7 degrees of freedom: P(chi2 > 24.3) = 0.001.
    expect(chi2).toBeLessThan(24.3);
    expect(random.uniform([4], 0, 10, { dtype: 'int64' }).dtype).toBe('int64');
  });

  it('truncated_normal(mean=1, stddev=2): nothing beyond two stddev, the truncated variance 0.7737 stddev^2', () => {
    random.setSeed(15);
    const v = values(random.truncatedNormal([N], 1, 2));
    expect(v.every((x) => Math.abs(x - 1) <= 4)).toBe(true);
    const m = moments(v);
    expect(Math.abs(m.mean - 1)).toBeLessThan(meanTolerance(2));
    // Var of a unit normal truncated to [-2, 2]: 1 - 2*2*phi(2) / (Phi(2) - Phi(-2)).
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const truncatedVariance = 1 - (4 * phi2) / 0.9544997361036416;
    expect(Math.abs(m.variance / (4 * truncatedVariance) - 1)).toBeLessThan(0.01);
  });
});

describe('random ops in the trace and on tapes', () => {
  it('records RandomStandardNormal with its seeds, then Mul and AddV2, with no gradient', () => {
    random.setSeed(3);
    random.normal([2, 3], 1, 2);
    const ops = getEngine().recorder?.toTrace().ops ?? [];
    expect(ops.map((op) => op.type)).toEqual(['RandomStandardNormal', 'Mul', 'AddV2']);
    expect(ops[0].attrs).toMatchObject({ seed: 3, dtype: 'float32' });
    expect(typeof ops[0].attrs.seed2).toBe('number');
    expect(ops[0].gradient).toBe('nondifferentiable');
  });

  it('uniform records RandomUniform (Sub, Mul, AddV2 for a range), ints RandomUniformInt', () => {
    random.uniform([2]);
    random.uniform([2], 1, 3);
    random.uniform([2], 1, 3, { dtype: 'int32' });
    random.truncatedNormal([2]);
    const types = (getEngine().recorder?.toTrace().ops ?? []).map((op) => op.type);
    expect(types).toEqual(['RandomUniform', 'RandomUniform', 'Sub', 'Mul', 'AddV2', 'RandomUniformInt', 'TruncatedNormal', 'Mul', 'AddV2']);
  });

  it('gradients flow to mean and stddev (d/dstddev = the standard sample), like TensorFlow', () => {
    const mean = variable(constant(0.5), { name: 'mean' });
    const std = variable(constant(2), { name: 'std' });
    const { tape, result } = withTape({}, () => {
      const sample = random.normal([4], read(mean), read(std));
      return { sample, total: reduceSum(sample) };
    });
    const [dMean, dStd] = tape.gradient([result.total], [mean, std]);
    expect(values(dMean as Tensor)).toEqual([4]);
    const standard = values(result.sample).map((x) => (x - 0.5) / 2);
    expect((dStd as Tensor).scalarValue()).toBeCloseTo(standard.reduce((s, x) => s + x, 0), 4);
  });

  it('shuffle permutes rows (any dtype), records RandomShuffle and is not differentiable, as in TensorFlow', () => {
    random.setSeed(1);
    const rows = random.shuffle(constant([[1, 2], [3, 4], [5, 6], [7, 8]]));
    const got = rows.toNested() as number[][];
    expect(got.map((r) => r.join(',')).sort()).toEqual(['1,2', '3,4', '5,6', '7,8']);
    expect(random.shuffle(constant(['a', 'b', 'c'])).toNested()).toHaveLength(3);
    const x = variable(constant([1, 2, 3]), { name: 'x' });
    const { tape, result } = withTape({}, () => reduceSum(random.shuffle(read(x))));
    expect(tape.gradient([result], [x])).toEqual([null]);
    const types = (getEngine().recorder?.toTrace().ops ?? []).filter((op) => op.type === 'RandomShuffle');
    expect(types.map((op) => op.gradient)).toEqual(['nondifferentiable', 'nondifferentiable', 'nondifferentiable']);
  });

  it("respects the engine's tensor size limit", () => {
    setEngine(new Engine({ maxTensorElements: 1000 }));
    expect(thrown(() => random.normal([100, 100])).pythonType).toBe('ResourceExhaustedError');
  });

  it('raises TensorFlow errors for integer normals, missing maxval and empty int ranges', () => {
    expect(thrown(() => random.uniform([2], 0, null, { dtype: 'int32' })).message).toBe('Must specify maxval for integer dtype tf.int32');
    const normalInt = thrown(() => random.normal([2], 0, 1, { dtype: 'int32' }));
    expect([normalInt.pythonType, normalInt.message]).toEqual(['TypeError', 'Cannot convert 0.0 to EagerTensor of dtype int32']);
    expect(thrown(() => random.uniform([2], 5, 5, { dtype: 'int32' })).message).toBe(
      '{{function_node __wrapped__RandomUniformInt_device_/job:localhost/replica:0/task:0/device:CPU:0}} Need minval < maxval, got 5 >= 5 [Op:RandomUniformInt] name: ',
    );
  });
});
