/**
 * TF-like TypeScript functions for the ops beyond api.ts: tf.math extras, tf.nn activations and
 * losses, array manipulation, slicing and einsum. Where TensorFlow's Python function is a
 * composite of ops (clip_by_value, reduce_logsumexp, norm, gelu, sigmoid_cross_entropy_with_logits,
 * eye, reduce_variance...), the same ops run in the same order, so the recorded tape reads like
 * TensorFlow's.
 */
import type { DTypeName } from './dtype';
import { isFloat, isInteger } from './dtype';
import { type Attrs, getEngine } from './engine';
import { TFError } from './errors';
import { type TensorLike, constant, toTensor, toTensorPair } from './convert';
import { Tensor, Variable } from './tensor';
import type { StridedSliceAttrs } from './ops/slice';

const run1 = (type: string, inputs: Tensor[], attrs?: Attrs): Tensor => getEngine().run1(type, inputs, attrs);
const runN = (type: string, inputs: Tensor[], attrs?: Attrs): Tensor[] => getEngine().run(type, inputs, attrs);
const scalarOf = (value: number, like: Tensor): Tensor => getEngine().scalar(value, like.dtype);
type Axis = number | number[] | null | undefined;

/** Python's repr of a TensorFlow dtype in messages: `tf.float32`. */
const tfDType = (d: DTypeName): string => `tf.${d}`;

// ---- tf.math ------------------------------------------------------------------------------

export const expm1 = (x: TensorLike): Tensor => run1('Expm1', [toTensor(x)]);
export const reciprocal = (x: TensorLike): Tensor => run1('Reciprocal', [toTensor(x)]);
export const erfc = (x: TensorLike): Tensor => run1('Erfc', [toTensor(x)]);
export const isFinite = (x: TensorLike): Tensor => run1('IsFinite', [toTensor(x)]);
export const softsign = (x: TensorLike): Tensor => run1('Softsign', [toTensor(x)]);
export const squaredDifference = (a: TensorLike, b: TensorLike): Tensor => run1('SquaredDifference', toTensorPair(a, b));
/** tf.math.mod is FloorMod (Python's %: the sign of the divisor). */
export const mod = (a: TensorLike, b: TensorLike): Tensor => run1('FloorMod', toTensorPair(a, b));

/** TensorFlow's _TRUEDIV_TABLE: integers are divided as float64, floats as themselves. */
function trueDivOperands(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  let [x, y] = toTensorPair(a, b);
  if (x.dtype !== y.dtype) throw new TFError('TypeError', `\`x\` and \`y\` must have the same dtype, got ${tfDType(x.dtype)} != ${tfDType(y.dtype)}.`);
  if (isInteger(x.dtype)) {
    x = run1('Cast', [x], { dtype: 'float64' });
    y = run1('Cast', [y], { dtype: 'float64' });
  }
  return [x, y];
}

/** tf.math.truediv (Python's `/`). */
export function truediv(a: TensorLike, b: TensorLike): Tensor {
  return run1('RealDiv', trueDivOperands(a, b));
}

/** tf.math.divide_no_nan: 0 where the divisor is 0. */
export function divideNoNan(a: TensorLike, b: TensorLike): Tensor {
  return run1('DivNoNan', trueDivOperands(a, b));
}

/** tf.math.log_sigmoid(x) = -softplus(-x). */
export function logSigmoid(x: TensorLike): Tensor {
  return run1('Neg', [run1('Softplus', [run1('Neg', [toTensor(x)])])]);
}

/** tf.clip_by_value: minimum with the upper bound, then maximum with the lower bound. */
export function clipByValue(t: TensorLike, clipMin: TensorLike, clipMax: TensorLike): Tensor {
  const values = toTensor(t);
  const lo = toTensor(clipMin, values.dtype);
  const hi = toTensor(clipMax, values.dtype);
  return run1('Maximum', [run1('Minimum', [values, hi]), lo]);
}

