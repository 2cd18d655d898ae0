/**
 * Elementwise math: each op's forward kernel and its gradient side by side. Gradients are written
 * with engine ops (never raw arrays) so they are recorded by outer tapes: higher-order gradients.
 */
import { backend } from '../backend';
import { type DTypeName, type NumericData, dtypeKindWord, isFloat, roundToFloat16 } from '../dtype';
import { type GradContext, getEngine, registerOp } from '../engine';
import type { Tensor } from '../tensor';
import { TFError, opError } from '../errors';
import { broadcastOrThrow, checkFloat, checkNumeric, checkSameDType, make, numeric, scalarLike, unbroadcast } from './helpers';
import { checkDType, dtypeChecker } from './kernel-util';

const run = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);

// ---- binary -------------------------------------------------------------------------------

type BinaryFn = (x: number, y: number) => number;

/** Rounding to `dtype` after each step, as TensorFlow's kernels compute in the tensor's dtype. */
function roundingOf(dtype: DTypeName): (v: number) => number {
  return dtype === 'float32' ? Math.fround : dtype === 'float16' ? roundToFloat16 : (v) => v;
}

function binaryForward(type: string, code: 'add' | 'sub' | 'mul' | 'div' | null, fn: BinaryFn | null, floatOnly = false) {
  const checkRule = dtypeChecker(type);
  return (inputs: Tensor[]): Tensor[] => {
    const a = inputs[0];
    const b = inputs[1];
    // TensorFlow's allowed dtypes and exact error where we have the op's rule (dtype-errors.ts),
    // checked on input 0 before the two inputs are compared, as TensorFlow does (`True + 1.0`
    // names bool, not the mismatch).
    if (checkRule !== null) checkRule(a);
    else if (floatOnly) checkFloat(type, a);
    else checkNumeric(type, a);
    const dtype = checkSameDType(type, inputs);
    const shape = broadcastOrThrow(type, a, b);
    const data = code
      ? backend().binary(code, numeric(a), a.shape, numeric(b), b.shape, shape, dtype)
      : backend().binaryFn(fn as BinaryFn, numeric(a), a.shape, numeric(b), b.shape, shape, dtype);
    return [make(dtype, shape, data)];
  };
}

registerOp({
  type: 'AddV2',
  forward: binaryForward('AddV2', 'add', null),
  // Indexing, not destructuring (`{ upstream: [dy] }` runs the array iterator): the hottest gradients.
  grad: ({ upstream, inputs, needed }) => [
    needed[0] ? unbroadcast(upstream[0], inputs[0]) : null,
    needed[1] ? unbroadcast(upstream[0], inputs[1]) : null,
  ],
});

registerOp({
  type: 'Sub',
  forward: binaryForward('Sub', 'sub', null),
  grad: ({ upstream, inputs, needed }) => [
    needed[0] ? unbroadcast(upstream[0], inputs[0]) : null,
    needed[1] ? unbroadcast(run('Neg', [upstream[0]]), inputs[1]) : null,
  ],
});

registerOp({
  type: 'Mul',
  forward: binaryForward('Mul', 'mul', null),
  grad: ({ upstream, inputs, needed }) => [
    needed[0] ? unbroadcast(run('Mul', [upstream[0], inputs[1]]), inputs[0]) : null,
    needed[1] ? unbroadcast(run('Mul', [inputs[0], upstream[0]]), inputs[1]) : null,
  ],
});

registerOp({
  type: 'RealDiv',
  forward: binaryForward('RealDiv', 'div', null),
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => [
    needed[0] ? unbroadcast(run('RealDiv', [dy, b]), a) : null,
    needed[1] ? unbroadcast(run('Mul', [dy, run('RealDiv', [run('RealDiv', [run('Neg', [a]), b]), b])]), b) : null,
  ],
});

/** Integer division rounds toward negative infinity, like Python's //. */
function floorDiv(x: number, y: number): number {
  return Math.floor(x / y);
}

/** Input 0's dtype against the op's allowed list, before looking at the values (TensorFlow's order). */
function checkInputDType(type: string, checkRule: ((t: Tensor) => void) | null, a: Tensor): void {
  if (checkRule !== null) checkRule(a);
  else checkNumeric(type, a);
}
const checkFloorDiv = dtypeChecker('FloorDiv');
const checkFloorMod = dtypeChecker('FloorMod');

