/**
 * Writes the trace (src/trace/types.ts) as the program runs: bounded value snapshots, ops in
 * program order, tape events, assigns, gradient calls. Also answers "why is this gradient None?"
 * from what it saw, which is the one thing TensorFlow never tells its users.
 */
import type {
  AssignEvent,
  AttrValue,
  BackwardStep,
  DTypeName,
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
import { DTYPE_BY_CODE, dtypeCode } from './dtype';
import type { Tensor, Variable } from './tensor';
import { summarizeValues } from './backend';
import { sizeOf } from './shape';

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

// ---- the logs: typed columns, not an object per record -----------------------------------------
//
// Every op leaves a tensor record and an op record that live until the trace is taken. As objects
// (with their id arrays and value snapshots) they were ~10 small long-lived objects per op, and
// copying them from scavenge to scavenge was ~40% of a traced op. So the hot path writes numbers
// into typed arrays that grow by doubling (one object each, whatever the op count), and the
// records are built from them only when the trace is read (toTrace, or explaining a None).

/** A tensor row in `tensorRows` (this many int32 fields per tensor). */
const T_ID = 0;
/** kind code (bits 0-1), dtype code (bits 2-4), 'op output' layout flag (bit 5). */
const T_FLAGS = 1;
const T_PRODUCER = 2;
const T_OUTPUT_INDEX = 3;
/** 0 = none (variable ids start at 1). */
const T_VARIABLE = 4;
/** 0 = none (gradient call ids start at 1). */
const T_GRADIENT_CALL = 5;
/** >= 0: offset of the values in `values`; < 0: -(1 + index) of a snapshot object in `snapshots`. */
const T_VALUE = 6;
/** The shape: a run of `ids`. */
const T_SHAPE_START = 7;
const T_RANK = 8;
const T_STRIDE = 9;

const OUTPUT_FLAG = 32;
const KINDS: readonly TensorKind[] = ['constant', 'tensor', 'variable-read'];

/** Index in KINDS. */
function kindCode(kind: TensorKind): number {
  return kind === 'constant' ? 0 : kind === 'tensor' ? 1 : 2;
}

/** An op row in `opRows`. Inputs, outputs and tapes are runs of `ids`. */
const O_ID = 0;
const O_SEQ = 1;
const O_IN_START = 2;
const O_IN_COUNT = 3;
const O_OUT_START = 4;
const O_OUT_COUNT = 5;
const O_TAPES_START = 6;
const O_TAPES_COUNT = 7;
const O_VARIABLE = 8;
const O_GRADIENT_CALL = 9;
/** Index into GRADIENT_KINDS. */
const O_GRADIENT = 10;
/** Index into opTypeNames. */
const O_TYPE = 11;
const O_STRIDE = 12;

/** Op types as small numbers (program-wide: the set of op types is small). */
const opTypeCodes = new Map<string, number>();
const opTypeNames: string[] = [];

export function opTypeCode(type: string): number {
  let code = opTypeCodes.get(type);
  if (code === undefined) {
    code = opTypeNames.push(type) - 1;
    opTypeCodes.set(type, code);
  }
  return code;
}

const GRADIENT_KINDS: readonly (OpRecord['gradient'] | undefined)[] = [undefined, 'nondifferentiable', 'stop', 'missing', 'custom'];
const GRADIENT_CODE: Readonly<Record<NonNullable<OpRecord['gradient']>, number>> = { nondifferentiable: 1, stop: 2, missing: 3, custom: 4 };

/** A backward step row in `stepRows`: upstream and sent ids are runs of `ids` (0 = null). */
const S_CALL_INDEX = 0;
const S_OP = 1;
const S_UP_START = 2;
const S_UP_COUNT = 3;
const S_SENT_START = 4;
const S_SENT_COUNT = 5;
/** Gradient ops run by the step: every op id in [first, last] (empty when last < first). */
const S_FIRST_OP = 6;
const S_LAST_OP = 7;
const S_STRIDE = 8;

/**
 * Column sizes at which the logs are built into records and the columns start afresh (flush()):
 * a run of this many ops keeps only columns; a longer one holds the records of the earlier ops.
 */
const FLUSH_ROWS = 32_768;
const FLUSH_IDS = 131_072;
const FLUSH_VALUES = 131_072;

/** Shared by every op no tape recorded (most ops outside tapes): one array, never written. */
const NO_TAPES: number[] = Object.freeze([]) as unknown as number[];

/** The attrs of every op that has none: one shared object, never written (frozen). */
export const NO_ATTRS: Record<string, AttrValue> = Object.freeze({}) as Record<string, AttrValue>;

/**
 * A field of a record log that seldom changes from one record to the next (source locations,
 * scopes): kept only at the rows where it changes, so the hot path compares instead of storing.
 */
class ChangeLog<T> {
  private readonly rows: number[] = [];
  private readonly values: (T | undefined)[] = [];
  private last: T | undefined = undefined;

  set(row: number, value: T | undefined): void {
    if (value === this.last) return;
    this.last = value;
    this.rows.push(row);
    this.values.push(value);
  }

  get(row: number): T | undefined {
    // The last change at or before `row` (binary search; reading is the rare path).
    let lo = 0;
    let hi = this.rows.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid] <= row) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? undefined : this.values[found];
  }
}