/** tf.reduce_logsumexp, composed as TensorFlow composes it (max shift under stop_gradient). */
export function reduceLogsumexp(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const input = toTensor(x);
  const ax = axis ?? null;
  const rawMax = run1('Max', [input], { axis: ax, keepdims: true });
  const myMax = run1('StopGradient', [run1('SelectV2', [run1('IsFinite', [rawMax]), rawMax, scalarOf(0, rawMax)])]);
  const result = run1('Log', [run1('Sum', [run1('Exp', [run1('Sub', [input, myMax])])], { axis: ax, keepdims })]);
  const shift = keepdims ? myMax : run1('Reshape', [myMax], { shape: result.shape.slice() });
  return run1('AddV2', [result, shift]);
}

/** tf.math.reduce_variance: mean of squared deviations from the (kept-dims) mean. */
export function reduceVariance(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const input = toTensor(x);
  const ax = axis ?? null;
  const means = run1('Mean', [input], { axis: ax, keepdims: true });
  if (isInteger(means.dtype)) throw new TFError('TypeError', `Input must be either real or complex. Received integer type <dtype: '${means.dtype}'>.`);
  const squared = run1('Square', [run1('Sub', [input, means])]);
  return run1('Mean', [squared], { axis: ax, keepdims });
}

export function reduceStd(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  return run1('Sqrt', [reduceVariance(x, axis, keepdims)]);
}

export function argmax(x: TensorLike, axis = 0, outputType: DTypeName = 'int64'): Tensor {
  return run1('ArgMax', [toTensor(x)], { axis, output_type: outputType });
}

export function argmin(x: TensorLike, axis = 0, outputType: DTypeName = 'int64'): Tensor {
  return run1('ArgMin', [toTensor(x)], { axis, output_type: outputType });
}

export function cumsum(x: TensorLike, axis = 0, options: { exclusive?: boolean; reverse?: boolean } = {}): Tensor {
  return run1('Cumsum', [toTensor(x)], { axis, exclusive: options.exclusive ?? false, reverse: options.reverse ?? false });
}

export function cumprod(x: TensorLike, axis = 0, options: { exclusive?: boolean; reverse?: boolean } = {}): Tensor {
  return run1('Cumprod', [toTensor(x)], { axis, exclusive: options.exclusive ?? false, reverse: options.reverse ?? false });
}

export type NormOrder = 'euclidean' | 'fro' | number;

/** tf.norm: vector norms (euclidean, 1, inf, p > 0) and matrix norms (fro/euclidean, 1, inf). */
export function norm(x: TensorLike, ord: NormOrder = 'euclidean', axis: number | [number, number] | null = null, keepdims = false): Tensor {
  const isMatrix = Array.isArray(axis) && axis.length === 2;
  const axisList: number[] | null = Array.isArray(axis) ? axis : null;
  const axisText = axisList ? `(${axisList.join(', ')}${axisList.length === 1 ? ',' : ''})` : String(axis);
  const ordText = ord === Infinity ? 'inf' : String(ord);
  if (isMatrix) {
    if (axis[0] === axis[1]) throw new TFError('ValueError', `'axis' must be None, an integer, or a tuple of 2 unique integers, got ${axisText}`);
    if (!['euclidean', 'fro', 1, 2, Infinity].includes(ord)) {
      throw new TFError('ValueError', `'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, inf], got ${ordText}`);
    }
    if (ord === 2) throw new TFError('NotImplementedError', 'Tapescope does not compute the matrix 2-norm (it needs an SVD)');
  } else {
    if (Array.isArray(axis)) throw new TFError('ValueError', `'axis' must be None, an integer, or a tuple of 2 unique integers, got ${axisText}`);
    if (typeof ord !== 'number' ? ord !== 'euclidean' : !(ord > 0)) throw new TFError('ValueError', `'ord' must be a supported vector norm, got ${ordText}`);
  }
  const tensor = toTensor(x);
  const axes: number[] | null = axis === null ? null : Array.isArray(axis) ? axis.slice() : [axis];
  let result: Tensor;
  if (ord === 'euclidean' || ord === 'fro' || ord === 2) {
    result = run1('Sqrt', [run1('Sum', [run1('Mul', [tensor, tensor])], { axis: axes, keepdims: true })]);
  } else {
    result = run1('Abs', [tensor]);
    if (ord === 1) {
      result = run1('Sum', [result], { axis: axes === null ? null : axes[0], keepdims: true });
      if (isMatrix) result = run1('Max', [result], { axis: (axes as number[])[1], keepdims: true });
    } else if (ord === Infinity) {
      if (isMatrix) result = run1('Sum', [result], { axis: (axes as number[])[1], keepdims: true });
      result = run1('Max', [result], { axis: axes === null ? null : axes[0], keepdims: true });
    } else {
      const p = ord as number;
      result = run1('Pow', [run1('Sum', [run1('Pow', [result, scalarOf(p, result)])], { axis: axes, keepdims: true }), scalarOf(1 / p, result)]);
    }
  }
  if (!keepdims) result = run1('Squeeze', [result], axes === null ? {} : { axis: axes });
  return result;
}

