/**
 * The engine: op dispatch, the tape stack, variables and the trace. Every op, forward or inside a
 * gradient function, runs through `Engine.run`, so a tape that is recording while a gradient is
 * computed records the gradient ops too: that is what makes higher-order gradients work.
 */
import type { AttrValue, SourceLocation, TraceLimits } from '../trace/types';
import { type DTypeName, POOL_MIN_ELEMENTS, type TensorData, allocate, isTrainableDType, roundTo, setAllocationLimit } from './dtype';
import { TFError } from './errors';
import { Tensor, Variable } from './tensor';
import { NO_ATTRS as NO_TRACE_ATTRS, TraceRecorder, opTypeCode, snapshot } from './trace-recorder';
import type { GradientTape } from './tape';

export type Attrs = Record<string, unknown>;

export interface GradContext<A extends Attrs = Attrs> {
  /** Upstream gradient per output; outputs that got none are filled with zeros. */
  upstream: Tensor[];
  inputs: Tensor[];
  outputs: Tensor[];
  attrs: A;
  /** Which inputs need a gradient (others may be returned as null to save work). Shared: read only. */
  needed: readonly boolean[];
}

export interface OpDef<A extends Attrs = Attrs> {
  /** TensorFlow op type, as it appears in the trace and in error messages. */
  type: string;
  forward(inputs: Tensor[], attrs: A): Tensor[];
  /** Gradient built from engine ops (so it is itself differentiable); one entry per input. */
  grad?: (ctx: GradContext<A>) => (Tensor | null)[];
  /**
   * Ops with no gradient function: 'nondifferentiable' gives None (ArgMax, Equal...),
   * 'stop' is tf.stop_gradient, 'missing' raises LookupError like an unregistered gradient.
   */
  noGradient?: 'nondifferentiable' | 'stop' | 'missing';
  /** The type as the trace recorder numbers it (set by registerOp: a lookup fewer per op). */
  traceCode?: number;
}

const registry = new Map<string, OpDef>();

export function registerOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  def.traceCode = opTypeCode(def.type);
  registry.set(def.type, def as unknown as OpDef);
  return def;
}

export function getOpDef(type: string): OpDef {
  const def = registry.get(type);
  if (!def) throw new TFError('NotImplementedError', `Tapescope does not support the op ${type} yet`);
  return def;
}

/** Whether `def` is the registered op of its type (not a tf.custom_gradient's own definition). */
export function isRegisteredOp(def: OpDef): boolean {
  return registry.get(def.type) === def;
}

export function registeredOpTypes(): string[] {
  return [...registry.keys()].sort();
}

/**
 * An op as one tape recorded it: enough to run its gradient later. A class (one hidden class, no
 * per-op id array): it lives until the tape is done, one per recorded op.
 */
export class TapeOp {
  constructor(
    readonly opId: number,
    /** Position on the tape: recording order is a valid topological order for the backward pass. */
    readonly order: number,
    readonly def: OpDef,
    readonly inputs: Tensor[],
    /**
     * Ids the tape tracks for the inputs when they are not the inputs' own tensor ids (a variable's
     * handle id for ReadVariableOp, custom gradients over variables); null when they are.
     */
    readonly ids: readonly number[] | null,
    readonly outputs: Tensor[],
    readonly attrs: Attrs,
    readonly loc: SourceLocation | undefined,
  ) {}

  /** The id the tape tracks for input `i`. */
  inputId(i: number): number {
    return this.ids !== null ? this.ids[i] : this.inputs[i].id;
  }

  get inputCount(): number {
    return this.inputs.length;
  }
}

export interface EngineOptions {
  /** Record a trace (on by default; off for speed). */
  trace?: boolean;
  limits?: Partial<TraceLimits>;
  /** Largest tensor (in elements) an op may create. */
  maxTensorElements?: number;
}

/** A shape as Python prints a tuple: `()`, `(2,)`, `(2, 3)` (TensorFlow's messages use it). */
export function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Kept for the op modules that import it: allocation with the engine's size cap. */
export function allocateChecked(dtype: DTypeName, size: number): TensorData {
  return allocate(dtype, size);
}

