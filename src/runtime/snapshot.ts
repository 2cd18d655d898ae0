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
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { PyodideAPI } from 'pyodide';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

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
  writeAtomically(file, bytes);
  removeStale(file, /^pyodide-.*\.snapshot$/);
}

function writeAtomically(file: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(file), { recursive: true });
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

/*
 * Compiled bytecode of our Python packages, cached next to the snapshot: importing `tensorflow`
 * the first time in a process costs ~1 s of compiling, ~0.07 s with the .pyc files. The file is
 * keyed by the Pyodide version and a hash of every source, and holds { path: base64 .pyc }. Python
 * writes the .pyc files itself as it imports; the worker saves them whenever a run added some.
 */

export function bytecodeCacheFile(dir: string, pyodideVersion: string, sources: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256').update(pyodideVersion).update(JSON.stringify(sources)).digest('hex').slice(0, 16);
  return join(dir, `bytecode-${pyodideVersion}-${hash}.json`);
}

/** Writes the cached .pyc files into Pyodide's file system; returns how many (0: no usable cache). */
export function restoreBytecode(pyodide: PyodideAPI, file: string, root: string): number {
  if (!existsSync(file)) return 0;
  try {
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    for (const [relativePath, base64] of Object.entries(entries)) {
      if (relativePath.includes('..')) continue;
      const target = `${root}/${relativePath}`;
      pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf('/')));
      pyodide.FS.writeFile(target, Buffer.from(base64, 'base64'));
    }
    return Object.keys(entries).length;
  } catch {
    removeQuietly(file);
    return 0;
  }
}

/** Paths (relative to `root`) of the .pyc files Python wrote under `root` (in __pycache__ folders). */
export function listBytecode(pyodide: PyodideAPI, root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, relative: string): void => {
    for (const name of pyodide.FS.readdir(dir) as string[]) {
      if (name === '.' || name === '..') continue;
      const path = `${dir}/${name}`;
      const rel = relative ? `${relative}/${name}` : name;
      if (pyodide.FS.isDir(pyodide.FS.stat(path).mode)) walk(path, rel);
      else if (name.endsWith('.pyc') && relative.split('/').at(-1) === '__pycache__') found.push(rel);
    }
  };
  walk(root, '');
  return found;
}

/** Saves the given .pyc files to the cache file, and drops stale caches of older sources. */
export function saveBytecode(pyodide: PyodideAPI, file: string, root: string, paths: readonly string[]): void {
  const entries: Record<string, string> = {};
  for (const rel of paths) entries[rel] = Buffer.from(pyodide.FS.readFile(`${root}/${rel}`) as Uint8Array).toString('base64');
  writeAtomically(file, JSON.stringify(entries));
  removeStale(file, /^bytecode-.*\.json$/);
}

/**
 * Cache files of other versions (and leftover temporary files) untouched for this long are deleted
 * when a new one is written: while our packages are edited every change makes a new bytecode cache,
 * and a concurrent process on other sources keeps its own meanwhile.
 */
const STALE_MS = 10 * 60 * 1000;

function removeStale(current: string, pattern: RegExp): void {
  const dir = dirname(current);
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === current || !(pattern.test(name) || name.endsWith('.tmp'))) continue;
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) unlinkSync(path);
    } catch {
      // raced with another process: fine
    }
  }
}
