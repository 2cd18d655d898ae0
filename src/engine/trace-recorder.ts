/**
 * Writes the trace (src/trace/types.ts) as the program runs: bounded value snapshots, ops in
 * program order, tape events, assigns, gradient calls. Also answers "why is this gradient None?"
 * from what it saw, which is the one thing TensorFlow never tells its users.
 */
import type {
  AssignEvent,
  AttrValue,
  GradientCallRecord,
  NoneReason,
  OpRecord,
  ScalarValue,
  SourceLocation,
  TapeEvent,
  TapeRecord,
  TensorKind,
  TensorRecord,
  Trace,
  TraceLimits,
  ValueSnapshot,
  VariableRecord,
} from '../trace/types';
import { TRACE_FORMAT, TRACE_VERSION } from '../trace/types';
import type { Tensor, Variable } from './tensor';
import { summarizeValues } from './backend';

export const DEFAULT_LIMITS: TraceLimits = { snapshotLimit: 64, headLength: 16, maxOps: 200_000 };

function scalarOf(dtype: string, v: number | string): ScalarValue {
  if (typeof v === 'string') return v;
  if (dtype === 'bool') return v !== 0;
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}

export function snapshot(t: { dtype: Tensor['dtype']; shape: number[]; data: Tensor['data'] }, limits: TraceLimits): ValueSnapshot {
  const n = t.data.length;
  // Shapes are never changed in place, so the record shares the tensor's (one array fewer per tensor).
  const snap: ValueSnapshot = { dtype: t.dtype, shape: t.shape };
  if (n <= limits.snapshotLimit) {
    const values = new Array<ScalarValue>(n);
    for (let i = 0; i < n; i++) values[i] = scalarOf(t.dtype, t.data[i]);
    snap.values = values;
    return snap;
  }
  const headLen = Math.min(limits.headLength, n);
  const head = new Array<ScalarValue>(headLen);
  for (let i = 0; i < headLen; i++) head[i] = scalarOf(t.dtype, t.data[i]);
  snap.head = head;
  if (t.dtype === 'string' || t.dtype === 'bool') {
    snap.summary = { count: n, nanCount: 0, infCount: 0 };
    return snap;
  }
  const { min, max, mean, finite, nanCount, infCount } = summarizeValues(t.data as ArrayLike<number>);
  snap.summary = finite > 0 ? { count: n, min, max, mean, nanCount, infCount } : { count: n, nanCount, infCount };
  return snap;
}

interface OpLogEntry {
  record: OpRecord & { seq: number };
}

export class TraceRecorder {
  readonly limits: TraceLimits;
  private seq = 0;
  private readonly tensors: TensorRecord[] = [];
  private readonly variables: VariableRecord[] = [];
  private readonly ops: (OpRecord & { seq: number })[] = [];
  private readonly tapes: TapeRecord[] = [];
  private readonly tapeEvents: TapeEvent[] = [];
  private readonly assigns: AssignEvent[] = [];
  private readonly gradients: GradientCallRecord[] = [];
  private droppedOps = 0;
  // Lookup indexes, used only to explain a None: built on demand, extended incrementally, so the
  // per-op hot path pays nothing for them.
  /** tensor id -> ops that consumed it. */
  private readonly consumers = new Map<number, OpLogEntry[]>();
  /** tensor id -> index in `tensors`. */
  private readonly tensorIndex = new Map<number, number>();
  /** variable id -> reads of it, in order. */
  private readonly variableReads = new Map<number, (OpRecord & { seq: number })[]>();
  private readonly opIndex = new Map<number, OpRecord & { seq: number }>();
  private indexedTensors = 0;
  private indexedOps = 0;
  program?: Trace['program'];

