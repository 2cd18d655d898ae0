/**
 * The tf.nn pieces Keras needs (softmax, log_softmax, the three cross-entropies, clip_by_value),
 * written with registered engine ops so they are differentiable to any order and visible in the
 * trace. Where TensorFlow itself composes them in Python (clip_by_value,
 * sigmoid_cross_entropy_with_logits) we run the same ops in the same order. Softmax and LogSoftmax
 * use the fused TensorFlow op when one is registered and otherwise the kernel's formula.
 */
import { allocate } from '../dtype';
import { getEngine, getOpDef } from '../engine';
import { TFError, opError } from '../errors';
import { Tensor } from '../tensor';
import { scalarLike } from '../ops/helpers';

const run = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);

export function hasOp(type: string): boolean {
  try {
    getOpDef(type);
    return true;
  } catch {
    return false;
  }
}

function lastAxis(x: Tensor, axis: number): boolean {
  return axis === -1 || axis === x.rank - 1;
}

/** x - max(x) along `axis`, the max held constant (it only guards exp against overflow). */
function shiftByMax(x: Tensor, axis: number): Tensor {
  const max = run('StopGradient', [run('Max', [x], { axis: [axis], keepdims: true })]);
  return run('Sub', [x, max]);
}

/** tf.nn.softmax along `axis` (default last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  if (lastAxis(x, axis) && hasOp('Softmax')) return run('Softmax', [x]);
  const e = run('Exp', [shiftByMax(x, axis)]);
  return run('RealDiv', [e, run('Sum', [e], { axis: [axis], keepdims: true })]);
}

/** tf.nn.log_softmax along `axis` (default last): shifted - log(sum(exp(shifted))). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  if (lastAxis(x, axis) && hasOp('LogSoftmax')) return run('LogSoftmax', [x]);
  const shifted = shiftByMax(x, axis);
  const logSum = run('Log', [run('Sum', [run('Exp', [shifted])], { axis: [axis], keepdims: true })]);
  return run('Sub', [shifted, logSum]);
}

/** tf.clip_by_value: Minimum with the upper bound, then Maximum with the lower bound. */
export function clipByValue(x: Tensor, lo: number, hi: number): Tensor {
  return run('Maximum', [run('Minimum', [x, scalarLike(hi, x)]), scalarLike(lo, x)]);
}

/** tf.nn.sigmoid_cross_entropy_with_logits, as TensorFlow composes it (stable for any logit). */
export function sigmoidCrossEntropyWithLogits(labels: Tensor, logits: Tensor): Tensor {
  if (labels.shape.join(',') !== logits.shape.join(',')) {
    throw new TFError('ValueError', `\`logits\` and \`labels\` must have the same shape, received (${logits.shape.join(', ')}${logits.rank === 1 ? ',' : ''}) vs (${labels.shape.join(', ')}${labels.rank === 1 ? ',' : ''}).`);
  }
  const zeros = run('ZerosLike', [logits]);
  const positive = run('GreaterEqual', [logits, zeros]);
  const reluLogits = run('SelectV2', [positive, logits, zeros]);
  const negAbsLogits = run('SelectV2', [positive, run('Neg', [logits]), logits]);
  return run('AddV2', [run('Sub', [reluLogits, run('Mul', [logits, labels])]), run('Log1p', [run('Exp', [negAbsLogits])])]);
}

/** tf.nn.softmax_cross_entropy_with_logits along `axis`: -sum(labels * log_softmax(logits)). */
export function softmaxCrossEntropyWithLogits(labels: Tensor, logits: Tensor, axis = -1): Tensor {
  if (lastAxis(logits, axis) && logits.rank >= 1 && hasOp('SoftmaxCrossEntropyWithLogits')) {
    // TensorFlow's fused kernel works on rows: fold the leading axes, then unfold the loss.
    const classes = logits.shape[logits.rank - 1];
    const rows = (t: Tensor) => (t.rank === 2 ? t : run('Reshape', [t], { shape: [-1, classes] }));
    const [loss] = getEngine().run('SoftmaxCrossEntropyWithLogits', [rows(logits), rows(labels)]);
    return logits.rank === 2 ? loss : run('Reshape', [loss], { shape: logits.shape.slice(0, -1) });
  }
  const logProbs = logSoftmax(logits, axis);
  return run('Neg', [run('Sum', [run('Mul', [labels, logProbs])], { axis: [axis], keepdims: false })]);
}

/**
 * tf.nn.sparse_softmax_cross_entropy_with_logits: labels are class indices on the last axis. The
 * fused TensorFlow op when registered; otherwise a constant one-hot mask (labels are never
 * differentiated) with the dense cross-entropy.
 */
export function sparseSoftmaxCrossEntropyWithLogits(labels: Tensor, logits: Tensor): Tensor {
  const classes = logits.shape[logits.rank - 1];
  const flatLabels = Array.from(labels.data as ArrayLike<number>);
  const bad = flatLabels.find((l) => l < 0 || l >= classes);
  if (bad !== undefined) {
    throw opError(
      'SparseSoftmaxCrossEntropyWithLogits',
      `Received a label value of ${bad} which is outside the valid range of [0, ${classes}).  Label values: ${flatLabels.join(' ')}`,
    );
  }
  if (logits.rank >= 1 && hasOp('SparseSoftmaxCrossEntropyWithLogits')) {
    const rows = logits.rank === 2 ? logits : run('Reshape', [logits], { shape: [-1, classes] });
    const flat = labels.rank === 1 ? labels : run('Reshape', [labels], { shape: [-1] });
    const [loss] = getEngine().run('SparseSoftmaxCrossEntropyWithLogits', [rows, flat]);
    return logits.rank === 2 ? loss : run('Reshape', [loss], { shape: logits.shape.slice(0, -1) });
  }
  const mask = allocate(logits.dtype, flatLabels.length * classes) as Float32Array;
  flatLabels.forEach((label, row) => (mask[row * classes + label] = 1));
  const oneHot = getEngine().constant(logits.dtype, logits.shape.slice(), mask);
  return softmaxCrossEntropyWithLogits(oneHot, logits);
}

export { Tensor };
