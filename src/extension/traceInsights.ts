/**
 * What the editor shows after a run, computed from the trace: inline hints on gradient-call lines,
 * Information diagnostics for `None` gradients, hovers for names defined on recorded lines, and the
 * mapping between editor lines and the view's focus. Pure (no vscode): documents are plain string
 * keys and lines are 0-based, as in the editor; trace locations are 1-based.
 */
import type {
  GradientCallRecord,
  NoneReason,
  OpRecord,
  SourceLocation,
  SourceResult,
  TensorRecord,
  Trace,
  ValueSnapshot,
  VariableRecord,
} from '../trace/types';
import type { ViewFocus } from '../protocol/messages';
import { clip, formatShape, formatSnapshot, shortNoneReason } from './valueFormat';

/** A place in an open document: its key (a URI string) and 0-based line. */
export interface DocumentLine {
  doc: string;
  line: number;
}

/** Maps a trace location to the document line it belongs to (undefined: not in any document we show). */
export type LocResolver = (loc: SourceLocation) => DocumentLine | undefined;

export interface LineHint {
  line: number;
  text: string;
  /** How many times this gradient call line ran (a loop runs it several times). */
  runs: number;
}

export interface NoneDiagnostic {
  line: number;
  column?: number;
  endColumn?: number;
  /** One line: which source and why. */
  message: string;
  code: string;
  gradientCall: number;
  sourceIndex: number;
}

type Definition =
  | { kind: 'variable'; variable: VariableRecord }
  | { kind: 'tensor'; tensor: TensorRecord };

const MAX_HINT = 140;

/** The label a source is shown under: as the user wrote it, else the variable's name. */
export function sourceLabel(trace: Trace, source: SourceResult): string {
  if (source.label) return source.label;
  if (source.variable !== undefined) {
    const v = trace.variables.find((x) => x.id === source.variable);
    if (v) return v.name.replace(/:0$/, '');
  }
  if (source.tensor !== undefined) {
    const t = trace.tensors.find((x) => x.id === source.tensor);
    if (t?.name) return t.name.replace(/:0$/, '');
  }
  return `sources[${source.index}]`;
}

export class TraceInsights {
  private readonly tensorsById = new Map<number, TensorRecord>();
  private readonly variablesById = new Map<number, VariableRecord>();
  private readonly opsById = new Map<number, OpRecord & { seq: number }>();
  /** doc → line → gradient calls at that line, in execution order. */
  private readonly callsByLine = new Map<string, Map<number, GradientCallRecord[]>>();
  /** doc → line → trace locations seen there (to build focus messages with the trace's own file name). */
  private readonly locsByLine = new Map<string, Map<number, SourceLocation>>();
  /** doc → line → tapes constructed there, in order. */
  private readonly tapesByLine = new Map<string, Map<number, number[]>>();
  /** doc → line → what the line defined last time it ran. */
  private readonly definitions = new Map<string, Map<number, Definition>>();

  constructor(
    readonly trace: Trace,
    private readonly resolve: LocResolver,
  ) {
    for (const t of trace.tensors) this.tensorsById.set(t.id, t);
    for (const v of trace.variables) this.variablesById.set(v.id, v);
    for (const op of trace.ops) this.opsById.set(op.id, op);
    this.index();
  }

  private place(loc: SourceLocation | undefined): DocumentLine | undefined {
    if (!loc) return undefined;
    const at = this.resolve(loc);
    if (!at) return undefined;
    let lines = this.locsByLine.get(at.doc);
    if (!lines) this.locsByLine.set(at.doc, (lines = new Map()));
    if (!lines.has(at.line)) lines.set(at.line, loc);
    return at;
  }

  private index(): void {
    for (const call of this.trace.gradients) {
      const at = this.place(call.loc);
      if (!at) continue;
      pushAt(this.callsByLine, at, call);
    }
    for (const tape of this.trace.tapes) {
      const at = this.place(tape.loc);
      if (at) pushAt(this.tapesByLine, at, tape.id);
    }
    // Definitions: variables made on a line, then forward ops (later ops win), then constants where
    // the line ran no op. Backward-pass ops and tensors (gradientCall set) never define a user name.
    const lineHasOp = new Set<string>();
    for (const v of this.trace.variables) {
      const at = this.place(v.loc);
      if (at) setAt(this.definitions, at, { kind: 'variable', variable: v });
    }
    const forwardOps = this.trace.ops.filter((op) => op.gradientCall === undefined).sort((a, b) => a.seq - b.seq);
    for (const op of forwardOps) {
      const at = this.place(op.loc);
      if (!at || op.outputs.length === 0) continue;
      if (op.type === 'ReadVariableOp' || op.type.startsWith('Assign') || op.type === 'VarHandleOp') continue;
      const out = this.tensorsById.get(op.outputs[0]);
      if (!out) continue;
      setAt(this.definitions, at, { kind: 'tensor', tensor: out });
      lineHasOp.add(`${at.doc}\n${at.line}`);
    }
    for (const t of this.trace.tensors) {
      if (t.kind !== 'constant' || t.gradientCall !== undefined) continue;
      const at = this.place(t.loc);
      if (!at || lineHasOp.has(`${at.doc}\n${at.line}`)) continue;
      if (this.definitions.get(at.doc)?.get(at.line)?.kind === 'variable') continue;
      setAt(this.definitions, at, { kind: 'tensor', tensor: t });
    }
    // Every op's line counts as recorded for cursor following, even reads and assigns.
    for (const op of this.trace.ops) if (op.gradientCall === undefined) this.place(op.loc);
  }