registerOp({
  type: 'FloorDiv',
  forward: (inputs) => {
    const [a] = inputs;
    if (!isFloat(a.dtype)) {
      checkInputDType('FloorDiv', checkFloorDiv, a);
      const dtype = checkSameDType('FloorDiv', inputs);
      const data = numeric(inputs[1]);
      for (let i = 0; i < data.length; i++) {
        if (data[i] === 0) throw opError('FloorDiv', 'Integer division by zero');
      }
      return binaryForward('FloorDiv', null, floorDiv)(inputs).map((t) => make(dtype, t.shape, t.data as NumericData));
    }
    // Eigen divides in the dtype, then floors: floor of the float32 (or half) quotient.
    const round = roundingOf(a.dtype);
    return binaryForward('FloorDiv', null, (x, y) => Math.floor(round(x / y)))(inputs);
  },
  // TensorFlow registers FloorDiv as not differentiable.
  noGradient: 'nondifferentiable',
});

/** Python's % (result has the sign of the divisor), TensorFlow's FloorMod. */
function floorMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
}

registerOp({
  type: 'FloorMod',
  forward: (inputs) => {
    // Integer modulo by zero is an error in TensorFlow (floats give NaN); a bool or string input 0
    // is refused before its values are looked at.
    checkInputDType('FloorMod', checkFloorMod, inputs[0]);
    if (!isFloat(inputs[0].dtype) && inputs[0].dtype === inputs[1].dtype && numeric(inputs[1]).includes(0)) {
      throw opError('FloorMod', 'Integer division by zero');
    }
    return binaryForward('FloorMod', null, floorMod)(inputs);
  },
  // d(x mod y)/dx = 1, d/dy = -floor(x/y) (TensorFlow's _FloorModGrad).
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => [
    needed[0] ? unbroadcast(dy, a) : null,
    needed[1] ? unbroadcast(run('Mul', [dy, run('Neg', [run('Floor', [run('RealDiv', [a, b])])])]), b) : null,
  ],
});

/**
 * C's pow, which TensorFlow's kernels call: it differs from JavaScript's Math.pow only where the base
 * is ±1 (pow(1, y) is 1 for every y, NaN included; pow(-1, ±inf) is 1; Math.pow gives NaN).
 */
function powC(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

/**
 * int32 pow by squaring in 32-bit arithmetic: the exact power modulo 2^32, as TensorFlow's integer
 * kernel wraps (a double power loses the low bits past 2^53). Negative exponents are refused before.
 */
function powInt32(base: number, exponent: number): number {
  let result = 1;
  let square = base | 0;
  for (let e = exponent; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = Math.imul(result, square);
    square = Math.imul(square, square);
  }
  return result;
}

const powForward = binaryForward('Pow', null, powC);
const powInt32Forward = binaryForward('Pow', null, powInt32);

registerOp({
  type: 'Pow',
  forward: (inputs) => {
    const [x, y] = inputs;
    if ((x.dtype === 'int32' || x.dtype === 'int64') && x.dtype === y.dtype && numeric(y).some((v) => v < 0)) {
      throw opError('Pow', 'Integers to negative integer powers are not allowed');
    }
    return (x.dtype === 'int32' ? powInt32Forward : powForward)(inputs);
  },
  grad: ({ upstream: [dy], inputs: [x, y], outputs: [z], needed }) => {
    const gx = needed[0] ? unbroadcast(run('Mul', [dy, run('Mul', [y, run('Pow', [x, run('Sub', [y, scalarLike(1, y)])])])]), x) : null;
    let gy: Tensor | null = null;
    if (needed[1]) {
      // log(x) only where x > 0, zero elsewhere (TensorFlow's _PowGrad for real x).
      const positive = run('Greater', [x, scalarLike(0, x)]);
      const safeX = run('SelectV2', [positive, x, run('OnesLike', [x])]);
      const logX = run('SelectV2', [positive, run('Log', [safeX]), run('ZerosLike', [x])]);
      gy = unbroadcast(run('Mul', [dy, run('Mul', [z, logX])]), y);
    }
    return [gx, gy];
  },
});

registerOp({
  type: 'Maximum',
  forward: binaryForward('Maximum', null, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y))),
  // Ties send the gradient to x (TensorFlow: x >= y).
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => {
    const mask = run('GreaterEqual', [a, b]);
    const zeros = run('ZerosLike', [dy]);
    return [
      needed[0] ? unbroadcast(run('SelectV2', [mask, dy, zeros]), a) : null,
      needed[1] ? unbroadcast(run('SelectV2', [mask, zeros, dy]), b) : null,
    ];
  },
});

