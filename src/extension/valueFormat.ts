/**
 * Short, one-line renderings of trace values for the editor (inline hints, hovers, diagnostics).
 * Numbers follow TensorFlow's float printing closely enough to be recognised (`6.0`, `0.9999546`);
 * the tape view shows the full values.
 */
import type { NoneReasonCode, ScalarValue, ValueSnapshot } from '../trace/types';

/** Most significant digits a float of each dtype needs to be read back exactly. */
const FLOAT_DIGITS: Record<string, number> = { float16: 5, float32: 9, float64: 17 };

/** Rounds a value to a dtype's precision (float16 is approximated by its 11-bit significand). */
function toDType(value: number, dtype: string): number {
  if (dtype === 'float32') return Math.fround(value);
  if (dtype === 'float16') {
    if (value === 0 || !Number.isFinite(value)) return value;
    const exponent = Math.floor(Math.log2(Math.abs(value)));
    const step = 2 ** (exponent - 10);
    return Math.round(value / step) * step;
  }
  return value;
}

/**
 * The shortest decimal that reads back as the same value of that dtype, as numpy (and so
 * TensorFlow) prints it: float32 0.15999985 rather than 0.1599998 or 0.159999847412109.
 */
function shortestRoundTrip(value: number, dtype: string): number {
  const target = toDType(value, dtype);
  for (let digits = 1; digits < FLOAT_DIGITS[dtype]; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (toDType(candidate, dtype) === target) return candidate;
  }
  return Number(value.toPrecision(FLOAT_DIGITS[dtype]));
}

export function formatScalar(value: ScalarValue, dtype: string): string {
  if (value === 'nan') return 'nan';
  if (value === 'inf') return 'inf';
  if (value === '-inf') return '-inf';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return dtype === 'string' ? JSON.stringify(value) : value;
  if (!(dtype in FLOAT_DIGITS)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const text = shortestRoundTrip(value, dtype).toString();
  return text.includes('e') ? text.replace(/e([+-])(\d)$/, 'e$10$2') : text;
}

function nest(values: string[], shape: number[]): string {
  if (shape.length === 0) return values[0] ?? '';
  if (shape.length === 1) return `[${values.join(', ')}]`;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  const parts: string[] = [];
  for (let i = 0; i < shape[0]; i++) parts.push(nest(values.slice(i * inner, (i + 1) * inner), shape.slice(1)));
  return `[${parts.join(', ')}]`;
}

export function formatShape(shape: number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * A value on one line: the numbers themselves when there are at most `maxElements`, otherwise
 * dtype, shape and min/max/mean.
 */
export function formatSnapshot(snapshot: ValueSnapshot, maxElements = 6): string {
  const count = snapshot.shape.reduce((a, b) => a * b, 1);
  if (snapshot.values && count <= maxElements) {
    return nest(snapshot.values.map((v) => formatScalar(v, snapshot.dtype)), snapshot.shape);
  }
  const head = `${snapshot.dtype}${formatShape(snapshot.shape)}`;
  const s = snapshot.summary;
  if (s && s.min !== undefined && s.max !== undefined) {
    const parts = [`min ${formatScalar(s.min, snapshot.dtype)}`, `max ${formatScalar(s.max, snapshot.dtype)}`];
    if (s.mean !== undefined) parts.push(`mean ${formatScalar(s.mean, snapshot.dtype)}`);
    if (s.nanCount) parts.push(`${s.nanCount} NaN`);
    if (s.infCount) parts.push(`${s.infCount} Inf`);
    return `${head} ${parts.join(', ')}`;
  }
  const values = snapshot.values ?? snapshot.head;
  if (values && values.length > 0) {
    const shown = values.slice(0, maxElements).map((v) => formatScalar(v, snapshot.dtype));
    return `${head} [${shown.join(', ')}${count > shown.length ? ', …' : ''}]`;
  }
  return head;
}

/** A few words for each reason a gradient is None, for the inline hint (the full text is in the diagnostic). */
const SHORT_REASONS: Record<NoneReasonCode, string> = {
  'not-watched': 'not watched',
  'tensor-not-variable': 'tensor, not variable',
  'not-trainable': 'not trainable',
  'watch-accessed-variables-false': 'not watched (watch_accessed_variables=False)',
  'not-accessed': 'unused in tape',
  'integer-dtype': 'integer dtype',
  'string-dtype': 'string dtype',
  'bool-dtype': 'bool dtype',
  'not-connected': 'not connected to the target',
  'stop-gradient': 'blocked by tf.stop_gradient',
  'stateful-assign': 'only path is a variable assign',
  'recording-stopped': 'computed while recording was stopped',
  'nondifferentiable-op': 'only path is a non-differentiable op',
  'integer-path': 'only path is through integer tensors',
};

export function shortNoneReason(code: NoneReasonCode | string): string {
  return (SHORT_REASONS as Record<string, string>)[code] ?? code;
}

/** Cuts a line of text to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
