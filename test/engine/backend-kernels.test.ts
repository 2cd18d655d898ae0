/**
 * The backend's kernels against plain reference loops: the WebAssembly SIMD matmul and the
 * JavaScript one in every transpose layout, odd sizes (panel edges), broadcast batches, float32
 * rounding, NaN propagation (0 * inf) and signed zeros; elementwise and reductions on large arrays.
 */
import { describe, expect, it } from 'vitest';
import { backend } from '../../src/engine/backend';
import { simdMatmul, setSimdMatmulForTests } from '../../src/engine/matmul-simd';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randomF32(n: number, seed: number): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: n }, r);
}

/** Reference: float64 dot products, A and B read through their transpose flags. */
function reference(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (ta ? a[t * m + i] : a[i * k + t]) * (tb ? b[j * k + t] : b[t * n + j]);
      out[i * n + j] = s;
    }
  }
  return out;
}

function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
}

describe('matmul kernels', () => {
  it('the SIMD kernel is available in Node', () => {
    expect(simdMatmul()).not.toBeNull();
  });

  const sizes: [number, number, number][] = [[1, 2, 1], [3, 5, 7], [4, 8, 8], [13, 17, 9], [33, 70, 65], [64, 300, 24]];
  for (const useSimd of [true, false]) {
    for (const [m, k, n] of sizes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          it(`${useSimd ? 'simd' : 'js'} ${m}x${k}x${n} transpose_a=${ta} transpose_b=${tb}`, () => {
            const a = randomF32(m * k, m * 31 + k);
            const b = randomF32(k * n, n * 17 + k);
            const aShape = ta ? [k, m] : [m, k];
            const bShape = tb ? [n, k] : [k, n];
            setSimdMatmulForTests(useSimd ? undefined : null);
            try {
              const out = backend().matmul(a, aShape, b, bShape, ta, tb, [m, n], 'float32') as Float32Array;
              expect(out).toBeInstanceOf(Float32Array);
              // float32 accumulation over k terms of size ~0.25: well inside 1e-5 relative here.
              expect(maxRelError(out, reference(a, b, m, k, n, ta, tb))).toBeLessThan(2e-6 * Math.sqrt(k) + 1e-7);
            } finally {
              setSimdMatmulForTests(undefined);
            }
          });
        }
      }
    }
  }

  it('broadcasts batch dimensions ([2,1] x [1,3] batches)', () => {
    const m = 5, k = 40, n = 6;
    const a = randomF32(2 * m * k, 1);
    const b = randomF32(3 * k * n, 2);
    const out = backend().matmul(a, [2, 1, m, k], b, [1, 3, k, n], false, false, [2, 3, m, n], 'float32');
    for (let p = 0; p < 2; p++) {
      for (let q = 0; q < 3; q++) {
        const want = reference(a.subarray(p * m * k), b.subarray(q * k * n), m, k, n, false, false);
        const got = out.subarray((p * 3 + q) * m * n, (p * 3 + q + 1) * m * n);
        expect(maxRelError(got, want)).toBeLessThan(1e-5);
      }
    }
  });

  it('propagates NaN from 0 * inf and keeps -0 from an outer product', () => {
    const big = new Float32Array(64 * 64).fill(1);
    big[0] = Infinity;
    const zeros = new Float32Array(64 * 64);
    const viaSimd = backend().matmul(zeros, [64, 64], big, [64, 64], false, false, [64, 64], 'float32');
    expect(Number.isNaN(viaSimd[0])).toBe(true);
    expect(viaSimd[1]).toBe(0);
    const small = backend().matmul(new Float32Array([0]), [1, 1], new Float32Array([Infinity]), [1, 1], false, false, [1, 1], 'float32');
    expect(Number.isNaN(small[0])).toBe(true);
    const outer = backend().matmul(new Float32Array([0, 1]), [2, 1], new Float32Array([-2]), [1, 1], false, false, [2, 1], 'float32');
    expect(Object.is(outer[0], -0)).toBe(true);
    expect(outer[1]).toBe(-2);
  });

  it('float64 and int32 stay exact in JavaScript', () => {
    const a = Float64Array.from({ length: 6 * 7 }, (_, i) => (i % 5) + 1e-12 * i);
    const b = Float64Array.from({ length: 7 * 3 }, (_, i) => (i % 3) - 1);
    const out = backend().matmul(a, [6, 7], b, [7, 3], false, false, [6, 3], 'float64');
    expect(Array.from(out)).toEqual(Array.from(reference(a, b, 6, 7, 3, false, false)));
    const ai = Int32Array.from({ length: 4 * 70 }, (_, i) => (i % 7) - 3);
    const bi = Int32Array.from({ length: 70 * 5 }, (_, i) => (i % 4) - 1);
    const outI = backend().matmul(ai, [4, 70], bi, [70, 5], false, false, [4, 5], 'int32');
    expect(outI).toBeInstanceOf(Int32Array);
    expect(Array.from(outI)).toEqual(Array.from(reference(ai, bi, 4, 70, 5, false, false)));
  });
});

