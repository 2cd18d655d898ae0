/**
 * More math ops: ArgMax/ArgMin (int64 by default, not differentiable), Cumsum (exclusive and
 * reverse, with its gradient a reversed Cumsum), DivNoNan, Erfc and IsFinite.
 */
import { backend } from '../backend';
import { type DTypeName } from '../dtype';
import { allocateChecked, getOpDef as getEngineOp, registerOp } from '../engine';
import { TFError } from '../errors';
import type { Tensor } from '../tensor';
import { make, broadcastOrThrow, checkSameDType, numeric, scalarLike, unbroadcast } from './helpers';
import { aroundAxis, checkDType, checkedAxis, fromDoubles, kernelError, run1, scratch } from './kernel-util';
import { erf, erfcContinuedFraction } from './math';

type ArgAttrs = { axis?: number; output_type?: DTypeName };

function argExtreme(type: 'ArgMax' | 'ArgMin') {
  return ([x]: Tensor[], { axis = 0, output_type = 'int64' }: ArgAttrs): Tensor[] => {
    checkDType(type, x);
    const a = checkedAxis(axis, x.rank, (m) => kernelError(type, m));
    if (x.rank > 0 && x.shape[a] === 0) throw kernelError(type, `Reduction axis ${axis} is empty in shape ${'[' + x.shape.join(',') + ']'}`);
    const { outer, n, inner } = aroundAxis(x.shape, a);
    const v = numeric(x);
    const out = allocateChecked(output_type, outer * inner) as Float64Array | Int32Array;
    const better = type === 'ArgMax' ? (p: number, q: number) => p > q : (p: number, q: number) => p < q;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bestValue = v[o * n * inner + i];
        for (let k = 1; k < n; k++) {
          const value = v[(o * n + k) * inner + i];
          // As TensorFlow's CPU kernel: a NaN never wins (not even as the first element), ties keep
          // the first index, and an all-NaN slice gives 0.
          if (better(value, bestValue) || (bestValue !== bestValue && value === value)) {
            best = k;
            bestValue = value;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return [make(output_type, x.shape.filter((_, i) => i !== a), out)];
  };
}

registerOp<ArgAttrs>({ type: 'ArgMax', forward: argExtreme('ArgMax'), noGradient: 'nondifferentiable' });
registerOp<ArgAttrs>({ type: 'ArgMin', forward: argExtreme('ArgMin'), noGradient: 'nondifferentiable' });

type CumsumAttrs = { axis?: number; exclusive?: boolean; reverse?: boolean };

registerOp<CumsumAttrs>({
  type: 'Cumsum',
  forward: ([x], { axis = 0, exclusive = false, reverse = false }) => {
    checkDType('Cumsum', x);
    // A scalar has no axis to scan: TensorFlow says "in the range [0, 0)".
    if (x.rank === 0) throw kernelError('Cumsum', `ScanOp: Expected scan axis in the range [0, 0), but got ${axis}`);
    const a = checkedAxis(axis, x.rank, (m) => kernelError('Cumsum', m), 'ScanOp: Expected scan axis');
    const { outer, n, inner } = aroundAxis(x.shape, a);
    const v = numeric(x);
    const out = new Float64Array(v.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let step = 0; step < n; step++) {
          const k = reverse ? n - 1 - step : step;
          const at = (o * n + k) * inner + i;
          if (exclusive) {
            out[at] = acc;
            acc += v[at];
          } else {
            acc += v[at];
            out[at] = acc;
          }
          // float32 accumulates in float32, as TensorFlow's scan does.
          if (x.dtype === 'float32') acc = Math.fround(acc);
        }
      }
    }
    return [fromDoubles(x.dtype, x.shape.slice(), out)];
  },
  // The gradient of a running sum is the running sum taken the other way.
  grad: ({ upstream: [dy], attrs: { axis = 0, exclusive = false, reverse = false } }) => [run1('Cumsum', [dy], { axis, exclusive, reverse: !reverse })],
});

