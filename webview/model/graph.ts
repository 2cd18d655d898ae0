/**
 * Turns a `Trace` into what the view draws: the forward graph of one tape, the backward graph of one
 * gradient call, and the step list that walks them. Pure data in, pure data out (no DOM), so every rule
 * about what is drawn is tested in vitest.
 */
import type {
  GradientCallRecord,
  NoneReason,
  OpRecord,
  SourceLocation,
  TensorRecord,
  Trace,
  ValueSnapshot,
  VariableRecord,
} from '../../src/trace/types';
import { formatScalar } from './values';

export type SourceKind = 'trainable-variable' | 'non-trainable-variable' | 'constant' | 'watched-tensor' | 'unwatched-tensor';

export const SOURCE_KIND_LABEL: Record<SourceKind, string> = {
  'trainable-variable': 'trainable variable',
  'non-trainable-variable': 'non-trainable variable',
  constant: 'constant',
  'watched-tensor': 'watched tensor',
  'unwatched-tensor': 'unwatched tensor',
};

/**
 * source: a variable or tensor the tape did not compute; op: a forward op; target: what gradient() was
 * asked to differentiate; grad-op: the backward pass visiting an op; gradient: a source's gradient;
 * none: a source whose gradient is None (with its reason); group: a collapsed group of nodes.
 */
export type NodeKind = 'source' | 'op' | 'target' | 'grad-op' | 'gradient' | 'none' | 'group';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  title: string;
  subtitle?: string;
  sourceKind?: SourceKind;
  /** For sources: watched by the tape (auto-watched variable read or tape.watch). */
  watched?: boolean;
  opId?: number;
  /** The tensor whose value the node shows (op output, source tensor, gradient, upstream gradient). */
  tensorId?: number;
  variableId?: number;
  value?: ValueSnapshot;
  loc?: SourceLocation;
  /** Forward ops: recorded on this tape (false: ran while the tape was active but no input was watched). */
  recorded?: boolean;
  /** Why an op was not recorded, or other facts worth a line. */
  note?: string;
  noneReason?: NoneReason;
  /** For backward sources and results: position in the gradient call's flattened sources. */
  sourceIndex?: number;
  /** Group keys this node belongs to, per grouping mode. */
  groups: { scope?: string; line?: string };
  /** Global step index at which the node is computed; -1 when it exists from the start. */
  step: number;
  /** A passive node is never "current": it turns computed once stepping reaches `step`. */
  passive: boolean;
  /**
   * Later steps that visit the node again (sorted): a jacobian runs the backward pass once per target
   * element, visiting the same ops each time. The node is "current" at each of them.
   */
  revisits?: number[];
  /** For group nodes: ids of the nodes it stands for, and the range of their steps. */
  members?: string[];
  stepRange?: [number, number];
}

export type EdgeKind = 'data' | 'read' | 'write' | 'gradient' | 'seed' | 'result' | 'none';

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** Tensor carried (forward: the value; backward: the gradient). */
  tensorId?: number;
  /** Short text drawn on the edge (backward graphs: the gradient's value). */
  label?: string;
  /** Step at which the edge's tensor exists. */
  step: number;
}

