/**
 * Keras 3 losses on the TensorFlow backend, op for op: `loss(yTrue, yPred)` converts both to
 * the loss dtype (float32 unless given), computes the per-sample losses (`call`), then reduces them ('sum_over_batch_size':
 * sum / number of elements, with DivNoNan). Probabilities are clipped to [1e-7, 1 - 1e-7] as
 * Keras does, and the outputs of Keras's sigmoid/softmax activations are traded for their logits
 * (Keras's `_keras_logits`), which is what makes Keras's values differ from the naive formula.
 */
import type { DTypeName } from '../dtype';
import { getEngine } from '../engine';
import { TFError } from '../errors';
import { type TensorLike, toTensor } from '../convert';
import type { Tensor } from '../tensor';
import { scalarLike } from '../ops/helpers';
import { logitsOf } from './activations';
import { pythonShape } from './layers';
import { clipByValue, sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits } from './nn';

/** keras.backend.epsilon(). */
export const EPSILON = 1e-7;

export type Reduction = 'sum_over_batch_size' | 'sum' | 'mean' | 'none' | null;

const run = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);

/** Where Keras's Python `warnings.warn` text goes (the engine's warning sink). */
function userWarning(message: string): void {
  getEngine().warn(`UserWarning: ${message}`);
}

/** Keras's squeeze_or_expand_to_same_rank: reconcile ranks that differ by one trailing 1-dim. */
export function squeezeOrExpandToSameRank(x1: Tensor, x2: Tensor, expandRank1 = true): [Tensor, Tensor] {
  if (x1.rank === x2.rank) return [x1, x2];
  if (x1.rank === x2.rank + 1 && x1.shape[x1.rank - 1] === 1) {
    if (x2.rank === 1 && expandRank1) x2 = run('ExpandDims', [x2], { axis: -1 });
    else x1 = run('Squeeze', [x1], { axis: [-1] });
  }
  if (x2.rank === x1.rank + 1 && x2.shape[x2.rank - 1] === 1) {
    if (x1.rank === 1 && expandRank1) x1 = run('ExpandDims', [x1], { axis: -1 });
    else x2 = run('Squeeze', [x2], { axis: [-1] });
  }
  return [x1, x2];
}

function toDType(value: TensorLike, dtype: DTypeName): Tensor {
  const t = toTensor(value, undefined);
  return t.dtype === dtype ? t : run('Cast', [t], { dtype });
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
}

function checkSameRankAndShape(target: Tensor, output: Tensor, atLeastRank1: boolean): void {
  const received = `Received: target.shape=${pythonShape(target.shape)}, output.shape=${pythonShape(output.shape)}`;
  if (atLeastRank1 && target.rank < 1) {
    throw new TFError('ValueError', `Arguments \`target\` and \`output\` must be at least rank 1. ${received}`);
  }
  if (target.rank !== output.rank) {
    throw new TFError('ValueError', `Arguments \`target\` and \`output\` must have the same rank (ndim). ${received}`);
  }
  if (!sameShape(target, output)) {
    throw new TFError('ValueError', `Arguments \`target\` and \`output\` must have the same shape. ${received}`);
  }
}

/** Keras's _get_logits: prefer the logits a Keras sigmoid/softmax output remembers. */
function getLogits(output: Tensor, fromLogits: boolean, opType: string, fnName: string): [Tensor, boolean] {
  const logits = logitsOf(output);
  if (!logits) return [output, fromLogits];
  if (fromLogits) {
    userWarning(`"\`${fnName}\` received \`from_logits=True\`, but the \`output\` argument was produced by a ${opType} activation and thus does not represent logits. Was this intended?`);
  }
  return [logits, true];
}

/** Base of Keras losses. */
export abstract class Loss {
  readonly name: string;
  readonly reduction: Reduction;
  /** The computation dtype (Keras's floatx, float32, unless given). */
  readonly dtype: DTypeName;

  /** `defaultName` is the Keras class's fixed default (`mean_squared_error`): losses are not counted. */
  constructor(options: LossOptions = {}, defaultName: string) {
    this.name = options.name ?? defaultName;
    this.dtype = options.dtype ?? 'float32';
    const reduction = options.reduction === undefined ? 'sum_over_batch_size' : options.reduction;
    const allowed: Reduction[] = ['sum_over_batch_size', 'sum', 'mean', 'none', null];
    if (!allowed.includes(reduction)) {
      throw new TFError('ValueError', `Invalid value for argument \`reduction\`. Expected one of ('sum', 'sum_over_batch_size', 'mean', 'mean_with_sample_weight', None, 'none'). Received: reduction=${String(reduction)}`);
    }
    this.reduction = reduction;
  }

