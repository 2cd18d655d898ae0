/**
 * The reference cases (test/fixtures/tf-cases: TensorFlow's real stdout) and the seed example, run
 * as Python through the real runtime and our `tensorflow` package, compared byte for byte.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../runtime/bundles';
import { type PythonHarness, createHarness } from './harness';

const casesDir = join(repoRoot, 'test/fixtures/tf-cases');
const cases = readdirSync(casesDir)
  .filter((name) => name.endsWith('.py'))
  .sort();

/** Optional cases we do not pass yet, each with the reason (README lists them too). */
const KNOWN_GAPS: Record<string, string> = {};

let harness: PythonHarness;

beforeAll(async () => {
  harness = await createHarness();
}, 120_000);

afterAll(async () => {
  await harness?.dispose();
});

describe('TensorFlow reference cases, byte for byte', () => {
  for (const name of cases) {
    const expected = readFileSync(join(casesDir, name.replace(/\.py$/, '.expected')), 'utf8');
    const note = existsSync(join(casesDir, name.replace(/\.py$/, '.note')))
      ? readFileSync(join(casesDir, name.replace(/\.py$/, '.note')), 'utf8')
      : '';
    const gap = KNOWN_GAPS[name];
    if (gap) {
      it(`${name} is a known gap: ${gap}`, async () => {
        expect(note).toMatch(/OPTIONAL/);
        const result = await harness.runFile(join(casesDir, name));
        // Never a silent wrong answer: it fails with an error naming what is missing.
        expect(result.status).toBe('error');
        expect(result.stderr).toMatch(/Tapescope does not support/);
      });
      continue;
    }
    it(name, async () => {
      const result = await harness.runFile(join(casesDir, name));
      expect(result.stderr.replace(/^WARNING:tensorflow:.*\n/gm, '')).toBe('');
      expect(result.stdout).toBe(expected);
      expect(result.status).toBe('ok');
    }, 60_000);
  }
});

describe('the seed example', () => {
  it('examples/gradient_tape_basics.py prints exactly its .expected', async () => {
    const result = await harness.runFile(join(repoRoot, 'examples/gradient_tape_basics.py'));
    expect(result.stdout).toBe(readFileSync(join(repoRoot, 'examples/gradient_tape_basics.expected'), 'utf8'));
    expect(result.status).toBe('ok');
  }, 60_000);
});

describe("TensorFlow's log lines go to stderr", () => {
  it('warns about watching a non-float tensor, at most 5 times per run (log_first_n)', async () => {
    const result = await harness.runFile(join(casesDir, '046_test_string_target_none.py'));
    expect(result.stderr).toBe(
      'WARNING:tensorflow:The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.string\n'.repeat(3),
    );
    // A second run is a fresh process: the counter starts again.
    const again = await harness.runFile(join(casesDir, '018_guide_integer_watch_none.py'));
    expect(again.stderr).toBe('WARNING:tensorflow:The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32\n');
  }, 60_000);
});
