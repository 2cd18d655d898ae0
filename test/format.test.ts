// The printer must reproduce numpy 1.x / TensorFlow text byte for byte. The fixture file holds what real
// numpy 1.24 and TF 2.21 printed for ~1000 values; regenerate with scripts/gen-format-fixtures.py.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DTypeName } from '../src/trace/types';
import {
  type ElementData,
  formatDTypeRepr,
  formatDTypeStr,
  formatNumpyArrayRepr,
  formatNumpyRepr,
  formatNumpyStr,
  formatPythonFloat,
  formatShapeRepr,
  formatShapeStr,
  formatTensorRepr,
  formatTensorStr,
  formatVariableRepr,
  roundToFloat16,
} from '../src/engine/format';
import { type DigitRequest, type FloatWidth, decimalDigits, decimalDigitsExact } from '../src/engine/format/dragon4';
import fixture from './fixtures/numpy-format.json';

interface FixtureCase {
  name: string;
  dtype: DTypeName;
  shape: number[];
  data: (string | number | boolean)[];
  str: string;
  repr: string;
  tfStr?: string;
  tfRepr?: string;
  varName?: string;
  varRepr?: string;
  arrayRepr?: string;
}
interface FixtureFile {
  numpyTexts: string;
  tfTextsLeftOut: string[];
  cases: FixtureCase[];
  shapes: { dims: (number | null)[] | null; str: string; repr: string }[];
  dtypes: { name: DTypeName; str: string; repr: string }[];
}
const fixtures = fixture as unknown as FixtureFile;

function parseFloatText(text: string): number {
  if (text === 'nan') return NaN;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** The engine's data layout for each dtype (see the brief in docs: float16 values in a Float32Array). */
function decode(c: FixtureCase): ElementData {
  switch (c.dtype) {
    case 'float16':
    case 'float32':
      return Float32Array.from(c.data.map((v) => parseFloatText(String(v))));
    case 'float64':
      return Float64Array.from(c.data.map((v) => parseFloatText(String(v))));
    case 'int32':
      return Int32Array.from(c.data.map(Number));
    case 'int64':
      return Float64Array.from(c.data.map(Number));
    case 'bool':
      return Uint8Array.from(c.data.map((v) => (v ? 1 : 0)));
    case 'string':
      return c.data.map(String);
  }
}

function group(prefix: string): FixtureCase[] {
  return fixtures.cases.filter((c) => c.name.startsWith(prefix));
}

describe('fixture file', () => {
  it('was made with a real numpy 1.x (numpy 2 legacy mode differs, e.g. float32 [1e-4])', () => {
    expect(fixtures.numpyTexts).toMatch(/^numpy 1\./);
    expect(fixtures.tfTextsLeftOut.length).toBeLessThan(10);
  });

  it('covers every dtype and the shapes the brief lists', () => {
    const dtypes = new Set(fixtures.cases.map((c) => c.dtype));
    expect([...dtypes].sort()).toEqual(['bool', 'float16', 'float32', 'float64', 'int32', 'int64', 'string']);
    const shapes = new Set(fixtures.cases.map((c) => JSON.stringify(c.shape)));
    for (const shape of ['[]', '[0]', '[1]', '[5]', '[2,3]', '[2,2,2]', '[3,1,4]', '[1100]', '[40,40]']) {
      expect(shapes.has(shape), shape).toBe(true);
    }
    expect(group('random-float32').length).toBeGreaterThanOrEqual(300);
  });
});

for (const prefix of ['scalar-', 'array-', 'random-', '']) {
  const cases =
    prefix === ''
      ? fixtures.cases.filter((c) => !/^(scalar|array|random)-/.test(c.name))
      : group(prefix);
  describe(`numpy and TF text, ${prefix === '' ? 'shaped' : prefix.slice(0, -1)} cases`, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const data = decode(c);
      expect(formatNumpyStr(c.dtype, c.shape, data)).toBe(c.str);
      expect(formatNumpyRepr(c.dtype, c.shape, data)).toBe(c.repr);
      if (c.tfStr !== undefined) expect(formatTensorStr(c.dtype, c.shape, data)).toBe(c.tfStr);
      if (c.tfRepr !== undefined) expect(formatTensorRepr(c.dtype, c.shape, data)).toBe(c.tfRepr);
      const arrayRepr = c.arrayRepr ?? (c.shape.length > 0 ? c.repr : undefined);
      if (arrayRepr !== undefined) expect(formatNumpyArrayRepr(c.dtype, c.shape, data)).toBe(arrayRepr);
      if (c.varRepr !== undefined && c.varName !== undefined) {
        expect(formatVariableRepr(c.varName, c.dtype, c.shape, data)).toBe(c.varRepr);
      }
    });
  });
}