registerOp({
  type: 'Minimum',
  forward: binaryForward('Minimum', null, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y))),
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => {
    const mask = run('LessEqual', [a, b]);
    const zeros = run('ZerosLike', [dy]);
    return [
      needed[0] ? unbroadcast(run('SelectV2', [mask, dy, zeros]), a) : null,
      needed[1] ? unbroadcast(run('SelectV2', [mask, zeros, dy]), b) : null,
    ];
  },
});

registerOp({
  type: 'SquaredDifference',
  forward: binaryForward('SquaredDifference', null, (x, y) => (x - y) * (x - y)),
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => {
    const d = run('Mul', [run('Mul', [scalarLike(2, a), dy]), run('Sub', [a, b])]);
    return [needed[0] ? unbroadcast(d, a) : null, needed[1] ? unbroadcast(run('Neg', [d]), b) : null];
  },
});

// ---- comparisons and logic (no gradient) --------------------------------------------------

function comparison(type: string, fn: (x: number, y: number) => boolean): void {
  registerOp({
    type,
    forward: (inputs) => {
      const [a, b] = inputs;
      // Input 0's dtype first, then the pair (TensorFlow's order: `True < 1.0` names bool).
      checkDType(type, a);
      checkSameDType(type, inputs);
      const shape = broadcastOrThrow(type, a, b);
      if (a.dtype === 'string') {
        const sa = a.data as string[];
        const sb = b.data as string[];
        const out = new Uint8Array(sa.length === 1 && sb.length === 1 ? 1 : Math.max(sa.length, sb.length));
        for (let i = 0; i < out.length; i++) out[i] = fn(sa[sa.length === 1 ? 0 : i] === sb[sb.length === 1 ? 0 : i] ? 0 : 1, 0) ? 1 : 0;
        return [make('bool', shape, out)];
      }
      const data = backend().binaryFn((x, y) => (fn(x, y) ? 1 : 0), numeric(a), a.shape, numeric(b), b.shape, shape, 'bool');
      return [make('bool', shape, data)];
    },
    noGradient: 'nondifferentiable',
  });
}

comparison('Greater', (x, y) => x > y);
comparison('GreaterEqual', (x, y) => x >= y);
comparison('Less', (x, y) => x < y);
comparison('LessEqual', (x, y) => x <= y);
comparison('Equal', (x, y) => x === y);
comparison('NotEqual', (x, y) => x !== y);

function logical(type: string, fn: (x: number, y: number) => number): void {
  registerOp({
    type,
    forward: (inputs) => {
      const [a, b] = inputs;
      const shape = broadcastOrThrow(type, a, b);
      return [make('bool', shape, backend().binaryFn(fn, numeric(a), a.shape, numeric(b), b.shape, shape, 'bool'))];
    },
    noGradient: 'nondifferentiable',
  });
}
logical('LogicalAnd', (x, y) => (x && y ? 1 : 0));
logical('LogicalOr', (x, y) => (x || y ? 1 : 0));

registerOp({
  type: 'LogicalNot',
  forward: ([x]) => [make('bool', x.shape.slice(), backend().unary((v) => (v ? 0 : 1), numeric(x), 'bool'))],
  noGradient: 'nondifferentiable',
});

// ---- unary --------------------------------------------------------------------------------

/** A unary gradient from the upstream `dy`, the input `x` and the output `y`. */
type Grad = (dy: Tensor, x: Tensor, y: Tensor) => Tensor;

/**
 * An elementwise op of one input. `fn` is the kernel, or `{ perDtype }` makes the kernel for the
 * input's dtype: for kernels TensorFlow writes as several steps rounded in the dtype (see Elu).
 */
function unary(
  type: string,
  fn: ((x: number) => number) | { perDtype: (dtype: DTypeName) => (x: number) => number },
  grad: Grad | null,
  floatOnly = true,
): void {
  const checkRule = dtypeChecker(type);
  registerOp({
    type,
    forward: (inputs) => {
      const x = inputs[0];
      if (checkRule !== null) checkRule(x);
      else if (floatOnly) checkFloat(type, x);
      else checkNumeric(type, x);
      // Shapes are never changed in place: the output shares its input's (one array fewer per op).
      return [make(x.dtype, x.shape, backend().unary(typeof fn === 'function' ? fn : fn.perDtype(x.dtype), numeric(x), x.dtype))];
    },
    ...(grad
      ? { grad: (ctx: GradContext) => [grad(ctx.upstream[0], ctx.inputs[0], ctx.outputs[0])] }
      : { noGradient: 'nondifferentiable' as const }),
  });
}

