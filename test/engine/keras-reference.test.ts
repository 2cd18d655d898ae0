/**
 * The Keras subset against real Keras (TensorFlow 2.21 / Keras 3.15): losses, optimizer updates,
 * a small training loop, activations and a Dense layer, replayed from the committed fixture made by
 * test/fixtures/keras/keras_reference.py, and re-run live against TensorFlow when .tfenv exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine, Tensor, Variable, add, constant, keras, matmul, multiply, read, reduceSum, setEngine, withTape } from '../../src/engine';

const repoRoot = resolve(__dirname, '../..');
const fixtureFile = join(repoRoot, 'test/fixtures/keras/keras-reference.json');
const script = join(repoRoot, 'test/fixtures/keras/keras_reference.py');
const tfPython = join(repoRoot, '.tfenv/bin/python');

type Nested = number | Nested[];
interface LossCase {
  name: string;
  loss: 'MeanSquaredError' | 'MeanAbsoluteError' | 'Huber' | 'KLDivergence' | 'BinaryCrossentropy' | 'CategoricalCrossentropy' | 'SparseCategoricalCrossentropy';
  options: Record<string, unknown>;
  y_true: Nested;
  y_pred: Nested;
  sample_weight?: Nested;
  activation?: 'sigmoid' | 'softmax';
  expected: { value: Nested; shape: number[] };
}
interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  init: Nested[];
  grads: Nested[][];
  expected: { steps: Nested[][]; iterations: number; slots: Nested[] };
}
interface TrainingCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  w: Nested;
  b: Nested;
  x: Nested;
  y: Nested;
  steps: number;
  expected: { steps: { loss: number; w: Nested; b: Nested }[] };
}
interface InitializerCase {
  name: string;
  args: { seed: number; mean?: number; stddev?: number; minval?: number; maxval?: number };
  shape: number[];
  expected: { values: Nested; same_again: boolean };
}
interface Reference {
  tensorflow: string;
  initializers: InitializerCase[];
  losses: LossCase[];
  optimizers: OptimizerCase[];
  training: TrainingCase[];
  activations: { input: Nested; expected: Record<string, Nested> };
  dense: { x: Nested; x3: Nested; y: Nested; y3: Nested; loss: number; grads: Nested[] };
  model: {
    kernel1: number[][];
    bias1: number[];
    kernel2: number[][];
    bias2: number[];
    x: number[][];
    y: number[];
    learning_rate: number;
    expected: { loss: number; weights: Nested[] }[];
  };
}

/** snake_case Keras keyword arguments to our camelCase options (beta_1 → beta1). */
function camelOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

function flat(value: Nested): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value];
}

/**
 * Equal to float32 precision: within a few float32 ulps of the larger magnitude (TensorFlow's own
 * kernels and ours may round a transcendental differently in the last bit, and errors add up over
 * a few ops), with an absolute floor for values that cancel to near zero (a variable stepped from
 * 0.1 to 1e-7 carries the rounding of 0.1).
 */
function expectClose(actual: ArrayLike<number>, expected: Nested, label: string, ulps = 8, floor = 1e-3): void {
  const want = flat(expected);
  expect(actual.length, `${label}: element count`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = actual[i];
    const e = want[i];
    const scale = Math.max(Math.abs(a), Math.abs(e), floor);
    const tolerance = ulps * 2 ** -23 * scale;
    expect(Math.abs(a - e), `${label}[${i}]: got ${a}, Keras ${e}`).toBeLessThanOrEqual(tolerance);
  }
}

function data(t: Tensor | Variable): ArrayLike<number> {
  return (t instanceof Variable ? t.value.data : t.data) as ArrayLike<number>;
}

