/**
 * Maps trace locations (the runtime's file names, 1-based lines) to editor documents (URI strings,
 * 0-based lines), for a `.py` file and for a notebook's cells. Pure: documents are plain keys.
 */
import * as path from 'node:path';
import type { SourceLocation } from '../trace/types';
import type { DocumentLine, LocResolver } from './traceInsights';

/** A path as the runtime might write it (`file:///a/b.py`, `/a/./b.py`) in one canonical form. */
export function normalizeFsPath(p: string): string {
  let s = p;
  if (s.startsWith('file://')) s = decodeURIComponent(s.slice('file://'.length));
  return path.posix.normalize(s.replace(/\\/g, '/'));
}

/** Trace locations in `runFile` (by full path, or by bare file name if the runtime wrote only that). */
export function fileLocResolver(runFile: string, docKey: string): LocResolver {
  const full = normalizeFsPath(runFile);
  const base = path.posix.basename(full);
  return (loc: SourceLocation): DocumentLine | undefined => {
    const f = normalizeFsPath(loc.file);
    if (f === full || (!f.includes('/') && f === base)) return { doc: docKey, line: loc.line - 1 };
    return undefined;
  };
}

export interface NotebookCellInput {
  kind: 'code' | 'markdown';
  text: string;
  /** The cell's document key (URI string). */
  docKey: string;
}

/** The cells as a minimal nbformat-4 notebook, so unsaved cell edits are what runs. */
export function notebookJson(cells: readonly NotebookCellInput[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { language_info: { name: 'python' } },
    cells: cells.map((c) => ({
      cell_type: c.kind,
      metadata: {},
      source: c.text.split(/(?<=\n)/),
      ...(c.kind === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
  });
}

/**
 * Locations in a notebook run. The runtime names each cell's code after the notebook with the
 * 0-based cell index (`/a/nb.ipynb#cell3`, see src/runtime/notebook.ts; `#cell=3` and `:cell3` are accepted too) and
 * numbers lines within the cell.
 */
export function notebookLocResolver(notebookFile: string, cells: readonly NotebookCellInput[]): LocResolver {
  const full = normalizeFsPath(notebookFile);
  const base = path.posix.basename(full);
  return (loc: SourceLocation): DocumentLine | undefined => {
    const f = normalizeFsPath(loc.file);
    const m = /(?:#|:|\b|\[|<)cell[\s=_:-]*(\d+)[\]>]?$/i.exec(f);
    if (!m) return undefined;
    const owner = f.slice(0, m.index).replace(/[#:\s]+$/, '');
    if (owner && owner !== full && owner !== base && !owner.startsWith('<')) return undefined;
    const cell = cells[Number(m[1])];
    return cell ? { doc: cell.docKey, line: loc.line - 1 } : undefined;
  };
}

/** The trace file name the runtime uses for cell `index` of `notebookFile` (inverse of the resolver). */
export function notebookCellFileName(notebookFile: string, index: number): string {
  return `${normalizeFsPath(notebookFile)}#cell${index}`;
}