const mul = (a: Tensor, b: Tensor) => run('Mul', [a, b]);
const c = (v: number, like: Tensor) => scalarLike(v, like);

unary('Neg', (x) => -x, (dy) => run('Neg', [dy]), false);
unary('Abs', Math.abs, (dy, x) => mul(dy, run('Sign', [x])), false);
unary('Sign', (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0), (_dy, x) => run('ZerosLike', [x]), false);
unary('Square', (x) => x * x, (dy, x) => mul(dy, mul(c(2, x), x)), false);
/** SqrtGrad/RsqrtGrad give 0 where the upstream is 0, even where y is 0 or NaN (TensorFlow's kernels). */
const zeroWhereUpstreamZero = (dy: Tensor, g: Tensor): Tensor =>
  run('SelectV2', [run('Equal', [dy, c(0, dy)]), run('ZerosLike', [g]), g]);
unary('Sqrt', Math.sqrt, (dy, _x, y) => zeroWhereUpstreamZero(dy, run('RealDiv', [mul(dy, c(0.5, y)), y])));
unary('Rsqrt', (x) => 1 / Math.sqrt(x), (dy, _x, y) => zeroWhereUpstreamZero(dy, mul(dy, mul(c(-0.5, y), run('Pow', [y, c(3, y)])))));
unary('Exp', Math.exp, (dy, _x, y) => mul(dy, y));
unary('Expm1', Math.expm1, (dy, x) => mul(dy, run('Exp', [x])));
unary('Log', Math.log, (dy, x) => run('RealDiv', [dy, x]));
unary('Log1p', Math.log1p, (dy, x) => run('RealDiv', [dy, run('AddV2', [c(1, x), x])]));
unary('Reciprocal', (x) => 1 / x, (dy, _x, y) => mul(dy, run('Neg', [mul(y, y)])));
unary('Sin', Math.sin, (dy, x) => mul(dy, run('Cos', [x])));
unary('Cos', Math.cos, (dy, x) => mul(dy, run('Neg', [run('Sin', [x])])));
unary('Tan', Math.tan, (dy, x) => {
  const sec = run('Reciprocal', [run('Cos', [x])]);
  return mul(dy, mul(sec, sec));
});
unary('Tanh', Math.tanh, (dy, _x, y) => mul(dy, run('Sub', [c(1, y), mul(y, y)])));
unary('Sigmoid', (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))), (dy, _x, y) => mul(dy, mul(y, run('Sub', [c(1, y), y]))));
// softplus(x) = log(1 + e^x), computed without overflow for large |x|.
unary('Softplus', (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), (dy, x) => mul(dy, run('Sigmoid', [x])));
unary('Erf', erf, (dy, x) => mul(dy, mul(c(2 / Math.sqrt(Math.PI), x), run('Exp', [run('Neg', [mul(x, x)])]))));
unary('Floor', Math.floor, null, false);
unary('Ceil', Math.ceil, null, false);
/** TensorFlow rounds half to even (banker's rounding). */
unary('Round', (x) => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}, null, false);
// ReluGrad/Relu6Grad multiply the upstream by the 0/1 mask (so an infinite upstream gives NaN
// where the mask is 0, as in TensorFlow), rather than selecting.
unary('Relu', (x) => (x > 0 ? x : Number.isNaN(x) ? NaN : 0), (dy, _x, y) => mul(dy, run('Cast', [run('Greater', [y, c(0, y)])], { dtype: dy.dtype })), false);
unary('Relu6', (x) => Math.min(Math.max(x, 0), 6), (dy, x) => {
  const inside = run('LogicalAnd', [run('Greater', [x, c(0, x)]), run('Less', [x, c(6, x)])]);
  return mul(dy, run('Cast', [inside], { dtype: dy.dtype }));
}, false);

// features < 0 ? exp(features) - 1 : features (elu_op.h); EluGrad: outputs < 0 ? dy * (outputs + 1) : dy.
// Elu and Selu take exp(x) - 1 in the dtype, not expm1(x): for x = -1e-5 in float32 that is
// -1.0013580e-05, not -9.99995e-06.
const eluKernel = (round: (v: number) => number) => (x: number) => (x < 0 ? round(round(Math.exp(x)) - 1) : x);
unary(
  'Elu',
  { perDtype: (dtype) => eluKernel(roundingOf(dtype)) },
  (dy, x, y) => run('SelectV2', [run('Greater', [x, c(0, x)]), dy, mul(dy, run('AddV2', [y, c(1, y)]))]),
);