function runLoss(c: LossCase): Tensor {
  const options = camelOptions(c.options);
  const makers: Partial<Record<LossCase['loss'], () => keras.losses.Loss>> = {
    MeanAbsoluteError: () => new keras.losses.MeanAbsoluteError(options),
    Huber: () => new keras.losses.Huber(options),
    KLDivergence: () => new keras.losses.KLDivergence(options),
  };
  const loss = makers[c.loss]?.() ??
    (c.loss === 'MeanSquaredError'
      ? new keras.losses.MeanSquaredError(options)
      : c.loss === 'BinaryCrossentropy'
        ? new keras.losses.BinaryCrossentropy(options)
        : c.loss === 'CategoricalCrossentropy'
          ? new keras.losses.CategoricalCrossentropy(options)
          : new keras.losses.SparseCategoricalCrossentropy(options));
  let yPred = constant(c.y_pred as number[], { dtype: 'float32' });
  if (c.activation) yPred = keras.activations.getActivation(c.activation)(yPred);
  // Python ints stay int32 (sparse labels), floats become float32.
  const yTrue = constant(c.y_true as number[], { integersAreInts: c.loss === 'SparseCategoricalCrossentropy' });
  const weight = c.sample_weight === undefined ? undefined : constant(c.sample_weight as number[]);
  return loss.apply(yTrue, yPred, weight);
}

function makeOptimizer(kind: 'SGD' | 'Adam' | 'RMSprop' | 'Adagrad', options: Record<string, unknown>): keras.optimizers.Optimizer {
  const o = camelOptions(options);
  if (kind === 'SGD') return new keras.optimizers.SGD(o);
  if (kind === 'RMSprop') return new keras.optimizers.RMSprop(o);
  if (kind === 'Adagrad') return new keras.optimizers.Adagrad(o);
  return new keras.optimizers.Adam(o);
}