describe('TensorShape and DType text (from TF)', () => {
  it.each(fixtures.shapes.map((s) => [JSON.stringify(s.dims), s] as const))('shape %s', (_name, s) => {
    expect(formatShapeStr(s.dims)).toBe(s.str);
    expect(formatShapeRepr(s.dims)).toBe(s.repr);
  });
  it.each(fixtures.dtypes.map((d) => [d.name, d] as const))('dtype %s', (_name, d) => {
    expect(formatDTypeStr(d.name)).toBe(d.str);
    expect(formatDTypeRepr(d.name)).toBe(d.repr);
  });
});

describe('reference cases (shared/tf/cases and the seed notebook)', () => {
  it('040 batch_jacobian: 3-D float32 with blank lines between blocks', () => {
    expect(formatTensorStr('float32', [2, 2, 2], new Float32Array([2, 0, 0, 4, 6, 0, 0, 8]))).toBe(
      'tf.Tensor(\n[[[2. 0.]\n  [0. 4.]]\n\n [[6. 0.]\n  [0. 8.]]], shape=(2, 2, 2), dtype=float32)',
    );
  });
  it('064/080/082: padded float columns', () => {
    expect(formatTensorStr('float32', [2, 2], new Float32Array([6, 0, 0, 16]))).toBe(
      'tf.Tensor(\n[[ 6.  0.]\n [ 0. 16.]], shape=(2, 2), dtype=float32)',
    );
    expect(formatTensorStr('float32', [2, 2], new Float32Array([0.25, 0.25, 0.25, 0.25]))).toBe(
      'tf.Tensor(\n[[0.25 0.25]\n [0.25 0.25]], shape=(2, 2), dtype=float32)',
    );
    expect(formatTensorStr('float32', [2], new Float32Array([5, 25]))).toBe(
      'tf.Tensor([ 5. 25.], shape=(2,), dtype=float32)',
    );
    expect(formatTensorStr('float32', [4], new Float32Array([1, 0, 110, 0]))).toBe(
      'tf.Tensor([  1.   0. 110.   0.], shape=(4,), dtype=float32)',
    );
  });
  it('088: tensor, variable, shape and dtype formats', () => {
    expect(formatTensorStr('int32', [], new Int32Array([4]))).toBe('tf.Tensor(4, shape=(), dtype=int32)');
    expect(formatTensorStr('float32', [3], new Float32Array([2, 3, 4]))).toBe(
      'tf.Tensor([2. 3. 4.], shape=(3,), dtype=float32)',
    );
    expect(formatTensorStr('float16', [3, 2], new Float32Array([1, 2, 3, 4, 5, 6]))).toBe(
      'tf.Tensor(\n[[1. 2.]\n [3. 4.]\n [5. 6.]], shape=(3, 2), dtype=float16)',
    );
    const rank3 = Int32Array.from({ length: 30 }, (_, i) => i);
    expect(formatTensorStr('int32', [3, 2, 5], rank3)).toBe(
      'tf.Tensor(\n[[[ 0  1  2  3  4]\n  [ 5  6  7  8  9]]\n\n [[10 11 12 13 14]\n  [15 16 17 18 19]]\n\n' +
        ' [[20 21 22 23 24]\n  [25 26 27 28 29]]], shape=(3, 2, 5), dtype=int32)',
    );
    expect(formatTensorStr('float32', [], new Float32Array([0.1]))).toBe('tf.Tensor(0.1, shape=(), dtype=float32)');
    expect(formatTensorStr('float32', [], new Float32Array([1 / 3]))).toBe(
      'tf.Tensor(0.33333334, shape=(), dtype=float32)',
    );
    expect(formatTensorStr('float32', [2], new Float32Array([0.1, 0.25]))).toBe(
      'tf.Tensor([0.1  0.25], shape=(2,), dtype=float32)',
    );
    expect(formatTensorRepr('float32', [], new Float32Array([6]))).toBe('<tf.Tensor: shape=(), dtype=float32, numpy=6.0>');
    expect(formatTensorRepr('float32', [2], new Float32Array([1, 2]))).toBe(
      '<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>',
    );
    expect(formatVariableRepr('x0:0', 'float32', [], new Float32Array([3]))).toBe(
      "<tf.Variable 'x0:0' shape=() dtype=float32, numpy=3.0>",
    );
    expect(`${formatShapeStr([2])} ${formatShapeStr([])}`).toBe('(2,) ()');
    expect(formatShapeRepr([1, 2])).toBe('TensorShape([1, 2])');
    expect(formatDTypeStr('float32')).toBe("<dtype: 'float32'>");
  });
  it('seed notebook: softplus gradient at 10 in float32 prints 0.9999546', () => {
    // d softplus(x)/dx = sigmoid(x), computed in float32 as TF does.
    const sigmoid = Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-10))));
    expect(formatNumpyStr('float32', [], new Float32Array([sigmoid]))).toBe('0.9999546');
  });
  it('scalar printing of the case outputs (6.0, -0.25, nan, scientific small values)', () => {
    const str = (v: number) => formatNumpyStr('float32', [], new Float32Array([v]));
    expect([6, -0.25, 108, NaN, 1e-5, 2.3841858e-7, -0].map(str)).toEqual([
      '6.0',
      '-0.25',
      '108.0',
      'nan',
      '1e-05',
      '2.3841858e-07',
      '-0.0',
    ]);
  });
  it('rounds float16 like numpy (ties to even, overflow at 65520, subnormals)', () => {
    // Expected values from numpy: float(np.float16(x)).
    const cases: [number, number][] = [
      [1 + 2 ** -11, 1],
      [1 + 3 * 2 ** -11, 1 + 2 ** -9],
      [65519.99, 65504],
      [65520, Infinity],
      [-65520, -Infinity],
      [2 ** -25, 0],
      [3 * 2 ** -25, 2 ** -23],
      [0.1, 0.0999755859375],
      [-0, -0],
    ];
    for (const [input, expected] of cases) expect(Object.is(roundToFloat16(input), expected), `${input}`).toBe(true);
  });
  it('rejects data whose length does not match the shape', () => {
    expect(() => formatNumpyStr('float32', [2, 2], new Float32Array(3))).toThrow(RangeError);
  });
});