  /** Gradient calls made at this line, in the order they ran (several in a loop). */
  gradientCallsAt(doc: string, line: number): GradientCallRecord[] {
    return this.callsByLine.get(doc)?.get(line) ?? [];
  }

  /** Tape ids constructed at this line, in order. */
  tapesAt(doc: string, line: number): number[] {
    return this.tapesByLine.get(doc)?.get(line) ?? [];
  }

  /** Lines of `doc` where the trace recorded something (cursor there selects it in the view). */
  recordedLines(doc: string): number[] {
    return [...(this.locsByLine.get(doc)?.keys() ?? [])].sort((a, b) => a - b);
  }

  private gradientValue(source: SourceResult): string {
    if (source.gradient === null) return 'None';
    const g = this.tensorsById.get(source.gradient);
    return g ? formatSnapshot(g.value, 4) : '?';
  }

  /** "x0: 6.0 · x1: None — variable is not trainable" for one call. */
  describeCall(call: GradientCallRecord): string {
    if (call.error) return `${call.error.type}: ${call.error.message}`;
    const parts = call.sources.map((s) => {
      const value = this.gradientValue(s);
      const reason = s.noneReason ? ` — ${shortNoneReason(s.noneReason.code)}` : '';
      const body = s.gradient === null ? `None${reason}` : value + (s.noneReason ? ` (zeros${reason})` : '');
      return call.sources.length === 1 && !s.label ? body : `${sourceLabel(this.trace, s)}: ${body}`;
    });
    return parts.join(' · ');
  }

  /** One inline hint per gradient-call line of `doc`, describing its last run. */
  hints(doc: string): LineHint[] {
    const lines = this.callsByLine.get(doc);
    if (!lines) return [];
    return [...lines.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([line, calls]) => {
        const last = calls[calls.length - 1];
        const prefix = calls.length > 1 ? `(run ${calls.length} of ${calls.length}) ` : '';
        const symbol = last.kind === 'gradient' ? '∇ ' : `${last.kind} `;
        return { line, runs: calls.length, text: clip(`${prefix}${symbol}${this.describeCall(last)}`, MAX_HINT) };
      });
  }

  /** Information diagnostics for every None gradient of each line's last run. */
  noneDiagnostics(doc: string): NoneDiagnostic[] {
    const out: NoneDiagnostic[] = [];
    for (const [line, calls] of this.callsByLine.get(doc) ?? []) {
      const call = calls[calls.length - 1];
      for (const s of call.sources) {
        if (!s.noneReason) continue;
        out.push({
          line,
          column: call.loc?.column,
          endColumn: call.loc?.endLine === call.loc?.line ? call.loc?.endColumn : undefined,
          message: noneMessage(sourceLabel(this.trace, s), s.noneReason, s.gradient !== null, calls.length),
          code: s.noneReason.code,
          gradientCall: call.id,
          sourceIndex: s.index,
        });
      }
    }
    return out.sort((a, b) => a.line - b.line || a.sourceIndex - b.sourceIndex);
  }

  /**
   * The view focus for the cursor on `line`: the gradient call made there (last run), else the op
   * recorded there. Undefined when nothing was recorded on that line.
   */
  focusForLine(doc: string, line: number): ViewFocus | undefined {
    const loc = this.locsByLine.get(doc)?.get(line);
    if (!loc) return undefined;
    const calls = this.gradientCallsAt(doc, line);
    const focus: ViewFocus = { line: { file: loc.file, line: loc.line } };
    if (calls.length > 0) focus.gradientCall = calls[calls.length - 1].id;
    return focus;
  }

