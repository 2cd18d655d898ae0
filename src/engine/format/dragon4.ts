// Exact binary-to-decimal conversion with numpy's rules (its `dragon4.c`: Burger & Dybvig's free-format
// algorithm with Steele & White's digit loop). numpy prints every float through this, so matching its text
// byte for byte means matching its digit choices exactly, including the odd corners:
//   * "unique" mode stops at the shortest digit string that still identifies the value *in its own binary
//     format* (float16, float32 or float64), so float32 0.1 prints as `0.1`, not 0.10000000149011612;
//   * the round-trip interval is closed when the significand is even (IEEE round-half-even parsing);
//   * a minimum digit count forces extra exact digits (arrays force every integer digit: float16 65504
//     prints `65504.` inside an array but `65500.0` as a scalar);
//   * a maximum digit count rounds the exact value half-to-even on the last digit.
// All arithmetic is on BigInt, so the digits are exact for every finite double.

import { roundToFloat16 } from '../dtype';

/** The binary formats we print. float16 values live in doubles but are rounded to half precision. */
export type FloatWidth = 'float16' | 'float32' | 'float64';

/** How a digit cutoff is counted: total significant digits, or digits after the decimal point. */
export type CutoffMode = 'total' | 'fraction';

/**
 * numpy's trim modes ('k', '.', '0', '-' in `format_float_positional`):
 * keep trailing zeros / trim zeros but keep the point / trim but leave one zero / trim zeros and the point.
 */
export type TrimMode = 'keep' | 'zeros' | 'leaveOneZero' | 'pointAndZeros';

interface BinaryLayout {
  /** Significand bits including the hidden bit. */
  readonly precisionBits: number;
  /** Exponent of the least significant significand bit of the smallest (subnormal) numbers. */
  readonly minQuantumExponent: number;
}

const LAYOUTS: Record<FloatWidth, BinaryLayout> = {
  float16: { precisionBits: 11, minQuantumExponent: -24 },
  float32: { precisionBits: 24, minQuantumExponent: -149 },
  float64: { precisionBits: 53, minQuantumExponent: -1074 },
};

/** A finite non-negative value as significand * 2^exponent in its own format, plus its neighbour gaps. */
interface BinaryValue {
  /** An integer below 2^53, so exact in a double. */
  readonly significand: number;
  readonly exponent: number;
  /** True at a power of two (not the smallest normal): the gap below is half the gap above. */
  readonly unequalGaps: boolean;
}

const float64Scratch = new DataView(new ArrayBuffer(8));

/** Number of bits of a positive integer below 2^53 (exact, unlike a bare Math.log2). */
function bitLength(value: number): number {
  let bits = Math.floor(Math.log2(value)) + 1;
  if (2 ** (bits - 1) > value) bits -= 1;
  if (2 ** bits <= value) bits += 1;
  return bits;
}

/** Splits |value| exactly into significand and exponent in the given binary format. */
function decompose(value: number, width: FloatWidth): BinaryValue {
  const layout = LAYOUTS[width];
  float64Scratch.setFloat64(0, Math.abs(value));
  const high = float64Scratch.getUint32(0);
  const low = float64Scratch.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  const fraction = (high & 0xfffff) * 2 ** 32 + low;
  // The double as M * 2^E with M an integer below 2^53.
  const doubleSignificand = biasedExponent === 0 ? fraction : fraction + 2 ** 52;
  const doubleExponent = biasedExponent === 0 ? -1074 : biasedExponent - 1075;
  if (doubleSignificand === 0) return { significand: 0, exponent: 0, unequalGaps: false };
  const floorLog2 = bitLength(doubleSignificand) - 1 + doubleExponent;
  const exponent = Math.max(floorLog2 - (layout.precisionBits - 1), layout.minQuantumExponent);
  // The value is representable in `width` (callers round first), so scaling by 2^shift is exact.
  const significand = doubleSignificand * 2 ** (doubleExponent - exponent);
  const unequalGaps = significand === 2 ** (layout.precisionBits - 1) && exponent > layout.minQuantumExponent;
  return { significand, exponent, unequalGaps };
}

const powersOfTen: bigint[] = [1n];
function pow10(n: number): bigint {
  while (powersOfTen.length <= n) powersOfTen.push(powersOfTen[powersOfTen.length - 1] * 10n);
  return powersOfTen[n];
}