// ---- properties ------------------------------------------------------------------------------------

/** Significant digits and decimal exponent of a printed number like `-1.25e-05` or `0.0012`. */
function digitsOf(text: string): { digits: string; exponent: number } {
  const [mantissa, exponentText] = text.replace(/^-/, '').split('e');
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  const [whole, fraction = ''] = mantissa.split('.');
  const all = whole + fraction;
  const firstNonZero = all.search(/[1-9]/);
  if (firstNonZero < 0) return { digits: '0', exponent: 0 };
  const digits = all.slice(firstNonZero).replace(/0+$/, '');
  return { digits, exponent: exponent + whole.length - 1 - firstNonZero };
}

/** True when some decimal with fewer significant digits also rounds to `value` in the given rounding. */
function shorterRoundTrips(text: string, value: number, round: (x: number) => number): boolean {
  const { digits, exponent } = digitsOf(text);
  if (digits.length <= 1) return false;
  const sign = value < 0 ? -1 : 1;
  // The two (n-1)-digit neighbours of the printed decimal are the only candidates worth checking.
  const truncated = BigInt(digits.slice(0, -1));
  for (const candidate of [truncated, truncated + 1n]) {
    const scaled = Number(`${candidate}e${exponent - (digits.length - 2)}`);
    if (Object.is(round(sign * scaled), value)) return true;
  }
  return false;
}

