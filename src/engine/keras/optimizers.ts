/**
 * Keras 3 optimizers SGD, Adam, RMSprop and Adagrad (with weight_decay, clipnorm, clipvalue and
 * global_clipnorm), computing each update with the ops and float32 roundings Keras 3 uses on TensorFlow, and writing it with `engine.assignVariable` so every update is an
 * assign event in the trace (which is also what cuts gradient paths through updated variables).
 *
 * Variables are created like Keras 3's: `iteration` (int64) and `learning_rate` at construction,
 * slot variables (`dense_kernel_momentum`, ...) at the first applyGradients, all non-trainable,
 * named `<optimizer>/<name>:0` (Keras 3 path + `:0`) and owned by the optimizer.
 */
import type { DTypeName } from '../dtype';
import { getEngine } from '../engine';
import { TFError } from '../errors';
import { formatVariableRepr } from '../format/tensorflow';
import { type TensorLike, constant, toTensor } from '../convert';
import { Tensor, Variable } from '../tensor';
import { snakeCase, uniqueName } from './names';

const run = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);
const scalarOf = (value: number, dtype: DTypeName): Tensor => getEngine().scalar(value, dtype);

/** A gradient (or null, like Python's None) paired with its variable. */
export type GradAndVar = [Tensor | null, Variable];

/**
 * The prefix of a slot variable's name, as Keras 3 builds it: a Keras layer's variable (one with an
 * owner) by its path with `/` as `_` (`dense_kernel`), a plain tf.Variable by its name with `/` and
 * `:` as `_` (`w_0`).
 */
