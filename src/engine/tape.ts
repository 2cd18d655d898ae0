/**
 * tf.GradientTape: what is watched, what is recorded, and the backward pass (imperative_grad).
 * Semantics follow TensorFlow's backprop.py step by step (docs/tf-semantics.md cites each rule);
 * on top of TensorFlow, every None gradient gets a reason in the trace.
 */
import type { GradientCallRecord, NoneReason, SourceLocation, SourceResult } from '../trace/types';
import { type Attrs, type Engine, type OpDef, TapeOp, getEngine, isRegisteredOp, pythonTuple } from './engine';
import { forgetSummary } from './backend';
import { TFError, runtimeError, valueError } from './errors';
import { type NumericData, type TensorData, isFloat, isInteger, releaseBuffer, stopWatchingAllocations, watchAllocations } from './dtype';
import { Tensor, Variable } from './tensor';

export type Differentiable = Tensor | Variable;

export interface GradientOptions {
  /** One upstream gradient per flattened target (null = ones). */
  outputGradients?: (Tensor | null)[];
  unconnectedGradients?: 'none' | 'zero';
  /** How the user named each source (`x0`, `layer.kernel`), for None reasons. */
  sourceLabels?: (string | undefined)[];
  loc?: SourceLocation;
  /** Python text of the sources' structure for the trace (`[x0, x1]`). */
  structure?: string;
}

/** The recorded state (TensorFlow's `_tape`): replaced on reset(), dropped after a non-persistent gradient. */
class TapeState {
  /** Tells states apart in Tensor.tapeState (never 0: that means "no state"). */
  readonly serial = ++stateSerials;
  /** Ids watched: tensors, variable handles. With the outputs of recorded ops: what the tape tracks. */
  readonly watched = new Set<number>();
  /** The recorded ops, in recording order (an op's `order` is its index here). */
  readonly ops: TapeOp[] = [];
  /**
   * Output id -> the recorded op that made it, for outputs whose own Tensor.tapeState field
   * another state already holds (nested tapes recording the same op). Most outputs need no entry:
   * the tensor itself says which op of which state made it (no hashing on the hot path).
   */
  readonly producer = new Map<number, TapeOp>();
  /** Watched variables by variable id (creation order = TensorFlow's watched_variables() order). */
  readonly watchedVariables = new Map<number, Variable>();
  constructor(readonly startSeq: number) {}

  /**
   * The recorded op that made the tensor this tape tracks as `id` (`t` is the tensor carrying it,
   * when there is one: a variable's handle id is carried by no tensor of that id).
   */
  producerOf(t: Tensor | undefined, id: number): TapeOp | undefined {
    if (t !== undefined && t.id === id && t.tapeState === this.serial) return this.ops[t.tapeIndex];
    return this.producer.size === 0 ? undefined : this.producer.get(id);
  }

  /** Whether the tape tracks `id` (carried by `t`, if any): watched, or made by a recorded op. */
  knows(t: Tensor | undefined, id: number): boolean {
    return this.producerOf(t, id) !== undefined || this.watched.has(id);
  }

  record(op: TapeOp): void {
    this.ops.push(op);
    const outputs = op.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const t = outputs[i];
      if (t.tapeState === 0 || t.tapeState === this.serial) {
        t.tapeState = this.serial;
        t.tapeIndex = op.order;
      } else this.producer.set(t.id, op);
    }
  }
}

let stateSerials = 0;

const loggedOnce = new Map<string, number>();

/** absl's log_first_n: each warning text at most n times per process. */
function logFirstN(engine: Engine, key: string, n: number, message: string): void {
  const count = loggedOnce.get(key) ?? 0;
  if (count >= n) return;
  loggedOnce.set(key, count + 1);
  engine.warn(`WARNING:tensorflow:${message}`);
}

/** Resets per-process warning counters (a fresh run behaves as a fresh process). */
export function resetWarningCounters(): void {
  loggedOnce.clear();
}

const PERSISTENT_INSIDE_WARNING =
  'Calling GradientTape.gradient on a persistent tape inside its context is significantly less efficient than calling it outside the context (it causes the gradient ops to be recorded on the tape, leading to increased CPU and memory usage). Only call GradientTape.gradient inside the context if you actually want to trace the gradient in order to compute higher order derivatives.';

/**
 * The end of a backward pass that may reuse its buffers: each op output's buffer the pass allocated
 * and does not return is dead (see GradientTape.backward), so it goes back to the pool.
 */
function releasePassBuffers(made: TensorData[], allocated: Set<NumericData>, kept: (Tensor | null)[]): void {
  for (const g of kept) if (g) allocated.delete(g.data as NumericData);
  for (const data of made) {
    // Once per buffer (outputs may share one), and only those allocated here and not kept.
    if (!allocated.delete(data as NumericData)) continue;
    forgetSummary(data);
    releaseBuffer(data as NumericData);
  }
}