export interface DigitRequest {
  /** Shortest round-trip digits (true) or exact digits (false). */
  readonly unique: boolean;
  readonly cutoffMode: CutoffMode;
  /** Print at most this many digits (counted per cutoffMode); -1 for no limit. */
  readonly maxDigits: number;
  /** Print at least this many digits (counted per cutoffMode), even past uniqueness; -1 for none. */
  readonly minDigits: number;
}

/** Decimal digits d1 d2 ... dn meaning d1.d2...dn * 10^exponent. */
export interface DecimalDigits {
  readonly digits: string;
  readonly exponent: number;
}

/**
 * The state the digit loop starts from, for first-digit decade k (10^(k-1) <= value < 10^k, or a larger k
 * forced by a fractional cutoff): value / 10^(k-1) = scaled / scale, and marginLow / marginHigh are half
 * the gaps to the neighbouring floats on the same scale.
 */
interface LoopLimits {
  readonly k: number;
  /** Power of ten of the last digit that may be printed. */
  readonly lastAllowed: number;
  /** Power of ten down to which digits must be printed even when already unique. */
  readonly lastRequired: number;
}

function loopLimits(k: number, request: DigitRequest): LoopLimits {
  let lastAllowed = k - 100000;
  if (request.maxDigits >= 0) {
    const wanted = request.cutoffMode === 'total' ? k - request.maxDigits : -request.maxDigits;
    if (wanted > lastAllowed) lastAllowed = wanted;
  }
  let lastRequired = k;
  if (request.minDigits >= 0) {
    const wanted = request.cutoffMode === 'total' ? k - request.minDigits : -request.minDigits;
    if (wanted < lastRequired) lastRequired = wanted;
  }
  return { k, lastAllowed, lastRequired };
}

/** With a fractional cutoff, numbers too small to reach it start at the cutoff instead (leading zeros). */
function clampDecade(k: number, request: DigitRequest): number {
  if (request.maxDigits >= 0 && request.cutoffMode === 'fraction' && k <= -request.maxDigits) {
    return 1 - request.maxDigits;
  }
  return k;
}

/** Appends the final digit, rounded up or down, carrying through nines. */
function finishDigits(out: number[], digit: number, roundDown: boolean, k: number): DecimalDigits {
  let firstExponent = k - 1;
  if (roundDown) {
    out.push(digit);
  } else if (digit < 9) {
    out.push(digit + 1);
  } else {
    // Carry through trailing nines; all nines become a 1 one decade up.
    while (out.length > 0 && out[out.length - 1] === 9) out.pop();
    if (out.length === 0) {
      out.push(1);
      firstExponent += 1;
    } else {
      out[out.length - 1] += 1;
    }
  }
  return { digits: out.join(''), exponent: firstExponent };
}

const SAFE_INTEGER_LIMIT = 2 ** 53;

/**
 * Dragon4 in plain doubles, used when every integer involved stays below 2^53 (so all arithmetic is
 * exact): most float16 and float32 values. Returns null when it cannot guarantee that.
 */
