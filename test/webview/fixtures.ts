/**
 * Synthetic traces for the tape view's tests and benchmark, valid per src/trace/types.ts. They stand in
 * for engine traces until the engine lands; each is built the way the engine records a run: ops in program
 * order sharing one `seq` counter with tape events, variable reads as ReadVariableOp ops, gradient tensors
 * made by gradient ops tagged with their gradient call.
 */
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  type AttrValue,
  type BackwardStep,
  type DTypeName,
  type GradientCallRecord,
  type NoneReason,
  type ScalarValue,
  type SourceLocation,
  type SourceResult,
  type TapeEventKind,
  type TensorKind,
  type Trace,
  type ValueSnapshot,
} from '../../src/trace/types';

export const SNAPSHOT_LIMIT = 64;
export const HEAD_LENGTH = 16;

/** A value snapshot the way the engine bounds it: every element up to the limit, else head + summary. */
export function snapshot(values: number[], shape: number[], dtype: DTypeName = 'float32'): ValueSnapshot {
  const asScalar = (v: number): ScalarValue => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v);
  if (values.length <= SNAPSHOT_LIMIT) return { dtype, shape, values: values.map(asScalar) };
  const finite = values.filter((v) => Number.isFinite(v));
  const summary = {
    count: values.length,
    nanCount: values.filter((v) => Number.isNaN(v)).length,
    infCount: values.filter((v) => !Number.isNaN(v) && !Number.isFinite(v)).length,
    ...(finite.length > 0
      ? {
          min: Math.min(...finite),
          max: Math.max(...finite),
          mean: finite.reduce((a, b) => a + b, 0) / finite.length,
        }
      : {}),
  };
  return { dtype, shape, head: values.slice(0, HEAD_LENGTH).map(asScalar), summary };
}

interface TensorOptions {
  name?: string;
  loc?: SourceLocation;
  dtype?: DTypeName;
  gradientCall?: number;
}

interface OpOptions {
  loc?: SourceLocation;
  tapes?: number[];
  attrs?: Record<string, AttrValue>;
  scope?: string;
  gradientCall?: number;
  variable?: number;
  stoppedTapes?: number[];
  dtype?: DTypeName;
  gradient?: 'nondifferentiable' | 'stop' | 'missing' | 'custom';
}

/** Builds a trace one program event at a time; ids and `seq` are assigned in creation order. */
export class TraceBuilder {
  private seq = 0;
  readonly trace: Trace;