/**
 * ones/zeros shaped like `like` that no tape records: TensorFlow seeds targets and fills missing
 * output gradients with fresh constants (vspace ones/zeros), not with OnesLike(target), so an
 * outer tape does not see the seed (x known to it does not make d(target)/d(target) known).
 */
function filled(engine: Engine, like: Tensor, value: 0 | 1): Tensor {
  return engine.run1('Fill', [engine.scalar(value, like.dtype)], { shape: like.shape.slice() });
}

/** The gradients that arrived for one id, summed (AddN) when several did. */
function sumGrads(engine: Engine, got: Tensor | Tensor[] | undefined): Tensor | null {
  if (got === undefined) return null;
  if (!Array.isArray(got)) return got;
  if (got.length === 1) return got[0];
  return engine.run1('AddN', got);
}

function runGradFn(engine: Engine, op: TapeOp, incoming: (Tensor | null)[], needed: readonly boolean[]): (Tensor | null)[] {
  const def: OpDef = op.def;
  if (def.noGradient === 'missing') throw new TFError('LookupError', `gradient registry has no entry for: ${def.type}`);
  if (def.noGradient || !def.grad) return op.inputs.map(() => null);
  const upstream: Tensor[] = [];
  for (let i = 0; i < incoming.length; i++) upstream.push(incoming[i] ?? filled(engine, op.outputs[i], 0));
  const previousLoc = engine.location;
  if (op.loc) engine.location = op.loc;
  try {
    const sent = def.grad({ upstream, inputs: op.inputs, outputs: op.outputs, attrs: op.attrs, needed });
    if (sent.length !== op.inputs.length) {
      throw valueError(`The gradient function of ${def.type} returned ${sent.length} gradients for ${op.inputs.length} inputs.`);
    }
    return sent;
  } finally {
    engine.location = previousLoc;
  }
}

/** The `needed` flags of one or two inputs: shared arrays (gradient functions only read them). */
const NEEDED_ONE: readonly (readonly boolean[])[] = [Object.freeze([false]), Object.freeze([true])];
const NEEDED_TWO: readonly (readonly boolean[])[] = [
  Object.freeze([false, false]),
  Object.freeze([false, true]),
  Object.freeze([true, false]),
  Object.freeze([true, true]),
];

function neededFlags(wanted: Uint8Array, at: number, count: number): readonly boolean[] {
  if (count === 1) return NEEDED_ONE[wanted[at]];
  if (count === 2) return NEEDED_TWO[wanted[at] * 2 + wanted[at + 1]];
  const flags: boolean[] = [];
  for (let i = 0; i < count; i++) flags.push(wanted[at + i] === 1);
  return flags;
}

/**
 * One backward pass over a tape's recorded ops. What it knows of each op is kept by op.order in
 * arrays of its own (not on the ops: a gradient function could start another pass over the same
 * ops), and the work per op is a method of its own (step), compiled on its own by the JIT: a pass
 * runs once per gradient() call, thousands of ops each.
 */
class BackwardPass {
  private readonly reached: Uint8Array;
  private readonly isNeeded: Uint8Array;
  /** Ops reachable backwards from the targets (in the order found). */
  readonly reachable: TapeOp[] = [];
  /** The reachable ops that depend on a source, in recording order. */
  readonly needed: TapeOp[] = [];
  /** For needed[k], whether each input wants a gradient (1): wanted[wantedAt[k] + i]. */
  private readonly wantedAt: number[] = [];
  private wanted = new Uint8Array(0);
  private knownSources = new Set<number>();
  /**
   * Gradients arrived: one tensor, or a list when several did (summed when used). The gradient of
   * the output of a needed single-output op is kept by the op's order (the usual case: no
   * hashing); any other id's in the map.
   */
  private readonly opGrads: (Tensor | Tensor[] | undefined)[];
  private readonly grads = new Map<number, Tensor | Tensor[]>();

  constructor(
    private readonly engine: Engine,
    private readonly state: TapeState,
    private readonly call: GradientCallRecord | null,
  ) {
    const opCount = state.ops.length;
    this.reached = new Uint8Array(opCount);
    this.isNeeded = new Uint8Array(opCount);
    this.opGrads = new Array<Tensor | Tensor[] | undefined>(opCount);
  }