  constructor(limits: Partial<TraceLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  nextSeq(): number {
    return this.seq++;
  }

  get full(): boolean {
    return this.ops.length >= this.limits.maxOps;
  }

  addTensor(t: Tensor, kind: TensorKind, extra: Partial<TensorRecord> = {}): void {
    if (t.recordedBy === this || this.full) return;
    t.recordedBy = this;
    const rec: TensorRecord = { id: t.id, kind, dtype: t.dtype, shape: t.shape, value: snapshot(t, this.limits), ...extra };
    if (t.name !== undefined) rec.name = t.name;
    this.tensors.push(rec);
  }

  /** An op output (the hot path: no spread objects). */
  addOutput(t: Tensor, kind: TensorKind, producer: number, outputIndex: number, loc: SourceLocation | undefined, gradientCall: number | undefined, variable: number | undefined): void {
    if (t.recordedBy === this || this.full) return;
    t.recordedBy = this;
    const rec: TensorRecord = { id: t.id, kind, dtype: t.dtype, shape: t.shape, producer, outputIndex, value: snapshot(t, this.limits) };
    if (variable !== undefined) rec.variable = variable;
    if (t.name !== undefined) rec.name = t.name;
    if (loc) rec.loc = loc;
    if (gradientCall !== undefined) rec.gradientCall = gradientCall;
    this.tensors.push(rec);
  }

  /** Extends the lookup indexes over what was recorded since they were last used. */
  private ensureIndexes(): void {
    for (; this.indexedTensors < this.tensors.length; this.indexedTensors++) {
      this.tensorIndex.set(this.tensors[this.indexedTensors].id, this.indexedTensors);
    }
    for (; this.indexedOps < this.ops.length; this.indexedOps++) {
      const rec = this.ops[this.indexedOps];
      this.opIndex.set(rec.id, rec);
      const entry: OpLogEntry = { record: rec };
      for (const id of rec.inputs) {
        let list = this.consumers.get(id);
        if (!list) this.consumers.set(id, (list = []));
        list.push(entry);
      }
      if (rec.type === 'ReadVariableOp' && rec.variable !== undefined) {
        let reads = this.variableReads.get(rec.variable);
        if (!reads) this.variableReads.set(rec.variable, (reads = []));
        reads.push(rec);
      }
    }
  }

  hasTensor(id: number): boolean {
    this.ensureIndexes();
    return this.tensorIndex.has(id);
  }

  tensorRecord(id: number): TensorRecord | undefined {
    this.ensureIndexes();
    const i = this.tensorIndex.get(id);
    return i === undefined ? undefined : this.tensors[i];
  }

  addVariable(v: Variable, loc?: SourceLocation): void {
    const rec: VariableRecord = {
      id: v.id,
      name: v.name,
      trainable: v.trainable,
      dtype: v.dtype,
      shape: v.shape.slice(),
      initial: snapshot(v.value, this.limits),
    };
    if (loc) rec.loc = loc;
    if (v.owner) rec.owner = v.owner;
    this.variables.push(rec);
  }

  setVariableOwner(v: Variable): void {
    const rec = this.variables.find((r) => r.id === v.id);
    if (rec && v.owner) rec.owner = v.owner;
  }

  addOp(record: OpRecord): (OpRecord & { seq: number }) | undefined {
    if (this.full) {
      this.droppedOps++;
      return undefined;
    }
    const rec = record as OpRecord & { seq: number };
    rec.seq = this.seq++;
    this.ops.push(rec);
    return rec;
  }

  addTape(rec: TapeRecord): void {
    this.tapes.push(rec);
  }

  addTapeEvent(ev: Omit<TapeEvent, 'seq'>): void {
    this.tapeEvents.push({ seq: this.seq++, ...ev });
  }

  addAssign(ev: Omit<AssignEvent, 'seq'>): void {
    this.assigns.push({ seq: this.seq++, ...ev });
  }

  addGradientCall(rec: GradientCallRecord): void {
    this.gradients.push(rec);
  }

  get gradientCallCount(): number {
    return this.gradients.length;
  }

  /**
   * Why no gradient reached `sourceId` from `targetIds` on `tapeId`, given the source was watched:
   * searches every op the program ran (recorded or not) for a path from the source to a target
   * and names the first thing on it that the tape could not differentiate.
   */
  explainDisconnected(tapeId: number, sourceId: number, targetIds: readonly number[], afterSeq: number, variableId?: number): NoneReason | null {
    this.ensureIndexes();
    const targets = new Set(targetIds);
    interface Node { id: number; cut: NoneReason | null }
    const seen = new Map<number, NoneReason | null>();
    const queue: Node[] = [{ id: sourceId, cut: null }];
    seen.set(sourceId, null);
    // A variable's path starts at the values read from it while the tape existed.
    if (variableId !== undefined) {
      for (const read of this.variableReads.get(variableId) ?? []) {
        if (read.seq < afterSeq) continue;
        const cut = read.tapes.includes(tapeId) ? null : this.classifyCut(tapeId, read, sourceId);
        for (const out of read.outputs) {
          seen.set(out, cut);
          queue.push({ id: out, cut });
        }
      }
    }
    let best: NoneReason | null = null;
    const enqueue = (id: number, cut: NoneReason | null): void => {
      if (seen.has(id) && (seen.get(id) !== null || cut === null)) return;
      seen.set(id, cut);
      queue.push({ id, cut });
    };
    while (queue.length > 0) {
      const node = queue.shift() as Node;
      if (targets.has(node.id) && node.id !== sourceId && node.cut) {
        if (!best) best = node.cut;
      }
      for (const { record: op } of this.consumers.get(node.id) ?? []) {
        if (op.seq < afterSeq && op.gradientCall === undefined) continue;
        let cut = node.cut;
        if (!cut && (!op.tapes.includes(tapeId) || op.gradient === 'stop' || op.gradient === 'nondifferentiable')) cut = this.classifyCut(tapeId, op, node.id);
        for (const out of op.outputs) enqueue(out, cut);
      }
      // Through a variable: an assign from this tensor, then a later read of the variable.
      for (const assign of this.assigns) {
        if (assign.input !== node.id) continue;
        const cut: NoneReason = node.cut ?? {
          code: 'stateful-assign',
          message: 'the value reaches the target only through a variable assign (assign/assign_add/assign_sub), which the tape cannot differentiate',
          fix: 'compute with tensors instead of assigning to a variable inside the tape, or take the gradient with respect to the variable itself',
          tensor: node.id,
        };
        for (const read of this.variableReads.get(assign.variable) ?? []) {
          if (read.seq > assign.seq) for (const out of read.outputs) enqueue(out, cut);
        }
      }
    }
    return best;
  }

  /** True when the variable was read only while `tapeId` was paused in stop_recording(). */
  variableReadWhileStopped(variableId: number, tapeId: number): boolean {
    this.ensureIndexes();
    return (this.variableReads.get(variableId) ?? []).some((op) => op.stoppedTapes?.includes(tapeId) ?? false);
  }

  /** The name of a variable the tensor was computed from (a few ops back), if any. */
  variableBehind(tensorId: number): string | undefined {
    const seen = new Set<number>();
    const queue = [tensorId];
    while (queue.length > 0 && seen.size < 64) {
      const id = queue.shift() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      const rec = this.tensorRecord(id);
      if (!rec) continue;
      if (rec.kind === 'variable-read' && rec.variable !== undefined) {
        return this.variables.find((v) => v.id === rec.variable)?.name.replace(/:0$/, '');
      }
      if (rec.producer === undefined) continue;
      const op = this.opById(rec.producer);
      if (op) queue.push(...op.inputs);
    }
    return undefined;
  }

  opById(id: number): (OpRecord & { seq: number }) | undefined {
    this.ensureIndexes();
    return this.opIndex.get(id);
  }

  private classifyCut(tapeId: number, op: OpRecord & { seq: number }, inputId: number): NoneReason {
    const input = this.tensorRecord(inputId);
    if (op.type === 'StopGradient' || op.gradient === 'stop') {
      return {
        code: 'stop-gradient',
        message: `the path to the target goes through tf.stop_gradient${op.loc ? ` (line ${op.loc.line})` : ''}, which blocks gradients`,
        fix: 'remove tf.stop_gradient from the path if this gradient is wanted',
        op: op.id,
      };
    }
    if (op.stoppedTapes?.includes(tapeId)) {
      return {
        code: 'recording-stopped',
        message: `the path to the target was computed inside tape.stop_recording()${op.loc ? ` (line ${op.loc.line})` : ''}, so the tape did not record it`,
        fix: 'move that computation out of the stop_recording() block',
        op: op.id,
      };
    }
    if (op.gradient === 'nondifferentiable') {
      return {
        code: 'nondifferentiable-op',
        message: `the path to the target goes through ${op.type}${op.loc ? ` (line ${op.loc.line})` : ''}, which has no gradient`,
        fix: `use a differentiable alternative to ${op.type}`,
        op: op.id,
      };
    }
    if (input && (input.dtype === 'int32' || input.dtype === 'int64' || input.dtype === 'bool' || input.dtype === 'string')) {
      return {
        code: 'integer-path',
        message: `the path to the target goes through a ${input.dtype} tensor${op.loc ? ` (line ${op.loc.line})` : ''}; gradients only flow through floating-point tensors`,
        fix: 'keep the computation in a float dtype (tf.cast to tf.float32 before the op)',
        op: op.id,
        tensor: inputId,
      };
    }
    return {
      code: 'not-connected',
      message: `the path to the target goes through ${op.type}${op.loc ? ` (line ${op.loc.line})` : ''}, which ran when the tape was not recording it (outside the tape, or before the source was watched)`,
      fix: 'compute the target inside the `with tf.GradientTape()` block after watching the source',
      op: op.id,
    };
  }

  toTrace(): Trace {
    const trace: Trace = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      limits: { ...this.limits },
      tensors: this.tensors,
      variables: this.variables,
      ops: this.ops,
      tapes: this.tapes,
      tapeEvents: this.tapeEvents,
      assigns: this.assigns,
      gradients: this.gradients,
    };
    if (this.program) trace.program = this.program;
    if (this.droppedOps > 0) trace.truncated = { droppedOps: this.droppedOps };
    return trace;
  }
}

export type { AttrValue };