/** SELU's constants (Klambauer et al.), as TensorFlow's kernel spells them before rounding to T. */
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;
// features < 0 ? scale_alpha * (exp(features) - 1) : scale * features (selu_op.h);
// SeluGrad: outputs < 0 ? dy * (outputs + scale_alpha) : dy * scale.
const seluKernel = (round: (v: number) => number) => {
  const scale = round(SELU_SCALE);
  const scaleAlpha = round(SELU_SCALE_ALPHA);
  return (x: number) => (x < 0 ? round(scaleAlpha * round(round(Math.exp(x)) - 1)) : round(scale * x));
};
unary(
  'Selu',
  { perDtype: (dtype) => seluKernel(roundingOf(dtype)) },
  (dy, _x, y) =>
    run('SelectV2', [run('Less', [y, c(0, y)]), mul(dy, run('AddV2', [y, c(SELU_SCALE_ALPHA, y)])), mul(dy, c(SELU_SCALE, y))]),
);

/** Abramowitz-Stegun-free erf: series for small |x|, continued fraction for large; double accurate. */
function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  if (ax < 2.5) {
    // Maclaurin series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcContinuedFraction(ax));
}

/**
 * erfc(x) for x > 0 by its continued fraction (modified Lentz):
 * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))). Accurate where the series
 * for erf cancels (x >= 0.5); shared by Erf and Erfc.
 */
export function erfcContinuedFraction(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = x + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

export { erf };

// ---- casts, identity, stop_gradient -------------------------------------------------------

/**
 * Float to int conversion as TensorFlow's CPU does it (x86 cvtt*): NaN, infinities and values out
 * of range become the minimum integer; int64 to int32 wraps around.
 */
function castValue(v: number, to: DTypeName, fromFloat = true): number {
  switch (to) {
    case 'int32':
      if (!fromFloat) return v | 0;
      return v > -2147483649 && v < 2147483648 ? Math.trunc(v) : -2147483648;
    case 'int64':
      return v > -9223372036854775808 && v < 9223372036854775808 ? Math.trunc(v) : -9223372036854775808;
    case 'bool':
      return v !== 0 ? 1 : 0;
    case 'float16':
      return roundToFloat16(v);
    default:
      return v;
  }
}

registerOp<{ dtype: DTypeName }>({
  type: 'Cast',
  forward: ([x], { dtype }) => {
    if (x.dtype === dtype) return [make(dtype, x.shape.slice(), x.data as NumericData)];
    if (x.dtype === 'string' || dtype === 'string') {
      throw new TFError(
        'UnimplementedError',
        `{{function_node __wrapped__Cast_device_/job:localhost/replica:0/task:0/device:CPU:0}} Cast ${dtypeKindWord(x.dtype)} to ${dtypeKindWord(dtype)} is not supported [Op:Cast] name: `,
      );
    }
    const src = numeric(x);
    const fromFloat = isFloat(x.dtype);
    const out = backend().unary((v) => castValue(v, dtype, fromFloat), src, dtype);
    return [make(dtype, x.shape.slice(), out)];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => [isFloat(x.dtype) && isFloat(dy.dtype) ? run('Cast', [dy], { dtype: x.dtype }) : null],
});

registerOp({
  type: 'Identity',
  forward: ([x]) => [make(x.dtype, x.shape.slice(), x.data as NumericData)],
  grad: ({ upstream: [dy] }) => [dy],
});

registerOp({
  type: 'StopGradient',
  forward: ([x]) => [make(x.dtype, x.shape.slice(), x.data as NumericData)],
  noGradient: 'stop',
});

registerOp({
  type: 'AddN',
  forward: (inputs) => {
    const dtype = checkSameDType('AddN', inputs);
    let acc = inputs[0];
    for (let i = 1; i < inputs.length; i++) {
      const shape = broadcastOrThrow('AddN', acc, inputs[i]);
      acc = make(dtype, shape, backend().binary('add', numeric(acc), acc.shape, numeric(inputs[i]), inputs[i].shape, shape, dtype));
    }
    return [inputs.length === 1 ? make(dtype, acc.shape.slice(), acc.data as NumericData) : acc];
  },
  grad: ({ upstream: [dy], inputs }) => inputs.map((x) => unbroadcast(dy, x)),
});

