/**
 * The recorded-tape trace: the one contract between the engine (which writes it) and everything
 * that shows a tape (CLI, extension, webview). Plain, JSON-serialisable data with no dependencies.
 * Documented field by field in docs/trace-format.md; bump TRACE_VERSION on any breaking change.
 *
 * A trace is a program-wide log of one run: every tensor and variable the program made, every op it
 * ran (whether or not a tape recorded it, so that a `None` can be explained by what happened outside
 * the tape), every tape with its events, and every gradient()/jacobian() call as a backward pass.
 * Ids are small integers, unique per kind within one trace; arrays are in creation order.
 */

export const TRACE_FORMAT = 'tapescope-trace';
export const TRACE_VERSION = 1;

export type DTypeName = 'float16' | 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'string';

/** Where in the user's program something happened. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The function the call was made from (`<module>` at top level), when the runtime knows it. */
  functionName?: string;
}

/** JSON has no NaN/Infinity: non-finite numbers are written as these strings. */
export type NumberValue = number | 'nan' | 'inf' | '-inf';
export type ScalarValue = NumberValue | boolean | string;

/**
 * A bounded copy of a tensor's value. `values` (row-major, every element) is present when the
 * tensor has at most the trace's `snapshotLimit` elements; otherwise `summary` describes it and
 * `head` keeps its first elements.
 */
export interface ValueSnapshot {
  dtype: DTypeName;
  shape: number[];
  values?: ScalarValue[];
  head?: ScalarValue[];
  summary?: ValueSummary;
}

export interface ValueSummary {
  count: number;
  /** Over finite elements; absent when there are none (or for bool/string). */
  min?: number;
  max?: number;
  mean?: number;
  nanCount: number;
  infCount: number;
}

/** How a tensor came to be. */
export type TensorKind =
  | 'constant' // made from a literal / tf.constant / convert_to_tensor
  | 'tensor' // output of an op
  | 'variable-read'; // the value read from a tf.Variable (ReadVariableOp output)

export interface TensorRecord {
  id: number;
  kind: TensorKind;
  dtype: DTypeName;
  shape: number[];
  /** Op that produced it (absent for constants). */
  producer?: number;
  /** Index among the producer's outputs. */
  outputIndex?: number;
  /** For variable reads: the variable read. */
  variable?: number;
  /** A user-given name (`tf.constant(3.0, name='x3')`). */
  name?: string;
  value: ValueSnapshot;
  loc?: SourceLocation;
  /** Set when the tensor was made during a backward pass (a gradient or part of one). */
  gradientCall?: number;
}

export interface VariableRecord {
  id: number;
  /** TensorFlow's name, with `:0` (`x0:0`, `Variable:0`, `dense/kernel:0`). */
  name: string;
  trainable: boolean;
  dtype: DTypeName;
  shape: number[];
  /** Value when created. Later values are in `assign` events and variable-read tensors. */
  initial: ValueSnapshot;
  loc?: SourceLocation;
  /** Keras layer (or tf.Module) that owns it, when known: groups nodes in the view. */
  owner?: string;
}

export type AttrValue = number | string | boolean | null | number[] | string[] | boolean[];

export interface OpRecord {
  id: number;
  /** TensorFlow op type (`AddV2`, `Mul`, `MatMul`, `ReadVariableOp`, `StopGradient`, ...). */
  type: string;
  attrs: Record<string, AttrValue>;
  /** Tensor ids. A variable handle input (assign ops) is listed in `variable`, not here. */
  inputs: number[];
  outputs: number[];
  /** Variable read or written by this op. */
  variable?: number;
  loc?: SourceLocation;
  /** Tapes that recorded this op (it had a watched input and the tape was recording). */
  tapes: number[];
  /**
   * Tapes that were active (entered) but inside `stop_recording()` when the op ran and would
   * otherwise have recorded it: the explanation of "recorded while recording was stopped".
   */
  stoppedTapes?: number[];
  /** Set when this op ran inside a backward pass (gradient ops of gradient call N). */
  gradientCall?: number;
  /** Ops with no gradient: `nondifferentiable` (ArgMax, casts to int, ...) or `stop` (StopGradient). */
  gradient?: 'nondifferentiable' | 'stop' | 'missing' | 'custom';
  /** Keras layer / name scope active when the op ran (`dense`, `dense_1`): groups in the view. */
  scope?: string;
}

export interface TapeRecord {
  id: number;
  persistent: boolean;
  watchAccessedVariables: boolean;
  /** Where `tf.GradientTape(...)` was constructed. */
  loc?: SourceLocation;
  /** Tapes that were recording when this one was first entered (outer tapes, innermost last). */
  outerTapes: number[];
}

export type TapeEventKind =
  | 'enter'
  | 'exit'
  | 'watch' // tape.watch(tensor or variable)
  | 'variable-accessed' // a trainable variable read inside the tape was watched automatically
  | 'stop-recording-begin'
  | 'stop-recording-end'
  | 'reset';

