/**
 * Differences from TensorFlow that the differential tests found and that are still open, each
 * with a minimal repro. A program whose differences match one of these is reported as "known"
 * (with the id) instead of failing the test; anything else fails it. Remove an entry when the
 * engine is fixed: the test prints how often each entry matched, so a stale one shows as 0.
 */
import type { Difference } from './compare';
import type { Program, Stmt } from './program';

export interface KnownDifference {
  id: string;
  /** What TensorFlow does, what we do, and a Python repro. */
  description: string;
  /** True when this entry explains the differences of one program. */
  matches(diffs: Difference[], program: Program): boolean;
}

function uses(program: Program, test: (s: Stmt) => boolean): boolean {
  const walk = (stmts: Stmt[]): boolean => stmts.some((s) => test(s) || ((s.k === 'tape' || s.k === 'stop') && walk(s.body)));
  return walk(program.body);
}
const usesFn = (program: Program, fn: string): boolean => uses(program, (s) => s.k === 'op' && s.fn === fn);
/** The first difference decides: later ones are its consequences (shifted observations). */
const firstTf = (diffs: Difference[], pattern: RegExp): boolean => diffs.length > 0 && pattern.test(diffs.find((d) => d.kind === 'error-type')?.tf ?? diffs[0].tf);

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    id: 'float-only-rounding-ops-on-int',
    description:
      'Floor and Ceil are float-only in TensorFlow (InvalidArgumentError "Value for attr \'T\' of int32 is not in the list of allowed values: bfloat16, half, float, double ... {{node Ceil}}"); ours accepts int32. ' +
      'Repro: tf.math.ceil(tf.constant([1]))',
    matches: (diffs) => firstTf(diffs, /\{\{node (Ceil|Floor)\}\}/),
  },
];

export function classify(diffs: Difference[], program: Program): KnownDifference | undefined {
  if (diffs.length === 0) return undefined;
  return KNOWN_DIFFERENCES.find((k) => k.matches(diffs, program));
}