function checkReference(ref: Reference): void {
  for (const c of ref.losses) {
    setEngine(new Engine());
    const value = runLoss(c);
    expect(value.shape, `${c.name} shape`).toEqual(c.expected.shape);
    expectClose(data(value), c.expected.value, c.name);
  }
  for (const c of ref.optimizers) {
    setEngine(new Engine());
    const opt = makeOptimizer(c.optimizer, c.options);
    const vars = c.init.map((v, i) => new Variable(constant(v as number[]), `v${i}:0`, true));
    c.grads.forEach((grads, step) => {
      opt.applyGradients(grads.map((g, i): [Tensor, Variable] => [constant(g as number[]), vars[i]]));
      vars.forEach((v, i) => expectClose(data(v), c.expected.steps[step][i], `${c.name} step ${step + 1} variable ${i}`));
    });
    expect(opt.iterations.value.scalarValue(), `${c.name} iterations`).toBe(c.expected.iterations);
    opt.variables.slice(2).forEach((slot, i) => expectClose(data(slot), c.expected.slots[i], `${c.name} slot ${slot.name}`));
  }
  for (const c of ref.training) {
    setEngine(new Engine());
    const opt = makeOptimizer(c.optimizer, c.options);
    const w = new Variable(constant(c.w as number[]), 'w:0', true);
    const b = new Variable(constant(c.b as number[]), 'b:0', true);
    const x = constant(c.x as number[]);
    const y = constant(c.y as number[]);
    const mse = new keras.losses.MeanSquaredError();
    c.expected.steps.forEach((want, step) => {
      const { tape, result: loss } = withTape({}, () => mse.apply(y, add(matmul(x, read(w)), read(b))));
      const grads = tape.gradient([loss], [w, b]);
      opt.applyGradients([[grads[0], w], [grads[1], b]]);
      expectClose(data(loss), want.loss, `${c.name} loss ${step + 1}`);
      expectClose(data(w), want.w, `${c.name} w after ${step + 1}`, 16, 0.1);
      expectClose(data(b), want.b, `${c.name} b after ${step + 1}`, 16, 0.1);
    });
  }
  for (const c of ref.initializers) {
    setEngine(new Engine());
    const a = c.args;
    const make: Record<string, () => keras.Initializer> = {
      glorot_uniform: () => keras.initializers.glorotUniform(a.seed),
      glorot_normal: () => keras.initializers.glorotNormal(a.seed),
      he_normal: () => keras.initializers.heNormal(a.seed),
      he_uniform: () => keras.initializers.heUniform(a.seed),
      lecun_normal: () => keras.initializers.lecunNormal(a.seed),
      random_normal: () => keras.initializers.randomNormal(a.mean, a.stddev, a.seed),
      random_uniform: () => keras.initializers.randomUniform(a.minval, a.maxval, a.seed),
      truncated_normal: () => keras.initializers.truncatedNormalInitializer(a.mean, a.stddev, a.seed),
    };
    const init = make[c.name]();
    const first = data(init(c.shape, 'float32'));
    expectClose(first, c.expected.values, `initializer ${c.name}`, 2);
    expect(c.expected.same_again, `${c.name}: Keras gives the same values twice`).toBe(true);
    expect(Array.from(data(init(c.shape, 'float32'))), `${c.name} twice`).toEqual(Array.from(first));
  }
  setEngine(new Engine());
  const input = constant(ref.activations.input as number[]);
  for (const [name, want] of Object.entries(ref.activations.expected)) {
    expectClose(data(keras.activations.getActivation(name)(input)), want, `activation ${name}`);
  }
  setEngine(new Engine());
  const kernel = [[0.5, -1.0], [0.25, 2.0], [-1.5, 0.75]];
  const layer = new keras.Dense(2, {
    activation: 'tanh',
    kernelInitializer: (shape, dtype) => constant(kernel, { dtype, shape: shape.slice() }),
    biasInitializer: (shape, dtype) => constant([0.1, -0.2], { dtype, shape: shape.slice() }),
  });
  const { tape, result } = withTape({}, () => {
    const out = layer.apply(constant(ref.dense.x as number[]));
    return { out, loss: reduceSum(multiply(out, out)) };
  });
  expectClose(data(result.out), ref.dense.y, 'dense y');
  expectClose(data(result.loss), ref.dense.loss, 'dense loss');
  const grads = tape.gradient([result.loss], layer.trainableVariables);
  grads.forEach((g, i) => expectClose(data(g as Tensor), ref.dense.grads[i], `dense grad ${i}`, 16));
  expectClose(data(layer.apply(constant(ref.dense.x3 as number[]))), ref.dense.y3, 'dense y (rank 3 input)');

  // Sequential(Dense(relu), Dense) trained with sparse cross-entropy from logits and Adam.
  setEngine(new Engine());
  const m = ref.model;
  const init = (values: number[] | number[][]): keras.Initializer => (shape, dtype) => constant(values, { dtype, shape: shape.slice() });
  const model = new keras.Sequential([
    new keras.Dense(3, { activation: 'relu', kernelInitializer: init(m.kernel1), biasInitializer: init(m.bias1) }),
    new keras.Dense(3, { kernelInitializer: init(m.kernel2), biasInitializer: init(m.bias2) }),
  ]);
  const lossFn = new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });
  const adam = new keras.optimizers.Adam({ learningRate: m.learning_rate });
  const xs = constant(m.x);
  const ys = constant(m.y, { integersAreInts: true });
  m.expected.forEach((want, step) => {
    const { tape: t, result: loss } = withTape({}, () => lossFn.apply(ys, model.apply(xs)));
    const vars = model.trainableVariables;
    const g = t.gradient([loss], vars);
    adam.applyGradients(g.map((gi, i): [Tensor | null, Variable] => [gi, vars[i]]));
    expectClose(data(loss), want.loss, `model loss ${step + 1}`);
    vars.forEach((v, i) => expectClose(data(v), want.weights[i], `model ${v.name} after ${step + 1}`, 16, 0.05));
  });
}

describe('Keras subset against real Keras (committed fixture)', () => {
  const ref = JSON.parse(readFileSync(fixtureFile, 'utf8')) as Reference;
  it(`matches TensorFlow ${ref.tensorflow}'s Keras on losses, optimizers, activations and Dense`, () => {
    checkReference(ref);
  });
});

describe('Keras subset against real Keras (live)', () => {
  const unavailable = existsSync(tfPython) ? undefined : 'real TensorFlow is not installed (.tfenv missing): run `bash scripts/setup-tfenv.sh` to re-check the Keras fixture live';
  it.skipIf(unavailable !== undefined)(unavailable ?? 're-runs the reference script on TensorFlow and matches its fresh output', () => {
    const res = spawnSync(tfPython, [script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' } });
    expect(res.status, res.stderr).toBe(0);
    checkReference(JSON.parse(res.stdout) as Reference);
  }, 150_000);
});
