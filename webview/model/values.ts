/**
 * How tensor values are shown: scalars inline, small tensors as numbers, larger ones as a summary with a
 * heatmap or sparkline. Pure functions over `ValueSnapshot`s (no DOM), so the rules are tested in vitest.
 */
import type { DTypeName, ScalarValue, ValueSnapshot } from '../../src/trace/types';

/** Tensors with at most this many elements are written out as numbers inside a node. */
export const SMALL_TENSOR_ELEMENTS = 6;

export type ValueDisplay =
  | { mode: 'scalar'; text: string }
  | { mode: 'small'; text: string }
  | { mode: 'large'; stats: ValueStats; cells: number[]; rows: number; columns: number; kind: 'heatmap' | 'sparkline' };

export interface ValueStats {
  count: number;
  min?: number;
  max?: number;
  mean?: number;
  nanCount: number;
  infCount: number;
  /** True when the stats are over only the leading elements kept in the snapshot (no engine summary). */
  partial: boolean;
}

const isFloat = (dtype: DTypeName): boolean => dtype === 'float16' || dtype === 'float32' || dtype === 'float64';

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A number as TensorFlow's numpy-style printing shows it: floats keep a `.0`, at most 4 significant digits otherwise. */
export function formatScalar(value: ScalarValue, dtype: DTypeName): string {
  if (value === 'nan') return 'nan';
  if (value === 'inf') return 'inf';
  if (value === '-inf') return '-inf';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return dtype === 'string' ? JSON.stringify(value) : value;
  if (!isFloat(dtype)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(4)));
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** `float32[3,2]` style type label. */
export function formatType(dtype: DTypeName, shape: readonly number[]): string {
  return shape.length === 0 ? dtype : `${dtype}[${shape.join(',')}]`;
}

export function numericValue(value: ScalarValue): number {
  if (value === 'nan') return NaN;
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return NaN;
}