  /**
   * Finds the needed ops: reachable backwards from the targets, depending on a source. Each id comes
   * with the tensor carrying it (undefined for a variable's handle).
   */
  plan(targets: (Tensor | undefined)[], targetIds: number[], sources: (Tensor | undefined)[], sourceIds: number[]): void {
    const state = this.state;
    const reached = this.reached;
    const opCount = reached.length;
    const stackIds: number[] = targetIds.slice();
    const stackTensors: (Tensor | undefined)[] = targets.slice();
    let inputs = 0;
    while (stackIds.length > 0) {
      const op = state.producerOf(stackTensors.pop(), stackIds.pop() as number);
      if (!op || reached[op.order] === 1) continue;
      reached[op.order] = 1;
      this.reachable.push(op);
      inputs += op.inputCount;
      for (let i = 0; i < op.inputCount; i++) {
        stackIds.push(op.inputId(i));
        stackTensors.push(op.inputs[i]);
      }
    }
    // In recording order: read off the marks when most ops were reached (a chain), else sorted.
    let ordered: TapeOp[];
    if (this.reachable.length * 4 >= opCount) {
      ordered = [];
      for (let order = 0; order < opCount; order++) if (reached[order] === 1) ordered.push(state.ops[order]);
    } else ordered = this.reachable.slice().sort((a, b) => a.order - b.order);
    // A source the tape neither watches nor produced gets None even when a recorded op consumed
    // it: TensorFlow's ComputeGradient deletes the gradient of such a tensor once its uses are done.
    this.knownSources = new Set<number>(sourceIds.filter((id, i) => state.knows(sources[i], id)));
    const wanted = (this.wanted = new Uint8Array(inputs));
    let used = 0;
    for (const op of ordered) {
      let depends = false;
      for (let i = 0; i < op.inputCount; i++) {
        const t = op.inputs[i];
        const d = this.dependent(t, op.inputId(i));
        depends ||= d;
        wanted[used + i] = d && isFloat(t.dtype) ? 1 : 0;
      }
      if (depends) {
        this.isNeeded[op.order] = 1;
        this.needed.push(op);
        this.wantedAt.push(used);
        used += op.inputCount;
      }
    }
  }

  /** Depends on a source: a known source, or made by a needed op (read once plan() is done). */
  dependent(t: Tensor | undefined, id: number): boolean {
    if (this.knownSources.has(id)) return true;
    const producer = this.state.producerOf(t, id);
    return producer !== undefined && this.isNeeded[producer.order] === 1;
  }

  /** The op order under which the gradient of `id` (carried by `t`) is kept, or -1: the map. */
  private slotOf(t: Tensor | undefined, id: number): number {
    const producer = this.state.producerOf(t, id);
    return producer !== undefined && this.isNeeded[producer.order] === 1 && producer.outputs.length === 1 ? producer.order : -1;
  }

  gradOf(t: Tensor | undefined, id: number): Tensor | null {
    const slot = this.slotOf(t, id);
    return sumGrads(this.engine, slot >= 0 ? this.opGrads[slot] : this.grads.get(id));
  }

  add(t: Tensor | undefined, id: number, g: Tensor): void {
    const slot = this.slotOf(t, id);
    const got = slot >= 0 ? this.opGrads[slot] : this.grads.get(id);
    const next = got === undefined ? g : Array.isArray(got) ? (got.push(g), got) : [got, g];
    if (slot >= 0) this.opGrads[slot] = next;
    else this.grads.set(id, next);
  }

  /** The gradient of needed[k]: what arrived at its outputs, sent on to its inputs. */
  step(k: number): void {
    const engine = this.engine;
    const op = this.needed[k];
    const incoming: (Tensor | null)[] = [];
    let arrived = false;
    for (const out of op.outputs) {
      const g = this.gradOf(out, out.id);
      incoming.push(g);
      if (g !== null) arrived = true;
    }
    if (!arrived) return;
    const firstOp = engine.lastOpId + 1;
    const inputCount = op.inputCount;
    const at = this.wantedAt[k];
    const wanted = this.wanted;
    const sent = runGradFn(engine, op, incoming, neededFlags(wanted, at, inputCount));
    // What went to each input, for the trace's backward step (null: nothing).
    const call = this.call;
    const stepSent: (Tensor | null)[] | null = call ? [] : null;
    for (let i = 0; i < inputCount; i++) {
      const g = sent[i] ?? null;
      const accepted = g !== null && wanted[at + i] === 1;
      if (accepted) this.add(op.inputs[i], op.inputId(i), g);
      if (stepSent) stepSent.push(accepted ? g : null);
    }
    if (call && stepSent) engine.recorder?.addStep(call, op.opId, incoming, stepSent, firstOp, engine.lastOpId);
  }
}

const NON_PERSISTENT_TWICE = 'A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)';

export class GradientTape {
  readonly id: number;
  readonly engine: Engine;
  private state: TapeState | null = null;
  private recording = false;
  private stoppedDepth = 0;
  private cachedWatchedVariables: Variable[] = [];
  private everEntered = false;

