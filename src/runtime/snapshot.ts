/**
 * A cached memory snapshot of a freshly loaded interpreter, so that later cold starts (every CLI
 * invocation, every new worker) restore Python in well under a second instead of ~3 s.
 *
 * The snapshot is Pyodide's (`_makeSnapshot` / `makeMemorySnapshot` / `_loadSnapshot`, marked
 * private in 314.0.7), so it is used defensively: the file name carries everything it depends on,
 * a snapshot that fails to load is deleted and Python is loaded the ordinary way, and any failure to
 * make or write one only costs the speed-up. It holds only the interpreter and standard-library
 * modules (never our packages, which are written and imported after loading, nor any JS object).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Standard-library modules imported before the snapshot is taken (what the runner and our
 * packages use). Not `random`: its state would be the same in every process restored from the
 * snapshot, unlike a new CPython process.
 */
export const SNAPSHOT_PREIMPORTS = [
  'ast', 'collections', 'dataclasses', 'functools', 'gc', 'inspect', 'io', 'itertools', 'json', 'linecache',
  'math', 'numbers', 'operator', 're', 'struct', 'tokenize', 'traceback', 'types', 'typing', 'warnings',
  'pyodide.ffi',
];

/** The default cache folder: $TAPESCOPE_CACHE_DIR, else $XDG_CACHE_HOME/tapescope, else ~/.cache/tapescope. */
export function defaultSnapshotDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TAPESCOPE_CACHE_DIR) return env.TAPESCOPE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tapescope');
}

/** The snapshot file for this Pyodide version, Node version and preimport list. */
export function snapshotFile(dir: string, pyodideVersion: string): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ pyodideVersion, node: process.versions.node, preimports: SNAPSHOT_PREIMPORTS, format: 1 }))
    .digest('hex')
    .slice(0, 16);
  return join(dir, `pyodide-${pyodideVersion}-${key}.snapshot`);
}

/** Writes the snapshot atomically (a concurrent reader sees the old file or the whole new one). */
export function saveSnapshot(file: string, bytes: Uint8Array): void {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, file);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
}

export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