function digitsWithDoubles(binary: BinaryValue, estimate: number, request: DigitRequest): DecimalDigits | null {
  const extraBits = binary.unequalGaps ? 2 : 1;
  const positiveExponent = binary.exponent > 0;
  const baseScaled = binary.significand * 2 ** ((positiveExponent ? binary.exponent : 0) + extraBits);
  const baseScale = 2 ** ((positiveExponent ? 0 : -binary.exponent) + extraBits);
  const baseMargin = positiveExponent ? 2 ** binary.exponent : 1;
  if (baseScaled >= SAFE_INTEGER_LIMIT || baseScale >= SAFE_INTEGER_LIMIT) return null;

  // value / 10^k = scaled / scale, exactly, or null when out of range.
  const scaleFor = (k: number): { scaled: number; scale: number; factor: number } | null => {
    if (Math.abs(k) > 22) return null; // 10^k is exact in a double only up to 10^22
    const scaled = k >= 0 ? baseScaled : baseScaled * 10 ** -k;
    const scale = k >= 0 ? baseScale * 10 ** k : baseScale;
    if (scaled * 10 >= SAFE_INTEGER_LIMIT || scale * 10 >= SAFE_INTEGER_LIMIT) return null;
    return { scaled, scale, factor: k >= 0 ? 1 : 10 ** -k };
  };
  let k = estimate;
  let state = scaleFor(k);
  while (state !== null && state.scaled >= state.scale) state = scaleFor(++k);
  while (state !== null && state.scaled * 10 < state.scale) state = scaleFor(--k);
  if (state === null) return null;
  const clamped = clampDecade(k, request);
  if (clamped !== k) {
    k = clamped;
    state = scaleFor(k);
    if (state === null) return null;
  }

  const { scale } = state;
  // Margins past 4*scale make both "inside the interval" tests true for good; capping them keeps
  // the arithmetic below 2^53 without changing any outcome.
  const cap = 4 * scale;
  let scaled = state.scaled * 10;
  let marginLow = Math.min(baseMargin * state.factor * 10, cap);
  let marginHigh = Math.min(marginLow * (binary.unequalGaps ? 2 : 1), cap);
  const { lastAllowed, lastRequired } = loopLimits(k, request);
  const isEven = binary.significand % 2 === 0;
  const out: number[] = [];
  let digitExponent = k;
  let digit = 0;
  let low = false;
  let high = false;
  for (;;) {
    digitExponent -= 1;
    digit = Math.floor(scaled / scale);
    let remainder = scaled - digit * scale;
    // The float quotient can be off by one next to an integer; the exact remainder fixes it.
    if (remainder < 0) {
      digit -= 1;
      remainder += scale;
    } else if (remainder >= scale) {
      digit += 1;
      remainder -= scale;
    }
    scaled = remainder;
    if (request.unique) {
      low = isEven ? scaled <= marginLow : scaled < marginLow;
      const upper = scaled + marginHigh;
      high = isEven ? upper >= scale : upper > scale;
      if (((low || high) && digitExponent <= lastRequired) || digitExponent <= lastAllowed) break;
    } else if (scaled === 0 || digitExponent <= lastAllowed) {
      break;
    }
    out.push(digit);
    scaled *= 10;
    marginLow = Math.min(marginLow * 10, cap);
    marginHigh = Math.min(marginHigh * 10, cap);
  }
  let roundDown = low;
  if (low === high) roundDown = 2 * scaled < scale || (2 * scaled === scale && digit % 2 === 0);
  return finishDigits(out, digit, roundDown, k);
}

/** Dragon4 on BigInt: exact for every finite double. */
function digitsWithBigInts(binary: BinaryValue, estimate: number, request: DigitRequest): DecimalDigits {
  const significand = BigInt(binary.significand);
  const { exponent, unequalGaps } = binary;
  // value = scaled / scale; the margins are half the distance to the neighbouring floats, same scale.
  let scaled: bigint;
  let scale: bigint;
  let marginLow: bigint;
  if (exponent > 0) {
    scaled = significand << BigInt(exponent + (unequalGaps ? 2 : 1));
    scale = unequalGaps ? 4n : 2n;
    marginLow = 1n << BigInt(exponent);
  } else {
    scaled = significand << (unequalGaps ? 2n : 1n);
    scale = 1n << BigInt(-exponent + (unequalGaps ? 2 : 1));
    marginLow = 1n;
  }
  let marginHigh = unequalGaps ? marginLow * 2n : marginLow;

  // Fix up the estimated decade exactly.
  let k = estimate;
  const below = (power: number): boolean =>
    power >= 0 ? scaled < scale * pow10(power) : scaled * pow10(-power) < scale;
  while (!below(k)) k += 1;
  while (below(k - 1)) k -= 1;
  k = clampDecade(k, request);

  if (k >= 0) {
    scale *= pow10(k);
  } else {
    const factor = pow10(-k);
    scaled *= factor;
    marginLow *= factor;
    marginHigh *= factor;
  }
  // Now scaled/scale < 1; multiply by ten so each division yields the next digit.
  scaled *= 10n;
  marginLow *= 10n;
  marginHigh *= 10n;

  const { lastAllowed, lastRequired } = loopLimits(k, request);
  const isEven = binary.significand % 2 === 0;
  const out: number[] = [];
  let digitExponent = k;
  let digit = 0;
  let low = false;
  let high = false;
  for (;;) {
    digitExponent -= 1;
    digit = Number(scaled / scale);
    scaled %= scale;
    if (request.unique) {
      // low: rounding this digit down stays inside the round-trip interval; high: rounding up does.
      low = isEven ? scaled <= marginLow : scaled < marginLow;
      const upper = scaled + marginHigh;
      high = isEven ? upper >= scale : upper > scale;
      if (((low || high) && digitExponent <= lastRequired) || digitExponent <= lastAllowed) break;
    } else if (scaled === 0n || digitExponent <= lastAllowed) {
      break;
    }
    out.push(digit);
    scaled *= 10n;
    marginLow *= 10n;
    marginHigh *= 10n;
  }

  // Round the final digit: forced down/up by the interval, else to nearest with ties to an even digit.
  let roundDown = low;
  if (low === high) {
    const twice = scaled * 2n;
    roundDown = twice < scale || (twice === scale && digit % 2 === 0);
  }
  return finishDigits(out, digit, roundDown, k);
}

