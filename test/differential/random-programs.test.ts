/**
 * Differential test against real TensorFlow: seeded random programs (generator.ts) run by
 * TensorFlow 2.x in one Python process and by our engine; every value, None, shape, dtype,
 * variable-name list and exception type must agree (float tolerance per dtype).
 *
 * Skips with a message when .tfenv is missing (scripts/setup-tfenv.sh creates it).
 * DIFF_SEED / DIFF_COUNT pick other programs: `DIFF_SEED=7 DIFF_COUNT=2000 npx vitest run test/differential`.
 * Programs, TensorFlow's results and every difference are written to test-output/differential/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Difference, compareResults } from './compare';
import { generatePrograms } from './generator';
import { interpret } from './interpret';
import { KNOWN_DIFFERENCES, classify } from './known';
import { oracleUnavailable, outputDir, runOnTensorFlow } from './oracle';

const seed = Number(process.env.DIFF_SEED ?? 20261128);
const count = Number(process.env.DIFF_COUNT ?? 400);
const unavailable = oracleUnavailable();

if (unavailable) {
  console.warn(`[differential] skipped: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)('random programs: our engine vs real TensorFlow', () => {
  it(`${count} programs from seed ${seed} agree`, () => {
    const programs = generatePrograms(seed, count);
    const { version, results } = runOnTensorFlow(programs, `random-${seed}`);
    expect(results).toHaveLength(programs.length);

    const differences: Difference[] = [];
    const messages: Difference[] = [];
    const known = new Map<string, string[]>();
    let errors = 0;
    let observations = 0;
    programs.forEach((program, i) => {
      const ours = interpret(program);
      observations += results[i].observations.length;
      if (results[i].error) errors++;
      const diffs = compareResults(results[i], ours, program);
      // Error wording is compared and reported; only the types must agree for the test to pass.
      const hard = diffs.filter((d) => d.kind !== 'error-message');
      const explained = classify(hard, program);
      if (explained) known.set(explained.id, [...(known.get(explained.id) ?? []), program.id]);
      else differences.push(...hard);
      messages.push(...diffs.filter((d) => d.kind === 'error-message'));
    });
    writeFileSync(
      join(outputDir, `random-${seed}.differences.json`),
      JSON.stringify({ differences, known: Object.fromEntries(known), messages }, null, 2),
    );
    const programsWithDifferences = new Set(differences.map((d) => d.program)).size;
    console.log(
      `[differential] TensorFlow ${version}: ${programs.length} programs, ${observations} observations, ${errors} ending in an exception; ` +
        `${programsWithDifferences} programs differ, ${[...known.values()].reduce((n, l) => n + l.length, 0)} differ in known ways ` +
        `(${KNOWN_DIFFERENCES.map((k) => `${k.id}: ${known.get(k.id)?.length ?? 0}`).join(', ')}), ` +
        `${messages.length} error messages worded differently (test-output/differential/random-${seed}.differences.json)`,
    );
    expect(differences.slice(0, 20)).toEqual([]);
  }, 240_000);
});
