// Python's own reprs of the plain values TensorFlow hands out: `repr(float)`, `repr(bytes)`, `repr(int)`.
// TF prints a scalar tensor's repr as `repr(x.item())`, i.e. through these, not through numpy.

import { decimalDigits } from './dragon4';

/**
 * `repr(float)` in CPython: the shortest digits that round-trip as a double, positional when the decimal
 * point position is in (-4, 16], otherwise `d.ddde±XX`; whole numbers keep `.0`.
 */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const { digits, exponent } = decimalDigits(value, 'float64', {
    unique: true,
    cutoffMode: 'total',
    maxDigits: -1,
    minDigits: -1,
  });
  // CPython's "decpt": digits sit as 0.d1d2... * 10^pointPosition.
  const pointPosition = exponent + 1;
  if (pointPosition <= -4 || pointPosition > 16) {
    const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    return sign + mantissa + 'e' + (exponent < 0 ? '-' : '+') + String(Math.abs(exponent)).padStart(2, '0');
  }
  if (pointPosition <= 0) return sign + '0.' + '0'.repeat(-pointPosition) + digits;
  if (pointPosition >= digits.length) return sign + digits + '0'.repeat(pointPosition - digits.length) + '.0';
  return sign + digits.slice(0, pointPosition) + '.' + digits.slice(pointPosition);
}

/** `str(int)` for an integer held in a JS number (int32, or int64 up to 2^53). */
export function formatPythonInt(value: number): string {
  // String() prints every integer below 1e21 in full; -0 becomes "0" as Python has no negative zero int.
  return String(value);
}

/** `repr(bool)`. */
export function formatPythonBool(value: boolean): string {
  return value ? 'True' : 'False';
}

const utf8 = new TextEncoder();

/**
 * `repr(bytes)` of the UTF-8 encoding of `text` (TF string tensors hold bytes): single quotes unless the
 * bytes contain a single quote and no double quote; \t \n \r \\ escaped; other non-printables as \xhh.
 */
export function formatPythonBytes(text: string): string {
  const bytes = utf8.encode(text);
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let body = '';
  for (const b of bytes) {
    if (b === 0x5c) body += '\\\\';
    else if (b === 0x09) body += '\\t';
    else if (b === 0x0a) body += '\\n';
    else if (b === 0x0d) body += '\\r';
    else if (quote === "'" && b === 0x27) body += "\\'";
    else if (b < 0x20 || b >= 0x7f) body += '\\x' + b.toString(16).padStart(2, '0');
    else body += String.fromCharCode(b);
  }
  return 'b' + quote + body + quote;
}
