/**
 * TensorFlow-tutorial-style scripts (test/python/scripts/*.py) run by Tapescope and compared with
 * what real TensorFlow 2.21 printed for them (`.tf-expected`, recorded with real TensorFlow). Keras 3
 * (TF 2.21) names variables `kernel` where we print Keras 2 names (`dense/kernel:0`), so those are
 * compared modulo the layer path. When real TensorFlow is installed (.tfenv), the recordings are
 * re-checked against it live, so they cannot go stale.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oracleUnavailable, tfPython } from '../differential/oracle';
import { repoRoot } from '../runtime/bundles';
import { type PythonHarness, createHarness } from './harness';

const scriptsDir = join(repoRoot, 'test/python/scripts');
const scripts = readdirSync(scriptsDir)
  .filter((name) => name.endsWith('.py'))
  .sort();

/** Keras 2's `sequential/dense/kernel:0` is Keras 3's `kernel`. */
function keras3Names(text: string): string {
  return text.replace(/([A-Za-z_0-9]+\/)+(kernel|bias):0/g, '$2');
}

let harness: PythonHarness;

beforeAll(async () => {
  harness = await createHarness();
}, 120_000);

afterAll(async () => {
  await harness?.dispose();
});

describe('tutorial-style scripts print what real TensorFlow prints', () => {
  for (const name of scripts) {
    it(name, async () => {
      const expected = readFileSync(join(scriptsDir, name.replace(/\.py$/, '.tf-expected')), 'utf8');
      const result = await harness.runFile(join(scriptsDir, name));
      expect(result.stderr.replace(/^WARNING:tensorflow:.*\n/gm, '')).toBe('');
      expect(result.status).toBe('ok');
      expect(keras3Names(result.stdout)).toBe(expected);
    }, 60_000);
  }
});

const unavailable = oracleUnavailable();
describe.skipIf(unavailable !== undefined)(`the recordings match live TensorFlow${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  for (const name of scripts) {
    it(name, async () => {
      // Asynchronous: importing TensorFlow takes seconds, and vitest's worker must stay responsive.
      const run = await promisify(execFile)(tfPython, [join(scriptsDir, name)], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
      expect(run.stdout).toBe(readFileSync(join(scriptsDir, name.replace(/\.py$/, '.tf-expected')), 'utf8'));
    }, 120_000);
  }
});