function slotBase(v: Variable): string {
  if (v.owner !== undefined) return v.name.replace(/:\d+$/, '').replace(/\//g, '_');
  return v.name.replace(/[/:]/g, '_');
}

/** What Keras prints for a variable in its messages (`v.path`, or `v.name` for a plain tf.Variable). */
function variableLabel(v: Variable): string {
  return v.owner ? v.name.replace(/:\d+$/, '') : v.name;
}

export interface OptimizerOptions {
  learningRate?: number;
  name?: string;
  /** Decoupled weight decay: each step first sets v -= v * weightDecay * learningRate. */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale all gradients together so their global L2 norm is at most this. */
  globalClipnorm?: number | null;
}

/** Python's repr of an optional number in Keras's messages (`None`, `1.0`, `0.5`). */
function pyOptional(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'None';
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

export abstract class Optimizer {
  readonly name: string;
  /** Steps taken (int64, non-trainable), like Keras 3's `optimizer.iterations`. */
  readonly iterations: Variable;
  private readonly learningRateVariable: Variable;
  /** Variables the optimizer was built with (in order), mapped to their index. */
  private readonly known = new Map<Variable, number>();
  private readonly slotVariables: Variable[] = [];
  built = false;

  readonly weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;

  constructor(options: OptimizerOptions, className: string, defaultLearningRate: number) {
    const clips = [options.clipnorm, options.clipvalue, options.globalClipnorm].filter((c) => c !== null && c !== undefined);
    if (clips.length > 1) {
      throw new TFError(
        'ValueError',
        `Only one of \`clipnorm\`, \`clipvalue\` and \`global_clipnorm\` can be set. Received: clipnorm=${pyOptional(options.clipnorm)}, clipvalue=${pyOptional(options.clipvalue)}, global_clipnorm=${pyOptional(options.globalClipnorm)}`,
      );
    }
    this.weightDecay = options.weightDecay ?? null;
    this.clipnorm = options.clipnorm ?? null;
    this.clipvalue = options.clipvalue ?? null;
    this.globalClipnorm = options.globalClipnorm ?? null;
    this.name = options.name ?? uniqueName(snakeCase(className));
    this.iterations = this.createVariable('iteration', toTensor(0, 'int64'));
    this.learningRateVariable = this.createVariable('learning_rate', toTensor(options.learningRate ?? defaultLearningRate, 'float32'));
  }

  private createVariable(name: string, initial: Tensor): Variable {
    const engine = getEngine();
    engine.pushScope(this.name);
    try {
      const v = engine.createVariable(initial, `${this.name}/${name}`, false);
      v.owner = this.name;
      engine.recorder?.setVariableOwner(v);
      return v;
    } finally {
      engine.popScope();
    }
  }

  get learningRate(): number {
    return this.learningRateVariable.value.scalarValue();
  }

  set learningRate(value: number) {
    getEngine().assignVariable(this.learningRateVariable, toTensor(value, 'float32'), 'assign');
  }

  /** iteration, learning_rate, then the slot variables in creation order (Keras 3's `variables`). */
  get variables(): Variable[] {
    return [this.iterations, this.learningRateVariable, ...this.slotVariables];
  }

  /** One slot per variable and suffix (all `initialValue`), interleaved per variable as Keras does. */
  protected addSlots(variables: Variable[], suffixes: string[], initialValue = 0): Variable[][] {
    const perSuffix: Variable[][] = suffixes.map(() => []);
    for (const v of variables) {
      suffixes.forEach((suffix, i) => {
        const zero = constant(initialValue, { dtype: v.dtype, shape: v.shape.slice() });
        const slot = this.createVariable(`${slotBase(v)}_${suffix}`, zero);
        this.slotVariables.push(slot);
        perSuffix[i].push(slot);
      });
    }
    return perSuffix;
  }

  /** Creates the slot variables for `variables` (Keras's build). */
  build(variables: Variable[]): void {
    variables.forEach((v, i) => this.known.set(v, i));
    this.built = true;
  }

  protected indexOf(v: Variable): number {
    return this.known.get(v) as number;
  }

  /**
   * optimizer.apply_gradients(zip(grads, vars)): skips null gradients with Keras's warning (a
   * ValueError when all are null), updates each variable, then increments `iterations`.
   * Returns `iterations`, as Keras does.
   */
  applyGradients(gradsAndVars: Iterable<GradAndVar>): Variable {
    const pairs = [...gradsAndVars];
    if (pairs.length === 0) return this.iterations;
    const variables = pairs.map(([, v]) => v);
    if (!this.built) {
      const engine = getEngine();
      engine.pushScope(this.name);
      try {
        this.build(variables);
      } finally {
        engine.popScope();
      }
    }
    for (const v of variables) {
      if (!this.known.has(v)) {
        throw new TFError(
          'ValueError',
          `Unknown variable: ${formatVariableRepr(v.name, v.dtype, v.shape, v.value.data)}. This optimizer can only be called for the variables it was originally built with. When working with a new set of variables, you should recreate a new optimizer instance.`,
        );
      }
    }
    const engine = getEngine();
    engine.pushScope(this.name);
    try {
      const present = pairs.filter(([g]) => g !== null) as [Tensor, Variable][];
      if (present.length === 0) throw new TFError('ValueError', 'No gradients provided for any variable.');
      const missing = pairs.filter(([g]) => g === null).map(([, v]) => `'${variableLabel(v)}'`);
      if (missing.length > 0) {
        engine.warn(`UserWarning: Gradients do not exist for variables [${missing.join(', ')}] when minimizing the loss. If using \`model.compile()\`, did you forget to provide a \`loss\` argument?`);
      }
      const grads = this.clipGradients(present.map(([g, v]) => (g.dtype === v.dtype ? g : run('Cast', [g], { dtype: v.dtype }))));
      const vars = present.map(([, v]) => v);
      grads.forEach((g, i) => {
        if (g.shape.join(',') !== vars[i].shape.join(',')) {
          throw new TFError('ValueError', `Gradient shape (${g.shape.join(', ')}) does not match variable shape (${vars[i].shape.join(', ')}) for ${variableLabel(vars[i])}`);
        }
      });
      if (this.weightDecay !== null) {
        for (const v of vars) {
          // variable - variable * wd * lr, as Keras's _apply_weight_decay.
          const lr = engine.readVariable(this.learningRateVariable);
          const decay = run('Mul', [run('Mul', [engine.readVariable(v), scalarOf(this.weightDecay, v.dtype)]), lr]);
          this.assign(v, run('Sub', [engine.readVariable(v), decay]), 'assign');
        }
      }
      grads.forEach((g, i) => {
        // Keras reads the learning rate once per variable, as the trace of TensorFlow shows.
        const learningRate = engine.readVariable(this.learningRateVariable);
        const lr = learningRate.dtype === vars[i].dtype ? learningRate : run('Cast', [learningRate], { dtype: vars[i].dtype });
        this.updateStep(g, vars[i], lr);
      });
      const next = run('AddV2', [engine.readVariable(this.iterations), scalarOf(1, 'int64')]);
      engine.assignVariable(this.iterations, next, 'assign');
    } finally {
      engine.popScope();
    }
    return this.iterations;
  }

  /** Keras's _clip_gradients: clipnorm per gradient, else global_clipnorm, else clipvalue. */
  private clipGradients(grads: Tensor[]): Tensor[] {
    if (this.clipnorm !== null && this.clipnorm > 0) {
      const clipnorm = this.clipnorm;
      return grads.map((g) => {
        const c = (v: number) => scalarOf(v, g.dtype);
        const l2sum = run('Sum', [run('Square', [g])], { axis: g.shape.map((_, i) => i), keepdims: true });
        const positive = run('Greater', [l2sum, c(0)]);
        const safe = run('SelectV2', [positive, l2sum, run('OnesLike', [l2sum])]);
        const l2norm = run('SelectV2', [positive, run('Sqrt', [safe]), l2sum]);
        return run('RealDiv', [run('Mul', [g, c(clipnorm)]), run('Maximum', [l2norm, c(clipnorm)])]);
      });
    }
    if (this.globalClipnorm !== null && this.globalClipnorm > 0) {
      const clip = this.globalClipnorm;
      const squares = grads.map((g) => run('Sum', [run('Square', [g])], { axis: g.shape.map((_, i) => i), keepdims: false }));
      const norm = run('Sqrt', [run('Sum', [run('Pack', squares, { axis: 0 })], { axis: [0], keepdims: false })]);
      const c = (v: number) => scalarOf(v, norm.dtype);
      const scaleForFinite = run('Mul', [c(clip), run('Minimum', [run('RealDiv', [c(1), norm]), c(1 / clip)])]);
      // Adding (norm - norm) turns the scale into NaN when the norm is not finite, as Keras does.
      const scale = run('AddV2', [scaleForFinite, run('Sub', [norm, norm])]);
      return grads.map((g) => run('Mul', [g, scale]));
    }
    if (this.clipvalue !== null && this.clipvalue > 0) {
      const v = this.clipvalue;
      return grads.map((g) => run('Maximum', [run('Minimum', [g, scalarOf(v, g.dtype)]), scalarOf(-v, g.dtype)]));
    }
    return grads;
  }

  /** apply(grads, variables): the same as applyGradients on zipped lists. */
  apply(grads: (Tensor | null)[], variables: Variable[]): Variable {
    return this.applyGradients(grads.map((g, i): GradAndVar => [g, variables[i]]));
  }

  protected abstract updateStep(gradient: Tensor, variable: Variable, learningRate: Tensor): void;

  protected assign(v: Variable, value: Tensor, mode: 'assign' | 'assign_add' | 'assign_sub'): void {
    getEngine().assignVariable(v, value, mode);
  }

  protected read(v: Variable): Tensor {
    return getEngine().readVariable(v);
  }
}

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}

/** keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False). */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  private momentums: Variable[] = [];

  constructor(options: SGDOptions = {}) {
    super(options, 'SGD', 0.01);
    const momentum = options.momentum ?? 0;
    if (typeof momentum !== 'number' || momentum < 0 || momentum > 1) {
      throw new TFError('ValueError', '`momentum` must be a float between [0, 1].');
    }
    this.momentum = momentum;
    this.nesterov = options.nesterov ?? false;
  }

  override build(variables: Variable[]): void {
    super.build(variables);
    if (this.momentum !== 0) [this.momentums] = this.addSlots(variables, ['momentum']);
  }

  protected updateStep(g: Tensor, variable: Variable, lr: Tensor): void {
    if (this.momentum === 0) {
      this.assign(variable, run('Mul', [g, lr]), 'assign_sub');
      return;
    }
    const m = this.momentums[this.indexOf(variable)];
    const momentum = scalarOf(this.momentum, variable.dtype);
    // m = m * momentum - g * lr
    this.assign(m, run('Sub', [run('Mul', [this.read(m), momentum]), run('Mul', [g, lr])]), 'assign');
    if (this.nesterov) {
      this.assign(variable, run('Sub', [run('Mul', [this.read(m), momentum]), run('Mul', [g, lr])]), 'assign_add');
    } else {
      this.assign(variable, this.read(m), 'assign_add');
    }
  }
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

/** keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False). */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private momentumSlots: Variable[] = [];
  private velocitySlots: Variable[] = [];
  private velocityHatSlots: Variable[] = [];

  constructor(options: AdamOptions = {}) {
    super(options, 'Adam', 0.001);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.amsgrad = options.amsgrad ?? false;
  }

  override build(variables: Variable[]): void {
    super.build(variables);
    [this.momentumSlots, this.velocitySlots] = this.addSlots(variables, ['momentum', 'velocity']);
    if (this.amsgrad) [this.velocityHatSlots] = this.addSlots(variables, ['velocity_hat']);
  }

  protected updateStep(g: Tensor, variable: Variable, lr: Tensor): void {
    const dtype = variable.dtype;
    const c = (v: number) => scalarOf(v, dtype);
    const step = run('Cast', [run('AddV2', [this.read(this.iterations), scalarOf(1, 'int64')])], { dtype });
    const beta1Power = run('Pow', [c(this.beta1), step]);
    const beta2Power = run('Pow', [c(this.beta2), step]);
    // alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    const alpha = run('RealDiv', [run('Mul', [lr, run('Sqrt', [run('Sub', [c(1), beta2Power])])]), run('Sub', [c(1), beta1Power])]);
    const index = this.indexOf(variable);
    const m = this.momentumSlots[index];
    let v = this.velocitySlots[index];
    // Python computes 1 - beta in double, then TensorFlow rounds it to the variable's dtype.
    this.assign(m, run('Mul', [run('Sub', [g, this.read(m)]), c(1 - this.beta1)]), 'assign_add');
    this.assign(v, run('Mul', [run('Sub', [run('Square', [g]), this.read(v)]), c(1 - this.beta2)]), 'assign_add');
    if (this.amsgrad) {
      const vHat = this.velocityHatSlots[index];
      this.assign(vHat, run('Maximum', [this.read(vHat), this.read(v)]), 'assign');
      v = vHat;
    }
    const update = run('RealDiv', [run('Mul', [this.read(m), alpha]), run('AddV2', [run('Sqrt', [this.read(v)]), c(this.epsilon)])]);
    this.assign(variable, update, 'assign_sub');
  }
}