// ---- tf.nn --------------------------------------------------------------------------------

/** tf.nn.leaky_relu (integers are cast to float32 first, as TensorFlow does). */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  let features = toTensor(x);
  if (isInteger(features.dtype)) features = run1('Cast', [features], { dtype: 'float32' });
  return run1('LeakyRelu', [features], { alpha });
}

/** tf.nn.gelu with TensorFlow's formulas (erfc form, or the tanh approximation). */
export function gelu(x: TensorLike, approximate = false): Tensor {
  const features = toTensor(x);
  if (!isFloat(features.dtype)) throw new TFError('ValueError', `\`features.dtype\` must be a floating point tensor.Received:features.dtype=<dtype: '${features.dtype}'>`);
  const half = run1('Mul', [scalarOf(0.5, features), features]);
  if (approximate) {
    const cubic = run1('Mul', [scalarOf(0.044715, features), run1('Pow', [features, scalarOf(3, features)])]);
    const inner = run1('Mul', [scalarOf(0.7978845608028654, features), run1('AddV2', [features, cubic])]);
    return run1('Mul', [half, run1('AddV2', [scalarOf(1, features), run1('Tanh', [inner])])]);
  }
  return run1('Mul', [half, run1('Erfc', [run1('Mul', [run1('Neg', [features]), scalarOf(0.7071067811865476, features)])])]);
}

/** Runs a last-axis op along `axis` by swapping that axis with the last (TensorFlow's _wrap_2d_function). */
function alongAxis(type: string, logits: Tensor, axis: number): Tensor {
  const rank = logits.rank;
  const a = axis < 0 ? axis + rank : axis;
  if (rank === 0 || a === rank - 1) return run1(type, [logits]);
  if (a < 0 || a >= rank) {
    throw new TFError('InvalidArgumentError', `\`dim\` must be in the range [${-rank}, ${rank}) where ${rank} is the number of dimensions in the input. Received: dim=${axis}`);
  }
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[a] = rank - 1;
  perm[rank - 1] = a;
  const swapped = run1(type, [run1('Transpose', [logits], { perm })]);
  return run1('Transpose', [swapped], { perm });
}

export const softmax = (logits: TensorLike, axis = -1): Tensor => alongAxis('Softmax', toTensor(logits), axis);
export const logSoftmax = (logits: TensorLike, axis = -1): Tensor => alongAxis('LogSoftmax', toTensor(logits), axis);

