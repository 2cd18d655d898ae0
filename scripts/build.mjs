// Bundles every front door with esbuild. Each bundle is built only when its entry exists, so the
// layers can land one at a time. `node scripts/build.mjs --watch` rebuilds on change.
import { build, context } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPyodide, pythonSourcesPlugin } from './runtime-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
// `--only=cli,worker` builds just the bundles whose output is named so (dist/<name>.js).
const onlyArg = process.argv.find((arg) => arg.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined;

/** One row per bundle: entry (relative to the repo), output, and the platform it runs on. */
const bundles = [
  // Engine as a library (used by the runtime worker and by benchmarks).
  { entry: 'src/engine/index.ts', out: 'dist/engine.js', platform: 'node', format: 'cjs' },
  // CLI (bin/tapescope.js loads it).
  { entry: 'src/cli/main.ts', out: 'dist/cli.js', platform: 'node', format: 'cjs' },
  // Runtime worker thread (runs Pyodide + our tensorflow package).
  { entry: 'src/runtime/worker.ts', out: 'dist/worker.js', platform: 'node', format: 'cjs' },
  // VS Code extension host entry.
  { entry: 'src/extension/extension.ts', out: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  // Tape view (browser).
  // Minified: the standalone page inlines both, and a smaller script parses faster (time to interactive).
  { entry: 'webview/main.ts', out: 'dist/webview.js', platform: 'browser', format: 'iife', minify: true },
  { entry: 'webview/layout-worker.ts', out: 'dist/layout-worker.js', platform: 'browser', format: 'iife', minify: true },
];

mkdirSync(join(root, 'dist'), { recursive: true });
const jobs = [];
for (const b of bundles) {
  if (!existsSync(join(root, b.entry))) continue;
  if (only && !only.has(b.out.replace(/^dist\/|\.js$/g, ''))) continue;
  const options = {
    entryPoints: [join(root, b.entry)],
    outfile: join(root, b.out),
    bundle: true,
    platform: b.platform,
    format: b.format,
    target: b.platform === 'node' ? 'node20' : 'es2022',
    sourcemap: true,
    external: b.external ?? [],
    logLevel: 'warning',
    legalComments: 'none',
    minify: b.minify ?? false,
    // The runtime worker embeds src/runtime/python/**/*.py through this virtual module.
    plugins: b.platform === 'node' ? [pythonSourcesPlugin(root)] : [],
  };
  jobs.push(watch ? context(options).then((c) => c.watch()) : build(options));
}
// The worker loads Pyodide from dist/pyodide/ (a packaged extension has no node_modules).
if (!only || only.has('worker')) copyPyodide(root, join(root, 'dist'));
await Promise.all(jobs);
if (!watch) console.log(`built ${jobs.length} bundle(s) into dist/`);