  constructor(
    readonly persistent = false,
    readonly watchAccessedVariables = true,
    loc?: SourceLocation,
    engine: Engine = getEngine(),
  ) {
    this.engine = engine;
    this.id = engine.allocateTapeId();
    const outer = engine.tapeStack.map((t) => t.id);
    engine.recorder?.addTape({ id: this.id, persistent, watchAccessedVariables, outerTapes: outer, ...(loc ?? engine.location ? { loc: loc ?? engine.location } : {}) });
  }

  get isRecording(): boolean {
    return this.recording;
  }

  // ---- context manager ----------------------------------------------------------------------

  /** `__enter__` (`_push_tape`): re-entering after exit keeps recording onto the same tape. */
  enter(loc?: SourceLocation): this {
    this.pushTape();
    this.event('enter', loc);
    return this;
  }

  /** `__exit__`: pops only if still recording (a non-persistent gradient() inside already popped). */
  exit(loc?: SourceLocation): void {
    if (this.recording) this.popTape();
    this.engine.activeTapes.delete(this);
    this.event('exit', loc);
  }

  private pushTape(): void {
    if (this.recording) {
      throw valueError('Tape is still recording, This can happen if you try to re-enter an already-active tape.');
    }
    if (this.state === null) this.state = new TapeState(this.engine.recorder?.nextSeq() ?? 0);
    this.engine.pushTape(this);
    this.engine.activeTapes.add(this);
    this.recording = true;
    this.everEntered = true;
  }

  private popTape(): void {
    if (!this.recording) throw valueError('Tape is not recording.');
    this.engine.removeTape(this);
    this.recording = false;
  }

  /** `with tape.stop_recording():` — returns the function that ends the block. */
  stopRecording(loc?: SourceLocation): () => void {
    if (this.state === null) throw runtimeError('Trying to stop recording a tape which is not recording.');
    this.popTape();
    this.stoppedDepth++;
    this.event('stop-recording-begin', loc);
    return () => {
      this.stoppedDepth--;
      this.pushTape();
      this.event('stop-recording-end', loc);
    };
  }

  /** Throws away everything recorded, including the watched set, and keeps recording. */
  reset(loc?: SourceLocation): void {
    this.popTape();
    this.state = null;
    this.pushTape();
    this.event('reset', loc);
  }

  private event(kind: 'enter' | 'exit' | 'stop-recording-begin' | 'stop-recording-end' | 'reset', loc?: SourceLocation): void {
    const where = loc ?? this.engine.location;
    this.engine.recorder?.addTapeEvent({ tape: this.id, kind, ...(where ? { loc: where } : {}) });
  }

  // ---- watching -----------------------------------------------------------------------------

  /** `tape.watch(x)` for one tensor or variable (the caller flattens nested structures). */
  watch(x: Differentiable, loc?: SourceLocation): void {
    if (x instanceof Variable) {
      this.watchVariable(x, 'watch', loc);
      return;
    }
    if (!isFloat(x.dtype)) {
      logFirstN(this.engine, 'watch-dtype', 5, `The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.${x.dtype}`);
    }
    // TensorFlow's watch() on a tape that was never entered does nothing useful; we mirror
    // tape.watch's need for an underlying tape by creating the state lazily.
    if (this.state === null) this.state = new TapeState(this.engine.recorder?.nextSeq() ?? 0);
    this.state.watched.add(x.id);
    const where = loc ?? this.engine.location;
    this.engine.recorder?.addTapeEvent({ tape: this.id, kind: 'watch', tensor: x.id, ...(where ? { loc: where } : {}) });
  }

  private watchVariable(v: Variable, kind: 'watch' | 'variable-accessed', loc?: SourceLocation): void {
    if (this.state === null) this.state = new TapeState(this.engine.recorder?.nextSeq() ?? 0);
    const isNew = !this.state.watchedVariables.has(v.id);
    this.state.watched.add(v.handleId);
    this.state.watchedVariables.set(v.id, v);
    if (isNew || kind === 'watch') {
      const where = loc ?? this.engine.location;
      this.engine.recorder?.addTapeEvent({ tape: this.id, kind, variable: v.id, ...(where ? { loc: where } : {}) });
    }
  }

  /** A variable was read while this tape was recording (resource_variable_ops.variable_accessed). */
  variableAccessed(v: Variable, loc?: SourceLocation): void {
    if (v.trainable && this.watchAccessedVariables) this.watchVariable(v, 'variable-accessed', loc);
  }

  /** TensorFlow's watched_variables(): a tuple in order of construction. */
  watchedVariables(): Variable[] {
    if (this.state === null) return this.cachedWatchedVariables.slice();
    return [...this.state.watchedVariables.values()].sort((a, b) => a.id - b.id);
  }