export interface ViewGraph {
  kind: 'forward' | 'backward';
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface Step {
  index: number;
  phase: 'forward' | 'backward';
  graph: 'forward' | 'backward';
  nodeId: string;
  opId: number;
  loc?: SourceLocation;
  label: string;
}

/** One entry of the tape / gradient-call picker. */
export interface ViewChoice {
  key: string;
  tape: number;
  gradientCall?: number;
  label: string;
  /** Nesting depth (outer tapes count), for indentation. */
  depth: number;
}

export interface TapeView {
  choice: ViewChoice;
  forward: ViewGraph;
  backward?: ViewGraph;
  steps: Step[];
  forwardStepCount: number;
}

export type NodeState = 'computed' | 'current' | 'pending';

/** Fast lookups into a trace (ids are array positions per the contract, but we do not rely on it). */
export class TraceIndex {
  readonly tensors = new Map<number, TensorRecord>();
  readonly variables = new Map<number, VariableRecord>();
  readonly ops = new Map<number, OpRecord & { seq: number }>();
  constructor(readonly trace: Trace) {
    for (const t of trace.tensors) this.tensors.set(t.id, t);
    for (const v of trace.variables) this.variables.set(v.id, v);
    for (const o of trace.ops) this.ops.set(o.id, o);
  }
  tensor(id: number): TensorRecord | undefined {
    return this.tensors.get(id);
  }
  variable(id: number): VariableRecord | undefined {
    return this.variables.get(id);
  }
  op(id: number): (OpRecord & { seq: number }) | undefined {
    return this.ops.get(id);
  }
}

const lineText = (loc: SourceLocation | undefined): string | undefined => (loc ? `line ${loc.line}` : undefined);

/** Variable name without TensorFlow's `:0` suffix. */
export function shortVariableName(variable: VariableRecord): string {
  return variable.name.replace(/:\d+$/, '');
}

export function nodeState(node: GraphNode, current: number): NodeState {
  if (node.stepRange) {
    const [first, last] = node.stepRange;
    if (current < first) return 'pending';
    if (current > last) return 'computed';
    return 'current';
  }
  if (node.step < current) return node.revisits && sortedIncludes(node.revisits, current) ? 'current' : 'computed';
  if (node.step === current) return node.passive ? 'computed' : 'current';
  return 'pending';
}

function sortedIncludes(values: readonly number[], wanted: number): boolean {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] === wanted) return true;
    if (values[mid]! < wanted) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function edgeState(edge: GraphEdge, current: number): NodeState {
  return edge.step <= current ? 'computed' : 'pending';
}

/** Every tape and gradient call, in the order a user would pick them. */
export function listChoices(trace: Trace): ViewChoice[] {
  const choices: (ViewChoice & { seq: number })[] = [];
  for (const tape of trace.tapes) {
    const where = tape.loc ? ` (line ${tape.loc.line})` : '';
    const nesting = tape.outerTapes.length ? `, inside tape ${tape.outerTapes.join(', ')}` : '';
    const calls = trace.gradients.filter((g) => g.tape === tape.id);
    if (calls.length === 0) {
      const entered = trace.tapeEvents.find((e) => e.tape === tape.id)?.seq ?? Number.MAX_SAFE_INTEGER;
      choices.push({ key: `tape:${tape.id}`, tape: tape.id, label: `Tape ${tape.id}${where}${nesting}: no gradient call`, depth: tape.outerTapes.length, seq: entered });
    }
    for (const call of calls) {
      const at = call.loc ? ` at line ${call.loc.line}` : '';
      const recorded = call.recordedOn.length ? `, recorded on tape ${call.recordedOn.join(', ')}` : '';
      const failed = call.error ? ` (raised ${call.error.type})` : '';
      choices.push({
        key: `gradient:${call.id}`,
        tape: tape.id,
        gradientCall: call.id,
        label: `Tape ${tape.id}${where}${nesting} → ${call.kind} ${call.id}${at}${recorded}${failed}`,
        depth: tape.outerTapes.length,
        seq: call.seqStart,
      });
    }
  }
  // Program order: the order in which the user wrote (and ran) the gradient calls.
  return choices.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...choice }) => choice);
}

/** Sequence ranges during which a tape was active (entered and not yet exited or used up). */
export function tapeWindows(trace: Trace, tapeId: number): [number, number][] {
  const windows: [number, number][] = [];
  const tape = trace.tapes.find((t) => t.id === tapeId);
  let open: number | undefined;
  const events = trace.tapeEvents.filter((e) => e.tape === tapeId);
  for (const event of events) {
    if (event.kind === 'enter' && open === undefined) open = event.seq;
    else if (event.kind === 'exit' && open !== undefined) {
      windows.push([open, event.seq]);
      open = undefined;
    }
  }
  if (open !== undefined) {
    // Never exited in the trace: a non-persistent tape is used up by its first gradient call (which pops it).
    const firstCall = tape && !tape.persistent ? trace.gradients.find((g) => g.tape === tapeId && g.seqStart > open!) : undefined;
    windows.push([open, firstCall ? firstCall.seqStart : Number.MAX_SAFE_INTEGER]);
  }
  return windows;
}