  /** Per-sample losses (Keras's `Loss.call`), unreduced; inputs already float32. */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /** `loss(y_true, y_pred, sample_weight=None)` (Keras's `Loss.__call__`): converted, computed, reduced. */
  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): Tensor {
    const engine = getEngine();
    engine.pushScope(this.name);
    try {
      // Keras keeps the logits of its activations through this conversion (same dtype, same tensor).
      const pred = toDType(yPred, this.dtype);
      const truth = toDType(yTrue, this.dtype);
      let values = this.call(truth, pred);
      if (sampleWeight !== undefined && sampleWeight !== null) {
        let weight = toDType(sampleWeight, this.dtype);
        [values, weight] = squeezeOrExpandToSameRank(values, weight);
        values = run('Mul', [values, weight]);
      }
      return this.reduce(values);
    } finally {
      engine.popScope();
    }
  }

  private reduce(values: Tensor): Tensor {
    if (this.reduction === null || this.reduction === 'none' || values.rank === 0 || (values.rank === 1 && values.shape[0] === 0)) return values;
    const total = run('Sum', [values], { axis: values.shape.map((_, i) => i), keepdims: false });
    if (this.reduction === 'sum') return total;
    const count = getEngine().scalar(values.size, values.dtype);
    return run('DivNoNan', [total, count]);
  }
}

/** Runs the function Keras wraps after LossFunctionWrapper's rank reconciliation. */
abstract class WrappedLoss extends Loss {
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fn(t, p);
  }

  protected abstract fn(yTrue: Tensor, yPred: Tensor): Tensor;
}

export interface LossOptions {
  name?: string;
  reduction?: Reduction;
  dtype?: DTypeName;
}

export interface CrossentropyOptions extends LossOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
  axis?: number;
}

/** mean((y_true - y_pred)^2, axis=-1). */
export class MeanSquaredError extends WrappedLoss {
  constructor(options: LossOptions = {}) {
    super(options, 'mean_squared_error');
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return run('Mean', [run('Square', [run('Sub', [t, p])])], { axis: [-1], keepdims: false });
  }
}

/** mean(|y_true - y_pred|, axis=-1). */
export class MeanAbsoluteError extends WrappedLoss {
  constructor(options: LossOptions = {}) {
    super(options, 'mean_absolute_error');
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    return run('Mean', [run('Abs', [run('Sub', [yTrue, yPred])])], { axis: [-1], keepdims: false });
  }
}

/** Huber: 0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2; mean over the last axis. */
export class Huber extends WrappedLoss {
  readonly delta: number;

  constructor(options: LossOptions & { delta?: number } = {}) {
    super(options, 'huber_loss');
    this.delta = options.delta ?? 1;
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    const delta = scalarLike(this.delta, yPred);
    const half = scalarLike(0.5, yPred);
    const error = run('Sub', [yPred, yTrue]);
    const absError = run('Abs', [error]);
    const quadratic = run('Mul', [half, run('Square', [error])]);
    const linear = run('Sub', [run('Mul', [delta, absError]), run('Mul', [half, run('Square', [delta])])]);
    return run('Mean', [run('SelectV2', [run('LessEqual', [absError, delta]), quadratic, linear])], { axis: [-1], keepdims: false });
  }
}

/** KL divergence: sum(y_true * log(y_true / y_pred)) over the last axis, both clipped to [1e-7, 1]. */
export class KLDivergence extends WrappedLoss {
  constructor(options: LossOptions = {}) {
    super(options, 'kl_divergence');
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    const t = clipByValue(yTrue, EPSILON, 1);
    const p = clipByValue(yPred, EPSILON, 1);
    return run('Sum', [run('Mul', [t, run('Log', [run('RealDiv', [t, p])])])], { axis: [-1], keepdims: false });
  }
}

/** Binary cross-entropy averaged over the last axis. */
export class BinaryCrossentropy extends WrappedLoss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(options: CrossentropyOptions = {}) {
    super(options, 'binary_crossentropy');
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.axis = options.axis ?? -1;
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    let target = yTrue;
    if (this.labelSmoothing) {
      target = run('AddV2', [run('Mul', [target, scalarLike(1 - this.labelSmoothing, target)]), scalarLike(0.5 * this.labelSmoothing, target)]);
    }
    return run('Mean', [binaryCrossentropy(target, yPred, this.fromLogits)], { axis: [this.axis], keepdims: false });
  }
}