  constructor(file = 'example.py') {
    this.trace = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      program: { file, language: 'python' },
      limits: { snapshotLimit: SNAPSHOT_LIMIT, headLength: HEAD_LENGTH, maxOps: 100_000 },
      tensors: [],
      variables: [],
      ops: [],
      tapes: [],
      tapeEvents: [],
      assigns: [],
      gradients: [],
    };
  }

  loc(line: number, functionName = '<module>'): SourceLocation {
    return { file: this.trace.program?.file ?? 'example.py', line, functionName };
  }

  private addTensor(kind: TensorKind, value: number[], shape: number[], options: TensorOptions, extra: { producer?: number; outputIndex?: number; variable?: number } = {}): number {
    const id = this.trace.tensors.length;
    const dtype = options.dtype ?? 'float32';
    this.trace.tensors.push({
      id,
      kind,
      dtype,
      shape,
      value: snapshot(value, shape, dtype),
      ...extra,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.loc ? { loc: options.loc } : {}),
      ...(options.gradientCall !== undefined ? { gradientCall: options.gradientCall } : {}),
    });
    return id;
  }

  constant(value: number[] | number, shape: number[] = [], options: TensorOptions = {}): number {
    return this.addTensor('constant', Array.isArray(value) ? value : [value], shape, options);
  }

  variable(value: number[] | number, shape: number[], options: { name: string; trainable?: boolean; loc?: SourceLocation; owner?: string }): number {
    const id = this.trace.variables.length;
    const values = Array.isArray(value) ? value : [value];
    this.trace.variables.push({
      id,
      name: `${options.name}:0`,
      trainable: options.trainable ?? true,
      dtype: 'float32',
      shape,
      initial: snapshot(values, shape),
      ...(options.loc ? { loc: options.loc } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
    });
    return id;
  }

  /** Runs one op with one output; returns the output tensor id. */
  op(type: string, inputs: number[], value: number[] | number, shape: number[], options: OpOptions = {}): number {
    const opId = this.trace.ops.length;
    const kind: TensorKind = type === 'ReadVariableOp' ? 'variable-read' : 'tensor';
    const out = this.addTensor(kind, Array.isArray(value) ? value : [value], shape, { loc: options.loc, dtype: options.dtype, gradientCall: options.gradientCall }, {
      producer: opId,
      outputIndex: 0,
      ...(options.variable !== undefined && type === 'ReadVariableOp' ? { variable: options.variable } : {}),
    });
    this.trace.ops.push({
      id: opId,
      seq: this.seq++,
      type,
      attrs: options.attrs ?? {},
      inputs,
      outputs: [out],
      tapes: options.tapes ?? [],
      ...(options.variable !== undefined ? { variable: options.variable } : {}),
      ...(options.loc ? { loc: options.loc } : {}),
      ...(options.stoppedTapes ? { stoppedTapes: options.stoppedTapes } : {}),
      ...(options.gradientCall !== undefined ? { gradientCall: options.gradientCall } : {}),
      ...(options.gradient ? { gradient: options.gradient } : {}),
      ...(options.scope ? { scope: options.scope } : {}),
    });
    return out;
  }

  read(variable: number, options: Omit<OpOptions, 'variable'> = {}): number {
    const v = this.trace.variables[variable]!;
    const values = (v.initial.values ?? v.initial.head ?? []).map(Number);
    return this.op('ReadVariableOp', [], values, v.shape, { ...options, variable, attrs: { dtype: v.dtype } });
  }

  /** The op that produced a tensor. */
  producerOf(tensor: number): number {
    const producer = this.trace.tensors[tensor]?.producer;
    if (producer === undefined) throw new Error(`tensor ${tensor} has no producer`);
    return producer;
  }

  tape(options: { persistent?: boolean; watchAccessedVariables?: boolean; loc?: SourceLocation; outerTapes?: number[] } = {}): number {
    const id = this.trace.tapes.length;
    this.trace.tapes.push({
      id,
      persistent: options.persistent ?? false,
      watchAccessedVariables: options.watchAccessedVariables ?? true,
      outerTapes: options.outerTapes ?? [],
      ...(options.loc ? { loc: options.loc } : {}),
    });
    return id;
  }

  event(tape: number, kind: TapeEventKind, options: { tensor?: number; variable?: number; loc?: SourceLocation } = {}): void {
    this.trace.tapeEvents.push({ seq: this.seq++, tape, kind, ...options });
  }

  /** Starts a gradient call; returns its id. Gradient ops run after this, then `finishGradient`. */
  beginGradient(tape: number, options: { loc?: SourceLocation; targets: number[]; recordedOn?: number[]; kind?: GradientCallRecord['kind']; structure?: string }): number {
    const id = this.trace.gradients.length;
    this.trace.gradients.push({
      id,
      tape,
      kind: options.kind ?? 'gradient',
      targets: options.targets,
      unconnectedGradients: 'none',
      sources: [],
      steps: [],
      recordedOn: options.recordedOn ?? [],
      seqStart: this.seq,
      seqEnd: this.seq,
      ...(options.loc ? { loc: options.loc } : {}),
      ...(options.structure ? { structure: options.structure } : {}),
    });
    return id;
  }

  step(call: number, step: BackwardStep): void {
    this.trace.gradients[call]!.steps.push(step);
  }

  finishGradient(call: number, sources: SourceResult[]): void {
    const record = this.trace.gradients[call]!;
    record.sources = sources;
    record.seqEnd = Math.max(record.seqStart, this.seq - 1);
  }
}

const noneReason = (code: NoneReason['code'], message: string, fix?: string): NoneReason => ({ code, message, ...(fix ? { fix } : {}) });

/**
 * The seed notebook's In[14] cell: x0 trainable variable, x1 trainable=False, x2 = Variable(2.0)+1.0 (a
 * tensor), x3 a constant named x3, x4 a trainable variable never read; y = x0**2 + x1**2 + x2**2 + x3**2;
 * tape.gradient(y, [x0, x1, x2, x3, x4]) gives 6.0 for x0 and None with its own reason for the rest.
 */
