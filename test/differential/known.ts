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
    id: 'int-pow-negative-exponent',
    description:
      'Pow on integers with a negative exponent raises InvalidArgumentError "Integers to negative integer powers are not allowed" in TensorFlow; ours computes a value. ' +
      'Repro: tf.math.pow(tf.constant([2]), tf.constant([-1]))',
    matches: (diffs) => firstTf(diffs, /Integers to negative integer powers are not allowed/),
  },
  {
    id: 'int-floormod-by-zero',
    description:
      'FloorMod on integers by zero raises InvalidArgumentError "Integer division by zero [Op:FloorMod]" (like FloorDiv); ours returns a value. ' +
      'Repro: tf.math.floormod(tf.constant([3]), tf.constant([0]))',
    matches: (diffs) => firstTf(diffs, /Integer division by zero \[Op:FloorMod\]/),
  },
  {
    id: 'divide-dtype-mismatch-typeerror',
    description:
      'tf.math.divide (and `/`) checks dtypes in Python first: TypeError "`x` and `y` must have the same dtype, got tf.float32 != tf.float64." (also for int32 / float32, which we cast to float64 and compute). ' +
      'Repro: tf.math.divide(tf.constant(1.0), tf.constant(2.0, tf.float64))',
    matches: (diffs) => firstTf(diffs, /`x` and `y` must have the same dtype/),
  },
  {
    id: 'float-only-rounding-ops-on-int',
    description:
      'Floor and Ceil are float-only in TensorFlow (InvalidArgumentError "Value for attr \'T\' of int32 is not in the list of allowed values: bfloat16, half, float, double ... {{node Ceil}}"); ours accepts int32. ' +
      'Repro: tf.math.ceil(tf.constant([1]))',
    matches: (diffs) => firstTf(diffs, /\{\{node (Ceil|Floor)\}\}/),
  },
  {
    id: 'cast-float-to-int-out-of-range',
    description:
      'Cast from float to int32 of NaN/inf/out-of-range values gives INT_MIN (-2147483648) in TensorFlow (x86 conversion); ours saturates +inf to 2147483647. ' +
      'Repro: tf.cast(tf.constant([float("inf")]), tf.int32)  # TF: [-2147483648]',
    matches: (diffs) => diffs.some((d) => d.kind === 'value' && d.at.endsWith('=cast') && /-2147483648/.test(d.tf)),
  },
  {
    id: 'assign-marks-variable-accessed',
    description:
      'assign / assign_add / assign_sub inside a recording tape read the variable (_lazy_read calls variable_accessed), so a trainable variable becomes watched: watched_variables() lists it. Ours does not watch it. ' +
      'Repro: a = tf.Variable(1.0); with tf.GradientTape() as t: a.assign_add(1.0); print(t.watched_variables())  # TF: (a,)',
    matches: (diffs, program) => diffs.every((d) => d.kind === 'names') && uses(program, (s) => s.k === 'assign'),
  },
  {
    id: 'prod-gradient-nonfinite',
    description:
      "reduce_prod's gradient in TensorFlow multiplies exclusive cumulative products of the other elements (no division), so a NaN/inf among the other elements reaches each element, and a reduction over one element has gradient 1 even for a NaN input; ours divides y / x and masks zeros, which gives NaN or 0 in other places. " +
      'Repro: x = tf.constant([[float("nan")], [2.0]]); with tf.GradientTape() as t: t.watch(x); y = tf.reduce_prod(x, axis=1); print(t.gradient(y, x))  # TF: [[1.], [1.]]',
    matches: (diffs, program) => usesFn(program, 'reduce_prod') && diffs.every((d) => d.kind === 'value' && d.at.includes(':grad:')),
  },
  {
    id: 'relu-gradient-times-mask',
    description:
      'ReluGrad / Relu6Grad multiply the upstream by the 0/1 mask (inf * 0 = NaN), ours selects (gives 0): with an infinite upstream, e.g. through sqrt at 0, TensorFlow\'s gradient is NaN. ' +
      'Repro: x = tf.constant([0.0]); with tf.GradientTape() as t: t.watch(x); y = tf.sqrt(tf.nn.relu6(x)); print(t.gradient(y, x))  # TF: [nan]',
    matches: (diffs, program) =>
      (usesFn(program, 'relu6') || usesFn(program, 'relu')) && diffs.every((d) => d.kind === 'value' && d.at.includes(':grad:') && /nan/.test(d.tf)),
  },
  {
    id: 'float16-floordiv-rounding',
    description:
      'FloorDiv on float16/float32 takes floor of the quotient rounded to the dtype (Eigen divides in the dtype); ours floors the exact double quotient, so 2.9999 (which rounds to 3 in half) floors to 2. ' +
      'Repro: tf.math.floordiv(tf.constant([1.875], tf.float16), tf.constant([0.625], tf.float16)) style cases where x/y is within half an ulp below an integer',
    matches: (diffs) => diffs.length > 0 && diffs[0].kind === 'value' && diffs[0].at.endsWith('=floordiv') && /float16/.test(diffs[0].tf),
  },
];

export function classify(diffs: Difference[], program: Program): KnownDifference | undefined {
  if (diffs.length === 0) return undefined;
  return KNOWN_DIFFERENCES.find((k) => k.matches(diffs, program));
}