  // ---- recording ----------------------------------------------------------------------------

  /**
   * An op is recorded when one of its inputs is on this tape and has a differentiable dtype.
   * `inputIds`: the ids tracked for the inputs when they are not the inputs' own ids (else null).
   */
  shouldRecord(inputs: Tensor[], inputIds: readonly number[] | null, ignoreRecording = false): boolean {
    const state = this.state;
    if (state === null || (!ignoreRecording && !this.recording)) return false;
    for (let i = 0; i < inputs.length; i++) {
      if (state.knows(inputs[i], inputIds !== null ? inputIds[i] : inputs[i].id) && isFloat(inputs[i].dtype)) return true;
    }
    return false;
  }

  recordOp(opId: number, def: OpDef, inputs: Tensor[], inputIds: readonly number[] | null, outputs: Tensor[], attrs: Attrs, loc: SourceLocation | undefined): void {
    // tf.stop_gradient's output is not on the tape (TensorFlow records no StopGradient): a
    // gradient with respect to it is None, and ops using only it are not recorded.
    if (def.noGradient === 'stop') return;
    const state = this.state as TapeState;
    state.record(new TapeOp(opId, state.ops.length, def, inputs, inputIds, outputs, attrs, loc));
  }

  // ---- gradients ----------------------------------------------------------------------------

  /** Steps 1-2 of GradientTape.gradient: the tape must exist; stop recording if still inside. */
  private beginGradientCall(): TapeState {
    if (this.state === null) throw runtimeError(NON_PERSISTENT_TWICE);
    if (this.recording) {
      if (!this.persistent) this.popTape();
      else logFirstN(this.engine, 'persistent-inside', 1, PERSISTENT_INSIDE_WARNING);
    }
    return this.state;
  }

  private endGradientCall(): void {
    if (!this.persistent && this.state !== null) {
      this.cachedWatchedVariables = this.watchedVariables();
      this.state = null;
    }
  }

  /**
   * `tape.gradient(target, sources)` on flattened targets and sources. Returns one entry per
   * source: a tensor, or null for None (zeros with unconnectedGradients 'zero').
   */
  gradient(targets: Differentiable[], sources: Differentiable[], options: GradientOptions = {}): (Tensor | null)[] {
    return this.tracedCall('gradient', targets, sources, options, (state, call) => {
      const raw = this.backward(state, targets, sources, options.outputGradients, call, true);
      const zero = options.unconnectedGradients === 'zero';
      const returned = sources.map((s, i) => raw[i] ?? (zero ? this.zerosFor(s) : null));
      return { value: returned, raw, returned };
    });
  }

  /** `tape.jacobian(target, sources)`: result per source has shape target.shape + source.shape. */
  jacobian(
    target: Differentiable,
    sources: Differentiable[],
    options: GradientOptions & { experimentalUsePfor?: boolean } = {},
  ): (Tensor | null)[] {
    if (this.state === null) throw runtimeError(NON_PERSISTENT_TWICE);
    if (options.experimentalUsePfor === false && !this.persistent) {
      throw runtimeError('GradientTape must be created with persistent=True to compute the jacobian with eager execution enabled and with  experimental_use_pfor set to False.');
    }
    return this.tracedCall('jacobian', [target], sources, options, (state, call) => {
      const targetValue = this.valueOf(target);
      // Row j seeds the backward pass with a one-hot upstream at target element j.
      const rows = this.jacobianRows(state, target, sources, targetValue.size, call, (j) => this.oneHot(targetValue, [j]));
      const returned = sources.map((s, i) => {
        const sv = this.valueOf(s);
        const perSource = rows.map((r) => r[i]);
        if (perSource.every((g) => g === null)) return options.unconnectedGradients === 'zero' ? this.zerosWithShape(sv, [...targetValue.shape, ...sv.shape]) : null;
        const filled = perSource.map((g) => g ?? this.engine.run1('ZerosLike', [sv]));
        const stacked = filled.length === 0 ? this.zerosWithShape(sv, [0, ...sv.shape]) : this.engine.run1('Pack', filled, { axis: 0 });
        return this.engine.run1('Reshape', [stacked], { shape: [...targetValue.shape, ...sv.shape] });
      });
      return { value: returned, raw: returned, returned };
    });
  }