/**
 * The attrs of an op given none: one shared object (never written: frozen), not a fresh `{}` per
 * op that a tape would keep alive.
 */
export const NO_ATTRS: Attrs & Record<string, AttrValue> = NO_TRACE_ATTRS;

function traceAttrs(attrs: Attrs): Record<string, AttrValue> {
  if (attrs === NO_ATTRS) return NO_ATTRS;
  let empty = true;
  for (const _ in attrs) {
    empty = false;
    break;
  }
  if (empty) return NO_ATTRS;
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v) && v.every((e) => typeof e === 'number')) out[k] = v as number[];
    else if (Array.isArray(v) && v.every((e) => typeof e === 'string')) out[k] = v as string[];
    else if (Array.isArray(v) && v.every((e) => typeof e === 'boolean')) out[k] = v as boolean[];
    else if (v !== undefined) out[k] = String(v);
  }
  return out;
}

export class Engine {
  /** Tapes currently recording, outermost first (TensorFlow's tape stack). */
  readonly tapeStack: GradientTape[] = [];
  /** Tapes entered and not exited, including those inside stop_recording(). */
  readonly activeTapes = new Set<GradientTape>();
  readonly recorder: TraceRecorder | null;
  /** Source location for ops that are not given one: set by the runtime before user calls. */
  location: SourceLocation | undefined;
  private readonly scopes: string[] = [];
  /** Gradient call whose backward pass is running (tags the ops it runs). */
  currentGradientCall: number | undefined;
  private nextOpId = 1;
  private nextTapeId = 1;
  /** Per-op record of what the last run() produced, for backward steps. */
  lastOpId = 0;
  /** While a backward pass collects them: the data of its op outputs large enough to be pooled (see GradientTape). */
  passOutputs: TensorData[] | null = null;

  constructor(options: EngineOptions = {}) {
    this.recorder = options.trace === false ? null : new TraceRecorder(options.limits);
    setAllocationLimit(options.maxTensorElements ?? Number.POSITIVE_INFINITY);
  }

  /** Where TensorFlow's log lines (`WARNING:tensorflow:...`, stderr in TensorFlow) go. */
  warningSink: (line: string) => void = (line) => console.error(line);

  warn(line: string): void {
    this.warningSink(line);
  }

  allocateTapeId(): number {
    return this.nextTapeId++;
  }

  // ---- scopes (Keras layers, name scopes) ---------------------------------------------------

  /** The joined scope path, kept up to date on push/pop (read on every op). */
  private scopePath: string | undefined;

  pushScope(name: string): void {
    this.scopes.push(name);
    this.scopePath = this.scopes.join('/');
  }

  popScope(): void {
    this.scopes.pop();
    this.scopePath = this.scopes.length > 0 ? this.scopes.join('/') : undefined;
  }

  get scope(): string | undefined {
    return this.scopePath;
  }

  // ---- tensors ------------------------------------------------------------------------------

  /** A constant tensor from data already in storage form. */
  constant(dtype: DTypeName, shape: number[], data: TensorData, name?: string, loc?: SourceLocation): Tensor {
    const t = new Tensor(dtype, shape, data);
    if (name !== undefined) t.name = name;
    const where = loc ?? this.location;
    this.recorder?.addTensor(t, 'constant', where, this.currentGradientCall);
    return t;
  }

  /** A constant from a JS number (rounded to the dtype). */
  scalar(value: number, dtype: DTypeName = 'float32'): Tensor {
    const data = allocateChecked(dtype, 1);
    (data as Float32Array)[0] = roundTo(dtype, value);
    return this.constant(dtype, [], data);
  }

  // ---- op dispatch --------------------------------------------------------------------------

  /** Runs an op: forward kernel, then recording on every tape that watches an input. */
  run(type: string, inputs: Tensor[], attrs: Attrs = NO_ATTRS, loc?: SourceLocation): Tensor[] {
    const def = getOpDef(type);
    const outputs = def.forward(inputs, attrs);
    this.record(def, inputs, null, outputs, attrs, loc ?? this.location);
    return outputs;
  }