/**
 * Shortest round-trip digits of a double from JavaScript itself: ECMAScript's Number-to-string picks the
 * fewest digits that round-trip, the closest such, ties to even, exactly what Dragon4's unique mode
 * picks for float64 without cutoffs (test/format.test.ts checks the two agree).
 */
function shortestFloat64Digits(value: number): DecimalDigits {
  const text = Math.abs(value).toExponential();
  const e = text.indexOf('e');
  return { digits: text.slice(0, e).replace('.', ''), exponent: Number(text.slice(e + 1)) };
}

/** Digits of |value| (finite) in the given binary format, per numpy's Dragon4 rules. */
export function decimalDigits(value: number, width: FloatWidth, request: DigitRequest): DecimalDigits {
  const binary = decompose(value, width);
  if (binary.significand === 0) return { digits: '0', exponent: 0 };
  if (width === 'float64' && request.unique && request.maxDigits < 0 && request.minDigits < 0) {
    return shortestFloat64Digits(value);
  }
  const estimate = Math.floor(Math.log10(Math.abs(value))) + 1;
  return (
    digitsWithDoubles(binary, estimate, request) ??
    digitsWithBigInts(binary, estimate, request)
  );
}

/** Exported for tests: the exact BigInt path alone, to cross-check the fast paths. */
export function decimalDigitsExact(value: number, width: FloatWidth, request: DigitRequest): DecimalDigits {
  const binary = decompose(value, width);
  if (binary.significand === 0) return { digits: '0', exponent: 0 };
  return digitsWithBigInts(binary, Math.floor(Math.log10(Math.abs(value))) + 1, request);
}

function isNegative(value: number): boolean {
  return value < 0 || Object.is(value, -0);
}

function nonFiniteText(value: number, sign: boolean): string {
  if (Number.isNaN(value)) return 'nan';
  return (value < 0 ? '-' : sign ? '+' : '') + 'inf';
}

export interface PositionalOptions {
  /** Max digits (after the point if `fractional`, else total); -1 for none. */
  precision?: number;
  /** Min digits, same counting; -1 for none. */
  minDigits?: number;
  unique?: boolean;
  fractional?: boolean;
  trim?: TrimMode;
  /** Always print a sign. */
  sign?: boolean;
  /** Pad with spaces to this many characters left of the point; -1 for none. */
  padLeft?: number;
  /** Pad with spaces to this many characters right of the point; -1 for none. */
  padRight?: number;
}