type IntColumn = Int32Array<ArrayBuffer>;
type FloatColumn = Float64Array<ArrayBuffer>;

/**
 * Column storage that growth replaced, by size. Nothing references it any more (columns are private
 * and never handed out), so later growth and later recorders reuse it: fresh memory is costly here
 * (the first touch of each page), and every run's recorder grows through the same sizes.
 */
const retiredBuffers = new Map<number, ArrayBuffer[]>();
const RETIRED_PER_SIZE = 4;
/** Most memory kept for reuse: enough for the columns of runs of some 10,000 ops. */
const RETIRED_MAX_BYTES = 4 * 1024 * 1024;
let retiredBytes = 0;

function columnBuffer(bytes: number): ArrayBuffer {
  const buffer = retiredBuffers.get(bytes)?.pop();
  if (buffer === undefined) return new ArrayBuffer(bytes);
  retiredBytes -= bytes;
  return buffer;
}

function retire(buffer: ArrayBuffer): void {
  if (retiredBytes + buffer.byteLength > RETIRED_MAX_BYTES) return;
  let list = retiredBuffers.get(buffer.byteLength);
  if (!list) retiredBuffers.set(buffer.byteLength, (list = []));
  if (list.length >= RETIRED_PER_SIZE) return;
  list.push(buffer);
  retiredBytes += buffer.byteLength;
}

/** A new int32 column (its old contents are never read: rows are written before they are read). */
function intColumn(length: number): IntColumn {
  return new Int32Array(columnBuffer(length * 4));
}

function grownInt(a: IntColumn, need: number): IntColumn {
  if (need <= a.length) return a;
  const b = intColumn(Math.max(need, a.length * 2));
  b.set(a);
  retire(a.buffer);
  return b;
}

function grownFloat(a: FloatColumn, need: number): FloatColumn {
  if (need <= a.length) return a;
  const b = new Float64Array(columnBuffer(Math.max(need, a.length * 2) * 8));
  b.set(a);
  retire(a.buffer);
  return b;
}

