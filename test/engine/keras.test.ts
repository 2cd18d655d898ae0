/**
 * The Keras subset through the TypeScript API: names and counters, build and shapes, the forward
 * pass against a hand computation, gradients against central finite differences (float64),
 * the trace (ops, scopes, owners, assigns), Sequential, Module, the trainable flag, optimizers'
 * bookkeeping and Keras's error texts. Numbers against real Keras are in keras-reference.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  Engine,
  GradientTape,
  Module,
  TFError,
  Tensor,
  Variable,
  constant,
  getEngine,
  keras,
  random,
  read,
  reduceSum,
  setEngine,
  variable,
  withTape,
} from '../../src/engine';

const { Dense, Sequential } = keras;

function fixed(values: number[][] | number[]): keras.Initializer {
  return (shape, dtype) => constant(values, { dtype, shape: shape.slice() });
}

function values(t: Tensor | Variable): number[] {
  return Array.from((t instanceof Variable ? t.value.data : t.data) as ArrayLike<number>);
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

describe('names and counters', () => {
  it('names layers dense, dense_1, ... and restarts with a fresh engine', () => {
    expect([new Dense(2).name, new Dense(3).name, new Dense(1, { name: 'head' }).name, new Dense(1).name]).toEqual(['dense', 'dense_1', 'head', 'dense_2']);
    setEngine(new Engine());
    expect(new Dense(2).name).toBe('dense');
  });

  it('counts other Keras objects by their snake_case class names', () => {
    expect(new Sequential().name).toBe('sequential');
    expect(new Sequential().name).toBe('sequential_1');
    // Losses have fixed default names in Keras 3 (two MeanSquaredError() are both mean_squared_error).
    expect([new keras.losses.MeanSquaredError().name, new keras.losses.MeanSquaredError().name]).toEqual(['mean_squared_error', 'mean_squared_error']);
    expect(new keras.losses.SparseCategoricalCrossentropy().name).toBe('sparse_categorical_crossentropy');
    expect(new keras.losses.Huber().name).toBe('huber_loss');
    expect(new keras.optimizers.Adam().name).toBe('adam');
    expect(new keras.optimizers.Adam().name).toBe('adam_1');
    expect(new keras.optimizers.SGD().name).toBe('sgd');
    // Keras's own to_snake_case really gives these.
    expect([new keras.optimizers.RMSprop().name, new keras.optimizers.Adagrad().name, new keras.optimizers.RMSprop().name]).toEqual(['rm_sprop', 'adagrad', 'rm_sprop_1']);
  });

  it('creates variables at the first call, kernel then bias, with Keras 2 names and the layer as owner', () => {
    const layer = new Dense(2, { activation: 'relu' });
    expect(layer.built).toBe(false);
    expect(layer.variables).toEqual([]);
    expect(thrown(() => layer.kernel).message).toBe('You must build the layer before accessing `kernel`.');
    layer.apply(constant([[1, 2, 3]]));
    expect(layer.built).toBe(true);
    expect(layer.variables.map((v) => [v.name, v.shape, v.trainable, v.owner])).toEqual([
      ['dense/kernel:0', [3, 2], true, 'dense'],
      ['dense/bias:0', [2], true, 'dense'],
    ]);
    expect(layer.trainableVariables).toEqual([layer.kernel, layer.bias]);
    expect(layer.weights).toEqual(layer.variables);
    const trace = getEngine().recorder?.toTrace();
    expect(trace?.variables.map((v) => [v.name, v.owner])).toEqual([
      ['dense/kernel:0', 'dense'],
      ['dense/bias:0', 'dense'],
    ]);
  });

  it('builds from a shape without a call (batch dimension unknown)', () => {
    const layer = new Dense(4);
    layer.build([null, 5]);
    expect(layer.kernel.shape).toEqual([5, 4]);
    expect(layer.bias?.shape).toEqual([4]);
  });
});

describe('Dense forward', () => {
  const kernel = [[0.5, -1], [2, 0.25], [-1.5, 3]];
  const bias = [0.1, -0.2];
  const x = [[1, 2, 3], [-1, 0.5, 4]];
  /** relu(x @ kernel + bias), written out by hand in doubles. */
  const expected = x.map((row) => [0, 1].map((j) => Math.max(0, row.reduce((s, xi, i) => s + xi * kernel[i][j], 0) + bias[j])));

  it('computes activation(x @ kernel + bias)', () => {
    const layer = new Dense(2, { activation: 'relu', kernelInitializer: fixed(kernel), biasInitializer: fixed(bias) });
    const y = layer.apply(constant(x));
    expect(y.shape).toEqual([2, 2]);
    values(y).forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i], 5));
  });

  it('accepts a callable activation, no bias, and casts integer input to float32', () => {
    const layer = new Dense(2, { activation: (t) => keras.activations.tanh(t), useBias: false, kernelInitializer: fixed(kernel) });
    const y = layer.apply(constant([[1, 2, 3]], { integersAreInts: true }));
    expect(y.dtype).toBe('float32');
    expect(layer.bias).toBeNull();
    expect(layer.variables.map((v) => v.name)).toEqual(['dense/kernel:0']);
    const pre = [0, 1].map((j) => [1, 2, 3].reduce((s, xi, i) => s + xi * kernel[i][j], 0));
    values(y).forEach((v, j) => expect(v).toBeCloseTo(Math.tanh(pre[j]), 6));
  });

  it('applies to the last axis of rank-3 inputs (Reshape, MatMul, Reshape like Keras)', () => {
    const layer = new Dense(2, { kernelInitializer: fixed(kernel), biasInitializer: fixed(bias) });
    const x3 = [[[1, 2, 3]], [[-1, 0.5, 4]]];
    const y = layer.apply(constant(x3));
    expect(y.shape).toEqual([2, 1, 2]);
    const linear = x.map((row) => [0, 1].map((j) => row.reduce((s, xi, i) => s + xi * kernel[i][j], 0) + bias[j]));
    values(y).forEach((v, i) => expect(v).toBeCloseTo(linear.flat()[i], 5));
    const ops = getEngine().recorder?.toTrace().ops.filter((op) => op.scope === 'dense').map((op) => op.type);
    expect(ops?.slice(-6)).toEqual(['ReadVariableOp', 'Reshape', 'MatMul', 'Reshape', 'ReadVariableOp', 'BiasAdd']);
  });

  it('records the ops TensorFlow runs, grouped under the layer scope', () => {
    const layer = new Dense(2, { activation: 'relu' });
    layer.apply(constant([[1, 2, 3]]));
    const before = getEngine().recorder?.toTrace().ops.length ?? 0;
    layer.apply(constant([[1, 2, 3]]));
    const ops = getEngine().recorder?.toTrace().ops.slice(before) ?? [];
    expect(ops.map((op) => [op.type, op.scope])).toEqual([
      ['ReadVariableOp', 'dense'],
      ['MatMul', 'dense'],
      ['ReadVariableOp', 'dense'],
      ['BiasAdd', 'dense'],
      ['Relu', 'dense'],
    ]);
  });

  it('raises Keras errors for bad inputs and arguments', () => {
    const layer = new Dense(3);
    layer.apply(constant([[1, 2, 3, 4]]));
    const mismatch = thrown(() => layer.apply(constant([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]])));
    expect(mismatch.pythonType).toBe('ValueError');
    expect(mismatch.message).toBe("Input 0 with name 'None' of layer 'dense' is incompatible with the layer: expected axis -1 of input shape to have value 4, but received input with shape (2, 5)");
    expect(thrown(() => new Dense(2).apply(constant([1, 2, 3]))).message).toBe(
      "Input 0 with name 'None' of layer 'dense_1' is incompatible with the layer: expected min_ndim=2, found ndim=1. Full shape received: (3,)",
    );
    expect(thrown(() => new Dense(0)).message).toBe('Received an invalid value for `units`, expected a positive integer. Received: units=0');
    expect(thrown(() => new Dense(2, { activation: 'nope' })).message).toBe('Could not interpret activation function identifier: nope');
  });
});

