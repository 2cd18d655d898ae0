// numpy's array printing (`numpy/_core/arrayprint.py`) with its default print options, under numpy 1.x
// rules (numpy 2 with `legacy='1.25'` prints the same): precision 8, floatmode 'maxprec', threshold 1000
// then 3 edge items per axis, linewidth 75, no small-number suppression, sign '-'.
//
// A value is (dtype, shape, data) with data row-major. TF string tensors are numpy object arrays of
// bytes, so they print as `[b'a' b'bc']` / `array([b'a', b'bc'], dtype=object)`.

import type { DTypeName } from '../../trace/types';
import { type FloatWidth, formatPositional, formatScientific, roundToWidth } from './dragon4';
import { formatPythonBool, formatPythonBytes, formatPythonFloat, formatPythonInt } from './python';

/** Row-major element data; bool as 0/1 (or booleans), int64 as integral doubles, string as text. */
export type ElementData = ArrayLike<number> | ArrayLike<boolean> | ArrayLike<string>;

/** numpy's default print options (numpy.get_printoptions()). */
const PRECISION = 8;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 75;

function isFloatDType(dtype: DTypeName): dtype is FloatWidth {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

function checkData(shape: readonly number[], data: ElementData): void {
  const count = elementCount(shape);
  if (data.length !== count) {
    throw new RangeError(`format: shape (${shape.join(', ')}) needs ${count} elements, data has ${data.length}`);
  }
}

function floatAt(data: ElementData, index: number, width: FloatWidth): number {
  // Round defensively: float16 arrive in doubles/float32s and must be exact half values for Dragon4.
  return roundToWidth(Number(data[index]), width);
}

/** Flat indices of the elements numpy shows: all of them, or the 3 leading/trailing per long axis. */
function shownIndices(shape: readonly number[], summarise: boolean): number[] {
  const axisPositions = shape.map((dim) => {
    if (summarise && dim > 2 * EDGE_ITEMS) {
      const positions: number[] = [];
      for (let i = 0; i < EDGE_ITEMS; i += 1) positions.push(i);
      for (let i = dim - EDGE_ITEMS; i < dim; i += 1) positions.push(i);
      return positions;
    }
    return Array.from({ length: dim }, (_, i) => i);
  });
  let indices = [0];
  for (let axis = 0; axis < shape.length; axis += 1) {
    const next: number[] = [];
    for (const base of indices) {
      for (const position of axisPositions[axis]) next.push(base * shape[axis] + position);
    }
    indices = next;
  }
  return indices;
}

type ElementFormatter = (flatIndex: number) => string;

/** numpy's FloatingFormat: one layout (positional or scientific, common padding) for all shown values. */
function floatFormatter(data: ElementData, width: FloatWidth, shown: readonly number[]): ElementFormatter {
  const values = shown.map((i) => floatAt(data, i, width));
  const finite = values.filter((v) => Number.isFinite(v));

  // numpy 1.x compares the array-typed max/min with Python floats in float64 (so float32 1e-4, which is
  // 9.99999974e-05, counts as small), but divides max by min in the array's own precision. (numpy 2
  // compares in the array's precision, even with legacy='1.25'.)
  let scientific = false;
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  if (nonZero.length > 0) {
    let max = nonZero[0];
    let min = nonZero[0];
    for (const v of nonZero) {
      if (v > max) max = v;
      if (v < min) min = v;
    }
    scientific = max >= 1e8 || min < 0.0001 || roundToWidth(max / min, width) > 1000;
  }

  // A first pass over the shown values fixes the common layout: padding on both sides of the point and,
  // in scientific mode, the mantissa digits every element gets (zeros kept: '1.0e-05').
  let padLeft = 0;
  let padRight = 0;
  let mantissaDigits = 0;
  let expSize = -1;
  if (finite.length > 0 && scientific) {
    for (const v of finite) {
      const text = formatScientific(v, width, { precision: PRECISION, unique: true, trim: 'zeros' });
      const [mantissa, exponentPart] = text.split('e');
      const [whole, fraction] = mantissa.split('.');
      expSize = Math.max(expSize, exponentPart.length - 1);
      padLeft = Math.max(padLeft, whole.length);
      mantissaDigits = Math.max(mantissaDigits, fraction.length);
    }
    padRight = expSize + 2 + mantissaDigits;
  } else if (finite.length > 0) {
    for (const v of finite) {
      const text = formatPositional(v, width, { precision: PRECISION, unique: true, fractional: true, trim: 'zeros' });
      const [whole, fraction] = text.split('.');
      padLeft = Math.max(padLeft, whole.length);
      padRight = Math.max(padRight, fraction.length);
    }
  }
  if (finite.length !== values.length) {
    // Make room for nan / inf / -inf in the same column width.
    const negativeInfinity = values.some((v) => v === -Infinity);
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + (negativeInfinity ? 1 : 0) - offset);
  }

  return (flatIndex) => {
    const v = floatAt(data, flatIndex, width);
    if (!Number.isFinite(v)) {
      const text = Number.isNaN(v) ? 'nan' : v < 0 ? '-inf' : 'inf';
      return ' '.repeat(Math.max(0, padLeft + padRight + 1 - text.length)) + text;
    }
    if (scientific) {
      return formatScientific(v, width, {
        precision: mantissaDigits,
        minDigits: mantissaDigits,
        unique: true,
        trim: 'keep',
        padLeft,
        expDigits: expSize,
      });
    }
    // minDigits 0 makes Dragon4 print every integer digit exactly (float16 65504 stays '65504.').
    return formatPositional(v, width, {
      precision: PRECISION,
      minDigits: 0,
      unique: true,
      fractional: true,
      trim: 'zeros',
      padLeft,
      padRight,
    });
  };
}