/** The float16 value with the given bit pattern (finite patterns only). */
function halfFromBits(bits: number): number {
  const exponentField = (bits >> 10) & 0x1f;
  const magnitude =
    exponentField === 0 ? (bits & 0x3ff) * 2 ** -24 : (1 + (bits & 0x3ff) / 1024) * 2 ** (exponentField - 15);
  return bits & 0x8000 ? -magnitude : magnitude;
}

describe('properties', () => {
  it('float32 scalars print the shortest decimal that round-trips in float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatNumpyStr('float32', [], new Float32Array([x]));
        expect(Object.is(Math.fround(Number(text)), x)).toBe(true);
        expect(shorterRoundTrips(text, x, Math.fround)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('float16 scalars print the shortest decimal that round-trips in float16', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfbff }), (bits) => {
        if ((bits & 0x7c00) === 0x7c00) return; // inf/nan patterns
        const x = halfFromBits(bits);
        const text = formatNumpyStr('float16', [], new Float32Array([x]));
        expect(Object.is(roundToFloat16(Number(text)), x)).toBe(true);
        expect(shorterRoundTrips(text, x, roundToFloat16)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it("Python float repr has the same digits as JavaScript's shortest round-trip (an independent oracle)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatPythonFloat(x);
        expect(Object.is(Number(text), x)).toBe(true);
        expect(digitsOf(text)).toEqual(digitsOf(x.toExponential()));
      }),
      { numRuns: 1000 },
    );
  });

  it('the fast digit paths (doubles, JS shortest) agree with the exact BigInt Dragon4', () => {
    const request = fc.record<DigitRequest>({
      unique: fc.boolean(),
      cutoffMode: fc.constantFrom('total', 'fraction'),
      maxDigits: fc.integer({ min: -1, max: 12 }),
      minDigits: fc.integer({ min: -1, max: 12 }),
    });
    const widthAndValue = fc.oneof(
      fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => ['float32', v] as const),
      fc.integer({ min: 0, max: 0x7bff }).map((bits) => ['float16', halfFromBits(bits)] as const),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => ['float64', v] as const),
    );
    fc.assert(
      fc.property(widthAndValue, request, ([width, value], req) => {
        if (req.cutoffMode === 'total' && req.maxDigits === 0) return; // numpy never asks for 0 total digits
        expect(decimalDigits(value, width as FloatWidth, req)).toEqual(decimalDigitsExact(value, width as FloatWidth, req));
      }),
      { numRuns: 1000 },
    );
  });

  it('random float32 arrays print exactly as numpy printed them (fixture corpus, sampled)', () => {
    const corpus = group('random-float32');
    fc.assert(
      fc.property(fc.constantFrom(...corpus), (c) => {
        const data = decode(c);
        return formatNumpyStr(c.dtype, c.shape, data) === c.str && formatNumpyRepr(c.dtype, c.shape, data) === c.repr;
      }),
      { numRuns: 100 },
    );
  });

  it('1-D float32 arrays: one aligned token per element, each close to its value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 200 }),
        (values) => {
          const text = formatNumpyStr('float32', [values.length], Float32Array.from(values));
          expect(text.startsWith('[') && text.endsWith(']')).toBe(true);
          const tokens = text.slice(1, -1).trim().split(/\s+/);
          expect(tokens.length).toBe(values.length);
          for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(75);
          tokens.forEach((token, i) => {
            const parsed = Number(token);
            // maxprec: at most 8 fractional digits in positional mode; scientific keeps ~9 significant.
            expect(Math.abs(parsed - values[i])).toBeLessThanOrEqual(Math.max(5e-9, Math.abs(values[i]) * 1e-7));
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