describe('elementwise kernels', () => {
  /** Reference broadcast: numpy rules, element by element through multi-indices. */
  function refBroadcast(a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[], outShape: number[], f: (x: number, y: number) => number): number[] {
    const n = outShape.reduce((p, d) => p * d, 1);
    const out: number[] = [];
    const index = (shape: number[], idx: number[]): number => {
      const off = idx.length - shape.length;
      let flat = 0;
      for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + (shape[i] === 1 ? 0 : idx[i + off]);
      return flat;
    };
    for (let i = 0; i < n; i++) {
      const idx: number[] = [];
      let rest = i;
      for (let d = outShape.length - 1; d >= 0; d--) {
        idx.unshift(rest % outShape[d]);
        rest = Math.floor(rest / outShape[d]);
      }
      out.push(f(a[index(aShape, idx)], b[index(bShape, idx)]));
    }
    return out;
  }

  const cases: [number[], number[], number[]][] = [
    [[3, 4], [4], [3, 4]],
    [[3, 1], [1, 5], [3, 5]],
    [[2, 1, 4], [3, 1], [2, 3, 4]],
    [[1], [2, 3], [2, 3]],
    [[4, 1, 1], [1, 3, 2], [4, 3, 2]],
    [[64, 1], [64, 64], [64, 64]],
  ];
  for (const [aShape, bShape, outShape] of cases) {
    it(`binary and binaryFn broadcast ${JSON.stringify(aShape)} with ${JSON.stringify(bShape)}`, () => {
      const a = randomF32(aShape.reduce((p, d) => p * d, 1), 3);
      const b = randomF32(bShape.reduce((p, d) => p * d, 1), 4);
      const sub = backend().binary('sub', a, aShape, b, bShape, outShape, 'float64');
      expect(Array.from(sub)).toEqual(refBroadcast(a, aShape, b, bShape, outShape, (x, y) => x - y));
      const hyp = (x: number, y: number) => Math.hypot(x, y);
      const viaFn = backend().binaryFn(hyp, a, aShape, b, bShape, outShape, 'float64');
      expect(Array.from(viaFn)).toEqual(refBroadcast(a, aShape, b, bShape, outShape, hyp));
      const swapped = backend().binaryFn(hyp, b, bShape, a, aShape, outShape, 'float64');
      expect(Array.from(swapped)).toEqual(refBroadcast(b, bShape, a, aShape, outShape, hyp));
      const bcast = backend().broadcastTo(a, aShape, outShape, 'float32');
      expect(Array.from(bcast)).toEqual(refBroadcast(a, aShape, a, aShape, outShape, (x) => x));
    });
  }

  it('unary on large arrays uses the function given (specialised loops) and rounds to float32', () => {
    const x = randomF32(10_000, 9);
    const cube = (v: number) => v * v * v;
    const out = backend().unary(cube, x, 'float32');
    expect(out).toBeInstanceOf(Float32Array);
    for (let i = 0; i < x.length; i += 997) expect(out[i]).toBe(Math.fround(x[i] * x[i] * x[i]));
    const neg = backend().unary((v) => -v, x, 'float32');
    expect(neg[5]).toBe(-x[5]);
    // a second function must not reuse the first one's loop
    expect(backend().unary(cube, x, 'float32')[7]).toBe(Math.fround(x[7] ** 3));
  });

  it('summarizeValues counts NaN and inf apart from the finite statistics', async () => {
    const { summarizeValues } = await import('../../src/engine/backend');
    const data = new Float32Array([1, -2, NaN, Infinity, 3, -Infinity, NaN]);
    expect(summarizeValues(data)).toEqual({ min: -2, max: 3, mean: 2 / 3, finite: 3, nanCount: 2, infCount: 2 });
    expect(summarizeValues(new Float64Array([NaN])).finite).toBe(0);
  });
});

describe('reduction kernel', () => {
  /** Reference: every input element added to its output slot through multi-indices. */
  function refReduce(kind: 'sum' | 'prod' | 'max' | 'min', x: ArrayLike<number>, shape: number[], axes: number[]): number[] {
    const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const size = outShape.reduce((p, d) => p * d, 1);
    const init = { sum: 0, prod: 1, max: -Infinity, min: Infinity }[kind];
    const acc = new Array<number>(size).fill(init);
    for (let i = 0; i < x.length; i++) {
      let rest = i;
      let o = 0;
      let stride = 1;
      for (let d = shape.length - 1; d >= 0; d--) {
        const idx = rest % shape[d];
        rest = Math.floor(rest / shape[d]);
        if (!axes.includes(d)) o += idx * stride;
        stride *= outShape[d];
      }
      const v = x[i];
      const a = acc[o];
      acc[o] = kind === 'sum' ? a + v : kind === 'prod' ? a * v : Number.isNaN(a) ? a : Number.isNaN(v) ? v : kind === 'max' ? Math.max(a, v) : Math.min(a, v);
    }
    return acc;
  }

  const shape = [3, 4, 5];
  const cases = [[0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]];
  for (const kind of ['sum', 'prod', 'max', 'min'] as const) {
    for (const axes of cases) {
      it(`${kind} over axes ${JSON.stringify(axes)} of [3,4,5] (with a NaN for max/min)`, () => {
        const x = Float64Array.from({ length: 60 }, (_, i) => ((i * 37) % 11) / 4 - 1);
        if (kind === 'max' || kind === 'min') x[17] = NaN;
        const got = backend().reduce(kind, x, shape, axes, 'float64');
        const want = refReduce(kind, x, shape, axes);
        expect(Array.from(got).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual(want.map((v) => (Number.isNaN(v) ? 'nan' : v)));
      });
    }
  }
});
