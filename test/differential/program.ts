/**
 * The program IR of the differential tests: a small JSON language that both interpreters run,
 * scripts/tf-oracle/run_programs.py on real TensorFlow and interpret.ts on our engine. Names are
 * bound in one environment per program; every op result, every gradient and every
 * watched_variables() call is an observation, and the first exception ends the program.
 */

export type DType = 'float16' | 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** An operand: a name in the environment, or a Python number literal (`x * 2.0`). */
export type Arg = string | { lit: number; int?: boolean };

export type Stmt =
  /** tf.constant(np.array(values, dtype).reshape(shape)) */
  | { k: 'const'; out: string; dtype: DType; shape: number[]; values: number[] }
  /** tf.Variable(tf.constant(...), name=out, trainable=trainable) */
  | { k: 'var'; out: string; dtype: DType; shape: number[]; values: number[]; trainable: boolean }
  /** out = tf.<fn>(*args, **attrs): see OPS in ops.ts for each fn's Python and TypeScript form. */
  | { k: 'op'; out: string; fn: string; args: Arg[]; attrs?: Record<string, unknown> }
  /** with tf.GradientTape(persistent=..., watch_accessed_variables=...) as out: body */
  | { k: 'tape'; out: string; persistent: boolean; watchAccessed: boolean; body: Stmt[] }
  | { k: 'watch'; tape: string; x: string }
  /** with tape.stop_recording(): body */
  | { k: 'stop'; tape: string; body: Stmt[] }
  /** outs = tape.gradient(targets (a list when several), sources (a list), unconnected_gradients=...) */
  | { k: 'grad'; tape: string; targets: string[]; sources: string[]; unconnected: 'none' | 'zero'; outs: string[] }
  | { k: 'assign'; variable: string; mode: 'assign' | 'assign_add' | 'assign_sub'; value: string }
  /** Observes [v.name for v in tape.watched_variables()]. */
  | { k: 'watched'; tape: string };

export interface Program {
  id: string;
  body: Stmt[];
}

/** A value as both sides report it. Non-finite floats are the strings 'nan', 'inf', '-inf'. */
export type Observation =
  | { at: string; kind: 'tensor'; dtype: string; shape: number[]; values: (number | string)[] }
  | { at: string; kind: 'none' }
  | { at: string; kind: 'names'; names: string[] };

export interface ProgramResult {
  id: string;
  observations: Observation[];
  /** The exception that ended the program (Python class name and str(e)). */
  error?: { at: string; type: string; message: string };
}