export interface RMSpropOptions extends OptimizerOptions {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

/** keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False). */
export class RMSprop extends Optimizer {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  private velocities: Variable[] = [];
  private momentums: Variable[] = [];
  private averageGradients: Variable[] = [];

  constructor(options: RMSpropOptions = {}) {
    super(options, 'RMSprop', 0.001);
    this.rho = options.rho ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-7;
    this.centered = options.centered ?? false;
  }

  override build(variables: Variable[]): void {
    super.build(variables);
    [this.velocities] = this.addSlots(variables, ['velocity']);
    if (this.momentum > 0) [this.momentums] = this.addSlots(variables, ['momentum']);
    if (this.centered) [this.averageGradients] = this.addSlots(variables, ['average_gradient']);
  }

  protected updateStep(g: Tensor, variable: Variable, lr: Tensor): void {
    const c = (v: number) => scalarOf(v, variable.dtype);
    const index = this.indexOf(variable);
    const velocity = this.velocities[index];
    // velocity = rho * velocity + (1 - rho) * g^2
    this.assign(velocity, run('AddV2', [run('Mul', [c(this.rho), this.read(velocity)]), run('Mul', [c(1 - this.rho), run('Square', [g])])]), 'assign');
    let denominator: Tensor;
    if (this.centered) {
      const average = this.averageGradients[index];
      this.assign(average, run('AddV2', [run('Mul', [c(this.rho), this.read(average)]), run('Mul', [c(1 - this.rho), g])]), 'assign');
      denominator = run('AddV2', [run('Sub', [this.read(velocity), run('Square', [this.read(average)])]), c(this.epsilon)]);
    } else {
      denominator = run('AddV2', [this.read(velocity), c(this.epsilon)]);
    }
    const increment = run('RealDiv', [run('Mul', [lr, g]), run('Sqrt', [denominator])]);
    if (this.momentum > 0) {
      const m = this.momentums[index];
      this.assign(m, run('AddV2', [run('Mul', [c(this.momentum), this.read(m)]), increment]), 'assign');
      this.assign(variable, this.read(m), 'assign_sub');
    } else {
      this.assign(variable, increment, 'assign_sub');
    }
  }
}

export interface AdagradOptions extends OptimizerOptions {
  initialAccumulatorValue?: number;
  epsilon?: number;
}

/** keras.optimizers.Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7). */
export class Adagrad extends Optimizer {
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  private accumulators: Variable[] = [];

  constructor(options: AdagradOptions = {}) {
    super(options, 'Adagrad', 0.001);
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
    this.epsilon = options.epsilon ?? 1e-7;
  }

  override build(variables: Variable[]): void {
    super.build(variables);
    [this.accumulators] = this.addSlots(variables, ['accumulator'], this.initialAccumulatorValue);
  }

  protected updateStep(g: Tensor, variable: Variable, lr: Tensor): void {
    const accumulator = this.accumulators[this.indexOf(variable)];
    this.assign(accumulator, run('Square', [g]), 'assign_add');
    const step = run('RealDiv', [run('Mul', [lr, g]), run('Sqrt', [run('AddV2', [this.read(accumulator), scalarOf(this.epsilon, variable.dtype)])])]);
    this.assign(variable, step, 'assign_sub');
  }
}

export { Tensor, Variable, type TensorLike };
