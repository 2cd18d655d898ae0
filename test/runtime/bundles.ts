/**
 * Builds the worker and CLI bundles the runtime and CLI tests run, from the current sources, into a
 * private folder under test-output/ (so a test never runs a stale dist/ nor races another build).
 * Pyodide is found by the worker in node_modules/ above that folder.
 */
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pythonSourcesPlugin } from '../../scripts/runtime-build.mjs';

export const repoRoot = resolve(__dirname, '..', '..');

export interface TestBundles {
  dir: string;
  worker: string;
  cli: string;
  remove(): void;
}

/** `withView`: also the tape view's browser bundles (webview.js, layout-worker.js) for `--html`. */
export async function buildTestBundles(options: { withView?: boolean } = {}): Promise<TestBundles> {
  const dir = join(repoRoot, 'test-output', `runtime-bundles-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    logLevel: 'warning' as const,
    plugins: [pythonSourcesPlugin(repoRoot)],
  };
  const browser = { bundle: true, platform: 'browser' as const, format: 'iife' as const, target: 'es2022', logLevel: 'warning' as const };
  await Promise.all([
    build({ ...common, entryPoints: [join(repoRoot, 'src/runtime/worker.ts')], outfile: join(dir, 'worker.js') }),
    build({ ...common, entryPoints: [join(repoRoot, 'src/cli/main.ts')], outfile: join(dir, 'cli.js') }),
    ...(options.withView
      ? [
          build({ ...browser, entryPoints: [join(repoRoot, 'webview/main.ts')], outfile: join(dir, 'webview.js') }),
          build({ ...browser, entryPoints: [join(repoRoot, 'webview/layout-worker.ts')], outfile: join(dir, 'layout-worker.js') }),
        ]
      : []),
  ]);
  return {
    dir,
    worker: join(dir, 'worker.js'),
    cli: join(dir, 'cli.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