function inWindows(seq: number, windows: [number, number][]): boolean {
  for (const [a, b] of windows) if (seq >= a && seq <= b) return true;
  return false;
}

/** User-facing labels for tensors and variables, from what gradient calls on this tape were given. */
function sourceLabels(trace: Trace, tapeId: number): { tensors: Map<number, string>; variables: Map<number, string> } {
  const tensors = new Map<number, string>();
  const variables = new Map<number, string>();
  for (const call of trace.gradients) {
    if (call.tape !== tapeId) continue;
    for (const s of call.sources) {
      if (!s.label) continue;
      if (s.tensor !== undefined && !tensors.has(s.tensor)) tensors.set(s.tensor, s.label);
      if (s.variable !== undefined && !variables.has(s.variable)) variables.set(s.variable, s.label);
    }
  }
  return { tensors, variables };
}

function watchedOn(trace: Trace, tapeId: number): { tensors: Set<number>; variables: Set<number> } {
  const tensors = new Set<number>();
  const variables = new Set<number>();
  for (const e of trace.tapeEvents) {
    if (e.tape !== tapeId) continue;
    if (e.kind === 'watch' || e.kind === 'variable-accessed') {
      if (e.tensor !== undefined) tensors.add(e.tensor);
      if (e.variable !== undefined) variables.add(e.variable);
    }
  }
  return { tensors, variables };
}

function tensorSourceKind(tensor: TensorRecord, watched: boolean): SourceKind {
  if (watched) return 'watched-tensor';
  return tensor.kind === 'constant' ? 'constant' : 'unwatched-tensor';
}

function tensorTitle(tensor: TensorRecord, labels: Map<number, string>): string {
  const label = labels.get(tensor.id) ?? tensor.name;
  if (label) return label;
  const v = tensor.value;
  if (tensor.kind === 'constant' && v.shape.length === 0 && v.values?.length) return formatScalar(v.values[0]!, v.dtype);
  return `tensor ${tensor.id}`;
}

const isAssign = (op: OpRecord): boolean => /assign/i.test(op.type);

function opGroups(op: OpRecord): GraphNode['groups'] {
  const scope = op.scope ?? (op.gradientCall !== undefined ? `gradient ${op.gradientCall}` : undefined);
  return { ...(scope ? { scope } : {}), ...(op.loc ? { line: `line ${op.loc.line}` } : {}) };
}

function unrecordedNote(op: OpRecord, tapeId: number): string {
  if (op.stoppedTapes?.includes(tapeId)) return 'not recorded: ran inside tape.stop_recording()';
  return 'not recorded: none of its inputs was watched by this tape';
}

/** Forward ops of a tape, in recording (program) order. */
export function forwardOps(trace: Trace, tapeId: number): (OpRecord & { seq: number })[] {
  const windows = tapeWindows(trace, tapeId);
  const ops = trace.ops.filter((op) => op.tapes.includes(tapeId) || (op.gradientCall === undefined && inWindows(op.seq, windows)));
  return ops.sort((a, b) => a.seq - b.seq);
}

