/**
 * Keras layers: the Layer base (names, weights, trainable flag, scoped calls) and Dense.
 *
 * Naming follows Keras 2, as the seed notebook prints it: the layer name comes from a per-engine
 * counter (`dense`, `dense_1`, ...) and its variables are `dense/kernel:0`, `dense/bias:0`, created
 * at the first call in that order. The ops follow what TensorFlow 2.21 / Keras 3 runs eagerly:
 * ReadVariableOp, MatMul (Reshape around it for inputs of rank > 2), ReadVariableOp, BiasAdd, the
 * activation. Every op a layer runs is inside `engine.pushScope(layer.name)` so the trace groups
 * it, and each variable's `owner` is the layer's name. Error texts are Keras 3's.
 */
import type { DTypeName } from '../dtype';
import { getEngine } from '../engine';
import { TFError } from '../errors';
import { Module } from '../module';
import { type TensorLike, toTensor } from '../convert';
import { type Tensor, Variable } from '../tensor';
import { type Activation, type ActivationIdentifier, getActivation } from './activations';
import { type Initializer, type InitializerIdentifier, getInitializer } from './initializers';
import { snakeCase, uniqueName } from './names';
import './ops';

/** A Python shape tuple as Keras prints it in messages: `(2, 5)`, `(5,)`, `()`. */
export function pythonShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DTypeName;
}

export interface AddWeightOptions {
  shape: readonly number[];
  initializer: Initializer;
  trainable?: boolean;
  dtype?: DTypeName;
}

/** Keras's Layer: a Module with named weights, a build step and scoped calls. */
export abstract class Layer extends Module {
  /** Whether trainableVariables lists this layer's weights (variables stay watchable by tapes, as in TensorFlow). */
  trainable: boolean;
  built = false;
  /** Variable dtype (Keras's floatx). */
  readonly dtype: DTypeName;
  private readonly ownWeights: Variable[] = [];

  constructor(options: LayerOptions = {}, classNameForDefault?: string) {
    super(options.name ?? uniqueName(snakeCase(classNameForDefault ?? new.target.name)));
    this.trainable = options.trainable ?? true;
    this.dtype = options.dtype ?? 'float32';
  }

  /** Creates the variable `<layer>/<name>:0` in the layer's scope (owner = layer name). */
  addWeight(name: string, options: AddWeightOptions): Variable {
    const engine = getEngine();
    engine.pushScope(this.name);
    try {
      const dtype = options.dtype ?? this.dtype;
      const initial = options.initializer(options.shape, dtype);
      const v = engine.createVariable(initial, `${this.name}/${name}`, options.trainable ?? true);
      v.owner = this.name;
      engine.recorder?.setVariableOwner(v);
      this.ownWeights.push(v);
      return v;
    } finally {
      engine.popScope();
    }
  }

  /** Layers held directly in attributes (Sequential's list, a user layer's fields), in attribute order. */
  protected sublayers(): Layer[] {
    const found: Layer[] = [];
    const seen = new Set<unknown>([this]);
    const visit = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || seen.has(value)) return;
      seen.add(value);
      if (value instanceof Layer) found.push(value);
      else if (Array.isArray(value)) value.forEach(visit);
      else if (Object.getPrototypeOf(value) === Object.prototype) Object.values(value as Record<string, unknown>).forEach(visit);
    };
    for (const [key, value] of Object.entries(this)) if (!this.ignoredAttributes().has(key)) visit(value);
    return found;
  }

  protected override ignoredAttributes(): ReadonlySet<string> {
    return new Set(['ownWeights']);
  }

  /** All weights: this layer's in creation order, then its sublayers'. */
  override get variables(): Variable[] {
    const out = [...this.ownWeights];
    for (const layer of this.sublayers()) for (const v of layer.variables) if (!out.includes(v)) out.push(v);
    return out;
  }

  override get trainableVariables(): Variable[] {
    if (!this.trainable) return [];
    const out = this.ownWeights.filter((v) => v.trainable);
    for (const layer of this.sublayers()) for (const v of layer.trainableVariables) if (!out.includes(v)) out.push(v);
    return out;
  }

  override get nonTrainableVariables(): Variable[] {
    if (!this.trainable) return this.variables;
    const out = this.ownWeights.filter((v) => !v.trainable);
    for (const layer of this.sublayers()) for (const v of layer.nonTrainableVariables) if (!out.includes(v)) out.push(v);
    return out;
  }

  /** Keras's `weights`: trainable weights, then non-trainable ones. */
  get weights(): Variable[] {
    return [...this.trainableVariables, ...this.nonTrainableVariables];
  }

  get trainableWeights(): Variable[] {
    return this.trainableVariables;
  }

  get nonTrainableWeights(): Variable[] {
    return this.nonTrainableVariables;
  }

  /** Creates the weights for an input shape (the batch dimension may be null). */
  build(inputShape: readonly (number | null)[]): void {
    void inputShape;
    this.built = true;
  }

  /** The layer's computation on a float tensor; called inside the layer's scope. */
  protected abstract call(inputs: Tensor): Tensor;

  /** Checks an input against the built layer (Keras's input_spec); throws Keras's ValueError. */
  protected checkInput(inputs: Tensor): void {
    void inputs;
  }

  /** `layer(x)`: converts the input (Keras casts it to the layer dtype), builds once, calls in scope. */
  apply(input: TensorLike): Tensor {
    const engine = getEngine();
    let x = toTensor(input, undefined);
    engine.pushScope(this.name);
    try {
      if (x.dtype !== this.dtype) x = engine.run1('Cast', [x], { dtype: this.dtype });
      this.checkInput(x);
      if (!this.built) {
        engine.popScope();
        try {
          this.build(x.shape);
        } finally {
          engine.pushScope(this.name);
        }
        this.built = true;
      }
      return this.call(x);
    } finally {
      engine.popScope();
    }
  }
}