  /** `tape.batch_jacobian(target, source)`: per-example Jacobians, [b, y..., x...]. */
  batchJacobian(target: Differentiable, source: Differentiable, options: GradientOptions & { experimentalUsePfor?: boolean } = {}): Tensor {
    if (this.state === null) throw runtimeError(NON_PERSISTENT_TWICE);
    const targetValue = this.valueOf(target);
    const sourceValue = this.valueOf(source);
    if (targetValue.rank < 2) throw valueError(`Shape ${pythonTuple(targetValue.shape)} must have rank at least 2`);
    if (sourceValue.rank < 2) throw valueError(`Shape ${pythonTuple(sourceValue.shape)} must have rank at least 2`);
    if (targetValue.shape[0] !== sourceValue.shape[0]) {
      throw valueError(`Need first dimension of target shape (${pythonTuple(targetValue.shape)}) and source shape (${pythonTuple(sourceValue.shape)}) to match.`);
    }
    if (options.experimentalUsePfor === false && !this.persistent) {
      throw runtimeError('GradientTape must be created with persistent=True to compute the batch_jacobian with eager execution enabled and  with experimental_use_pfor set to False.');
    }
    return this.tracedCall('batch_jacobian', [target], [source], options, (state, call) => {
      const batch = targetValue.shape[0];
      const perExample = targetValue.size / batch;
      // Row j seeds element j of every example at once: examples are independent.
      const rows = this.jacobianRows(state, target, [source], perExample, call, (j) =>
        this.oneHot(targetValue, Array.from({ length: batch }, (_, b) => b * perExample + j)),
      );
      // Unconnected batch_jacobian gives zeros, not None (kept for compatibility in TensorFlow).
      const filled = rows.map((r) => r[0] ?? this.engine.run1('ZerosLike', [sourceValue]));
      const outShape = [...targetValue.shape, ...sourceValue.shape.slice(1)];
      const result =
        filled.length === 0
          ? this.zerosWithShape(sourceValue, outShape)
          : this.engine.run1('Reshape', [this.engine.run1('Pack', filled, { axis: 1 })], { shape: outShape });
      return { value: result, raw: [result], returned: [result] };
    });
  }

  /**
   * One gradient()/jacobian()/batch_jacobian() call: uses up a non-persistent tape, and records the
   * call in the trace (with its error when it raises).
   */
  private tracedCall<T>(
    kind: GradientCallRecord['kind'],
    targets: Differentiable[],
    sources: Differentiable[],
    options: GradientOptions,
    body: (state: TapeState, call: GradientCallRecord | null) => { value: T; raw: (Tensor | null)[]; returned: (Tensor | null)[] },
  ): T {
    const state = this.beginGradientCall();
    const call = this.openCallRecord(kind, targets, sources, options);
    try {
      const { value, raw, returned } = body(state, call);
      this.closeCallRecord(call, state, targets, sources, raw, returned, options);
      return value;
    } catch (err) {
      this.failCallRecord(call, err);
      throw err;
    } finally {
      this.endGradientCall();
    }
  }

  /** A tensor shaped like `like` with ones at the given flat positions (a jacobian row's seed). */
  private oneHot(like: Tensor, positions: number[]): Tensor {
    const data = new Float64Array(like.size);
    for (const p of positions) data[p] = 1;
    return this.engine.run1('Cast', [this.engine.constant('float64', like.shape.slice(), data)], { dtype: like.dtype });
  }

  private jacobianRows(
    state: TapeState,
    target: Differentiable,
    sources: Differentiable[],
    count: number,
    call: GradientCallRecord | null,
    seed: (j: number) => Tensor,
  ): (Tensor | null)[][] {
    const rows: (Tensor | null)[][] = [];
    for (let j = 0; j < count; j++) {
      // Only the first row's backward steps go into the trace: the others repeat its shape.
      rows.push(this.backward(state, [target], sources, [seed(j)], j === 0 ? call : null));
    }
    return rows;
  }

  private valueOf(x: Differentiable): Tensor {
    return x instanceof Variable ? x.value : x;
  }

  /** The tensor that carries the id a tape tracks for x: none for a variable (its handle). */
  private tensorOf(x: Differentiable): Tensor | undefined {
    return x instanceof Variable ? undefined : x;
  }

  private idOf(x: Differentiable): number {
    return x instanceof Variable ? x.handleId : x.id;
  }

  private zerosFor(x: Differentiable): Tensor {
    // TensorFlow's zeros_like(variable) reads the variable: outer tapes record the read (and
    // watch the variable), so the zeros are on them and later ops using them are recorded too.
    if (x instanceof Variable) return this.engine.run1('ZerosLike', [this.engine.readVariable(x)]);
    return this.engine.run1('ZerosLike', [this.valueOf(x)]);
  }

  private zerosWithShape(like: Tensor, shape: number[]): Tensor {
    return this.engine.run1('Fill', [this.engine.scalar(0, like.dtype)], { shape });
  }

