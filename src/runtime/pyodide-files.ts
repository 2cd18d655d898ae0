/**
 * Where Pyodide's files are. The build copies them next to the bundles (`dist/pyodide/`), which is
 * what a packaged extension ships; from a source checkout `node_modules/pyodide/` works too.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** The files Pyodide needs at run time (scripts/build.mjs copies exactly these). */
export const PYODIDE_RUNTIME_FILES = [
  'pyodide.js',
  'pyodide.mjs',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
] as const;

function hasPyodide(dir: string): boolean {
  return existsSync(join(dir, 'pyodide.js')) && existsSync(join(dir, 'pyodide.asm.wasm'));
}

/**
 * The Pyodide folder as Pyodide's `indexURL` wants it: a plain path ending in the separator
 * (a file:// URL fails to load the .mjs). Searches `<here>/pyodide/`, then `node_modules/pyodide/`
 * in `here` and each folder above it.
 */
export function findPyodideDir(here: string, explicit?: string): string | undefined {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  candidates.push(join(here, 'pyodide'));
  for (let dir = here; ; dir = dirname(dir)) {
    candidates.push(join(dir, 'node_modules', 'pyodide'));
    if (dirname(dir) === dir) break;
  }
  const found = candidates.find(hasPyodide);
  return found === undefined ? undefined : found.endsWith(sep) ? found : found + sep;
}
