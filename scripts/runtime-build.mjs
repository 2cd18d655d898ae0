// Build pieces of the Python runtime, shared by scripts/build.mjs and the runtime tests:
// - an esbuild plugin providing the virtual module `tapescope:python-sources` (every .py under
//   src/runtime/python/, embedded so dist/worker.js is self-contained);
// - the copy of Pyodide's run-time files next to the bundles (dist/pyodide/).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Keep in sync with PYODIDE_RUNTIME_FILES in src/runtime/pyodide-files.ts. */
export const PYODIDE_RUNTIME_FILES = [
  'pyodide.js',
  'pyodide.mjs',
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];

function pythonFiles(dir) {
  const found = [];
  const dirs = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '__pycache__' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) dirs.push(path);
    else if (entry.name.endsWith('.py')) found.push(path);
  }
  for (const sub of dirs) found.push(...pythonFiles(sub));
  return found;
}

export function pythonSourcesPlugin(root) {
  const pythonRoot = join(root, 'src', 'runtime', 'python');
  return {
    name: 'tapescope-python-sources',
    setup(build) {
      build.onResolve({ filter: /^tapescope:python-sources$/ }, (args) => ({ path: args.path, namespace: 'tapescope-python' }));
      build.onLoad({ filter: /.*/, namespace: 'tapescope-python' }, () => {
        const files = existsSync(pythonRoot) ? pythonFiles(pythonRoot).sort() : [];
        const sources = {};
        for (const file of files) sources[relative(pythonRoot, file).split(sep).join('/')] = readFileSync(file, 'utf8');
        const dirs = new Set([pythonRoot]);
        for (const file of files) dirs.add(join(file, '..'));
        return {
          contents: `export const pythonSources = ${JSON.stringify(sources)};`,
          loader: 'js',
          watchFiles: files,
          watchDirs: [...dirs],
        };
      });
    },
  };
}

/** Copies Pyodide's run-time files to `<outDir>/pyodide/` (skipping files already up to date). */
export function copyPyodide(root, outDir) {
  const source = join(root, 'node_modules', 'pyodide');
  if (!existsSync(join(source, 'pyodide.js'))) {
    console.warn('node_modules/pyodide is missing: run npm install (the Python runtime needs it)');
    return;
  }
  const target = join(outDir, 'pyodide');
  mkdirSync(target, { recursive: true });
  for (const name of PYODIDE_RUNTIME_FILES) {
    const from = join(source, name);
    const to = join(target, name);
    const fromStat = statSync(from);
    if (existsSync(to)) {
      const toStat = statSync(to);
      if (toStat.size === fromStat.size && toStat.mtimeMs >= fromStat.mtimeMs) continue;
    }
    copyFileSync(from, to);
  }
  // Pyodide is MPL-2.0 and its npm package ships no licence file: say where it comes from.
  const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
  writeFileSync(
    join(target, 'NOTICE.txt'),
    `These files are Pyodide ${version} (https://github.com/pyodide/pyodide), unmodified, from the npm package "pyodide".\n` +
      'Pyodide is licensed under the Mozilla Public License 2.0: https://mozilla.org/MPL/2.0/\n' +
      'Its source code is available at https://github.com/pyodide/pyodide.\n',
  );
}