  /**
   * imperative_grad: seeds each target with ones (or its output gradient), walks the recorded ops
   * that lie between targets and sources in reverse recording order (a valid reverse topological
   * order), and sums what reaches each source. Gradient functions run through Engine.run, so any
   * tape still recording records them (higher-order gradients).
   */
  private backward(
    state: TapeState,
    targets: Differentiable[],
    sources: Differentiable[],
    outputGradients: (Tensor | null)[] | undefined,
    call: GradientCallRecord | null,
    reuseBuffers = false,
  ): (Tensor | null)[] {
    const engine = this.engine;
    const sourceIds = sources.map((s) => this.idOf(s));
    const targetIds = targets.map((t) => this.idOf(t));
    const pass = new BackwardPass(engine, state, call);
    pass.plan(
      targets.map((t) => this.tensorOf(t)),
      targetIds,
      sources.map((s) => this.tensorOf(s)),
      sourceIds,
    );
    const needed = pass.needed;
    const sourceSet = new Set<number>(sourceIds);
    const seedTargets = targets.map((t, i) => pass.dependent(this.tensorOf(t), targetIds[i]));

    // The large buffers this pass allocates for values no one outside it can see are given back
    // at its end, for the next ops to reuse (fresh memory is costly). That is provable only when
    // no tape records the gradient ops (a tape would keep them) and every gradient function is a
    // registered op's: engine code, which keeps no tensor it makes (a tf.custom_gradient function
    // is the user's, and could). What the pass returns is kept, and so is whatever it did not
    // allocate itself (a reshape of a forward value shares the forward buffer).
    const collect = reuseBuffers && engine.tapeStack.length === 0 && needed.every((op) => isRegisteredOp(op.def));
    const allocated = new Set<NumericData>();
    const made: TensorData[] = [];
    const previousLog = watchAllocations(collect ? allocated : null);
    const previousOutputs = engine.passOutputs;
    engine.passOutputs = collect ? made : null;
    const previousCall = engine.currentGradientCall;
    if (call) engine.currentGradientCall = call.id;
    try {
      targets.forEach((t, i) => {
        const value = this.valueOf(t);
        // A target that is also a source is seeded whatever its dtype (TensorFlow's
        // sources_that_are_targets: gradient(x, x) is ones_like(x), int32 included).
        const isSource = sourceSet.has(targetIds[i]);
        // (strings and bools are never seeded: case 046 gives None for a string source-target).
        if (!isFloat(value.dtype) && !(isSource && isInteger(value.dtype))) return;
        if (!seedTargets[i] && !isSource) return;
        const given = outputGradients?.[i];
        pass.add(this.tensorOf(t), targetIds[i], given ?? filled(engine, value, 1));
      });
      for (let k = needed.length - 1; k >= 0; k--) pass.step(k);
      // Only seeding reaches a non-float source (gradients flow to float inputs alone). A source
      // the tape does not know, seeded as a target, loses its gradient when a recorded op on the
      // path consumed it (ComputeGradient deletes it once that op is done with it).
      const consumedUnknown = (i: number): boolean => {
        const id = sourceIds[i];
        if (state.knows(this.tensorOf(sources[i]), id)) return false;
        for (const op of pass.reachable) for (let i = 0; i < op.inputCount; i++) if (op.inputId(i) === id) return true;
        return false;
      };
      const result = sources.map((s, i) => (consumedUnknown(i) ? null : pass.gradOf(this.tensorOf(s), sourceIds[i])));
      if (collect && engine.tapeStack.length === 0) releasePassBuffers(made, allocated, result);
      return result;
    } finally {
      engine.currentGradientCall = previousCall;
      engine.passOutputs = previousOutputs;
      stopWatchingAllocations(previousLog);
    }
  }

  // ---- trace --------------------------------------------------------------------------------

  private openCallRecord(kind: GradientCallRecord['kind'], targets: Differentiable[], sources: Differentiable[], options: GradientOptions): GradientCallRecord | null {
    const recorder = this.engine.recorder;
    if (!recorder) return null;
    const targetIds = targets.map((t) => {
      const value = this.valueOf(t);
      recorder.addTensor(value, 'constant');
      return value.id;
    });
    const rec: GradientCallRecord = {
      id: recorder.gradientCallCount + 1,
      tape: this.id,
      kind,
      targets: targetIds,
      unconnectedGradients: options.unconnectedGradients ?? 'none',
      sources: [],
      steps: [],
      recordedOn: this.engine.tapeStack.map((t) => t.id),
      seqStart: recorder.nextSeq(),
      seqEnd: 0,
    };
    if (targets.some((t) => t instanceof Variable)) rec.targetVariables = targets.map((t) => (t instanceof Variable ? t.id : null));
    if (options.outputGradients) rec.outputGradients = options.outputGradients.map((g) => (g ? g.id : null));
    const where = options.loc ?? this.engine.location;
    if (where) rec.loc = where;
    if (options.structure) rec.structure = options.structure;
    recorder.addGradientCall(rec);
    void sources;
    return rec;
  }

