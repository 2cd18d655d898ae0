/**
 * The detail panel for the selected node: what it is, its attributes, inputs and outputs, its full value
 * (paged), its gradient, the reason for a None, and a link to its source line. Built as an HTML string;
 * the app handles the buttons (data-action) by event delegation.
 */
import type { BackwardStep, GradientCallRecord, SourceLocation, ValueSnapshot } from '../src/trace/types';
import { SOURCE_KIND_LABEL, type GraphNode, type TapeView, type TraceIndex } from './model/graph';
import { displayValue, elementCount, formatStats, formatType, nonFiniteBadge, valuePage, valueStats } from './model/values';
import { escapeXml as esc } from './render';

export const PAGE_SIZE = 50;

// Per-view lookups, built once: the panel is redrawn on every step, and big tapes have 10,000s of nodes.
const forwardIdCache = new WeakMap<TapeView, Set<string>>();
const stepCache = new WeakMap<GradientCallRecord, Map<number, BackwardStep>>();

function forwardIdsOf(view: TapeView): Set<string> {
  let ids = forwardIdCache.get(view);
  if (!ids) forwardIdCache.set(view, (ids = new Set(view.forward.nodes.map((n) => n.id))));
  return ids;
}

function stepOf(call: GradientCallRecord, opId: number): BackwardStep | undefined {
  let steps = stepCache.get(call);
  if (!steps) {
    steps = new Map();
    for (const s of call.steps) if (!steps.has(s.op)) steps.set(s.op, s);
    stepCache.set(call, steps);
  }
  return steps.get(opId);
}

function locButton(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  return `<p>Source: <button class="link" data-action="reveal" title="Show this line">${esc(loc.file)}:${loc.line}</button>${loc.functionName && loc.functionName !== '<module>' ? ` <span class="muted">in ${esc(loc.functionName)}</span>` : ''}</p>`;
}

function tensorLine(index: TraceIndex, tensorId: number | null | undefined, nodeIdOf: (tensorId: number) => string | undefined): string {
  if (tensorId === null || tensorId === undefined) return '<span class="muted">None</span>';
  const tensor = index.tensor(tensorId);
  if (!tensor) return `tensor ${tensorId}`;
  const display = displayValue(tensor.value);
  const value = display.mode === 'large' ? formatStats(display.stats, tensor.value.dtype) : display.text;
  const name = tensor.name ?? `tensor ${tensorId}`;
  const nodeId = nodeIdOf(tensorId);
  const label = nodeId ? `<button class="link" data-action="select" data-node="${esc(nodeId)}">${esc(name)}</button>` : esc(name);
  return `${label} <span class="muted">${esc(formatType(tensor.dtype, tensor.shape))}</span> ${esc(value)}`;
}

/** A value: inline text for small ones, summary + badge + one page of elements for larger ones. */
export function valueSection(value: ValueSnapshot, page: number, heading = 'Value'): string {
  const display = displayValue(value);
  let html = `<h4>${esc(heading)} <span class="muted">${esc(formatType(value.dtype, value.shape))}</span></h4>`;
  if (display.mode !== 'large') {
    html += `<div class="mono" data-value>${esc(display.text)}</div>`;
  } else {
    const stats = valueStats(value);
    const badge = nonFiniteBadge(stats);
    html += `<div class="mono" data-value>${esc(formatStats(stats, value.dtype))}${badge ? ` <span class="badge">${esc(badge)}</span>` : ''}</div>`;
  }
  const count = elementCount(value.shape);
  if (count > 1) {
    const p = valuePage(value, page, PAGE_SIZE);
    html += `<table aria-label="elements"><tbody>${p.rows.map((r) => `<tr><td class="muted">${esc(r.index)}</td><td>${esc(r.text)}</td></tr>`).join('')}</tbody></table>`;
    if (p.pageCount > 1) {
      html += `<div class="pager"><button data-action="page" data-page="${p.page - 1}" ${p.page === 0 ? 'disabled' : ''} aria-label="Previous page">‹</button><span>page ${p.page + 1} of ${p.pageCount}</span><button data-action="page" data-page="${p.page + 1}" ${p.page + 1 >= p.pageCount ? 'disabled' : ''} aria-label="Next page">›</button></div>`;
    }
    if (p.truncated) html += `<p class="muted">The trace kept the first ${(value.head ?? []).length} of ${count} elements (snapshot limit); min/max/mean are over all of them.</p>`;
  }
  return html;
}