/** tf.nn.sigmoid_cross_entropy_with_logits: relu(x) - x*z + log1p(exp(-|x|)), as TensorFlow writes it. */
export function sigmoidCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike): Tensor {
  const x = toTensor(logits);
  const z = toTensor(labels, x.dtype);
  if (x.shape.join(',') !== z.shape.join(',')) {
    const py = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
    throw new TFError('ValueError', `\`logits\` and \`labels\` must have the same shape, received (${py(x.shape)} vs ${py(z.shape)}).`);
  }
  const zeros = run1('ZerosLike', [x]);
  const cond = run1('GreaterEqual', [x, zeros]);
  const reluLogits = run1('Select', [cond, x, zeros]);
  const negAbsLogits = run1('Select', [cond, run1('Neg', [x]), x]);
  return run1('AddV2', [run1('Sub', [reluLogits, run1('Mul', [x, z])]), run1('Log1p', [run1('Exp', [negAbsLogits])])]);
}

/** tf.nn.softmax_cross_entropy_with_logits (v2: gradients flow into labels too). */
export function softmaxCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike, axis = -1): Tensor {
  let x = toTensor(logits);
  let z = toTensor(labels, x.dtype);
  if (z.dtype !== x.dtype) z = run1('Cast', [z], { dtype: x.dtype });
  const rank = x.rank;
  const a = axis < 0 ? axis + rank : axis;
  if (a !== rank - 1) {
    const perm = [...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== a), a];
    x = run1('Transpose', [x], { perm });
    z = run1('Transpose', [z], { perm });
  }
  const outShape = x.shape.slice(0, -1);
  const classes = x.shape[rank - 1] ?? 1;
  const [cost] = runN('SoftmaxCrossEntropyWithLogits', [run1('Reshape', [x], { shape: [-1, classes] }), run1('Reshape', [z], { shape: [-1, z.shape[z.rank - 1] ?? 1] })]);
  return run1('Reshape', [cost], { shape: outShape });
}

/** tf.nn.sparse_softmax_cross_entropy_with_logits: integer class labels. */
export function sparseSoftmaxCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike): Tensor {
  const x = toTensor(logits);
  const y = toTensor(labels, 'int32');
  const py = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
  if (x.rank === 0) throw new TFError('ValueError', `\`logits\` cannot be a scalar. Received logits=${String(x.scalarValue().toFixed(1))}\``);
  if (y.rank !== x.rank - 1) {
    throw new TFError('ValueError', `\`labels.shape.rank\` must equal \`logits.shape.rank - 1\`. Received: labels.shape=${py(y.shape)} of rank ${y.rank} and logits.shape=${py(x.shape)} of rank ${x.rank}`);
  }
  if (y.shape.some((d, i) => d !== x.shape[i])) {
    throw new TFError('ValueError', `\`labels.shape\` must equal \`logits.shape\` except for the last dimension. Received: labels.shape=${py(y.shape)} and logits.shape=${py(x.shape)}`);
  }
  if (x.rank === 2) return runN('SparseSoftmaxCrossEntropyWithLogits', [x, y])[0];
  const classes = x.shape[x.rank - 1];
  const [cost] = runN('SparseSoftmaxCrossEntropyWithLogits', [run1('Reshape', [x], { shape: [-1, classes] }), run1('Reshape', [y], { shape: [-1] })]);
  return run1('Reshape', [cost], { shape: y.shape.slice() });
}

export const l2Loss = (x: TensorLike): Tensor => run1('L2Loss', [toTensor(x)]);

// ---- array ops ----------------------------------------------------------------------------

/** tf.concat (a single value is returned through Identity, as TensorFlow does). */
export function concat(values: TensorLike[], axis: number): Tensor {
  const tensors = values.map((v) => toTensor(v));
  if (tensors.length === 1) return run1('Identity', tensors);
  return run1('ConcatV2', tensors, { axis });
}

/** tf.split: an int makes equal parts (Split), a list gives the sizes (SplitV; one may be -1). */
export function split(x: TensorLike, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  const value = toTensor(x);
  if (typeof numOrSizeSplits === 'number') return runN('Split', [value], { axis, num_split: numOrSizeSplits });
  return runN('SplitV', [value], { axis, size_splits: numOrSizeSplits.slice() });
}