  /** Same as run() for single-output ops. */
  run1(type: string, inputs: Tensor[], attrs: Attrs = NO_ATTRS, loc?: SourceLocation): Tensor {
    return this.run(type, inputs, attrs, loc)[0];
  }

  /**
   * tf.custom_gradient: records `outputs` (as fresh identity tensors, which are returned) as one op
   * whose gradient is `gradFn` instead of the ops that computed them. `inputs` may include
   * variables used inside the function (their gradients come after the inputs' in gradFn's result).
   */
  recordCustomGradient(
    name: string,
    inputs: (Tensor | Variable)[],
    outputs: Tensor[],
    gradFn: (upstream: Tensor[]) => (Tensor | null)[],
    loc?: SourceLocation,
  ): Tensor[] {
    const def: OpDef = { type: name, forward: (xs) => xs, grad: ({ upstream }) => gradFn(upstream), traceCode: opTypeCode(name) };
    const ids = inputs.map((x) => (x instanceof Variable ? x.handleId : x.id));
    const carriers = inputs.map((x) => (x instanceof Variable ? x.value : x));
    const fresh = outputs.map((t) => new Tensor(t.dtype, t.shape.slice(), t.data));
    this.record(def, carriers, ids, fresh, NO_ATTRS, loc ?? this.location, undefined, 'custom');
    return fresh;
  }

  /**
   * Records an op that ran: on every recording tape that watches an input, then in the trace.
   * `inputIds` are the ids tapes track when they are not the inputs' own ids (else null).
   */
  private record(
    def: OpDef,
    inputs: Tensor[],
    inputIds: number[] | null,
    outputs: Tensor[],
    attrs: Attrs,
    loc: SourceLocation | undefined,
    variable?: Variable,
    gradientKind?: 'custom',
  ): void {
    const opId = this.nextOpId++;
    this.lastOpId = opId;
    const passOutputs = this.passOutputs;
    if (passOutputs !== null) {
      for (let i = 0; i < outputs.length; i++) if (outputs[i].size >= POOL_MIN_ELEMENTS) passOutputs.push(outputs[i].data);
    }
    const recorder = this.recorder;
    const logged = recorder !== null && recorder.beginOp();
    const tapes = this.tapeStack;
    for (let i = 0; i < tapes.length; i++) {
      const tape = tapes[i];
      if (tape.shouldRecord(inputs, inputIds)) {
        tape.recordOp(opId, def, inputs, inputIds, outputs, attrs, loc);
        if (logged) recorder.opTape(tape.id);
      }
    }
    if (!logged) return;
    const gradientCall = this.currentGradientCall;
    for (let i = 0; i < outputs.length; i++) {
      recorder.addOutput(outputs[i], variable ? 'variable-read' : 'tensor', opId, i, loc, gradientCall, variable?.id);
    }
    // A variable read inside stop_recording() would have been watched by the paused tape.
    const stopped = variable ? this.pausedTapes() : this.stoppedTapesWatching(inputs, inputIds);
    recorder.endOp(
      opId,
      def.traceCode ?? opTypeCode(def.type),
      traceAttrs(attrs),
      inputs,
      // A custom gradient's record lists the tensors (a variable's value), not the handles.
      gradientKind ? null : inputIds,
      outputs,
      variable ? variable.id : 0,
      loc,
      gradientCall,
      def.noGradient ?? gradientKind,
      this.scope,
      stopped,
    );
  }

  private pausedTapes(): number[] | undefined {
    if (this.activeTapes.size === this.tapeStack.length) return undefined;
    const out: number[] = [];
    for (const tape of this.activeTapes) if (!tape.isRecording) out.push(tape.id);
    return out.length > 0 ? out : undefined;
  }

  /** Tapes entered but paused in stop_recording() that would have recorded this op. */
  private stoppedTapesWatching(inputs: Tensor[], inputIds: number[] | null): number[] | undefined {
    if (this.activeTapes.size === this.tapeStack.length) return undefined;
    let out: number[] | undefined;
    for (const tape of this.activeTapes) {
      if (!tape.isRecording && tape.shouldRecord(inputs, inputIds, true)) (out ??= []).push(tape.id);
    }
    return out;
  }