/** Statistics of a snapshot: the engine's summary when the tensor was too big to keep, else computed. */
export function valueStats(snapshot: ValueSnapshot): ValueStats {
  if (snapshot.summary) return { ...snapshot.summary, partial: false };
  const values = (snapshot.values ?? snapshot.head ?? []).map(numericValue);
  let nanCount = 0;
  let infCount = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nanCount++;
    else if (!Number.isFinite(v)) infCount++;
    else {
      finite++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const partial = snapshot.values === undefined;
  return finite > 0
    ? { count: values.length, min, max, mean: sum / finite, nanCount, infCount, partial }
    : { count: values.length, nanCount, infCount, partial };
}

/** Writes a small tensor as nested brackets, like numpy: `[[1.0 2.0] [3.0 4.0]]`. */
export function formatSmallTensor(snapshot: ValueSnapshot): string {
  const values = snapshot.values ?? [];
  const shape = snapshot.shape;
  if (shape.length === 0) return values.length ? formatScalar(values[0]!, snapshot.dtype) : '?';
  let offset = 0;
  const walk = (depth: number): string => {
    const size = shape[depth]!;
    const parts: string[] = [];
    for (let i = 0; i < size; i++) {
      if (depth === shape.length - 1) parts.push(formatScalar(values[offset++] ?? 'nan', snapshot.dtype));
      else parts.push(walk(depth + 1));
    }
    return `[${parts.join(' ')}]`;
  };
  return walk(0);
}

/** Decides how a value appears inside a graph node. */
export function displayValue(snapshot: ValueSnapshot, maxCells = 64): ValueDisplay {
  const count = elementCount(snapshot.shape);
  if (snapshot.shape.length === 0 && snapshot.values && snapshot.values.length > 0) {
    return { mode: 'scalar', text: formatScalar(snapshot.values[0]!, snapshot.dtype) };
  }
  if (snapshot.values && count <= SMALL_TENSOR_ELEMENTS) return { mode: 'small', text: formatSmallTensor(snapshot) };
  const stats = valueStats(snapshot);
  const known = (snapshot.values ?? snapshot.head ?? []).map(numericValue);
  // 2-D (or more) tensors fully kept become a heatmap of their last two axes, downsampled by averaging;
  // everything else (1-D, or only a head kept) is a sparkline of the kept elements.
  if (snapshot.values && snapshot.shape.length >= 2) {
    const columns = snapshot.shape[snapshot.shape.length - 1]!;
    const rows = Math.max(1, Math.floor(count / Math.max(1, columns)));
    const side = Math.max(1, Math.floor(Math.sqrt(maxCells)));
    const outRows = Math.min(rows, side);
    const outColumns = Math.min(columns, side);
    const cells: number[] = [];
    for (let r = 0; r < outRows; r++) {
      for (let c = 0; c < outColumns; c++) {
        let sum = 0;
        let n = 0;
        for (let rr = Math.floor((r * rows) / outRows); rr < Math.floor(((r + 1) * rows) / outRows); rr++) {
          for (let cc = Math.floor((c * columns) / outColumns); cc < Math.floor(((c + 1) * columns) / outColumns); cc++) {
            const v = known[rr * columns + cc]!;
            if (Number.isFinite(v)) {
              sum += v;
              n++;
            }
          }
        }
        cells.push(n ? sum / n : NaN);
      }
    }
    return { mode: 'large', stats, cells, rows: outRows, columns: outColumns, kind: 'heatmap' };
  }
  const step = Math.max(1, Math.ceil(known.length / maxCells));
  const cells: number[] = [];
  for (let i = 0; i < known.length; i += step) cells.push(known[i]!);
  return { mode: 'large', stats, cells, rows: 1, columns: cells.length, kind: 'sparkline' };
}

/** One-line summary of stats: `min -1.0 max 1.0 mean 0.02`. */
export function formatStats(stats: ValueStats, dtype: DTypeName): string {
  const parts: string[] = [];
  if (stats.min !== undefined) parts.push(`min ${formatScalar(stats.min, 'float64')}`);
  if (stats.max !== undefined) parts.push(`max ${formatScalar(stats.max, 'float64')}`);
  if (stats.mean !== undefined) parts.push(`mean ${formatScalar(stats.mean, 'float64')}`);
  if (parts.length === 0) parts.push(`${stats.count} ${dtype}`);
  return parts.join(' ');
}

/** The NaN/Inf badge text, or undefined when every element is finite. */
export function nonFiniteBadge(stats: ValueStats): string | undefined {
  const parts: string[] = [];
  if (stats.nanCount) parts.push(`${stats.nanCount} NaN`);
  if (stats.infCount) parts.push(`${stats.infCount} Inf`);
  return parts.length ? parts.join(' ') : undefined;
}

export interface ValuePage {
  page: number;
  pageCount: number;
  /** Each row: the element's multi-index (`[0, 3]`) and its text. */
  rows: { index: string; text: string }[];
  /** True when the trace kept only the head of this tensor, so later elements are unknown. */
  truncated: boolean;
}

/** One page of a tensor's elements for the detail panel (only what the snapshot kept). */
export function valuePage(snapshot: ValueSnapshot, page: number, pageSize = 50): ValuePage {
  const values = snapshot.values ?? snapshot.head ?? [];
  const pageCount = Math.max(1, Math.ceil(values.length / pageSize));
  const current = Math.min(Math.max(0, page), pageCount - 1);
  const rows: ValuePage['rows'] = [];
  const strides: number[] = [];
  let stride = 1;
  for (let axis = snapshot.shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= snapshot.shape[axis]!;
  }
  for (let i = current * pageSize; i < Math.min(values.length, (current + 1) * pageSize); i++) {
    const index = snapshot.shape.map((size, axis) => Math.floor(i / strides[axis]!) % size);
    rows.push({ index: `[${index.join(', ')}]`, text: formatScalar(values[i]!, snapshot.dtype) });
  }
  return { page: current, pageCount, rows, truncated: snapshot.values === undefined };
}