export function renderDetails(node: GraphNode | undefined, view: TapeView, index: TraceIndex, page: number): string {
  if (!node) return '<p class="muted">Select a node (click it, or step with ← →) to see its details.</p>';
  const trace = index.trace;
  const forwardIds = forwardIdsOf(view);
  const nodeIdOf = (tensorId: number): string | undefined => {
    const producer = index.tensor(tensorId)?.producer;
    if (producer !== undefined && forwardIds.has(`op:${producer}`)) return `op:${producer}`;
    if (forwardIds.has(`t:${tensorId}`)) return `t:${tensorId}`;
    return undefined;
  };
  const call = view.choice.gradientCall !== undefined ? trace.gradients.find((g) => g.id === view.choice.gradientCall) : undefined;
  let html = `<h3 id="details-title">${esc(node.kind === 'none' ? 'None' : node.title)}</h3>`;
  const kindText: Record<GraphNode['kind'], string> = {
    source: node.sourceKind ? SOURCE_KIND_LABEL[node.sourceKind] + (node.watched ? ', watched by the tape' : ', not watched') : 'source',
    op: node.recorded ? 'op, recorded on this tape' : 'op, not recorded on this tape',
    target: 'target of the gradient call',
    'grad-op': 'backward pass through an op',
    gradient: 'gradient of the target with respect to this source',
    none: 'no gradient: the result is None',
    group: 'collapsed group',
  };
  html += `<p class="muted" data-kind>${esc(kindText[node.kind])}</p>`;
  html += locButton(node.loc);
  if (node.note) html += `<p>${esc(node.note)}</p>`;

  if (node.noneReason) {
    const r = node.noneReason;
    html += `<div class="none-reason" data-none-reason="${esc(r.code)}"><strong>${node.kind === 'none' ? 'None' : 'Zeros'}</strong>: ${esc(r.message)}${r.fix ? `<br>Fix: ${esc(r.fix)}` : ''}<br><span class="muted">reason code: ${esc(r.code)}</span></div>`;
  }

  if (node.kind === 'group') {
    html += `<p>${node.members?.length ?? 0} nodes.</p><button data-action="expand" data-group="${esc(node.title)}">Expand group</button>`;
    return html;
  }

  const op = node.opId !== undefined ? index.op(node.opId) : undefined;
  if (op && node.kind === 'op') {
    const attrs = Object.entries(op.attrs);
    if (attrs.length) html += `<h4>Attributes</h4><table><tbody>${attrs.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(JSON.stringify(v))}</td></tr>`).join('')}</tbody></table>`;
    if (op.variable !== undefined) {
      const variable = index.variable(op.variable);
      html += `<h4>Variable</h4><div class="mono">${esc(variable?.name ?? String(op.variable))}${variable ? ` (${variable.trainable ? 'trainable' : 'trainable=False'})` : ''}</div>`;
    }
    html += `<h4>Inputs</h4><ol start="0">${op.inputs.map((t) => `<li>${tensorLine(index, t, nodeIdOf)}</li>`).join('') || '<li class="muted">none</li>'}</ol>`;
    html += `<h4>Outputs</h4><ol start="0">${op.outputs.map((t) => `<li>${tensorLine(index, t, () => undefined)}</li>`).join('')}</ol>`;
    html += `<p class="muted">Recorded on tapes: ${op.tapes.length ? op.tapes.join(', ') : 'none'}${op.gradient ? `; gradient: ${esc(op.gradient)}` : ''}</p>`;
    if (call) {
      const step = stepOf(call, op.id);
      html += '<h4>Gradient at its output</h4>';
      html += step ? `<div>${tensorLine(index, step.upstream[0] ?? null, () => undefined)}</div>` : '<div class="muted">The backward pass did not reach this op.</div>';
    }
  }
  if (op && node.kind === 'grad-op' && call) {
    const step = stepOf(call, op.id);
    if (step) {
      html += `<h4>Upstream gradient (arriving at each output)</h4><ol start="0">${step.upstream.map((t) => `<li>${tensorLine(index, t, () => undefined)}</li>`).join('')}</ol>`;
      html += `<h4>Sent to each input</h4><ol start="0">${step.sent.map((t, k) => `<li>${tensorLine(index, t, () => undefined)} <span class="muted">→ input ${k}${op.inputs[k] !== undefined ? ` (tensor ${op.inputs[k]})` : ''}</span></li>`).join('') || '<li class="muted">no tensor inputs (variable read: the gradient goes to the variable)</li>'}</ol>`;
      if (step.gradientOps.length) html += `<p class="muted">Gradient function ran ${step.gradientOps.length} op(s): ${step.gradientOps.map((id) => esc(index.op(id)?.type ?? String(id))).join(', ')}</p>`;
    }
  }
  if (node.kind === 'source' && call) {
    // Backward sources carry their index; a forward source is matched by its variable or tensor.
    const result =
      node.sourceIndex !== undefined
        ? call.sources.find((s) => s.index === node.sourceIndex)
        : call.sources.find((s) => (node.variableId !== undefined && s.variable === node.variableId) || (node.tensorId !== undefined && s.tensor === node.tensorId));
    if (result) {
      html += '<h4>Gradient</h4>';
      html += result.gradient === null ? `<div><strong>None</strong>${result.noneReason ? `: ${esc(result.noneReason.message)}` : ''}</div>` : `<div>${tensorLine(index, result.gradient, () => undefined)}</div>`;
    }
  }
  if (node.value) html += valueSection(node.value, page, node.kind === 'grad-op' ? 'Upstream gradient' : node.kind === 'gradient' ? 'Gradient' : 'Value');
  return html;
}
