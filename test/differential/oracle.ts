/**
 * Finding and running real TensorFlow (the `.tfenv` venv made by scripts/setup-tfenv.sh).
 * Everything here answers "skip, and why" when TensorFlow is not there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Program, ProgramResult } from './program';

export const repoRoot = resolve(__dirname, '../..');
export const tfPython = join(repoRoot, '.tfenv/bin/python');
export const outputDir = join(repoRoot, 'test-output/differential');

/** Why the differential tests cannot run here, or undefined when they can. */
export function oracleUnavailable(): string | undefined {
  if (!existsSync(tfPython)) {
    return 'real TensorFlow is not installed (.tfenv missing): run `bash scripts/setup-tfenv.sh` to enable the differential tests against TensorFlow';
  }
  return undefined;
}

/** Runs programs on real TensorFlow in one process; writes the programs and results to test-output/. */
export function runOnTensorFlow(programs: Program[], name: string): { version: string; results: ProgramResult[] } {
  mkdirSync(outputDir, { recursive: true });
  const programsFile = join(outputDir, `${name}.programs.json`);
  writeFileSync(programsFile, JSON.stringify(programs));
  const res = spawnSync(tfPython, [join(repoRoot, 'scripts/tf-oracle/run_programs.py'), programsFile], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 180_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
  });
  if (res.status !== 0) {
    throw new Error(`TensorFlow oracle failed (exit ${res.status}${res.signal ? `, ${res.signal}` : ''}): ${(res.stderr ?? '').split('\n').slice(-8).join('\n')}`);
  }
  const parsed = JSON.parse(res.stdout) as { tensorflow: string; results: ProgramResult[] };
  writeFileSync(join(outputDir, `${name}.tf-results.json`), JSON.stringify(parsed.results));
  return { version: parsed.tensorflow, results: parsed.results };
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