export function in14Trace(): Trace {
  const b = new TraceBuilder('gradient_tape_basics.py');
  const x0 = b.variable(3.0, [], { name: 'x0', loc: b.loc(55) });
  const x1 = b.variable(3.0, [], { name: 'x1', trainable: false, loc: b.loc(56) });
  const anonymous = b.variable(2.0, [], { name: 'x2', loc: b.loc(57) });
  const anonymousRead = b.read(anonymous, { loc: b.loc(57) });
  const one = b.constant(1.0, [], { loc: b.loc(57) });
  const x2 = b.op('AddV2', [anonymousRead, one], 3.0, [], { loc: b.loc(57) });
  const x3 = b.constant(3.0, [], { name: 'x3', loc: b.loc(58) });
  const x4 = b.variable(4.0, [], { name: 'x4', loc: b.loc(59) });

  const tape = b.tape({ loc: b.loc(61) });
  b.event(tape, 'enter', { loc: b.loc(61) });
  const line = b.loc(62);
  const x0r = b.read(x0, { loc: line, tapes: [tape] });
  b.event(tape, 'variable-accessed', { variable: x0, loc: line });
  const two = () => b.constant(2.0, [], { loc: line });
  const x0sq = b.op('Pow', [x0r, two()], 9.0, [], { loc: line, tapes: [tape] });
  const x1r = b.read(x1, { loc: line });
  const x1sq = b.op('Pow', [x1r, two()], 9.0, [], { loc: line });
  const s1 = b.op('AddV2', [x0sq, x1sq], 18.0, [], { loc: line, tapes: [tape] });
  const x2sq = b.op('Pow', [x2, two()], 9.0, [], { loc: line });
  const s2 = b.op('AddV2', [s1, x2sq], 27.0, [], { loc: line, tapes: [tape] });
  const x3sq = b.op('Pow', [x3, two()], 9.0, [], { loc: line });
  const y = b.op('AddV2', [s2, x3sq], 36.0, [], { loc: line, tapes: [tape] });
  b.event(tape, 'exit', { loc: line });

  const gradLoc = b.loc(64);
  const call = b.beginGradient(tape, { loc: gradLoc, targets: [y], structure: '[x0, x1, x2, x3, x4]' });
  const g = { gradientCall: call, loc: gradLoc };
  const seed = b.op('OnesLike', [y], 1.0, [], g);
  b.step(call, { op: b.producerOf(y), upstream: [seed], sent: [seed, null], gradientOps: [] });
  b.step(call, { op: b.producerOf(s2), upstream: [seed], sent: [seed, null], gradientOps: [] });
  b.step(call, { op: b.producerOf(s1), upstream: [seed], sent: [seed, null], gradientOps: [] });
  const powGrad = b.op('Mul', [seed, x0r], 6.0, [], g);
  b.step(call, { op: b.producerOf(x0sq), upstream: [seed], sent: [powGrad, null], gradientOps: [b.producerOf(powGrad)] });
  b.step(call, { op: b.producerOf(x0r), upstream: [powGrad], sent: [], gradientOps: [] });
  b.finishGradient(call, [
    { index: 0, variable: x0, label: 'x0', gradient: powGrad },
    { index: 1, variable: x1, label: 'x1', gradient: null, noneReason: noneReason('not-trainable', 'x1 is a tf.Variable with trainable=False: the tape does not watch it automatically.', 'call tape.watch(x1) or make it trainable') },
    { index: 2, tensor: x2, label: 'x2', gradient: null, noneReason: noneReason('tensor-not-variable', 'x2 is a tf.Tensor, not a tf.Variable: it is not watched.', 'call tape.watch(x2)') },
    { index: 3, tensor: x3, label: 'x3', gradient: null, noneReason: noneReason('not-watched', 'x3 is a tf.Tensor (a constant) that was never watched.', 'call tape.watch(x3)') },
    { index: 4, variable: x4, label: 'x4', gradient: null, noneReason: noneReason('not-accessed', 'x4 is a trainable tf.Variable that was never read while the tape was recording.', 'use x4 inside the with tf.GradientTape() block') },
  ]);
  return b.trace;
}

/**
 * Nested tapes for a second derivative: outer tape t0 and inner t1 both watch x (a constant);
 * y = x**3; dy_dx = t1.gradient(y, x) runs inside t0, so t0 records the gradient ops; then
 * t0.gradient(dy_dx, x) = 6x. Also holds a dense-layer-like tensor with a NaN for value display.
 */