/**
 * Eager TensorFlow's kernel errors end with ` name: `, except when an argument was a Python list
 * converted on its fast path (tf.gather(x, [0, 5]), tf.tile(x, [1])): then the suffix is absent.
 */
function listArgumentErrors<T>(fromList: boolean, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (fromList && err instanceof TFError && err.message.startsWith('{{function_node') && err.message.endsWith('] name: ')) {
      throw new TFError(err.pythonType, err.message.slice(0, -' name: '.length));
    }
    throw err;
  }
}

/** tf.tile (multiples given as a list, as the Python API usually receives them). */
export function tile(x: TensorLike, multiples: number[]): Tensor {
  return listArgumentErrors(true, () => run1('Tile', [toTensor(x)], { multiples: multiples.slice() }));
}

export function gather(params: TensorLike, indices: TensorLike, axis = 0, batchDims = 0): Tensor {
  const fromList = !(indices instanceof Tensor) && !(indices instanceof Variable) && batchDims === 0;
  return listArgumentErrors(fromList, () => run1('GatherV2', [toTensor(params), toTensor(indices, 'int32')], { axis, batch_dims: batchDims }));
}

export interface OneHotOptions {
  onValue?: number;
  offValue?: number;
  axis?: number;
  dtype?: DTypeName;
}

export function oneHot(indices: TensorLike, depth: number, options: OneHotOptions = {}): Tensor {
  return run1('OneHot', [toTensor(indices, 'int32')], {
    depth,
    on_value: options.onValue ?? 1,
    off_value: options.offValue ?? 0,
    axis: options.axis ?? -1,
    dtype: options.dtype ?? 'float32',
  });
}

/**
 * tf.range(start, limit, delta). Without a dtype, integral arguments give int32 and any
 * fractional one float32; a caller that knows a Python float was given (tf.range(1., 5.)) passes
 * dtype 'float32'.
 */
export function range(start: number, limit?: number | null, delta = 1, dtype?: DTypeName): Tensor {
  const [s, l] = limit === undefined || limit === null ? [0, start] : [start, limit];
  const resolved = dtype ?? ([s, l, delta].every((v) => Number.isInteger(v)) ? 'int32' : 'float32');
  return run1('Range', [], { start: s, limit: l, delta, dtype: resolved });
}

/** tf.linspace: integer endpoints are computed in float64, as TensorFlow does. */
export function linspace(start: TensorLike, stop: TensorLike, num: number): Tensor {
  let [a, b] = toTensorPair(start, stop);
  if (!isFloat(a.dtype)) {
    a = run1('Cast', [a], { dtype: 'float64' });
    b = run1('Cast', [b], { dtype: 'float64' });
  }
  return run1('LinSpace', [a, b], { num });
}

/** tf.eye: MatrixDiag of ones when square, else MatrixSetDiag onto zeros (TensorFlow's composition). */
export function eye(numRows: number, numColumns?: number | null, options: { batchShape?: number[]; dtype?: DTypeName } = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  const cols = numColumns ?? numRows;
  const batch = options.batchShape ?? [];
  const diag = constant(1, { dtype, shape: [...batch, Math.min(numRows, cols)] });
  if (cols === numRows) return run1('MatrixDiagV3', [diag], { num_rows: numRows, num_cols: cols });
  return run1('MatrixSetDiagV3', [constant(0, { dtype, shape: [...batch, numRows, cols] }), diag]);
}

export function matrixDiagPart(x: TensorLike): Tensor {
  return run1('MatrixDiagPartV3', [toTensor(x)]);
}

export function stridedSlice(x: TensorLike, attrs: StridedSliceAttrs): Tensor {
  return run1('StridedSlice', [toTensor(x)], attrs);
}

/** One entry of a Python subscript: an int, a slice, `...` or `tf.newaxis`. */
export type SliceItem = number | { start?: number | null; stop?: number | null; step?: number | null } | 'ellipsis' | 'newaxis';