  private closeCallRecord(
    call: GradientCallRecord | null,
    state: TapeState,
    targets: Differentiable[],
    sources: Differentiable[],
    raw: (Tensor | null)[],
    returned: (Tensor | null)[],
    options: GradientOptions,
  ): void {
    const recorder = this.engine.recorder;
    if (!call || !recorder) return;
    const targetIds = targets.map((t) => this.idOf(t));
    call.sources = sources.map((s, i) => {
      const result: SourceResult = { index: i, gradient: returned[i] ? (returned[i] as Tensor).id : null };
      if (s instanceof Variable) result.variable = s.id;
      else result.tensor = s.id;
      const label = options.sourceLabels?.[i];
      if (label) result.label = label;
      const g = returned[i];
      if (g) recorder.addTensor(g, 'tensor', undefined, call.id);
      if (g && g.fromIndexedSlices) result.indexedSlices = true;
      if (raw[i] === null) result.noneReason = this.explainNone(state, s, i, targetIds, options);
      return result;
    });
    call.seqEnd = recorder.nextSeq();
  }

  private failCallRecord(call: GradientCallRecord | null, err: unknown): void {
    if (!call) return;
    const e = err instanceof TFError ? { type: err.pythonType, message: err.message } : { type: 'Error', message: String(err) };
    call.error = e;
    call.seqEnd = this.engine.recorder?.nextSeq() ?? 0;
  }

  private explainNone(state: TapeState, source: Differentiable, index: number, targetIds: number[], options: GradientOptions): NoneReason {
    const recorder = this.engine.recorder;
    const value = this.valueOf(source);
    const label =
      options.sourceLabels?.[index] ??
      (source instanceof Variable ? source.name.replace(/:0$/, '') : source.name ?? `source #${index + 1}`);
    if (!isFloat(value.dtype)) {
      const code = value.dtype === 'string' ? 'string-dtype' : value.dtype === 'bool' ? 'bool-dtype' : 'integer-dtype';
      return {
        code,
        message: `${label} has dtype ${value.dtype}; only floating-point tensors have gradients`,
        fix: `make it a float: tf.cast(${label}, tf.float32), or create it with a float value (e.g. 10.0, not 10)`,
      };
    }
    if (source instanceof Variable) {
      if (!state.knows(undefined, source.handleId)) {
        if (!source.trainable) {
          return {
            code: 'not-trainable',
            message: `${label} is a tf.Variable with trainable=False, so the tape does not watch it automatically`,
            fix: `call tape.watch(${label}) inside the tape, or create it with trainable=True`,
          };
        }
        if (!this.watchAccessedVariables) {
          return {
            code: 'watch-accessed-variables-false',
            message: `the tape was created with watch_accessed_variables=False and ${label} was never passed to tape.watch()`,
            fix: `call tape.watch(${label}) inside the tape`,
          };
        }
        if (recorder?.variableReadWhileStopped(source.id, this.id)) {
          return {
            code: 'recording-stopped',
            message: `${label} was only read inside tape.stop_recording(), so the tape never watched it`,
            fix: 'use it outside the stop_recording() block',
          };
        }
        return {
          code: 'not-accessed',
          message: `${label} was never read while the tape was recording, so the tape never saw it`,
          fix: `use ${label} inside the \`with tf.GradientTape()\` block`,
        };
      }
    } else if (!state.knows(source, source.id)) {
      const fromVariable = recorder?.variableBehind(source.id);
      if (fromVariable !== undefined) {
        return {
          code: 'tensor-not-variable',
          message: `${label} is a tf.Tensor computed from the tf.Variable ${fromVariable}, not a tf.Variable itself: tensors are not watched automatically`,
          fix: `call tape.watch(${label}), or keep ${label} a tf.Variable (use assign/assign_add instead of re-binding it)`,
          tensor: source.id,
        };
      }
      return {
        code: 'not-watched',
        message: `${label} is a tf.Tensor, not a tf.Variable: the tape does not watch tensors automatically`,
        fix: `call tape.watch(${label}) inside the tape before using it`,
        tensor: source.id,
      };
    }
    const cut = recorder?.explainDisconnected(this.id, this.idOf(source), targetIds, state.startSeq, source instanceof Variable ? source.id : undefined);
    if (cut) return { ...cut, message: `${label}: ${cut.message}` };
    return {
      code: 'not-connected',
      message: `${label} is watched, but no recorded operation connects it to the target`,
      fix: `check that the target is computed from ${label} inside the tape`,
    };
  }
}