export class TraceRecorder {
  readonly limits: TraceLimits;
  private seq = 0;
  // Tensors: `tensorRows` (T_STRIDE int32 per tensor), their shapes and locations by row, names and
  // non-inline snapshots on the side (rare), element values of small numeric tensors in `values`.
  private tensorRows = intColumn(256 * T_STRIDE);
  private tensorCount = 0;
  /** Row number of the first row in the columns (rows before it are built and dropped: flush()). */
  private tensorBase = 0;
  private readonly tensorLocs = new ChangeLog<SourceLocation>();
  private readonly tensorNames = new Map<number, string>();
  private readonly snapshots: ValueSnapshot[] = [];
  private values: FloatColumn = new Float64Array(columnBuffer(1024 * 8));
  private valueCount = 0;
  // Ops: `opRows` (O_STRIDE int32 per op) and their type, attrs, location and scope by row.
  private opRows = intColumn(256 * O_STRIDE);
  private opCount = 0;
  private opBase = 0;
  /** Attrs of the ops that have some, by row. */
  private readonly opAttrs = new Map<number, Record<string, AttrValue>>();
  private readonly opLocs = new ChangeLog<SourceLocation>();
  private readonly opScopes = new ChangeLog<string>();
  private readonly opStoppedTapes = new Map<number, number[]>();
  // Backward steps of gradient calls (S_STRIDE int32 per step).
  private stepRows = intColumn(64 * S_STRIDE);
  private stepCount = 0;
  private stepBase = 0;
  /** Op inputs/outputs/tapes and step upstream/sent ids, as runs. */
  private ids = intColumn(1024);
  private idCount = 0;
  // The records built from the logs so far (extended by sync()): what toTrace() returns.
  private readonly tensors: TensorRecord[] = [];
  private readonly ops: (OpRecord & { seq: number })[] = [];
  private builtSteps = 0;
  private readonly variables: VariableRecord[] = [];
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
    return this.opCount >= this.limits.maxOps;
  }

  // ---- writing (the hot path) ---------------------------------------------------------------

  /** A tensor no op produced here (a constant, a gradient seed, a target); once per tensor. */
  addTensor(t: Tensor, kind: TensorKind, loc?: SourceLocation, gradientCall?: number): void {
    if (t.recordedBy === this || this.full) return;
    t.recordedBy = this;
    this.pushTensor(t, kind, 0, 0, 0, 0, loc, gradientCall ?? 0);
  }

  /** An op output. */
  addOutput(t: Tensor, kind: TensorKind, producer: number, outputIndex: number, loc: SourceLocation | undefined, gradientCall: number | undefined, variable: number | undefined): void {
    if (t.recordedBy === this || this.full) return;
    t.recordedBy = this;
    this.pushTensor(t, kind, OUTPUT_FLAG, producer, outputIndex, variable ?? 0, loc, gradientCall ?? 0);
  }

  private pushTensor(t: Tensor, kind: TensorKind, layout: number, producer: number, outputIndex: number, variable: number, loc: SourceLocation | undefined, gradientCall: number): void {
    const row = this.tensorCount++;
    const r = (row - this.tensorBase) * T_STRIDE;
    const rows = (this.tensorRows = grownInt(this.tensorRows, r + T_STRIDE));
    rows[r + T_ID] = t.id;
    rows[r + T_FLAGS] = kindCode(kind) | (dtypeCode(t.dtype) << 2) | layout;
    rows[r + T_PRODUCER] = producer;
    rows[r + T_OUTPUT_INDEX] = outputIndex;
    rows[r + T_VARIABLE] = variable;
    rows[r + T_GRADIENT_CALL] = gradientCall;
    // Small numeric tensors keep their elements here (a copy: snapshots are taken when recorded).
    const n = t.size;
    if (n <= this.limits.snapshotLimit && t.dtype !== 'string') {
      const start = this.valueCount;
      const values = (this.values = grownFloat(this.values, start + n));
      const data = t.data as ArrayLike<number>;
      for (let i = 0; i < n; i++) values[start + i] = data[i];
      this.valueCount = start + n;
      rows[r + T_VALUE] = start;
    } else {
      this.snapshots.push(snapshot(t, this.limits));
      rows[r + T_VALUE] = -this.snapshots.length;
    }
    const shape = t.shape;
    rows[r + T_SHAPE_START] = this.idCount;
    rows[r + T_RANK] = shape.length;
    for (let i = 0; i < shape.length; i++) this.pushId(shape[i]);
    this.tensorLocs.set(row, loc);
    if (t.name !== undefined) this.tensorNames.set(row, t.name);
  }

  /**
   * Starts an op record: its tapes are added with opTape() and its tensors with the ids given, then
   * endOp() finishes it. Returns false (and counts the op as dropped) when the trace is full.
   */
  beginOp(): boolean {
    if (this.full) {
      this.droppedOps++;
      return false;
    }
    if (this.opCount - this.opBase >= FLUSH_ROWS || this.idCount >= FLUSH_IDS || this.valueCount >= FLUSH_VALUES) this.flush();
    const r = (this.opCount - this.opBase) * O_STRIDE;
    const rows = (this.opRows = grownInt(this.opRows, r + O_STRIDE));
    rows[r + O_TAPES_START] = this.idCount;
    rows[r + O_TAPES_COUNT] = 0;
    return true;
  }

  /** A tape that recorded the op begun by beginOp(). */
  opTape(tapeId: number): void {
    this.pushId(tapeId);
    this.opRows[(this.opCount - this.opBase) * O_STRIDE + O_TAPES_COUNT]++;
  }

  /**
   * Finishes the op begun by beginOp(). Inputs are `inputIds`, else the ids of `inputs` (none for
   * a variable read).
   */
  endOp(
    id: number,
    /** opTypeCode() of the op's type. */
    typeCode: number,
    attrs: Record<string, AttrValue>,
    inputs: readonly Tensor[],
    inputIds: readonly number[] | null,
    outputs: readonly Tensor[],
    variable: number,
    loc: SourceLocation | undefined,
    gradientCall: number | undefined,
    gradient: OpRecord['gradient'],
    scope: string | undefined,
    stoppedTapes: number[] | undefined,
  ): void {
    const row = this.opCount;
    const r = (row - this.opBase) * O_STRIDE;
    const rows = this.opRows;
    rows[r + O_ID] = id;
    rows[r + O_SEQ] = this.seq++;
    // Inputs then outputs, as runs of `ids` (room made once).
    const inputCount = variable !== 0 ? 0 : inputs.length;
    let k = this.idCount;
    const ids = (this.ids = grownInt(this.ids, k + inputCount + outputs.length));
    rows[r + O_IN_START] = k;
    rows[r + O_IN_COUNT] = inputCount;
    for (let i = 0; i < inputCount; i++) ids[k++] = inputIds !== null ? inputIds[i] : inputs[i].id;
    rows[r + O_OUT_START] = k;
    rows[r + O_OUT_COUNT] = outputs.length;
    for (let i = 0; i < outputs.length; i++) ids[k++] = outputs[i].id;
    this.idCount = k;
    rows[r + O_VARIABLE] = variable;
    rows[r + O_GRADIENT_CALL] = gradientCall ?? 0;
    rows[r + O_GRADIENT] = gradient === undefined ? 0 : GRADIENT_CODE[gradient];
    rows[r + O_TYPE] = typeCode;
    if (attrs !== NO_ATTRS) this.opAttrs.set(row, attrs);
    this.opLocs.set(row, loc);
    this.opScopes.set(row, scope);
    if (stoppedTapes) this.opStoppedTapes.set(row, stoppedTapes);
    this.opCount = row + 1;
  }

  private pushId(id: number): void {
    const i = this.idCount++;
    if (i >= this.ids.length) this.ids = grownInt(this.ids, i + 1);
    this.ids[i] = id;
  }

  /**
   * One backward step of gradient call `call`: the upstream gradient per output of the op, what
   * it sent to each input (null: nothing), and the ops its gradient function ran (ids first..last).
   */
  addStep(call: GradientCallRecord, op: number, upstream: readonly (Tensor | null)[], sent: readonly (Tensor | null)[], firstOp: number, lastOp: number): void {
    // Call ids count the calls from 1 (see GradientTape.openCallRecord): no search, as a rule.
    const callIndex = this.gradients[call.id - 1] === call ? call.id - 1 : this.gradients.lastIndexOf(call);
    if (callIndex < 0) return;
    const r = (this.stepCount - this.stepBase) * S_STRIDE;
    const rows = (this.stepRows = grownInt(this.stepRows, r + S_STRIDE));
    rows[r + S_CALL_INDEX] = callIndex;
    rows[r + S_OP] = op;
    rows[r + S_UP_START] = this.idCount;
    for (let i = 0; i < upstream.length; i++) this.pushId(upstream[i]?.id ?? 0);
    rows[r + S_UP_COUNT] = upstream.length;
    rows[r + S_SENT_START] = this.idCount;
    for (let i = 0; i < sent.length; i++) this.pushId(sent[i]?.id ?? 0);
    rows[r + S_SENT_COUNT] = sent.length;
    rows[r + S_FIRST_OP] = firstOp;
    rows[r + S_LAST_OP] = lastOp;
    this.stepCount++;
  }

  // ---- reading: records built from the logs --------------------------------------------------

  /** Builds the records logged since the last call (the returned trace shares them). */
  private sync(): void {
    for (let row = this.tensors.length; row < this.tensorCount; row++) this.tensors.push(this.buildTensor(row));
    for (let row = this.ops.length; row < this.opCount; row++) this.ops.push(this.buildOp(row));
    for (; this.builtSteps < this.stepCount; this.builtSteps++) {
      const r = (this.builtSteps - this.stepBase) * S_STRIDE;
      const rows = this.stepRows;
      const step: BackwardStep = {
        op: rows[r + S_OP],
        upstream: this.idRun(rows[r + S_UP_START], rows[r + S_UP_COUNT], true) as (number | null)[],
        sent: this.idRun(rows[r + S_SENT_START], rows[r + S_SENT_COUNT], true) as (number | null)[],
        gradientOps: [],
      };
      for (let id = rows[r + S_FIRST_OP]; id <= rows[r + S_LAST_OP]; id++) step.gradientOps.push(id);
      this.gradients[rows[r + S_CALL_INDEX]].steps.push(step);
    }
  }

  /**
   * Builds every record logged so far and starts the columns afresh: called between ops when they
   * have grown large, so a long recording holds its records once (as objects) plus columns of a
   * bounded size, never both in full.
   */
  private flush(): void {
    this.sync();
    this.tensorBase = this.tensorCount;
    this.opBase = this.opCount;
    this.stepBase = this.stepCount;
    this.idCount = 0;
    this.valueCount = 0;
  }

  private idRun(start: number, count: number, zeroIsNull = false): (number | null)[] {
    const out = new Array<number | null>(count);
    for (let i = 0; i < count; i++) {
      const id = this.ids[start + i];
      out[i] = zeroIsNull && id === 0 ? null : id;
    }
    return out;
  }

  private buildTensor(row: number): TensorRecord {
    const r = (row - this.tensorBase) * T_STRIDE;
    const rows = this.tensorRows;
    const flags = rows[r + T_FLAGS];
    const kind = KINDS[flags & 3];
    const dtype = DTYPE_BY_CODE[(flags >> 2) & 7];
    const valueRef = rows[r + T_VALUE];
    let value: ValueSnapshot;
    let shape: number[];
    if (valueRef < 0) {
      value = this.snapshots[-valueRef - 1];
      shape = value.shape; // the tensor's own (shapes are never changed in place)
    } else {
      shape = this.idRun(rows[r + T_SHAPE_START], rows[r + T_RANK]) as number[];
      const n = sizeOf(shape);
      const values = new Array<ScalarValue>(n);
      for (let i = 0; i < n; i++) values[i] = scalarOf(dtype, this.values[valueRef + i]);
      value = { dtype, shape, values };
    }
    const id = rows[r + T_ID];
    const loc = this.tensorLocs.get(row);
    const gradientCall = rows[r + T_GRADIENT_CALL];
    const name = this.tensorNames.get(row);
    // Each row is built once: its side entries are the record's now.
    this.tensorNames.delete(row);
    // Key order as the records have always had it (traces are compared as text).
    if (flags & OUTPUT_FLAG) {
      const rec: TensorRecord = { id, kind, dtype, shape, producer: rows[r + T_PRODUCER], outputIndex: rows[r + T_OUTPUT_INDEX], value };
      if (rows[r + T_VARIABLE] !== 0) rec.variable = rows[r + T_VARIABLE];
      if (name !== undefined) rec.name = name;
      if (loc) rec.loc = loc;
      if (gradientCall !== 0) rec.gradientCall = gradientCall;
      return rec;
    }
    const rec: TensorRecord = { id, kind, dtype, shape, value };
    if (loc) rec.loc = loc;
    if (gradientCall !== 0) rec.gradientCall = gradientCall;
    if (name !== undefined) rec.name = name;
    return rec;
  }

  /** The attrs of op row `row`, taken out of the side map (each row is built once). */
  private takeAttrs(row: number): Record<string, AttrValue> {
    const attrs = this.opAttrs.get(row);
    if (attrs === undefined) return NO_ATTRS;
    this.opAttrs.delete(row);
    return attrs;
  }

  private buildOp(row: number): OpRecord & { seq: number } {
    const r = (row - this.opBase) * O_STRIDE;
    const rows = this.opRows;
    const rec = {
      id: rows[r + O_ID],
      type: opTypeNames[rows[r + O_TYPE]],
      attrs: this.takeAttrs(row),
      inputs: this.idRun(rows[r + O_IN_START], rows[r + O_IN_COUNT]) as number[],
      outputs: this.idRun(rows[r + O_OUT_START], rows[r + O_OUT_COUNT]) as number[],
      tapes: rows[r + O_TAPES_COUNT] === 0 ? NO_TAPES : (this.idRun(rows[r + O_TAPES_START], rows[r + O_TAPES_COUNT]) as number[]),
    } as OpRecord & { seq: number };
    if (rows[r + O_VARIABLE] !== 0) rec.variable = rows[r + O_VARIABLE];
    const loc = this.opLocs.get(row);
    if (loc) rec.loc = loc;
    if (rows[r + O_GRADIENT_CALL] !== 0) rec.gradientCall = rows[r + O_GRADIENT_CALL];
    const gradient = GRADIENT_KINDS[rows[r + O_GRADIENT]];
    if (gradient) rec.gradient = gradient;
    const scope = this.opScopes.get(row);
    if (scope) rec.scope = scope;
    const stopped = this.opStoppedTapes.get(row);
    this.opStoppedTapes.delete(row);
    if (stopped) rec.stoppedTapes = stopped;
    rec.seq = rows[r + O_SEQ];
    return rec;
  }

  /** Extends the lookup indexes over what was recorded since they were last used. */
  private ensureIndexes(): void {
    this.sync();
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
    this.sync();
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