  // ---- variables ----------------------------------------------------------------------------

  createVariable(initial: Tensor, name: string | undefined, trainable: boolean, loc?: SourceLocation): Variable {
    // Eager TensorFlow does not uniquify variable names: every unnamed variable is 'Variable:0'.
    const v = new Variable(initial, `${name ?? 'Variable'}:0`, trainable);
    const scope = this.scope;
    if (scope) v.owner = scope;
    this.recorder?.addVariable(v, loc ?? this.location);
    return v;
  }

  /** Reads a variable: watched automatically by recording tapes when trainable (variable_accessed). */
  readVariable(v: Variable, loc?: SourceLocation, markAccessed = true): Tensor {
    // tf.stop_gradient(variable) reads it without variable_accessed: that is the one silent read.
    if (markAccessed) for (const tape of this.tapeStack) tape.variableAccessed(v, loc ?? this.location);
    const value = v.value;
    const out = new Tensor(v.dtype, v.shape.slice(), value.data);
    out.variable = v;
    this.record(READ_VARIABLE, [out], [v.handleId], [out], NO_ATTRS, loc ?? this.location, v);
    return out;
  }

  assignVariable(v: Variable, value: Tensor, mode: 'assign' | 'assign_add' | 'assign_sub', loc?: SourceLocation): void {
    // TensorFlow's assign ops end in _lazy_read, which calls variable_accessed: a trainable
    // variable assigned inside a recording tape is watched by it.
    for (const tape of this.tapeStack) tape.variableAccessed(v, loc ?? this.location);
    if (value.dtype !== v.dtype) {
      throw new TFError(
        'InvalidArgumentError',
        `cannot compute ${mode === 'assign' ? 'AssignVariableOp' : mode === 'assign_add' ? 'AssignAddVariableOp' : 'AssignSubVariableOp'} as input #1(zero-based) was expected to be a ${v.dtype === 'float32' ? 'float' : v.dtype} tensor but is a ${value.dtype === 'float32' ? 'float' : value.dtype} tensor`,
      );
    }
    let next: Tensor;
    if (mode === 'assign') {
      if (value.size !== v.value.size) {
        throw new TFError('ValueError', `Cannot assign value to variable ' ${v.name}': Shape mismatch.The variable shape ${pythonTuple(v.shape)}, and the assigned value shape ${pythonTuple(value.shape)} are incompatible.`);
      }
      next = new Tensor(v.dtype, v.shape.slice(), value.data);
    } else {
      // The update itself is not recorded on any tape: that is why assign cuts gradient paths.
      const paused = this.tapeStack.splice(0, this.tapeStack.length);
      try {
        next = this.run1(mode === 'assign_add' ? 'AddV2' : 'Sub', [new Tensor(v.dtype, v.shape.slice(), v.value.data), value], {}, loc);
      } finally {
        this.tapeStack.push(...paused);
      }
    }
    v.value = next;
    const recorder = this.recorder;
    if (recorder) {
      const where = loc ?? this.location;
      recorder.addAssign({ variable: v.id, op: mode, input: value.id, value: snapshot(next, recorder.limits), ...(where ? { loc: where } : {}) });
    }
  }

  // ---- tapes --------------------------------------------------------------------------------

  pushTape(tape: GradientTape): void {
    this.tapeStack.push(tape);
  }

  removeTape(tape: GradientTape): void {
    const i = this.tapeStack.lastIndexOf(tape);
    if (i >= 0) this.tapeStack.splice(i, 1);
  }

  isTrainable(dtype: DTypeName): boolean {
    return isTrainableDType(dtype);
  }
}

/** Reading a variable: identity from the variable's handle to the value read. */
const READ_VARIABLE: OpDef = registerOp({
  type: 'ReadVariableOp',
  forward: (inputs) => inputs,
  grad: ({ upstream }) => [upstream[0]],
});

let current: Engine = new Engine();

/** The engine ops run on. The runtime makes a fresh one per run. */
export function getEngine(): Engine {
  return current;
}

export function setEngine(engine: Engine): Engine {
  current = engine;
  return engine;
}