registerOp({
  type: 'DivNoNan',
  forward: (inputs) => {
    const [a, b] = inputs;
    const dtype = checkSameDType('DivNoNan', inputs);
    checkDType('DivNoNan', a);
    const shape = broadcastOrThrow('DivNoNan', a, b);
    return [make(dtype, shape, backend().binaryFn((x, y) => (y === 0 ? 0 : x / y), numeric(a), a.shape, numeric(b), b.shape, shape, dtype))];
  },
  // TensorFlow's _DivNoNanGrad: both parts are themselves DivNoNan, so zeros in y stay zeros.
  grad: ({ upstream: [dy], inputs: [x, y], needed }) => [
    needed[0] ? unbroadcast(run1('DivNoNan', [dy, y]), x) : null,
    needed[1] ? unbroadcast(run1('Mul', [dy, run1('DivNoNan', [run1('DivNoNan', [run1('Neg', [x]), y]), y])]), y) : null,
  ],
});

registerOp({
  type: 'Erfc',
  forward: ([x]) => {
    checkDType('Erfc', x);
    const v = numeric(x);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = erfc(v[i]);
    return [fromDoubles(x.dtype, x.shape.slice(), out)];
  },
  grad: ({ upstream: [dy], inputs: [x] }) => [
    run1('Mul', [dy, run1('Mul', [scalarLike(-2 / Math.sqrt(Math.PI), x), run1('Exp', [run1('Neg', [run1('Square', [x])])])])]),
  ],
});

/** erfc without cancellation for large positive x (erf(x) rounds to 1 there). */
function erfc(x: number): number {
  return x < 0.5 ? 1 - erf(x) : erfcContinuedFraction(x);
}

registerOp({
  type: 'IsFinite',
  forward: ([x]) => {
    checkDType('IsFinite', x);
    const v = numeric(x);
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number.isFinite(v[i]) ? 1 : 0;
    return [make('bool', x.shape.slice(), out)];
  },
  noGradient: 'nondifferentiable',
});

/** TensorFlow's `Add`: what `+` runs for strings (concatenation, broadcasting); numbers as AddV2. */
registerOp({
  type: 'Add',
  forward: (inputs) => {
    const [a, b] = inputs;
    checkSameDType('Add', inputs);
    if (a.dtype !== 'string') return getEngineOp('AddV2').forward(inputs, {});
    const shape = broadcastOrThrow('Add', a, b);
    const n = shape.reduce((p, d) => p * d, 1);
    const sa = a.data as string[];
    const sb = b.data as string[];
    const ai = a.size === n ? null : backend().broadcastTo(Float64Array.from(sa.keys()), a.shape, shape, 'float64');
    const bi = b.size === n ? null : backend().broadcastTo(Float64Array.from(sb.keys()), b.shape, shape, 'float64');
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = sa[ai ? ai[i] : i] + sb[bi ? bi[i] : i];
    return [make('string', shape, out)];
  },
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => [needed[0] ? unbroadcast(dy, a) : null, needed[1] ? unbroadcast(dy, b) : null],
});

registerOp<CumsumAttrs>({
  type: 'Cumprod',
  forward: ([x], { axis = 0, exclusive = false, reverse = false }) => {
    checkDType('Cumsum', x);
    if (x.rank === 0) throw kernelError('Cumprod', `ScanOp: Expected scan axis in the range [0, 0), but got ${axis}`);
    const a = checkedAxis(axis, x.rank, (m) => kernelError('Cumprod', m), 'ScanOp: Expected scan axis');
    const { outer, n, inner } = aroundAxis(x.shape, a);
    const v = numeric(x);
    const out = scratch(v.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 1;
        for (let step = 0; step < n; step++) {
          const k = reverse ? n - 1 - step : step;
          const at = (o * n + k) * inner + i;
          if (exclusive) {
            out[at] = acc;
            acc *= v[at];
          } else {
            acc *= v[at];
            out[at] = acc;
          }
          if (x.dtype === 'float32') acc = Math.fround(acc);
        }
      }
    }
    return [fromDoubles(x.dtype, x.shape.slice(), out)];
  },
  // TensorFlow's _CumprodGrad: cumsum(prod * grad) the other way, divided by x (0 where x is 0).
  grad: ({ upstream: [dy], inputs: [x], attrs: { axis = 0, exclusive = false, reverse = false } }) => {
    const prod = run1('Cumprod', [x], { axis, exclusive, reverse });
    const out = run1('Cumsum', [run1('Mul', [prod, dy])], { axis, exclusive, reverse: !reverse });
    return [run1('DivNoNan', [out, x])];
  },
});