export function nestedTapesTrace(): Trace {
  const b = new TraceBuilder('nested.py');
  const x = b.constant(3.0, [], { name: 'x', loc: b.loc(1) });
  const outer = b.tape({ loc: b.loc(2), persistent: false });
  b.event(outer, 'enter', { loc: b.loc(2) });
  b.event(outer, 'watch', { tensor: x, loc: b.loc(3) });
  const inner = b.tape({ loc: b.loc(4), outerTapes: [outer] });
  b.event(inner, 'enter', { loc: b.loc(4) });
  b.event(inner, 'watch', { tensor: x, loc: b.loc(5) });
  const three = b.constant(3.0, [], { loc: b.loc(6) });
  const y = b.op('Pow', [x, three], 27.0, [], { loc: b.loc(6), tapes: [outer, inner] });
  b.event(inner, 'exit', { loc: b.loc(6) });
  const innerCall = b.beginGradient(inner, { loc: b.loc(7), targets: [y], recordedOn: [outer] });
  const g1 = { gradientCall: innerCall, loc: b.loc(7), tapes: [outer] };
  const seed = b.op('OnesLike', [y], 1.0, [], { ...g1, tapes: [] });
  const two = b.constant(2.0, [], { loc: b.loc(7), gradientCall: innerCall });
  const xsq = b.op('Pow', [x, two], 9.0, [], g1);
  const threeXsq = b.op('Mul', [three, xsq], 27.0, [], g1);
  const dydx = b.op('Mul', [seed, threeXsq], 27.0, [], g1);
  b.step(innerCall, { op: b.producerOf(y), upstream: [seed], sent: [dydx, null], gradientOps: [b.producerOf(xsq), b.producerOf(threeXsq), b.producerOf(dydx)] });
  b.finishGradient(innerCall, [{ index: 0, tensor: x, label: 'x', gradient: dydx }]);
  // A larger intermediate inside the outer tape (a batch of activations with one NaN), for the value views.
  const activations = Array.from({ length: 200 }, (_, i) => (i === 17 ? NaN : Math.sin(i / 7)));
  const batch = b.op('Fill', [x], activations, [10, 20], { loc: b.loc(8), tapes: [outer], scope: 'dense' });
  b.event(outer, 'exit', { loc: b.loc(8) });
  const outerCall = b.beginGradient(outer, { loc: b.loc(9), targets: [dydx] });
  const g0 = { gradientCall: outerCall, loc: b.loc(9) };
  const seed2 = b.op('OnesLike', [dydx], 1.0, [], g0);
  const d1 = b.op('Mul', [seed2, seed], 1.0, [], g0);
  b.step(outerCall, { op: b.producerOf(dydx), upstream: [seed2], sent: [null, d1], gradientOps: [] });
  const d2 = b.op('Mul', [d1, three], 3.0, [], g0);
  b.step(outerCall, { op: b.producerOf(threeXsq), upstream: [d1], sent: [null, d2], gradientOps: [] });
  const d3 = b.op('Mul', [d2, x], 18.0, [], g0);
  b.step(outerCall, { op: b.producerOf(xsq), upstream: [d2], sent: [d3, null], gradientOps: [] });
  b.finishGradient(outerCall, [{ index: 0, tensor: x, label: 'x', gradient: d3 }]);
  void batch;
  return b.trace;
}

/** A small deterministic pseudo-random generator (Park–Miller), so generated traces are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/**
 * A synthetic tape of `opCount` forward ops over a few variables, each op reading one or two recent
 * tensors (so the graph is deep and mostly local, like real programs), ending in one target; one
 * gradient call whose backward pass visits every op in reverse order.
 */
export function randomTrace(opCount: number, seed = 1): Trace {
  const random = seededRandom(seed);
  const b = new TraceBuilder('generated.py');
  const variableCount = Math.max(2, Math.min(16, Math.floor(opCount / 50)));
  const variables = Array.from({ length: variableCount }, (_, i) => b.variable(random(), [], { name: `w${i}`, loc: b.loc(1 + i), owner: `layer_${i % 4}` }));
  const tape = b.tape({ loc: b.loc(20) });
  b.event(tape, 'enter', { loc: b.loc(20) });
  const live: number[] = [];
  const types = ['AddV2', 'Mul', 'Sub', 'Tanh', 'Sigmoid', 'MatMul', 'Relu'];
  let readCount = 0;
  for (let i = 0; live.length + readCount < opCount; i++) {
    const line = 21 + (i % 200);
    if (live.length < 2 || random() < 0.08) {
      const variable = variables[Math.floor(random() * variables.length)]!;
      live.push(b.read(variable, { loc: b.loc(line), tapes: [tape], scope: `layer_${variable % 4}` }));
      readCount++;
      continue;
    }
    const type = types[Math.floor(random() * types.length)]!;
    const a = live[live.length - 1 - Math.floor(random() * Math.min(4, live.length))]!;
    const unary = type === 'Tanh' || type === 'Sigmoid' || type === 'Relu';
    const inputs = unary ? [a] : [a, live[live.length - 1 - Math.floor(random() * Math.min(8, live.length))]!];
    live.push(b.op(type, inputs, random() * 2 - 1, [], { loc: b.loc(line), tapes: [tape], scope: `layer_${Math.floor(i / 100) % 8}` }));
  }
  const target = live[live.length - 1]!;
  b.event(tape, 'exit', { loc: b.loc(230) });
  const call = b.beginGradient(tape, { loc: b.loc(231), targets: [target] });
  const forwardOps = b.trace.ops.filter((op) => op.tapes.includes(tape));
  const seedGradient = b.op('OnesLike', [target], 1.0, [], { gradientCall: call, loc: b.loc(231) });
  for (let i = forwardOps.length - 1; i >= 0; i--) {
    const op = forwardOps[i]!;
    b.step(call, { op: op.id, upstream: [seedGradient], sent: op.inputs.map(() => seedGradient), gradientOps: [] });
  }
  b.finishGradient(
    call,
    variables.map((variable, index) => ({ index, variable, label: `w${index}`, gradient: seedGradient })),
  );
  return b.trace;
}
