/**
 * Compares what real TensorFlow and our engine observed running the same program: every
 * observation in order (dtype, shape, values within the dtype's tolerance with NaN == NaN, None vs
 * a tensor, variable names), then the exception that ended the program (its Python type; its
 * message is compared too, and reported apart, since wording is not always ours to match).
 */
import type { Observation, Program, ProgramResult, Stmt } from './program';

export interface Difference {
  program: string;
  at: string;
  /** 'value' | 'none' | 'shape' | 'dtype' | 'names' | 'error-type' | 'error-message' | 'missing' | 'extra' */
  kind: string;
  tf: string;
  ours: string;
}

/** float32: rtol 1e-5 / atol 1e-6 as agreed; float16 has 11 significant bits; float64 is tight. */
const TOLERANCE: Record<string, { rtol: number; atol: number }> = {
  float16: { rtol: 2e-3, atol: 2e-3 },
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-9, atol: 1e-12 },
};

/**
 * The tolerance for a dtype in a program whose loosest float dtype is `loosest`: a float64 value
 * cast from a float32 one carries float32's rounding, so it is compared at float32's tolerance.
 */
function toleranceFor(dtype: string, loosest: string | undefined): { rtol: number; atol: number } | undefined {
  const own = TOLERANCE[dtype];
  const loose = loosest ? TOLERANCE[loosest] : undefined;
  if (!own || !loose) return own;
  return loose.rtol > own.rtol ? loose : own;
}

function close(a: number | string, b: number | string, dtype: string, loosest?: string): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const tol = toleranceFor(dtype, loosest);
  if (!tol) return a === b;
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(a);
}

const brief = (o: Observation | undefined): string => {
  if (!o) return '(nothing)';
  if (o.kind === 'none') return 'None';
  if (o.kind === 'names') return JSON.stringify(o.names);
  const values = o.values.length > 12 ? [...o.values.slice(0, 12), '...'] : o.values;
  return `${o.dtype}${JSON.stringify(o.shape)} ${JSON.stringify(values)}`;
};

/** The least precise float dtype a program uses (constants, variables, casts). */
export function loosestFloat(program: Program): string | undefined {
  const seen = new Set<string>();
  const walk = (stmts: Stmt[]): void => {
    for (const s of stmts) {
      if (s.k === 'const' || s.k === 'var') seen.add(s.dtype);
      if (s.k === 'op' && s.fn === 'cast') seen.add(String(s.attrs?.dtype));
      if (s.k === 'tape' || s.k === 'stop') walk(s.body);
    }
  };
  walk(program.body);
  return ['float16', 'float32', 'float64'].find((d) => seen.has(d));
}

export function compareResults(tf: ProgramResult, ours: ProgramResult, program?: Program): Difference[] {
  const loosest = program ? loosestFloat(program) : undefined;
  const diffs: Difference[] = [];
  const add = (at: string, kind: string, t: string, o: string) => diffs.push({ program: tf.id, at, kind, tf: t, ours: o });
  const n = Math.max(tf.observations.length, ours.observations.length);
  for (let i = 0; i < n; i++) {
    const a = tf.observations[i];
    const b = ours.observations[i];
    const at = a?.at ?? b?.at ?? `#${i}`;
    if (!a || !b) {
      add(at, a ? 'missing' : 'extra', brief(a), brief(b));
      break; // the rest is shifted: the error comparison below says why
    }
    if (a.kind !== b.kind) {
      add(at, a.kind === 'none' || b.kind === 'none' ? 'none' : 'kind', brief(a), brief(b));
      continue;
    }
    if (a.kind === 'names' && b.kind === 'names') {
      if (JSON.stringify(a.names) !== JSON.stringify(b.names)) add(at, 'names', brief(a), brief(b));
      continue;
    }
    if (a.kind !== 'tensor' || b.kind !== 'tensor') continue;
    if (a.dtype !== b.dtype) {
      add(at, 'dtype', brief(a), brief(b));
      continue;
    }
    if (JSON.stringify(a.shape) !== JSON.stringify(b.shape)) {
      add(at, 'shape', brief(a), brief(b));
      continue;
    }
    const bad = a.values.findIndex((v, j) => !close(v, b.values[j], a.dtype, loosest));
    if (bad >= 0) add(at, 'value', `${brief(a)} (element ${bad}: ${a.values[bad]})`, `${brief(b)} (element ${bad}: ${b.values[bad]})`);
  }
  const ea = tf.error;
  const eb = ours.error;
  if (ea || eb) {
    if (!ea || !eb || ea.type !== eb.type || ea.at !== eb.at) {
      add(ea?.at ?? eb?.at ?? '', 'error-type', ea ? `${ea.type} at ${ea.at}: ${ea.message}` : 'no error', eb ? `${eb.type} at ${eb.at}: ${eb.message}` : 'no error');
    } else if (ea.message !== eb.message) {
      add(ea.at, 'error-message', `${ea.type}: ${ea.message}`, `${eb.type}: ${eb.message}`);
    }
  }
  return diffs;
}