  /**
   * Hover text (markdown) for `word` at `line` of `doc`, whose text is `lines`: the value and gradient
   * of the name as defined on the closest recorded line at or before `line` that assigns it.
   */
  hover(doc: string, lines: readonly string[], line: number, word: string): string | undefined {
    const defs = this.definitions.get(doc);
    if (!defs) return undefined;
    let defLine: number | undefined;
    let firstAfter: number | undefined;
    for (const l of [...defs.keys()].sort((a, b) => a - b)) {
      if (!assignedNames(lines[l] ?? '').includes(word)) continue;
      if (l <= line) defLine = l;
      else if (firstAfter === undefined) firstAfter = l;
    }
    defLine ??= firstAfter;
    if (defLine === undefined) return undefined;
    const def = defs.get(defLine)!;
    const rows: string[] = [];
    let gradientRows: string[];
    if (def.kind === 'variable') {
      const v = def.variable;
      const value = this.latestVariableValue(v);
      rows.push(`**${word}** = \`${formatSnapshot(value)}\``);
      rows.push(`tf.Variable \`${v.name}\` · ${v.dtype}, shape ${formatShape(v.shape)}${v.trainable ? '' : ' · not trainable'}`);
      gradientRows = this.gradientsOf((s) => s.variable === v.id);
    } else {
      const t = def.tensor;
      rows.push(`**${word}** = \`${formatSnapshot(t.value)}\``);
      const producer = t.producer !== undefined ? this.opsById.get(t.producer) : undefined;
      rows.push(`tf.Tensor · ${t.dtype}, shape ${formatShape(t.shape)}${producer ? ` · ${producer.type}` : ' · constant'}`);
      gradientRows = this.gradientsOf((s) => s.tensor === t.id);
      if (gradientRows.length === 0) gradientRows = this.upstreamGradientsOf(t);
    }
    rows.push(`defined on line ${defLine + 1}`);
    return [...rows, ...gradientRows].join('  \n');
  }

  private latestVariableValue(v: VariableRecord): ValueSnapshot {
    let value = v.initial;
    for (const a of this.trace.assigns) if (a.variable === v.id) value = a.value;
    return value;
  }

  private callPlace(call: GradientCallRecord): string {
    return call.loc ? `line ${call.loc.line}` : `call ${call.id}`;
  }

  /** Gradient rows for a source matched by `isSource`, from the last call that had it. */
  private gradientsOf(isSource: (s: SourceResult) => boolean): string[] {
    for (let i = this.trace.gradients.length - 1; i >= 0; i--) {
      const call = this.trace.gradients[i];
      const s = call.sources.find(isSource);
      if (!s) continue;
      const reason = s.noneReason ? ` — ${s.noneReason.message}` : '';
      return [`∇ (${call.kind} at ${this.callPlace(call)}) = \`${this.gradientValue(s)}\`${reason}`];
    }
    return [];
  }

  /** The gradient that reached an intermediate tensor during the last backward pass through it. */
  private upstreamGradientsOf(t: TensorRecord): string[] {
    if (t.producer === undefined) return [];
    for (let i = this.trace.gradients.length - 1; i >= 0; i--) {
      const call = this.trace.gradients[i];
      const step = call.steps.find((st) => st.op === t.producer);
      if (!step) continue;
      const g = step.upstream[t.outputIndex ?? 0];
      const gt = g === null || g === undefined ? undefined : this.tensorsById.get(g);
      return [`∂target/∂this (${call.kind} at ${this.callPlace(call)}) = \`${gt ? formatSnapshot(gt.value) : 'None'}\``];
    }
    return [];
  }
}

function noneMessage(label: string, reason: NoneReason, zeros: boolean, runs: number): string {
  const what = zeros ? `The gradient for ${label} is zeros (unconnected)` : `The gradient for ${label} is None`;
  const message = reason.message.trim();
  const ended = /[.!?]$/.test(message) ? message : `${message}.`;
  const fix = reason.fix ? ` Fix: ${reason.fix}` : '';
  const loop = runs > 1 ? ` (last of ${runs} runs of this line)` : '';
  return `${what}${loop}: ${ended}${fix}`;
}

/** Names bound by a simple assignment on this line (`a = ...`, `a, b = ...`, `a: T = ...`, `a += ...`). */
export function assignedNames(lineText: string): string[] {
  const m = /^\s*([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)\s*(?::[^=]+)?(?:[+\-*/@%]|\*\*|\/\/)?=(?!=)/.exec(lineText);
  if (m) return m[1].split(',').map((s) => s.trim());
  const forLoop = /^\s*for\s+([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)\s+in\b/.exec(lineText);
  if (forLoop) return forLoop[1].split(',').map((s) => s.trim());
  return [];
}

function pushAt<T>(map: Map<string, Map<number, T[]>>, at: DocumentLine, value: T): void {
  let lines = map.get(at.doc);
  if (!lines) map.set(at.doc, (lines = new Map()));
  const list = lines.get(at.line);
  if (list) list.push(value);
  else lines.set(at.line, [value]);
}

function setAt<T>(map: Map<string, Map<number, T>>, at: DocumentLine, value: T): void {
  let lines = map.get(at.doc);
  if (!lines) map.set(at.doc, (lines = new Map()));
  lines.set(at.line, value);
}
