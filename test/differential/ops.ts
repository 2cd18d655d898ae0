/**
 * The functions programs may call, by their Python name (`tf.math.sin` is `sin`), with how our
 * engine's TypeScript API runs each. scripts/tf-oracle/run_programs.py has the Python side of the
 * same table; a name missing there or here is an error the comparison reports.
 */
import * as E from '../../src/engine/index';
import type { DTypeName, Tensor, TensorLike } from '../../src/engine/index';

/** Elementwise unary functions on floats. */
export const UNARY_FNS = [
  'exp', 'log', 'log1p', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'softplus', 'sqrt', 'rsqrt', 'square',
  'abs', 'negative', 'sign', 'relu', 'relu6', 'elu', 'erf', 'floor', 'ceil', 'round', 'identity', 'stop_gradient',
] as const;
/** The unary functions TensorFlow also defines on integers. */
export const UNARY_INT_OK = ['square', 'abs', 'negative', 'sign', 'relu', 'identity', 'stop_gradient'] as const;
export const BINARY_FNS = ['add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum', 'pow', 'floordiv', 'floormod'] as const;
export const COMPARE_FNS = ['greater', 'less', 'greater_equal', 'less_equal', 'equal'] as const;
export const REDUCE_FNS = ['reduce_sum', 'reduce_mean', 'reduce_max', 'reduce_min', 'reduce_prod'] as const;
/** tf.nn / tf.math functions over float tensors (softmax and friends run as single engine ops). */
export const NN_FNS = ['softmax', 'log_softmax', 'leaky_relu', 'softsign', 'l2_loss', 'erfc', 'cumsum'] as const;

type Fn = (args: TensorLike[], attrs: Record<string, unknown>) => Tensor;

/** One engine op on converted operands (for ops the Python package calls without an api.ts wrapper). */
const op = (type: string, attrsOf: (attrs: Record<string, unknown>) => Record<string, unknown> = () => ({})): Fn => (args, attrs) =>
  E.getEngine().run1(type, args.map((a) => E.toTensor(a)), attrsOf(attrs));

const unary = (f: (x: TensorLike) => Tensor): Fn => ([x]) => f(x);
const binary = (f: (a: TensorLike, b: TensorLike) => Tensor): Fn => ([a, b]) => f(a, b);
const reduce = (f: (x: TensorLike, axis?: number | number[] | null, keepdims?: boolean) => Tensor): Fn => ([x], attrs) =>
  f(x, (attrs.axis as number | number[] | undefined) ?? null, (attrs.keepdims as boolean | undefined) ?? false);

export const TS_OPS: Record<string, Fn> = {
  exp: unary(E.exp),
  log: unary(E.log),
  log1p: unary(E.log1p),
  sin: unary(E.sin),
  cos: unary(E.cos),
  tan: unary(E.tan),
  tanh: unary(E.tanh),
  sigmoid: unary(E.sigmoid),
  softplus: unary(E.softplus),
  sqrt: unary(E.sqrt),
  rsqrt: unary(E.rsqrt),
  square: unary(E.square),
  abs: unary(E.abs),
  negative: unary(E.negative),
  sign: unary(E.sign),
  relu: unary(E.relu),
  relu6: unary(E.relu6),
  elu: unary(E.elu),
  erf: unary(E.erf),
  floor: unary(E.floor),
  ceil: unary(E.ceil),
  round: unary(E.round),
  identity: unary(E.identity),
  stop_gradient: unary(E.stopGradient),
  add: binary(E.add),
  subtract: binary(E.subtract),
  multiply: binary(E.multiply),
  divide: binary(E.divide),
  maximum: binary(E.maximum),
  minimum: binary(E.minimum),
  pow: binary(E.pow),
  floordiv: binary(E.floordiv),
  floormod: binary(E.floormod),
  greater: binary(E.greater),
  less: binary(E.less),
  greater_equal: binary(E.greaterEqual),
  less_equal: binary(E.lessEqual),
  equal: binary(E.equal),
  reduce_sum: reduce(E.reduceSum),
  reduce_mean: reduce(E.reduceMean),
  reduce_max: reduce(E.reduceMax),
  reduce_min: reduce(E.reduceMin),
  reduce_prod: reduce(E.reduceProd),
  matmul: ([a, b], attrs) => E.matmul(a, b, { transposeA: attrs.transpose_a === true, transposeB: attrs.transpose_b === true }),
  reshape: ([x], attrs) => E.reshape(x, attrs.shape as number[]),
  transpose: ([x], attrs) => E.transpose(x, attrs.perm as number[] | undefined),
  expand_dims: ([x], attrs) => E.expandDims(x, attrs.axis as number),
  squeeze: ([x], attrs) => E.squeeze(x, attrs.axis as number[] | undefined),
  stack: (args, attrs) => E.stack(args, (attrs.axis as number | undefined) ?? 0),
  cast: ([x], attrs) => E.cast(x, attrs.dtype as DTypeName),
  where: ([c, x, y]) => E.where(c, x, y),
  softmax: op('Softmax'),
  log_softmax: op('LogSoftmax'),
  leaky_relu: ([x], attrs) => E.leakyRelu(x, attrs.alpha as number),
  softsign: op('Softsign'),
  l2_loss: op('L2Loss'),
  erfc: op('Erfc'),
  cumsum: ([x], attrs) => E.cumsum(x, attrs.axis as number, { exclusive: attrs.exclusive === true, reverse: attrs.reverse === true }),
  div_no_nan: ([a, b]) => E.divideNoNan(a, b),
  concat: (args, attrs) => E.concat(args, attrs.axis as number),
  tile: ([x], attrs) => E.tile(x, attrs.multiples as number[]),
  gather: ([params, indices], attrs) => E.gather(params, indices, attrs.axis as number),
  argmax: ([x], attrs) => E.argmax(x, attrs.axis as number),
};