export interface DenseOptions extends LayerOptions {
  /** A Keras activation name, a function, or null for linear. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
}

/** keras.layers.Dense: `activation(inputs @ kernel + bias)`. */
export class Dense extends Layer {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  private kernelVariable: Variable | null = null;
  private biasVariable: Variable | null = null;
  /** The input dimension fixed at build. */
  private inputDim: number | null = null;

  constructor(units: number, options: DenseOptions = {}) {
    if (!Number.isInteger(units) || units <= 0) {
      throw new TFError('ValueError', `Received an invalid value for \`units\`, expected a positive integer. Received: units=${units}`);
    }
    const activation = getActivation(options.activation);
    super(options, 'Dense');
    this.units = units;
    this.activation = activation;
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = getInitializer(options.kernelInitializer ?? 'glorot_uniform');
    this.biasInitializer = getInitializer(options.biasInitializer ?? 'zeros');
  }

  get kernel(): Variable {
    if (!this.kernelVariable) throw new TFError('AttributeError', 'You must build the layer before accessing `kernel`.');
    return this.kernelVariable;
  }

  /** The bias variable, or null when useBias is false (Keras sets it in build; before, Python has no attribute). */
  get bias(): Variable | null {
    if (!this.built) throw new TFError('AttributeError', "'Dense' object has no attribute 'bias'");
    return this.biasVariable;
  }

  override build(inputShape: readonly (number | null)[]): void {
    const inputDim = inputShape[inputShape.length - 1];
    if (inputDim === null || inputDim === undefined) {
      throw new TFError('ValueError', `The last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: ${pythonShape(inputShape)}`);
    }
    this.inputDim = inputDim;
    this.kernelVariable = this.addWeight('kernel', { shape: [inputDim, this.units], initializer: this.kernelInitializer });
    if (this.useBias) this.biasVariable = this.addWeight('bias', { shape: [this.units], initializer: this.biasInitializer });
    this.built = true;
  }

  protected override checkInput(x: Tensor): void {
    const prefix = `Input 0 with name 'None' of layer '${this.name}' is incompatible with the layer:`;
    if (x.rank < 2) {
      throw new TFError('ValueError', `${prefix} expected min_ndim=2, found ndim=${x.rank}. Full shape received: ${pythonShape(x.shape)}`);
    }
    if (this.inputDim !== null && x.shape[x.rank - 1] !== this.inputDim) {
      throw new TFError('ValueError', `${prefix} expected axis -1 of input shape to have value ${this.inputDim}, but received input with shape ${pythonShape(x.shape)}`);
    }
  }

  protected override call(x: Tensor): Tensor {
    const engine = getEngine();
    const kernel = engine.readVariable(this.kernel);
    let y: Tensor;
    if (x.rank === 2) {
      y = engine.run1('MatMul', [x, kernel], { transpose_a: false, transpose_b: false });
    } else {
      // Keras folds the batch dimensions into one for a 2-D MatMul, then unfolds them.
      const flat = engine.run1('Reshape', [x], { shape: [-1, x.shape[x.rank - 1]] });
      const product = engine.run1('MatMul', [flat, kernel], { transpose_a: false, transpose_b: false });
      y = engine.run1('Reshape', [product], { shape: [...x.shape.slice(0, -1), this.units] });
    }
    if (this.biasVariable) y = engine.run1('BiasAdd', [y, engine.readVariable(this.biasVariable)]);
    return this.activation(y);
  }
}

export { Variable };