/** Python's `x[spec]` mapped onto StridedSlice exactly as TensorFlow's _slice_helper does. */
export function getItem(x: TensorLike, spec: SliceItem | SliceItem[]): Tensor {
  const items = Array.isArray(spec) ? spec : [spec];
  const attrs: StridedSliceAttrs = { begin: [], end: [], strides: [], begin_mask: 0, end_mask: 0, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 0 };
  let ellipses = 0;
  items.forEach((item, i) => {
    const bit = 1 << i;
    if (item === 'ellipsis') {
      if (++ellipses > 1) throw new TFError('ValueError', 'Multiple ellipses in slice spec not allowed');
      attrs.begin.push(0);
      attrs.end.push(0);
      attrs.strides.push(1);
      attrs.ellipsis_mask = (attrs.ellipsis_mask ?? 0) | bit;
    } else if (item === 'newaxis') {
      attrs.begin.push(0);
      attrs.end.push(0);
      attrs.strides.push(1);
      attrs.new_axis_mask = (attrs.new_axis_mask ?? 0) | bit;
    } else if (typeof item === 'number') {
      if (!Number.isInteger(item)) {
        throw new TFError('TypeError', 'Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 tensors are valid indices, got ' + String(item));
      }
      attrs.begin.push(item);
      attrs.end.push(item + 1);
      attrs.strides.push(1);
      attrs.shrink_axis_mask = (attrs.shrink_axis_mask ?? 0) | bit;
    } else {
      const { start = null, stop = null, step = null } = item;
      attrs.begin.push(start ?? 0);
      if (start === null) attrs.begin_mask = (attrs.begin_mask ?? 0) | bit;
      attrs.end.push(stop ?? 0);
      if (stop === null) attrs.end_mask = (attrs.end_mask ?? 0) | bit;
      attrs.strides.push(step ?? 1);
    }
  });
  return run1('StridedSlice', [toTensor(x)], attrs);
}

/**
 * tf.einsum as eager TensorFlow records it: the equation resolved to an explicit output (`ij,jk`
 * becomes `ij,jk->ik`), one Einsum op for one or two operands; more operands are contracted
 * pairwise (TensorFlow follows opt_einsum's path; we contract left to right, keeping the labels
 * later operands or the output still need).
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  const tensors = operands.map((o) => toTensor(o));
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const terms = lhs.split(',');
  if (terms.length !== tensors.length) throw new TFError('ValueError', `Got ${tensors.length} inputs for equation "${equation}", expecting ${terms.length}`);
  let rhs: string;
  if (arrow >= 0) {
    rhs = eq.slice(arrow + 2);
    const out = rhs.replace('...', '');
    if (new Set(out).size !== out.length) throw new TFError('ValueError', `Output subscripts contain a label appearing more than once: ${equation}`);
  } else {
    // numpy's implicit output: the ellipsis, then the labels that appear once, alphabetically.
    const counts = new Map<string, number>();
    for (const c of lhs.replace(/\.\.\./g, '').replace(/,/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    rhs = (lhs.includes('...') ? '...' : '') + [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join('');
  }
  if (tensors.length <= 2) return run1('Einsum', tensors, { equation: `${lhs}->${rhs}` });
  let acc = tensors[0];
  let accTerm = terms[0];
  for (let k = 1; k < tensors.length; k++) {
    const later = terms.slice(k + 1).join('') + rhs;
    const isLast = k === tensors.length - 1;
    const keep = (label: string) => later.includes(label);
    const labels = [...new Set((accTerm + terms[k]).replace(/\.\.\./g, ''))].filter(keep).join('');
    const hasEllipsis = accTerm.includes('...') || terms[k].includes('...');
    const outTerm = isLast ? rhs : (hasEllipsis ? '...' : '') + labels;
    acc = run1('Einsum', [acc, tensors[k]], { equation: `${accTerm},${terms[k]}->${outTerm}` });
    accTerm = outTerm;
  }
  return acc;
}