export function buildForwardGraph(trace: Trace, tapeId: number, index = new TraceIndex(trace)): ViewGraph {
  const ops = forwardOps(trace, tapeId);
  const labels = sourceLabels(trace, tapeId);
  const watched = watchedOn(trace, tapeId);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const nodeIds = new Set<string>();
  const opStep = new Map<number, number>();
  ops.forEach((op, i) => opStep.set(op.id, i));

  const addSourceTensor = (tensorId: number): string => {
    const id = `t:${tensorId}`;
    if (nodeIds.has(id)) return id;
    const tensor = index.tensor(tensorId);
    nodeIds.add(id);
    if (!tensor) {
      nodes.push({ id, kind: 'source', title: `tensor ${tensorId}`, note: 'not in the trace', groups: {}, step: -1, passive: true, sourceKind: 'unwatched-tensor' });
      return id;
    }
    const isWatched = watched.tensors.has(tensorId);
    nodes.push({
      id,
      kind: 'source',
      title: tensorTitle(tensor, labels.tensors),
      subtitle: `${SOURCE_KIND_LABEL[tensorSourceKind(tensor, isWatched)]}`,
      sourceKind: tensorSourceKind(tensor, isWatched),
      watched: isWatched,
      tensorId,
      value: tensor.value,
      ...(tensor.loc ? { loc: tensor.loc } : {}),
      groups: tensor.loc ? { line: `line ${tensor.loc.line}` } : {},
      step: -1,
      passive: true,
    });
    return id;
  };

  const addVariable = (variableId: number): string => {
    const id = `v:${variableId}`;
    if (nodeIds.has(id)) return id;
    nodeIds.add(id);
    const variable = index.variable(variableId);
    const isWatched = watched.variables.has(variableId);
    const kind: SourceKind = variable?.trainable === false ? 'non-trainable-variable' : 'trainable-variable';
    nodes.push({
      id,
      kind: 'source',
      title: labels.variables.get(variableId) ?? (variable ? shortVariableName(variable) : `variable ${variableId}`),
      subtitle: `${SOURCE_KIND_LABEL[kind]}${isWatched ? ', watched' : ''}`,
      sourceKind: kind,
      watched: isWatched,
      variableId,
      ...(variable ? { value: variable.initial } : {}),
      ...(variable?.loc ? { loc: variable.loc } : {}),
      groups: { ...(variable?.owner ? { scope: variable.owner } : {}), ...(variable?.loc ? { line: `line ${variable.loc.line}` } : {}) },
      step: -1,
      passive: true,
    });
    return id;
  };

  // Unnamed scalar literals (the 2.0 of `x**2`) are written into their op's title, `Pow(·, 2.0)`,
  // rather than drawn as nodes: they are never sources of interest and would crowd the graph.
  const requested = new Set<number>();
  for (const call of trace.gradients) if (call.tape === tapeId) for (const s of call.sources) if (s.tensor !== undefined) requested.add(s.tensor);
  const inlineLiteral = (tensorId: number): string | undefined => {
    const tensor = index.tensor(tensorId);
    if (!tensor || tensor.kind !== 'constant' || tensor.name || tensor.shape.length !== 0) return undefined;
    if (watched.tensors.has(tensorId) || requested.has(tensorId) || labels.tensors.has(tensorId)) return undefined;
    const v = tensor.value.values?.[0];
    return v === undefined ? undefined : formatScalar(v, tensor.dtype);
  };
  const literals = new Map<number, (string | undefined)[]>();
  for (const op of ops) {
    const inline = op.inputs.map(inlineLiteral);
    if (inline.some((v) => v !== undefined)) literals.set(op.id, inline);
  }

  for (const [i, op] of ops.entries()) {
    const id = `op:${op.id}`;
    const out = op.outputs.length ? index.tensor(op.outputs[0]!) : undefined;
    const recorded = op.tapes.includes(tapeId);
    const inline = literals.get(op.id);
    nodeIds.add(id);
    nodes.push({
      id,
      kind: 'op',
      title: inline ? `${op.type}(${inline.map((v) => v ?? '·').join(', ')})` : op.type,
      subtitle: [lineText(op.loc), recorded ? undefined : 'not recorded'].filter(Boolean).join(' · '),
      opId: op.id,
      ...(out ? { tensorId: out.id, value: out.value } : {}),
      ...(op.loc ? { loc: op.loc } : {}),
      recorded,
      ...(!recorded ? { note: unrecordedNote(op, tapeId) } : op.gradientCall !== undefined ? { note: `gradient op of gradient call ${op.gradientCall}, recorded for a higher-order gradient` } : {}),
      groups: opGroups(op),
      step: i,
      passive: false,
    });
  }
  for (const [i, op] of ops.entries()) {
    const to = `op:${op.id}`;
    if (op.variable !== undefined) {
      const v = addVariable(op.variable);
      if (isAssign(op)) edges.push({ id: `${to}->${v}`, from: to, to: v, kind: 'write', step: i });
      else edges.push({ id: `${v}->${to}`, from: v, to, kind: 'read', step: i });
    }
    const inline = literals.get(op.id);
    op.inputs.forEach((tensorId, k) => {
      if (inline?.[k] !== undefined) return;
      const tensor = index.tensor(tensorId);
      const producer = tensor?.producer;
      const from = producer !== undefined && opStep.has(producer) ? `op:${producer}` : addSourceTensor(tensorId);
      edges.push({ id: `${from}->${to}#${k}`, from, to, kind: 'data', tensorId, step: i });
    });
  }
  return { kind: 'forward', nodes, edges };
}