/** numpy's IntegerFormat: right-aligned to the widest of str(max) and str(min). */
function intFormatter(data: ElementData, shown: readonly number[]): ElementFormatter {
  let max = -Infinity;
  let min = Infinity;
  for (const i of shown) {
    const v = Number(data[i]);
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const width = Math.max(formatPythonInt(max).length, formatPythonInt(min).length);
  return (flatIndex) => formatPythonInt(Number(data[flatIndex])).padStart(width, ' ');
}

function elementFormatter(
  dtype: DTypeName,
  data: ElementData,
  shown: readonly number[],
  zeroDimensional: boolean,
): ElementFormatter {
  if (isFloatDType(dtype)) return floatFormatter(data, dtype, shown);
  if (dtype === 'int32' || dtype === 'int64') return intFormatter(data, shown);
  // " True" keeps True and False the same width inside arrays (a 0-d array has nothing to align).
  if (dtype === 'bool') return (i) => (data[i] ? (zeroDimensional ? 'True' : ' True') : 'False');
  // Object arrays of bytes: each element is its repr, unpadded.
  return (i) => formatPythonBytes(String(data[i]));
}

/** numpy's _extendLine: wrap before `word` if the line would pass the width (unless wrapping can't help). */
function extendLine(
  state: { text: string; line: string },
  word: string,
  lineWidth: number,
  nextLinePrefix: string,
): void {
  const needsWrap = state.line.length + word.length > lineWidth && state.line.length > nextLinePrefix.length;
  if (needsWrap) {
    state.text += state.line.trimEnd() + '\n';
    state.line = nextLinePrefix;
  }
  state.line += word;
}

/** numpy's _formatArray. Elements never contain newlines here, so its "pretty" multi-line path is moot. */
function formatNested(
  shape: readonly number[],
  format: ElementFormatter,
  lineWidth: number,
  nextLinePrefix: string,
  separator: string,
  summarise: boolean,
): string {
  const strides: number[] = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
    strides[axis] = stride;
    stride *= shape[axis];
  }

  const recurse = (axis: number, offset: number, hangingIndent: string, currentWidth: number): string => {
    const axesLeft = shape.length - axis;
    if (axesLeft === 0) return format(offset);
    const nextHangingIndent = hangingIndent + ' ';
    const nextWidth = currentWidth - 1; // room for the closing ']'
    const length = shape[axis];
    const showSummary = summarise && 2 * EDGE_ITEMS < length;
    const leading = showSummary ? EDGE_ITEMS : 0;
    const trailing = showSummary ? EDGE_ITEMS : length;
    const child = (position: number): string =>
      recurse(axis + 1, offset + position * strides[axis], nextHangingIndent, nextWidth);

    let text = '';
    if (axesLeft === 1) {
      const elementWidth = currentWidth - Math.max(separator.trimEnd().length, 1);
      const state = { text: '', line: hangingIndent };
      for (let i = 0; i < leading; i += 1) {
        extendLine(state, child(i), elementWidth, hangingIndent);
        state.line += separator;
      }
      if (showSummary) {
        extendLine(state, '...', elementWidth, hangingIndent);
        state.line += separator;
      }
      for (let i = trailing; i > 1; i -= 1) {
        extendLine(state, child(length - i), elementWidth, hangingIndent);
        state.line += separator;
      }
      extendLine(state, child(length - 1), elementWidth, hangingIndent);
      text = state.text + state.line;
    } else {
      const lineSeparator = separator.trimEnd() + '\n'.repeat(axesLeft - 1);
      for (let i = 0; i < leading; i += 1) text += hangingIndent + child(i) + lineSeparator;
      if (showSummary) text += hangingIndent + '...' + lineSeparator;
      for (let i = trailing; i > 1; i -= 1) text += hangingIndent + child(length - i) + lineSeparator;
      text += hangingIndent + child(length - 1);
    }
    return '[' + text.slice(hangingIndent.length) + ']';
  };
  return recurse(0, 0, nextLinePrefix, lineWidth);
}