/** numpy's `format_float_positional` for a value of the given width (same defaults). */
export function formatPositional(value: number, width: FloatWidth, options: PositionalOptions = {}): string {
  const precision = options.precision ?? -1;
  const minDigits = options.minDigits ?? -1;
  const unique = options.unique ?? true;
  const fractional = options.fractional ?? true;
  const trim = options.trim ?? 'keep';
  const padLeft = options.padLeft ?? -1;
  const padRight = options.padRight ?? -1;
  const signText = isNegative(value) ? '-' : options.sign ? '+' : '';
  if (!Number.isFinite(value)) return nonFiniteText(value, options.sign ?? false);

  const cutoffMode: CutoffMode = fractional ? 'fraction' : 'total';
  const { digits, exponent } = decimalDigits(value, width, {
    unique,
    cutoffMode,
    maxDigits: precision,
    minDigits,
  });
  let text = signText;
  let wholeDigits: number;
  let fractionDigits: number;
  if (exponent >= 0) {
    wholeDigits = exponent + 1;
    if (digits.length <= wholeDigits) {
      text += digits + '0'.repeat(wholeDigits - digits.length);
      fractionDigits = 0;
    } else {
      text += digits.slice(0, wholeDigits) + '.' + digits.slice(wholeDigits);
      fractionDigits = digits.length - wholeDigits;
    }
  } else {
    const leadingZeros = -(exponent + 1);
    text += '0.' + '0'.repeat(leadingZeros) + digits;
    fractionDigits = leadingZeros + digits.length;
    wholeDigits = 1;
  }
  if (trim !== 'pointAndZeros' && fractionDigits === 0) text += '.';

  const addDigits = unique ? minDigits : precision;
  const desiredFraction = cutoffMode === 'total' ? addDigits - wholeDigits : Math.max(addDigits, 0);
  if (trim === 'leaveOneZero') {
    if (fractionDigits === 0) {
      text += '0';
      fractionDigits += 1;
    }
  } else if (trim === 'keep' && desiredFraction > fractionDigits) {
    text += '0'.repeat(desiredFraction - fractionDigits);
    fractionDigits = desiredFraction;
  }
  if (trim !== 'keep' && fractionDigits > 0) {
    while (text.endsWith('0')) {
      text = text.slice(0, -1);
      fractionDigits -= 1;
    }
    if (text.endsWith('.')) {
      if (trim === 'leaveOneZero') {
        text += '0';
        fractionDigits += 1;
      } else if (trim === 'pointAndZeros') {
        text = text.slice(0, -1);
      }
    }
  }
  if (padRight >= fractionDigits) {
    if (trim === 'pointAndZeros' && fractionDigits === 0) text += ' ';
    text += ' '.repeat(padRight - fractionDigits);
  }
  const leftWidth = wholeDigits + signText.length;
  if (padLeft > leftWidth) text = ' '.repeat(padLeft - leftWidth) + text;
  return text;
}

export interface ScientificOptions {
  /** Max digits after the point; -1 for none. */
  precision?: number;
  /** Min digits after the point; -1 for none. */
  minDigits?: number;
  unique?: boolean;
  trim?: TrimMode;
  sign?: boolean;
  /** Pad with spaces to this many characters left of the point; -1 for none. */
  padLeft?: number;
  /** Pad the exponent with zeros to at least this many digits (at most 5); -1 means 2. */
  expDigits?: number;
}

/** numpy's `format_float_scientific` for a value of the given width (same defaults). */
export function formatScientific(value: number, width: FloatWidth, options: ScientificOptions = {}): string {
  const precision = options.precision ?? -1;
  const minDigits = options.minDigits ?? -1;
  const unique = options.unique ?? true;
  const trim = options.trim ?? 'keep';
  const padLeft = options.padLeft ?? -1;
  const signText = isNegative(value) ? '-' : options.sign ? '+' : '';
  if (!Number.isFinite(value)) return nonFiniteText(value, options.sign ?? false);

  let text = '';
  const leftWidth = 1 + signText.length;
  if (padLeft > leftWidth) text += ' '.repeat(padLeft - leftWidth);
  text += signText;
  const { digits, exponent } = decimalDigits(value, width, {
    unique,
    cutoffMode: 'total',
    maxDigits: precision < 0 ? -1 : precision + 1,
    minDigits: minDigits < 0 ? -1 : minDigits + 1,
  });
  text += digits[0];
  let fractionDigits = digits.length - 1;
  if (fractionDigits > 0) text += '.' + digits.slice(1);
  if (trim !== 'pointAndZeros' && fractionDigits === 0) text += '.';

  const addDigits = Math.max(unique ? minDigits : precision, 0);
  if (trim === 'leaveOneZero') {
    if (fractionDigits === 0) {
      text += '0';
      fractionDigits += 1;
    }
  } else if (trim === 'keep' && addDigits > fractionDigits) {
    text += '0'.repeat(addDigits - fractionDigits);
    fractionDigits = addDigits;
  }
  if (trim !== 'keep' && fractionDigits > 0) {
    while (text.endsWith('0')) text = text.slice(0, -1);
    if (trim === 'leaveOneZero' && text.endsWith('.')) text += '0';
  }

  const requested = options.expDigits ?? -1;
  const expDigits = requested < 0 ? 2 : Math.min(requested, 5);
  text += 'e' + (exponent >= 0 ? '+' : '-') + String(Math.abs(exponent)).padStart(expDigits, '0');
  return text;
}

// float16 rounding is the engine's own (one implementation for storage and printing).
export { roundToFloat16 };

/** Rounds a double to the given float width. */
export function roundToWidth(value: number, width: FloatWidth): number {
  if (width === 'float32') return Math.fround(value);
  if (width === 'float16') return roundToFloat16(value);
  return value;
}