export interface TapeEvent {
  /** Global sequence number shared with ops: events and ops interleave in program order. */
  seq: number;
  tape: number;
  kind: TapeEventKind;
  tensor?: number;
  variable?: number;
  loc?: SourceLocation;
}

/** A stateful change to a variable (assign, assign_add, assign_sub, optimizer updates). */
export interface AssignEvent {
  seq: number;
  variable: number;
  op: 'assign' | 'assign_add' | 'assign_sub';
  /** The tensor whose value went into the variable (the path the tape cannot see through). */
  input?: number;
  value: ValueSnapshot;
  loc?: SourceLocation;
}

export type NoneReasonCode =
  | 'not-watched' // a tf.Tensor that was never tape.watch()ed
  | 'tensor-not-variable' // a tf.Tensor computed from a variable (e.g. `tf.Variable(2.0) + 1.0`)
  | 'not-trainable' // a variable with trainable=False that was not watched by hand
  | 'watch-accessed-variables-false' // tape made with watch_accessed_variables=False, not watched
  | 'not-accessed' // a trainable variable that was never read while the tape was recording
  | 'integer-dtype'
  | 'string-dtype'
  | 'bool-dtype'
  | 'not-connected' // watched, but no recorded path leads from it to the target
  | 'stop-gradient' // the only paths go through tf.stop_gradient
  | 'stateful-assign' // the only paths go through a variable assign (the tape cannot see through it)
  | 'recording-stopped' // the only paths were computed inside tape.stop_recording()
  | 'nondifferentiable-op' // the only paths go through ops with no gradient (ArgMax, Round, casts to int...)
  | 'integer-path'; // the only paths go through integer or string tensors

export interface NoneReason {
  code: NoneReasonCode;
  /** One sentence for the user, naming the source: "x2 is a tf.Tensor, not a tf.Variable: ...". */
  message: string;
  /** What to do about it: "call tape.watch(x2)". */
  fix?: string;
  /** The op or tensor that cuts the path, when there is one. */
  op?: number;
  tensor?: number;
}

export interface SourceResult {
  /** Position in the flattened sources (tf.nest order). */
  index: number;
  /** The source tensor (for a variable: absent, see `variable`). */
  tensor?: number;
  variable?: number;
  /** A label as the user wrote it when the runtime knows it (`x0`, `layer.kernel`, `grad['w']`). */
  label?: string;
  /** The gradient tensor, or null for `None`. With unconnected_gradients='zero' it is a zeros tensor. */
  gradient: number | null;
  /** Why the result is None (or zeros under 'zero'): present exactly when no path carried a gradient. */
  noneReason?: NoneReason;
  /** For `tf.gather`-style sparse gradients (IndexedSlices), densified in `gradient`. */
  indexedSlices?: boolean;
}

/** One node visited by the backward pass, in visiting order. */
export interface BackwardStep {
  op: number;
  /** Upstream gradient arriving at each output of the op (tensor id, or null where none arrived). */
  upstream: (number | null)[];
  /** Gradient sent to each input of the op (tensor id, or null: none, or input not differentiable). */
  sent: (number | null)[];
  /** Ids of ops the gradient function ran (recorded on outer tapes when they are recording). */
  gradientOps: number[];
}

export interface GradientCallRecord {
  id: number;
  tape: number;
  kind: 'gradient' | 'jacobian' | 'batch_jacobian';
  loc?: SourceLocation;
  /** Flattened targets (tensor ids; a variable target is its read). */
  targets: number[];
  /** Where a target is a variable itself. */
  targetVariables?: (number | null)[];
  /** Explicit output_gradients per target (null where none / default ones). */
  outputGradients?: (number | null)[];
  unconnectedGradients: 'none' | 'zero';
  /** Shape of the returned structure, in Python notation, e.g. `[x0, x1]`, `{'w': w, 'b': b}`. */
  structure?: string;
  sources: SourceResult[];
  steps: BackwardStep[];
  /** Tapes that recorded the gradient ops (outer tapes, or the persistent tape itself): higher order. */
  recordedOn: number[];
  /** Set when the call raised; the trace still holds what happened up to the failure. */
  error?: { type: string; message: string };
  /** The gradient ops of this call ran between these sequence numbers (inclusive). */
  seqStart: number;
  seqEnd: number;
}

export interface TraceLimits {
  /** Element count up to which a value snapshot keeps every element. */
  snapshotLimit: number;
  /** Number of leading elements kept for larger tensors. */
  headLength: number;
  /** Op count after which the trace stops recording new ops (`truncated` is then set). */
  maxOps: number;
}

export interface Trace {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** The program the trace came from, when known. */
  program?: { file: string; language: 'python' | 'typescript' | 'javascript' };
  limits: TraceLimits;
  tensors: TensorRecord[];
  variables: VariableRecord[];
  /** Op `seq` values share one counter with tape events and assigns: program order. */
  ops: (OpRecord & { seq: number })[];
  tapes: TapeRecord[];
  tapeEvents: TapeEvent[];
  assigns: AssignEvent[];
  gradients: GradientCallRecord[];
  /** Set when `maxOps` was reached: later ops ran but are not in the trace. */
  truncated?: { droppedOps: number };
}