/** keras.ops.binary_crossentropy (elementwise). */
export function binaryCrossentropy(target: Tensor, output: Tensor, fromLogits: boolean): Tensor {
  checkSameRankAndShape(target, output, false);
  const [out, logits] = getLogits(output, fromLogits, 'Sigmoid', 'binary_crossentropy');
  if (logits) return sigmoidCrossEntropyWithLogits(target, out);
  const p = clipByValue(out, EPSILON, 1 - EPSILON);
  const one = scalarLike(1, p);
  const positive = run('Mul', [target, run('Log', [p])]);
  const negative = run('Mul', [run('Sub', [one, target]), run('Log', [run('Sub', [one, p])])]);
  return run('Neg', [run('AddV2', [positive, negative])]);
}

/** Categorical cross-entropy over the class axis; y_true one-hot (or soft) labels. */
export class CategoricalCrossentropy extends WrappedLoss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor(options: CrossentropyOptions = {}) {
    super(options, 'categorical_crossentropy');
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.axis = options.axis ?? -1;
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    let target = yTrue;
    if (yPred.shape[yPred.rank - 1] === 1) {
      userWarning(`In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. Received: y_pred.shape=${pythonShape(yPred.shape)}. Consider using 'binary_crossentropy' if you only have 2 classes.`);
    }
    if (this.labelSmoothing) {
      const classes = target.shape[target.rank - 1];
      target = run('AddV2', [run('Mul', [target, scalarLike(1 - this.labelSmoothing, target)]), scalarLike(this.labelSmoothing / classes, target)]);
    }
    return categoricalCrossentropy(target, yPred, this.fromLogits, this.axis);
  }
}

/** keras.ops.categorical_crossentropy. */
export function categoricalCrossentropy(target: Tensor, output: Tensor, fromLogits: boolean, axis = -1): Tensor {
  checkSameRankAndShape(target, output, true);
  const [out, logits] = getLogits(output, fromLogits, 'Softmax', 'categorical_crossentropy');
  if (logits) return softmaxCrossEntropyWithLogits(target, out, axis);
  // Renormalise so each row sums to one, then clip, as Keras does.
  const normalised = run('RealDiv', [out, run('Sum', [out], { axis: [axis], keepdims: true })]);
  const p = clipByValue(normalised, EPSILON, 1 - EPSILON);
  return run('Neg', [run('Sum', [run('Mul', [target, run('Log', [p])])], { axis: [axis], keepdims: false })]);
}

/** Categorical cross-entropy with integer class labels. */
export class SparseCategoricalCrossentropy extends WrappedLoss {
  readonly fromLogits: boolean;

  constructor(options: Omit<CrossentropyOptions, 'labelSmoothing'> = {}) {
    super(options, 'sparse_categorical_crossentropy');
    this.fromLogits = options.fromLogits ?? false;
    if (options.axis !== undefined && options.axis !== -1) {
      throw new TFError('ValueError', `Only axis=-1 is currently supported. Received: axis=${options.axis}`);
    }
  }

  protected fn(yTrue: Tensor, yPred: Tensor): Tensor {
    let target = yTrue;
    if (target.rank === yPred.rank && target.shape[target.rank - 1] === 1) target = run('Squeeze', [target], { axis: [-1] });
    return sparseCategoricalCrossentropy(target, yPred, this.fromLogits);
  }
}

/** keras.ops.sparse_categorical_crossentropy (labels cast to int64 as Keras does). */
export function sparseCategoricalCrossentropy(target: Tensor, output: Tensor, fromLogits: boolean): Tensor {
  const [out, logits] = getLogits(output, fromLogits, 'Softmax', 'sparse_categorical_crossentropy');
  let labels = run('Cast', [target], { dtype: 'int64' });
  if (labels.rank === out.rank && labels.shape[labels.rank - 1] === 1) labels = run('Squeeze', [labels], { axis: [-1] });
  if (out.rank < 1) {
    throw new TFError('ValueError', `Argument \`output\` must be at least rank 1. Received: output.shape=${pythonShape(out.shape)}`);
  }
  const received = `Received: target.shape=${pythonShape(labels.shape)}, output.shape=${pythonShape(out.shape)}`;
  if (labels.rank !== out.rank - 1) {
    throw new TFError('ValueError', `Argument \`output\` must have rank (ndim) \`target.ndim - 1\`. ${received}`);
  }
  if (labels.shape.some((d, i) => d !== out.shape[i])) {
    throw new TFError('ValueError', `Arguments \`target\` and \`output\` must have the same shape up until the last dimension: ${received}`);
  }
  const logitValues = logits ? out : run('Log', [clipByValue(out, EPSILON, 1 - EPSILON)]);
  return sparseSoftmaxCrossEntropyWithLogits(labels, logitValues);
}