function gradientLabel(index: TraceIndex, tensorId: number | null | undefined): string | undefined {
  if (tensorId === null || tensorId === undefined) return undefined;
  const v = index.tensor(tensorId)?.value;
  if (!v) return undefined;
  if (v.shape.length === 0 && v.values?.length) return formatScalar(v.values[0]!, v.dtype);
  return `${v.dtype}[${v.shape.join(',')}]`;
}

export function buildBackwardGraph(trace: Trace, call: GradientCallRecord, firstStep: number, index = new TraceIndex(trace)): ViewGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (edge: GraphEdge): void => {
    if (edgeIds.has(edge.id)) return;
    edgeIds.add(edge.id);
    edges.push(edge);
  };
  const lastStep = firstStep + Math.max(0, call.steps.length - 1);
  const watched = watchedOn(trace, call.tape);

  // Backward-visited ops, first visit wins (a jacobian may visit an op more than once).
  const stepOfOp = new Map<number, number>();
  const revisits = new Map<number, number[]>();
  call.steps.forEach((s, j) => {
    if (!stepOfOp.has(s.op)) stepOfOp.set(s.op, firstStep + j);
    else revisits.set(s.op, [...(revisits.get(s.op) ?? []), firstStep + j]);
  });

  // Requested sources, by tensor and by variable.
  const sourceByTensor = new Map<number, number[]>();
  const sourceByVariable = new Map<number, number[]>();
  for (const s of call.sources) {
    if (s.tensor !== undefined) sourceByTensor.set(s.tensor, [...(sourceByTensor.get(s.tensor) ?? []), s.index]);
    if (s.variable !== undefined) sourceByVariable.set(s.variable, [...(sourceByVariable.get(s.variable) ?? []), s.index]);
  }

  call.targets.forEach((tensorId, i) => {
    const tensor = index.tensor(tensorId);
    const variableId = call.targetVariables?.[i] ?? undefined;
    const variable = variableId !== undefined && variableId !== null ? index.variable(variableId) : undefined;
    const producer = tensor?.producer !== undefined ? index.op(tensor.producer) : undefined;
    nodes.push({
      id: `target:${i}`,
      kind: 'target',
      title: variable ? shortVariableName(variable) : tensor?.name ?? (call.targets.length > 1 ? `target ${i}` : 'target'),
      subtitle: producer ? `output of ${producer.type}${producer.loc ? `, line ${producer.loc.line}` : ''}` : 'target',
      tensorId,
      ...(tensor ? { value: tensor.value } : {}),
      ...(tensor?.loc ? { loc: tensor.loc } : producer?.loc ? { loc: producer.loc } : {}),
      groups: producer ? opGroups(producer) : {},
      step: -1,
      passive: true,
    });
  });

  for (const [opId, step] of stepOfOp) {
    const op = index.op(opId);
    const record = call.steps[step - firstStep]!;
    const upstream = record.upstream.find((u) => u !== null) ?? undefined;
    const upstreamTensor = upstream !== undefined ? index.tensor(upstream) : undefined;
    nodes.push({
      id: `bop:${opId}`,
      kind: 'grad-op',
      title: `∂ ${op?.type ?? `op ${opId}`}`,
      ...(op?.loc ? { subtitle: `line ${op.loc.line}` } : {}),
      opId,
      ...(upstreamTensor ? { tensorId: upstreamTensor.id, value: upstreamTensor.value } : {}),
      ...(op?.loc ? { loc: op.loc } : {}),
      ...(op?.gradient === 'stop' ? { note: 'tf.stop_gradient: sends no gradient' } : op?.gradient === 'nondifferentiable' ? { note: 'no gradient defined for this op' } : {}),
      groups: op ? opGroups(op) : {},
      step,
      passive: false,
      ...(revisits.has(opId) ? { revisits: revisits.get(opId)! } : {}),
    });
  }

  // Seed edges: each target into the backward pass.
  call.targets.forEach((tensorId, i) => {
    const tensor = index.tensor(tensorId);
    const producer = tensor?.producer;
    const seed = call.outputGradients?.[i] ?? undefined;
    if (producer !== undefined && stepOfOp.has(producer)) {
      const step = stepOfOp.get(producer)!;
      const first = call.steps[step - firstStep]!;
      const carried = seed ?? first.upstream[tensor?.outputIndex ?? 0] ?? undefined;
      const label = gradientLabel(index, carried);
      addEdge({ id: `target:${i}->bop:${producer}`, from: `target:${i}`, to: `bop:${producer}`, kind: 'seed', ...(carried !== undefined && carried !== null ? { tensorId: carried } : {}), ...(label ? { label } : {}), step });
    }
  });

  // Source nodes and their results.
  const resultSteps = new Map<number, number>();
  const noteResultStep = (sourceIndex: number, step: number): void => {
    resultSteps.set(sourceIndex, Math.max(resultSteps.get(sourceIndex) ?? -1, step));
  };

  // Gradient edges sent by each visited op.
  for (const [opId, step] of stepOfOp) {
    const op = index.op(opId);
    if (!op) continue;
    const record = call.steps[step - firstStep]!;
    const from = `bop:${opId}`;
    if (op.variable !== undefined && op.inputs.length === 0) {
      // A variable read: the gradient arriving at its output is the variable's gradient contribution.
      const carried = record.upstream[0] ?? undefined;
      for (const sourceIndex of sourceByVariable.get(op.variable) ?? []) {
        const label = gradientLabel(index, carried);
        addEdge({ id: `${from}->src:${sourceIndex}`, from, to: `src:${sourceIndex}`, kind: 'gradient', ...(carried !== undefined && carried !== null ? { tensorId: carried } : {}), ...(label ? { label } : {}), step });
        noteResultStep(sourceIndex, step);
      }
    }
    op.inputs.forEach((tensorId, k) => {
      const sent = record.sent[k];
      if (sent === null || sent === undefined) return;
      const label = gradientLabel(index, sent);
      const tensor = index.tensor(tensorId);
      const base = { kind: 'gradient' as const, tensorId: sent, ...(label ? { label } : {}), step };
      for (const sourceIndex of sourceByTensor.get(tensorId) ?? []) {
        addEdge({ id: `${from}->src:${sourceIndex}#${k}`, from, to: `src:${sourceIndex}`, ...base });
        noteResultStep(sourceIndex, step);
      }
      const producer = tensor?.producer;
      if (producer !== undefined && stepOfOp.has(producer)) {
        addEdge({ id: `${from}->bop:${producer}#${k}`, from, to: `bop:${producer}`, ...base });
      } else if (tensor?.variable !== undefined && producer !== undefined && !stepOfOp.has(producer)) {
        // The engine did not record a step for the read itself: the gradient lands on the variable.
        for (const sourceIndex of sourceByVariable.get(tensor.variable) ?? []) {
          addEdge({ id: `${from}->src:${sourceIndex}#${k}`, from, to: `src:${sourceIndex}`, ...base });
          noteResultStep(sourceIndex, step);
        }
      }
    });
  }

  for (const source of call.sources) {
    const variable = source.variable !== undefined ? index.variable(source.variable) : undefined;
    const tensor = source.tensor !== undefined ? index.tensor(source.tensor) : undefined;
    let kind: SourceKind;
    let isWatched: boolean;
    if (variable) {
      kind = variable.trainable ? 'trainable-variable' : 'non-trainable-variable';
      isWatched = watched.variables.has(variable.id);
    } else {
      isWatched = tensor ? watched.tensors.has(tensor.id) : false;
      kind = tensor ? tensorSourceKind(tensor, isWatched) : 'unwatched-tensor';
    }
    const title = source.label ?? (variable ? shortVariableName(variable) : tensor ? tensorTitle(tensor, new Map()) : `source ${source.index}`);
    const srcId = `src:${source.index}`;
    nodes.push({
      id: srcId,
      kind: 'source',
      title,
      subtitle: `${SOURCE_KIND_LABEL[kind]}${isWatched && kind !== 'watched-tensor' ? ', watched' : ''}`,
      sourceKind: kind,
      watched: isWatched,
      sourceIndex: source.index,
      ...(tensor ? { tensorId: tensor.id, value: tensor.value } : {}),
      ...(variable ? { variableId: variable.id, value: variable.initial } : {}),
      ...(variable?.loc ? { loc: variable.loc } : tensor?.loc ? { loc: tensor.loc } : {}),
      groups: variable?.owner ? { scope: variable.owner } : {},
      step: -1,
      passive: true,
    });
    const reached = resultSteps.get(source.index);
    const resultStep = reached ?? lastStep;
    if (source.gradient !== null) {
      const g = index.tensor(source.gradient);
      const id = `grad:${source.index}`;
      nodes.push({
        id,
        kind: 'gradient',
        title: `∂/∂${title}`,
        subtitle: source.noneReason ? `zeros (unconnected): ${source.noneReason.message}` : source.indexedSlices ? 'gradient (IndexedSlices, densified)' : 'gradient',
        tensorId: source.gradient,
        ...(g ? { value: g.value } : {}),
        ...(source.noneReason ? { noneReason: source.noneReason } : {}),
        sourceIndex: source.index,
        groups: {},
        step: resultStep,
        passive: true,
      });
      const label = gradientLabel(index, source.gradient);
      addEdge({ id: `${srcId}->${id}`, from: srcId, to: id, kind: 'result', tensorId: source.gradient, ...(label ? { label } : {}), step: resultStep });
    } else {
      const id = `none:${source.index}`;
      nodes.push({
        id,
        kind: 'none',
        title: 'None',
        subtitle: source.noneReason?.message ?? 'no gradient reached this source',
        ...(source.noneReason ? { noneReason: source.noneReason } : {}),
        sourceIndex: source.index,
        groups: {},
        step: resultStep,
        passive: true,
      });
      addEdge({ id: `${srcId}->${id}`, from: srcId, to: id, kind: 'none', step: resultStep });
    }
  }
  return { kind: 'backward', nodes, edges };
}