/** numpy's array2string with the default options (a 0-d array prints as its single element). */
function arrayToString(
  dtype: DTypeName,
  shape: readonly number[],
  data: ElementData,
  separator: string,
  prefix: string,
  suffix: string,
): string {
  const size = elementCount(shape);
  if (size === 0) return '[]';
  const summarise = size > THRESHOLD;
  const format = elementFormatter(dtype, data, shownIndices(shape, summarise), shape.length === 0);
  const nextLinePrefix = ' ' + ' '.repeat(prefix.length);
  return formatNested(shape, format, LINE_WIDTH - suffix.length, nextLinePrefix, separator, summarise);
}

/**
 * str() of a numpy scalar under numpy 1.x: floats positional (shortest round-trip digits, at least one
 * fractional digit) when 1e-4 <= |x| < 1e16 or x == 0, otherwise scientific without a trailing point.
 */
function formatNumpyScalarStr(dtype: DTypeName, value: number | boolean | string): string {
  if (isFloatDType(dtype)) {
    const v = roundToWidth(Number(value), dtype);
    if (Number.isNaN(v)) return 'nan';
    const magnitude = Math.abs(v);
    if (v === 0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
      return formatPositional(v, dtype, { unique: true, fractional: false, trim: 'leaveOneZero' });
    }
    return formatScientific(v, dtype, { unique: true, trim: 'pointAndZeros' });
  }
  if (dtype === 'int32' || dtype === 'int64') return formatPythonInt(Number(value));
  if (dtype === 'bool') return formatPythonBool(Boolean(value));
  return formatPythonBytes(String(value));
}

/**
 * repr() of the Python value `x.item()` of a scalar (what TF shows after `numpy=` for shape ()):
 * Python float repr of the exact double (float32 0.1 shows as 0.10000000149011612), int, True/False, b'..'.
 */
export function formatScalarItemRepr(dtype: DTypeName, value: number | boolean | string): string {
  if (isFloatDType(dtype)) return formatPythonFloat(roundToWidth(Number(value), dtype));
  if (dtype === 'int32' || dtype === 'int64') return formatPythonInt(Number(value));
  if (dtype === 'bool') return formatPythonBool(Boolean(value));
  return formatPythonBytes(String(value));
}

/**
 * `str(value)` as numpy 1.x prints it: `[1.   0.25]`, `[[1 2]\n [3 4]]`, `[ True False]`, `[b'a' b'bc']`;
 * for shape [] the numpy scalar's str (`6.0`, `1e-05`, `True`, `b'a'`).
 */
export function formatNumpyStr(dtype: DTypeName, shape: readonly number[], data: ElementData): string {
  checkData(shape, data);
  if (shape.length === 0) return formatNumpyScalarStr(dtype, data[0]);
  return arrayToString(dtype, shape, data, ' ', '', '');
}

/** numpy's dtype repr names; TF string tensors are object arrays. */
function numpyDTypeName(dtype: DTypeName): string {
  return dtype === 'string' ? 'object' : dtype;
}

/** float64, int64 (numpy's default int on Linux) and bool are implied by the printed values. */
function dtypeIsImplied(dtype: DTypeName): boolean {
  return dtype === 'float64' || dtype === 'int64' || dtype === 'bool';
}

function pythonTuple(items: readonly number[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/**
 * `repr(ndarray)` as numpy 1.x prints it, for any rank: `array([1., 2.], dtype=float32)`, with
 * `, dtype=...` left out for float64/int64/bool and `shape=` added for empty non-(0,) shapes; a 0-d
 * array is `array(3., dtype=float32)`. String tensors are object arrays (`dtype=object`).
 */
export function formatNumpyArrayRepr(dtype: DTypeName, shape: readonly number[], data: ElementData): string {
  checkData(shape, data);
  const prefix = 'array(';
  const size = elementCount(shape);
  const body = arrayToString(dtype, shape, data, ', ', prefix, ')');
  const extras: string[] = [];
  if (size === 0 && !(shape.length === 1 && shape[0] === 0)) extras.push(`shape=${pythonTuple(shape)}`);
  if (!dtypeIsImplied(dtype) || size === 0) extras.push(`dtype=${numpyDTypeName(dtype)}`);
  if (extras.length === 0) return prefix + body + ')';
  const head = prefix + body + ',';
  const tail = extras.join(', ') + ')';
  const lastLineLength = head.length - (head.lastIndexOf('\n') + 1);
  // The extras go on their own line, aligned under the array, when they would pass the line width.
  const spacer = lastLineLength + tail.length + 1 > LINE_WIDTH ? '\n' + ' '.repeat(prefix.length) : ' ';
  return head + spacer + tail;
}

/**
 * What TF shows after `numpy=` in a tensor's repr: `repr(ndarray)` (see formatNumpyArrayRepr), except
 * that for shape () TF uses `repr(x.item())`, the Python value's repr (see formatScalarItemRepr).
 */
export function formatNumpyRepr(dtype: DTypeName, shape: readonly number[], data: ElementData): string {
  checkData(shape, data);
  if (shape.length === 0) return formatScalarItemRepr(dtype, data[0]);
  return formatNumpyArrayRepr(dtype, shape, data);
}
