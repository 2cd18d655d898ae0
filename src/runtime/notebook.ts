/**
 * Jupyter notebooks: read the `.ipynb` JSON and turn its code cells into plain Python.
 *
 * Cell locations are encoded in a file name: the cell at index `i` of the notebook (counting every
 * cell, markdown included, 0-based, as VS Code's `NotebookCell.index` does) is compiled as
 * `<abs path>#cell<i>`, and its line numbers are lines within the cell. Tracebacks and every
 * SourceLocation of the run use that name. See docs/runtime.md.
 */
import type { CellToRun } from './protocol';

export class NotebookFormatError extends Error {
  override readonly name = 'NotebookFormatError';
}

export function cellFileName(notebookPath: string, cellIndex: number): string {
  return `${notebookPath}#cell${cellIndex}`;
}

/** Splits `/abs/nb.ipynb#cell3` into its notebook path and cell index; undefined for other files. */
export function parseCellFileName(file: string): { notebook: string; cell: number } | undefined {
  const match = /^(.*\.ipynb)#cell(\d+)$/.exec(file);
  return match ? { notebook: match[1], cell: Number(match[2]) } : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cellSource(source: unknown, where: string): string {
  if (typeof source === 'string') return source;
  if (Array.isArray(source) && source.every((part) => typeof part === 'string')) return source.join('');
  throw new NotebookFormatError(`${where}: "source" is neither a string nor a list of strings`);
}

// Cell magics whose body is ordinary Python that IPython runs (timing, capture): we run the body.
const PYTHON_BODY_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun']);

/**
 * Replaces IPython-only lines (`%magic`, `!shell`, `%%cell magic`) so the cell is plain Python.
 * A skipped line becomes `pass` at its own indentation, keeping every other line's number.
 */
export function stripIPythonSyntax(source: string, label: string): { source: string; notes: string[]; skippedCell: boolean } {
  const notes: string[] = [];
  const lines = source.split('\n');
  const firstCode = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  if (firstCode >= 0 && lines[firstCode].trimStart().startsWith('%%')) {
    const magic = lines[firstCode].trim();
    const name = magic.slice(2).split(/\s+/)[0];
    if (!PYTHON_BODY_CELL_MAGICS.has(name)) {
      notes.push(`tapescope: skipped ${label}: the cell magic \`${magic}\` is IPython-only; the cell was not run`);
      return { source: '', notes, skippedCell: true };
    }
    notes.push(`tapescope: ignored the cell magic \`${magic}\` in ${label} (its Python body runs)`);
    lines[firstCode] = '';
  }
  // Only a line that starts a statement can be a magic: not one inside brackets, after a
  // backslash continuation, or inside a triple-quoted string (tracked roughly, per line).
  let insideString = false;
  let bracketDepth = 0;
  let continued = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trimStart();
    if (!insideString && bracketDepth === 0 && !continued && (trimmed.startsWith('%') || trimmed.startsWith('!'))) {
      const indent = line.slice(0, line.length - trimmed.length);
      const kind = trimmed.startsWith('!') ? 'shell command' : 'IPython magic';
      notes.push(`tapescope: skipped the ${kind} \`${trimmed.trim()}\` (${label}, line ${i + 1})`);
      lines[i] = indent === '' ? '' : `${indent}pass`;
      continue;
    }
    const code = codeOutsideStrings(line, insideString);
    insideString = code.endsInsideString;
    for (const ch of code.text) {
      if (ch === '(' || ch === '[' || ch === '{') bracketDepth++;
      else if ((ch === ')' || ch === ']' || ch === '}') && bracketDepth > 0) bracketDepth--;
    }
    continued = !insideString && code.text.endsWith('\\');
  }
  return { source: lines.join('\n'), notes, skippedCell: false };
}

/** The part of a line that is code (strings and the comment removed), and whether a `"""` string stays open. */
function codeOutsideStrings(line: string, startsInsideString: boolean): { text: string; endsInsideString: boolean } {
  let text = '';
  let quote: string | undefined = startsInsideString ? '"""' : undefined;
  for (let i = 0; i < line.length; i++) {
    if (quote !== undefined) {
      if (line[i] === '\\') {
        i++;
      } else if (line.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      }
      continue;
    }
    const ch = line[i];
    if (ch === '#') break;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      quote = line.slice(i, i + 3);
      i += 2;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else {
      text += ch;
    }
  }
  // A single-quoted string cannot span lines; only a triple-quoted one stays open.
  return { text: text.trimEnd(), endsInsideString: quote !== undefined && quote.length === 3 };
}

/** The code cells of a notebook, in order, ready to run. Throws NotebookFormatError on bad input. */
export function parseNotebook(text: string, notebookPath: string, displayName: string, uptoCell?: number): CellToRun[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NotebookFormatError(`${displayName} is not a valid notebook: invalid JSON (${reason})`);
  }
  if (!isRecord(json) || !Array.isArray(json.cells)) {
    const version = isRecord(json) && typeof json.nbformat === 'number' ? ` (nbformat ${json.nbformat})` : '';
    throw new NotebookFormatError(`${displayName} is not a valid notebook${version}: no "cells" list (nbformat 4 is required)`);
  }
  const cells: CellToRun[] = [];
  json.cells.forEach((cell: unknown, index: number) => {
    const where = `${displayName}, cell ${index}`;
    if (!isRecord(cell)) throw new NotebookFormatError(`${where}: a cell is not an object`);
    if (cell.cell_type !== 'code') return;
    if (uptoCell !== undefined && index > uptoCell) return;
    const { source, notes, skippedCell } = stripIPythonSyntax(cellSource(cell.source, where), `cell ${index}`);
    cells.push({ index, filename: cellFileName(notebookPath, index), source: skippedCell ? '' : source, notes });
  });
  return cells;
}
