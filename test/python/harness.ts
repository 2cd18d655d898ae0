/**
 * Shared set-up for the Python package tests: one real runtime (the worker bundle built from the
 * current sources, Pyodide warm after the first run) per test file, and helpers to run a program.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunRequest, type RunResult, TapescopeRuntime } from '../../src/runtime/index';
import { type TestBundles, buildTestBundles } from '../runtime/bundles';

export interface PythonHarness {
  runtime: TapescopeRuntime;
  /** Runs a file from disk. */
  runFile(file: string, extra?: Partial<RunRequest>): Promise<RunResult>;
  /** Writes `source` to a temporary `name` and runs it. */
  runSource(name: string, source: string, extra?: Partial<RunRequest>): Promise<RunResult>;
  dispose(): Promise<void>;
}

export async function createHarness(): Promise<PythonHarness> {
  const bundles: TestBundles = await buildTestBundles();
  const workDir = mkdtempSync(join(tmpdir(), 'tapescope-python-'));
  const runtime = new TapescopeRuntime({ workerPath: bundles.worker });
  return {
    runtime,
    runFile: (file, extra = {}) => runtime.run({ file, timeLimitMs: 60_000, ...extra }),
    runSource: (name, source, extra = {}) => {
      const path = join(workDir, name);
      writeFileSync(path, source);
      return runtime.run({ file: path, timeLimitMs: 60_000, ...extra });
    },
    dispose: async () => {
      await runtime.dispose();
      bundles.remove();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