function describeLoc(loc: SourceLocation | undefined): string {
  return loc ? ` (line ${loc.line})` : '';
}

/** Builds everything the view shows for one picker choice. */
export function buildTapeView(trace: Trace, choice: ViewChoice, index = new TraceIndex(trace)): TapeView {
  const forward = buildForwardGraph(trace, choice.tape, index);
  const steps: Step[] = [];
  for (const node of forward.nodes) {
    if (node.kind !== 'op' || node.opId === undefined) continue;
    steps.push({
      index: node.step,
      phase: 'forward',
      graph: 'forward',
      nodeId: node.id,
      opId: node.opId,
      ...(node.loc ? { loc: node.loc } : {}),
      label: `forward ${node.step + 1}: ${node.title}${describeLoc(node.loc)}`,
    });
  }
  steps.sort((a, b) => a.index - b.index);
  const forwardStepCount = steps.length;
  const call = choice.gradientCall !== undefined ? trace.gradients.find((g) => g.id === choice.gradientCall) : undefined;
  let backward: ViewGraph | undefined;
  if (call) {
    backward = buildBackwardGraph(trace, call, forwardStepCount, index);
    // A target exists once the forward op that made it has run.
    const forwardStepOf = new Map(forward.nodes.filter((n) => n.kind === 'op').map((n) => [n.opId, n.step]));
    for (const node of backward.nodes) {
      if (node.kind !== 'target' || node.tensorId === undefined) continue;
      const step = forwardStepOf.get(index.tensor(node.tensorId)?.producer);
      if (step !== undefined) node.step = step;
    }
    call.steps.forEach((s, j) => {
      const op = index.op(s.op);
      steps.push({
        index: forwardStepCount + j,
        phase: 'backward',
        graph: 'backward',
        nodeId: `bop:${s.op}`,
        opId: s.op,
        ...(op?.loc ? { loc: op.loc } : {}),
        label: `backward ${j + 1}: ∂ ${op?.type ?? s.op}${describeLoc(op?.loc)}`,
      });
    });
  }
  return { choice, forward, ...(backward ? { backward } : {}), steps, forwardStepCount };
}