/** Central finite differences of a scalar function of one variable's elements, in float64. */
function finiteDifferences(v: Variable, f: () => number, h = 1e-6): number[] {
  const base = values(v);
  return base.map((_, i) => {
    const at = (delta: number): number => {
      const shifted = base.slice();
      shifted[i] += delta;
      getEngine().assignVariable(v, constant(shifted, { dtype: 'float64', shape: v.shape }), 'assign');
      return f();
    };
    const slope = (at(h) - at(-h)) / (2 * h);
    getEngine().assignVariable(v, constant(base, { dtype: 'float64', shape: v.shape }), 'assign');
    return slope;
  });
}

describe('gradients of Dense + loss against finite differences (float64)', () => {
  const x = [[0.3, -1.2, 0.8], [1.5, 0.4, -0.7], [-0.2, 0.9, 1.1], [0.6, -0.5, 0.05]];
  const cases: { name: string; units: number; activation: string; loss: () => keras.losses.Loss; yTrue: () => Tensor }[] = [
    { name: 'MSE after tanh', units: 2, activation: 'tanh', loss: () => new keras.losses.MeanSquaredError({ dtype: 'float64' }), yTrue: () => constant([[0.5, -0.5], [1, 0], [0, 0.25], [-1, 1]], { dtype: 'float64' }) },
    { name: 'BCE on probabilities after sigmoid', units: 3, activation: 'sigmoid', loss: () => new keras.losses.BinaryCrossentropy({ dtype: 'float64' }), yTrue: () => constant([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0.5]], { dtype: 'float64' }) },
    { name: 'BCE from logits', units: 3, activation: 'linear', loss: () => new keras.losses.BinaryCrossentropy({ fromLogits: true, dtype: 'float64' }), yTrue: () => constant([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0.5]], { dtype: 'float64' }) },
    { name: 'CCE after softmax', units: 3, activation: 'softmax', loss: () => new keras.losses.CategoricalCrossentropy({ dtype: 'float64' }), yTrue: () => constant([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.3, 0.5]], { dtype: 'float64' }) },
    { name: 'CCE on renormalised probabilities after softplus', units: 3, activation: 'softplus', loss: () => new keras.losses.CategoricalCrossentropy({ dtype: 'float64' }), yTrue: () => constant([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.3, 0.5]], { dtype: 'float64' }) },
    { name: 'sparse CCE from logits', units: 4, activation: 'elu', loss: () => new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true, dtype: 'float64' }), yTrue: () => constant([3, 0, 2, 1], { dtype: 'float64' }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      random.setSeed(7);
      const layer = new Dense(c.units, { activation: c.activation, dtype: 'float64', biasInitializer: 'random_normal' });
      const loss = c.loss();
      const input = constant(x, { dtype: 'float64' });
      const evaluate = (): Tensor => loss.apply(c.yTrue(), layer.apply(input));
      const { tape, result } = withTape({}, () => evaluate());
      const grads = tape.gradient([result], layer.trainableVariables);
      layer.trainableVariables.forEach((v, i) => {
        const numeric = finiteDifferences(v, () => evaluate().scalarValue());
        const analytic = values(grads[i] as Tensor);
        analytic.forEach((g, j) => expect(Math.abs(g - numeric[j]), `${v.name}[${j}]: ${g} vs ${numeric[j]}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(numeric[j])));
      });
    });
  }

  it('BiasAddGrad accumulates rows in float32 like TensorFlow (2^24 + 1 + 1 stays 2^24)', () => {
    // TensorFlow: tf.raw_ops.BiasAddGrad(out_backprop=[[16777216.], [1.], [1.]]) is [16777216.];
    // a float64 accumulator would give 16777218.
    const g = getEngine().run1('BiasAddGrad', [constant([[16777216, 0.5], [1, 0.25], [1, 0.25]])]);
    expect(values(g)).toEqual([16777216, 1]);
  });

  it('BiasAddGrad is itself differentiable (second order through a nested tape)', () => {
    const b = variable(constant([0.5, -0.25], { dtype: 'float64' }));
    const xs = variable(constant([[1, 2], [3, 4], [5, 6]], { dtype: 'float64' }));
    const outer = new GradientTape(false, true);
    outer.enter();
    const inner = new GradientTape(false, true);
    inner.enter();
    const y = getEngine().run1('BiasAdd', [read(xs), read(b)]);
    const z = reduceSum(getEngine().run1('Mul', [y, y]));
    inner.exit();
    const [gb] = inner.gradient([z], [b]);
    const h = reduceSum(getEngine().run1('Mul', [gb as Tensor, gb as Tensor]));
    outer.exit();
    const [gx] = outer.gradient([h], [xs]);
    // gb_j = 2 * sum_i (x_ij + b_j); h = sum_j gb_j^2; dh/dx_ij = 2 * gb_j * 2 = 4 * gb_j.
    const xv = [[1, 2], [3, 4], [5, 6]];
    const gbv = [0, 1].map((j) => 2 * xv.reduce((s, row) => s + row[j] + [0.5, -0.25][j], 0));
    expect(values(gb as Tensor)).toEqual(gbv);
    expect(values(gx as Tensor)).toEqual(xv.flatMap(() => gbv.map((g) => 4 * g)));
  });
});

describe('Layer.trainable, Sequential and Module', () => {
  it('trainable = false moves weights to nonTrainableVariables; tapes still watch them, as in TensorFlow', () => {
    const layer = new Dense(2);
    layer.apply(constant([[1, 2, 3]]));
    layer.trainable = false;
    expect(layer.trainableVariables).toEqual([]);
    expect(layer.nonTrainableVariables.map((v) => v.name)).toEqual(['dense/kernel:0', 'dense/bias:0']);
    const { tape, result } = withTape({}, () => reduceSum(layer.apply(constant([[1, 2, 3]]))));
    expect(tape.watchedVariables().map((v) => v.name)).toEqual(['dense/kernel:0', 'dense/bias:0']);
    expect(tape.gradient([result], [layer.kernel])[0]).not.toBeNull();
  });

  it('Sequential calls its layers in order and lists their variables in layer order', () => {
    const first = new Dense(3, { activation: 'relu' });
    const second = new Dense(1);
    const model = new Sequential([first, second]);
    const extra = new Dense(2);
    model.add(extra);
    const x = constant([[1, -2], [0.5, 4]]);
    const y = model.apply(x);
    expect(y.shape).toEqual([2, 2]);
    expect(model.trainableVariables.map((v) => v.name)).toEqual(['dense/kernel:0', 'dense/bias:0', 'dense_1/kernel:0', 'dense_1/bias:0', 'dense_2/kernel:0', 'dense_2/bias:0']);
    const manual = extra.apply(second.apply(first.apply(x)));
    expect(values(y)).toEqual(values(manual));
    const scopes = new Set(getEngine().recorder?.toTrace().ops.map((op) => op.scope));
    expect(scopes.has('sequential/dense')).toBe(true);
    expect(scopes.has('sequential/dense_2')).toBe(true);
    model.trainable = false;
    expect(model.trainableVariables).toEqual([]);
    expect(model.nonTrainableVariables).toHaveLength(6);
  });

  it("Module collects variables from attributes, arrays, objects and sub-modules in tf.Module's order", () => {
    class Block extends Module {
      readonly w = variable(constant([1, 2]), { name: 'w' });
      readonly frozen = variable(constant(3), { name: 'frozen', trainable: false });
    }
    class Net extends Module {
      readonly blocks = [new Block('b0'), new Block('b1')];
      readonly extra = { scale: variable(constant(0.5), { name: 'scale' }) };
      readonly note = 'not a variable';
    }
    const net = new Net('net');
    // Real TensorFlow prints ['scale:0', 'frozen:0', 'w:0', 'frozen:0', 'w:0'] for the same classes:
    // own attributes by sorted name first, then each sub-module's, attributes again sorted.
    expect(net.variables.map((v) => v.name)).toEqual(['scale:0', 'frozen:0', 'w:0', 'frozen:0', 'w:0']);
    expect(net.trainableVariables.map((v) => v.name)).toEqual(['scale:0', 'w:0', 'w:0']);
    expect(net.trainableVariables[1]).toBe(net.blocks[0].w);
    expect(net.nonTrainableVariables.map((v) => v.name)).toEqual(['frozen:0', 'frozen:0']);
    expect(net.submodules.map((m) => m.name)).toEqual(['b0', 'b1']);
  });
});

describe('optimizers', () => {
  it('creates iteration/learning_rate at construction and non-trainable slots at the first step', () => {
    const w = variable(constant([1, 2]), { name: 'w' });
    const opt = new keras.optimizers.Adam({ learningRate: 0.1 });
    expect(opt.variables.map((v) => [v.name, v.dtype, v.trainable])).toEqual([
      ['adam/iteration:0', 'int64', false],
      ['adam/learning_rate:0', 'float32', false],
    ]);
    const ret = opt.applyGradients([[constant([0.5, -0.5]), w]]);
    expect(ret).toBe(opt.iterations);
    expect(opt.iterations.value.scalarValue()).toBe(1);
    expect(opt.variables.slice(2).map((v) => [v.name, v.trainable, v.owner])).toEqual([
      ['adam/w_0_momentum:0', false, 'adam'],
      ['adam/w_0_velocity:0', false, 'adam'],
    ]);
    // A layer's variables are named by their path instead.
    const layer = new Dense(1);
    layer.apply(constant([[1]]));
    const sgd = new keras.optimizers.SGD({ momentum: 0.5 });
    sgd.applyGradients(layer.trainableVariables.map((v): [Tensor, Variable] => [constant(v.shape.length === 2 ? [[1]] : [1]), v]));
    expect(sgd.variables.slice(2).map((v) => v.name)).toEqual(['sgd/dense_kernel_momentum:0', 'sgd/dense_bias_momentum:0']);
    // Adam's first step moves each element by about the learning rate, against the gradient's sign.
    values(w).forEach((v, i) => expect(v).toBeCloseTo([0.9, 2.1][i], 5));
    expect(opt.learningRate).toBeCloseTo(0.1, 7);
  });

  it('updates through assign events, which cut gradient paths', () => {
    const w = variable(constant([1, 2]), { name: 'w' });
    const opt = new keras.optimizers.SGD({ learningRate: 0.5 });
    const { tape, result } = withTape({ persistent: true }, () => {
      const before = read(w);
      opt.applyGradients([[constant([1, 1]), w]]);
      return { before, after: read(w) };
    });
    expect(values(result.after)).toEqual([0.5, 1.5]);
    expect(tape.gradient([reduceSum(result.after)], [result.before])).toEqual([null]);
    const assigns = getEngine().recorder?.toTrace().assigns ?? [];
    expect(assigns.map((a) => a.op)).toEqual(['assign_sub', 'assign']);
  });

  it('skips None gradients with Keras warning, and refuses all-None or unknown variables', () => {
    const warnings: string[] = [];
    getEngine().warningSink = (line) => warnings.push(line);
    const layer = new Dense(1);
    layer.apply(constant([[1, 2]]));
    const opt = new keras.optimizers.SGD();
    opt.applyGradients([[null, layer.kernel], [constant([1]), layer.bias as Variable]]);
    expect(warnings).toEqual([
      "UserWarning: Gradients do not exist for variables ['dense/kernel'] when minimizing the loss. If using `model.compile()`, did you forget to provide a `loss` argument?",
    ]);
    expect(values(layer.bias as Variable)).toEqual([Math.fround(-0.01)]);
    expect(thrown(() => opt.applyGradients([[null, layer.kernel]])).message).toBe('No gradients provided for any variable.');
    const stranger = variable(constant(2), {});
    expect(thrown(() => opt.applyGradients([[constant(1), stranger]])).message).toBe(
      "Unknown variable: <tf.Variable 'Variable:0' shape=() dtype=float32, numpy=2.0>. This optimizer can only be called for the variables it was originally built with. When working with a new set of variables, you should recreate a new optimizer instance.",
    );
  });
});

describe('optimizer arguments', () => {
  it('refuses two clipping options at once with Keras message', () => {
    expect(thrown(() => new keras.optimizers.SGD({ clipnorm: 1, clipvalue: 0.5 })).message).toBe(
      'Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=1.0, clipvalue=0.5, global_clipnorm=None',
    );
  });
});

describe('initializers', () => {
  it('glorot_uniform stays within sqrt(6 / (fan_in + fan_out)) and spreads across it', () => {
    random.setSeed(3);
    const w = keras.initializers.getInitializer('glorot_uniform')([200, 100], 'float32');
    const limit = Math.sqrt(6 / 300);
    const v = values(w);
    expect(Math.max(...v)).toBeLessThan(limit);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-limit);
    expect(Math.max(...v)).toBeGreaterThan(0.99 * limit);
    const variance = v.reduce((s, x) => s + x * x, 0) / v.length;
    expect(variance).toBeCloseTo((limit * limit) / 3, 4);
  });

  it('he_normal and glorot_normal have the variance-scaling standard deviation', () => {
    random.setSeed(4);
    for (const [name, shape, expectedStd] of [
      ['he_normal', [400, 50], Math.sqrt(2 / 400)],
      ['glorot_normal', [300, 100], Math.sqrt(2 / 400)],
      ['he_uniform', [400, 50], Math.sqrt(2 / 400)],
    ] as const) {
      const v = values(keras.initializers.getInitializer(name)([...shape], 'float32'));
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
      expect(Math.abs(mean), name).toBeLessThan(0.05 * expectedStd);
      expect(std / expectedStd, name).toBeGreaterThan(0.97);
      expect(std / expectedStd, name).toBeLessThan(1.03);
    }
  });

  it('zeros, ones, constant and the computed fans', () => {
    expect(values(keras.initializers.getInitializer('zeros')([2, 2], 'float32'))).toEqual([0, 0, 0, 0]);
    expect(values(keras.initializers.getInitializer('ones')([3], 'float32'))).toEqual([1, 1, 1]);
    expect(values(keras.initializers.constantInitializer(2.5)([2], 'float32'))).toEqual([2.5, 2.5]);
    expect(keras.initializers.computeFans([3, 3, 16, 32])).toEqual([144, 288]);
    expect(keras.initializers.computeFans([7])).toEqual([7, 7]);
  });
});
