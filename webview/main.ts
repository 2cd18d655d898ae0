/**
 * The tape view: a picker of tapes / gradient calls, the forward and backward graphs, a detail panel,
 * stepping, search, grouping, export. Runs inside a VS Code webview (messages per
 * src/protocol/messages.ts) or as the standalone page (trace embedded in the page).
 */
import type { HostToView, ViewFocus, ViewState, ViewToHost } from '../src/protocol/messages';
import type { SourceLocation, Trace } from '../src/trace/types';
import { renderDetails } from './details';
import { connectHost, type Host } from './host';
import { LayoutCancelled, LayoutClient, type LayoutJob } from './layout-client';
import { buildTapeView, listChoices, TraceIndex, type GraphNode, type TapeView, type ViewChoice, type ViewGraph } from './model/graph';
import { collapseGroups, groupKey, listGroups, searchNodes, type GroupMode } from './model/groups';
import { chooseEngine, layoutInput, type LayoutEngine, type LayoutResult } from './model/layout';
import { escapeXml as esc, GraphRenderer } from './render';
import { PAGE_CSS } from './styles';

export const TRACE_ELEMENT_ID = 'tapescope-trace';
export const SOURCE_ELEMENT_ID = 'tapescope-source';
export const WORKER_ELEMENT_ID = 'tapescope-layout-worker';

type PaneKind = 'forward' | 'backward';
/** Milliseconds before the layout progress line appears (short layouts never flash it). */
const PROGRESS_DELAY = 150;
const PLAY_INTERVAL = 600;

function scriptNonce(): string | undefined {
  const current = document.currentScript as HTMLScriptElement | null;
  return current?.nonce || document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce || undefined;
}

/** Read while the script runs: `document.currentScript` is gone by DOMContentLoaded. */
const SCRIPT_NONCE = scriptNonce();

function injectStyles(nonce: string | undefined): void {
  const style = document.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = PAGE_CSS;
  document.head.appendChild(style);
}

const LEGEND: [string, string, string][] = [
  ['kind-source src-trainable-variable', 'pill', 'trainable variable'],
  ['kind-source src-non-trainable-variable', 'pill', 'non-trainable variable'],
  ['kind-source src-constant', 'rect', 'constant'],
  ['kind-source src-watched-tensor', 'rect', 'watched tensor'],
  ['kind-source src-unwatched-tensor', 'rect', 'unwatched tensor'],
  ['kind-op', 'rect', 'op'],
  ['kind-op unrecorded', 'rect', 'op not recorded'],
  ['kind-grad-op', 'rect', 'backward step'],
  ['kind-gradient', 'double', 'gradient'],
  ['kind-none', 'octagon', 'None'],
];

function legendHtml(): string {
  return LEGEND.map(([cls, shape, label]) => {
    const body =
      shape === 'pill'
        ? '<rect class="shape" x="1" y="1" width="26" height="12" rx="6"/>'
        : shape === 'octagon'
          ? '<path class="shape" d="M5,1 H23 L27,5 V9 L23,13 H5 L1,9 V5 Z"/>'
          : shape === 'double'
            ? '<rect class="shape" x="1" y="1" width="26" height="12" rx="2"/><rect class="inner" x="3.5" y="3.5" width="21" height="7" rx="1"/>'
            : '<rect class="shape" x="1" y="1" width="26" height="12" rx="2"/>';
    return `<span><svg width="28" height="14" aria-hidden="true"><g class="node ${cls}">${body}</g></svg> ${label}</span>`;
  }).join('');
}

function shellHtml(standalone: boolean): string {
  return `
<div class="toolbar" role="toolbar" aria-label="Tape view controls">
  <label class="group">View <select id="choice" aria-label="Tape or gradient call"></select></label>
  <div class="group" role="group" aria-label="Stepping">
    <button data-step="first" title="First step (Home)" aria-label="First step">|◀</button>
    <button data-step="previous" title="Previous step (←)" aria-label="Previous step">◀</button>
    <button data-step="play" id="play" title="Play / pause (Space)" aria-label="Play">▶ Play</button>
    <button data-step="next" title="Next step (→)" aria-label="Next step">▶</button>
    <button data-step="last" title="Last step (End)" aria-label="Last step">▶|</button>
    <span id="step-label" aria-live="polite"></span>
  </div>
  <div class="group"><input id="search" type="search" placeholder="Search op, name, line (/)" aria-label="Search nodes by op type, name or line"><span id="search-count" class="muted"></span></div>
  <label class="group">Group <select id="group-mode" aria-label="Group nodes by"><option value="none">none</option><option value="scope">layer / scope</option><option value="line">source line</option></select></label>
  <div class="group" id="group-buttons" hidden><button id="collapse-all" title="Collapse every group">Collapse all</button><button id="expand-all" title="Expand every group">Expand all</button></div>
  <div class="group"><button id="fit" title="Fit to view (F)">Fit</button></div>
  <div class="group" role="group" aria-label="Export"><span>Export</span><button data-export="svg">SVG</button><button data-export="png">PNG</button><button data-export="json">JSON</button></div>
  ${standalone ? '<label class="group">Theme <select id="theme" aria-label="Theme"><option value="">auto</option><option value="light">light</option><option value="dark">dark</option><option value="high-contrast">high contrast</option></select></label>' : ''}
</div>
<div id="status" role="status" hidden></div>
<div class="main">
  <div class="panes">
    <section class="pane" data-pane="forward" aria-label="Forward graph"><h2><span id="forward-title">Forward</span><button class="maximize" data-maximize="forward" aria-pressed="false" title="Show only this graph">⤢</button></h2><svg id="forward-graph" tabindex="0" role="img" aria-labelledby="forward-title"></svg></section>
    <section class="pane" data-pane="backward" aria-label="Backward graph"><h2><span id="backward-title">Backward</span><button class="maximize" data-maximize="backward" aria-pressed="false" title="Show only this graph">⤢</button></h2><svg id="backward-graph" tabindex="0" role="img" aria-labelledby="backward-title"></svg></section>
  </div>
  <aside id="details" aria-label="Details of the selected node" aria-live="polite"></aside>
</div>
<div id="source-view" hidden aria-live="polite"></div>
<div id="legend" aria-label="Legend">${legendHtml()}</div>`;
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

class TapeViewApp {
  private trace: Trace | undefined;
  private index: TraceIndex | undefined;
  private choices: ViewChoice[] = [];
  private view: TapeView | undefined;
  private graphs: Partial<Record<PaneKind, ViewGraph>> = {};
  private readonly renderers: Record<PaneKind, GraphRenderer>;
  private step = 0;
  private selected: { pane: PaneKind; id: string } | undefined;
  private activePane: PaneKind = 'forward';
  private page = 0;
  private groupBy: GroupMode = 'none';
  private collapsed = new Set<string>();
  private playTimer: number | undefined;
  private jobs: LayoutJob[] = [];
  private layoutGeneration = 0;
  private zooms: Partial<Record<PaneKind, { x: number; y: number; k: number }>> = {};
  private saveTimer: number | undefined;
  private hits: { pane: PaneKind; id: string }[] = [];
  private hitCursor = -1;
  private readonly layoutClient: LayoutClient;
  private readonly nodeIndex = new WeakMap<ViewGraph, Map<string, GraphNode>>();

  constructor(private readonly host: Host) {
    this.layoutClient = new LayoutClient(async () => {
      const element = document.getElementById(WORKER_ELEMENT_ID);
      if (!element) return undefined;
      const url = element.getAttribute('data-src');
      if (url) return (await fetch(url)).text();
      return embeddedText(element);
    });
    const make = (pane: PaneKind): GraphRenderer =>
      new GraphRenderer(byId<HTMLElement>(`${pane}-graph`) as unknown as SVGSVGElement, {
        onSelect: (id) => this.select(pane, id, 'select'),
        onActivate: (id) => {
          if (id.startsWith('group:')) this.toggleGroup(id.slice('group:'.length));
        },
        onToggleCluster: (key) => this.toggleGroup(key),
        onZoom: (t) => {
          this.zooms[pane] = t;
          this.saveState();
        },
      });
    this.renderers = { forward: make('forward'), backward: make('backward') };
    this.layoutClient.prewarm();
    this.wireControls();
  }

  // ---- loading -------------------------------------------------------------------------------

  async load(trace: Trace, focus?: ViewFocus, restore?: ViewState): Promise<void> {
    this.trace = trace;
    this.index = new TraceIndex(trace);
    this.choices = listChoices(trace);
    const select = byId<HTMLSelectElement>('choice');
    select.innerHTML = this.choices.map((c) => `<option value="${esc(c.key)}">${'\u00a0\u00a0'.repeat(c.depth)}${esc(c.label)}</option>`).join('');
    if (this.choices.length === 0) {
      this.showEmpty('This run recorded no tape.');
      return;
    }
    if (restore?.groupBy) this.groupBy = restore.groupBy;
    this.collapsed = new Set(restore?.collapsedGroups ?? []);
    byId<HTMLSelectElement>('group-mode').value = this.groupBy;
    byId<HTMLElement>('group-buttons').hidden = this.groupBy === 'none';
    const wanted =
      this.choices.find((c) => restore?.gradientCall !== undefined && c.gradientCall === restore.gradientCall) ??
      this.choices.find((c) => restore?.tape !== undefined && restore.gradientCall === undefined && c.tape === restore.tape) ??
      this.choices.find((c) => focus?.gradientCall !== undefined && c.gradientCall === focus.gradientCall) ??
      this.choices.find((c) => focus?.tape !== undefined && c.tape === focus.tape) ??
      this.choices[0]!;
    await this.showChoice(wanted, restore);
    if (focus?.line) this.focusLine(focus.line.line);
    if (trace.truncated) {
      const status = byId<HTMLElement>('status');
      status.hidden = false;
      status.textContent = `This trace stopped recording after ${trace.limits.maxOps.toLocaleString('en')} ops: ${trace.truncated.droppedOps.toLocaleString('en')} later ops ran but are not shown.`;
    }
  }

  private showEmpty(message: string): void {
    for (const pane of ['forward', 'backward'] as const) byId<HTMLElement>(`${pane}-graph`).innerHTML = '';
    byId<HTMLElement>('details').innerHTML = `<p class="muted">${esc(message)}</p>`;
    document.documentElement.dataset.ready = 'true';
  }

  private async showChoice(choice: ViewChoice, restore?: ViewState): Promise<void> {
    if (!this.trace || !this.index) return;
    this.stopPlaying();
    byId<HTMLSelectElement>('choice').value = choice.key;
    performance.mark('tapescope-model-start');
    this.view = buildTapeView(this.trace, choice, this.index);
    performance.measure('tapescope-model', 'tapescope-model-start');
    const last = this.view.steps.length - 1;
    this.step = restore?.step !== undefined ? Math.min(Math.max(0, restore.step), Math.max(0, last)) : Math.max(0, last);
    this.selected = undefined;
    if (restore?.selectedNode) {
      const [pane, ...rest] = restore.selectedNode.split('/');
      if (pane === 'forward' || pane === 'backward') this.selected = { pane, id: rest.join('/') };
    }
    this.zooms = { ...(restore?.zoom ? { forward: restore.zoom } : {}), ...(restore?.backwardZoom ? { backward: restore.backwardZoom } : {}) };
    this.page = 0;
    await this.relayout(Boolean(restore?.zoom));
    this.updateStepLabel();
    const current = this.view.steps[this.step];
    if (!this.selected && current && this.renderers[current.graph].has(current.nodeId)) this.selectQuiet(current.graph, current.nodeId);
    this.renderDetails();
    this.saveState();
  }

  private displayedGraph(graph: ViewGraph): ViewGraph {
    return collapseGroups(graph, this.groupBy, this.collapsed);
  }

  /** Lays out both graphs (in the worker) and draws them. Called on load, grouping and collapsing only. */
  private async relayout(keepZoom: boolean, forcedEngine?: LayoutEngine, notice?: string): Promise<void> {
    const view = this.view;
    if (!view) return;
    for (const job of this.jobs) job.cancel();
    const generation = ++this.layoutGeneration;
    document.documentElement.dataset.ready = 'false';
    const panes: PaneKind[] = view.backward ? ['forward', 'backward'] : ['forward'];
    this.graphs = { forward: this.displayedGraph(view.forward), ...(view.backward ? { backward: this.displayedGraph(view.backward) } : {}) };
    const total = panes.reduce((n, p) => n + this.graphs[p]!.nodes.length, 0);
    const engine = chooseEngine(total, forcedEngine ?? requestedEngine());
    const validGroups = new Map<PaneKind, Set<string>>();
    for (const pane of panes) validGroups.set(pane, new Set(listGroups(this.graphs[pane]!, this.groupBy).map((g) => g.key)));
    const inputs = panes.map((pane) =>
      layoutInput(this.graphs[pane]!, this.groupBy === 'none' ? undefined : (node: GraphNode) => {
        const key = groupKey(node, this.groupBy);
        return key !== undefined && validGroups.get(pane)!.has(key) && node.kind !== 'group' ? key : undefined;
      }),
    );
    const status = byId<HTMLElement>('status');
    let phaseText = 'starting';
    let fraction = 0;
    const showProgress = (): void => {
      status.hidden = false;
      status.innerHTML = `Laying out ${total.toLocaleString('en')} nodes (${engine}): ${esc(phaseText)} <progress max="1" value="${fraction}"></progress> <button id="cancel-layout">Cancel</button>`;
      byId<HTMLButtonElement>('cancel-layout').onclick = () => this.cancelLayout(engine);
    };
    const progressTimer = window.setTimeout(showProgress, PROGRESS_DELAY);
    this.jobs = inputs.map((input) =>
      this.layoutClient.layout(input, engine, (phase, f) => {
        phaseText = phase;
        fraction = f;
        if (!status.hidden) showProgress();
      }),
    );
    let results: LayoutResult[];
    try {
      results = await Promise.all(this.jobs.map((j) => j.promise));
    } catch (error) {
      window.clearTimeout(progressTimer);
      if (generation !== this.layoutGeneration) return;
      if (!(error instanceof LayoutCancelled)) {
        status.hidden = false;
        status.textContent = `Layout failed: ${error instanceof Error ? error.message : String(error)}`;
        this.host.post({ type: 'log', level: 'error', message: status.textContent });
      }
      return;
    }
    window.clearTimeout(progressTimer);
    if (generation !== this.layoutGeneration) return;
    status.hidden = notice === undefined;
    status.textContent = notice ?? '';
    performance.mark('tapescope-render-start');
    panes.forEach((pane, i) => {
      const result = results[i]!;
      result.sizes = inputs[i]!.nodes.map((n) => ({ width: n.width, height: n.height }));
      this.renderers[pane].render(this.graphs[pane]!, result, this.step);
    });
    if (!view.backward) {
      const svg = byId<HTMLElement>('backward-graph');
      svg.querySelector('g.graph-root')!.innerHTML = '';
      byId<HTMLElement>('backward-title').textContent = 'Backward: no gradient call on this tape';
    } else {
      const call = this.trace?.gradients.find((g) => g.id === view.choice.gradientCall);
      byId<HTMLElement>('backward-title').textContent = `Backward: ${call?.kind ?? 'gradient'} ${call?.id ?? ''}${call?.loc ? ` (line ${call.loc.line})` : ''}${call?.error ? `, raised ${call.error.type}: ${call.error.message}` : ''}`;
    }
    byId<HTMLElement>('forward-title').textContent = `Forward: tape ${view.choice.tape} (${view.forwardStepCount} ops)`;
    for (const pane of panes) {
      const zoom = this.zooms[pane];
      if (keepZoom && zoom) this.renderers[pane].setTransform(zoom);
      else this.renderers[pane].fit();
    }
    if (this.selected && this.renderers[this.selected.pane].has(this.selected.id)) this.renderers[this.selected.pane].select(this.selected.id);
    else this.selected = undefined;
    this.applySearch();
    performance.measure('tapescope-render', 'tapescope-render-start');
    performance.measure('tapescope-boot-to-interactive', 'tapescope-boot');
    document.documentElement.dataset.layoutEngine = engine;
    document.documentElement.dataset.layoutMs = String(results.reduce((sum, r) => sum + r.millis, 0));
    document.documentElement.dataset.nodeCount = String(total);
    document.documentElement.dataset.readyAt = String(Math.round(performance.now()));
    document.documentElement.dataset.ready = 'true';
  }

  private cancelLayout(engine: LayoutEngine): void {
    for (const job of this.jobs) job.cancel();
    this.jobs = [];
    const status = byId<HTMLElement>('status');
    status.hidden = false;
    if (engine !== 'layered') {
      status.textContent = 'Layout cancelled; using the faster layered layout instead.';
      void this.relayout(false, 'layered', `dagre layout (${engine}) cancelled: drawn with the faster layered layout instead.`);
    } else {
      status.innerHTML = 'Layout cancelled. <button id="retry-layout">Lay out again</button>';
      byId<HTMLButtonElement>('retry-layout').onclick = () => void this.relayout(false);
    }
  }

  // ---- stepping ------------------------------------------------------------------------------

  private setStep(step: number, reveal = true): void {
    const view = this.view;
    if (!view || view.steps.length === 0) return;
    this.step = Math.min(Math.max(0, step), view.steps.length - 1);
    this.renderers.forward.setStep(this.step);
    if (view.backward) this.renderers.backward.setStep(this.step);
    this.updateStepLabel();
    const current = view.steps[this.step]!;
    const pane: PaneKind = current.graph;
    const id = this.renderers[pane].has(current.nodeId) ? current.nodeId : this.containingGroup(pane, current.nodeId);
    if (id) {
      this.selectQuiet(pane, id);
      if (reveal) this.renderers[pane].reveal(id);
    }
    if (current.loc) this.host.post({ type: 'reveal', loc: current.loc, reason: 'step' });
    this.saveState();
  }

  private containingGroup(pane: PaneKind, nodeId: string): string | undefined {
    return this.graphs[pane]?.nodes.find((n) => n.members?.includes(nodeId))?.id;
  }

  private updateStepLabel(): void {
    const view = this.view;
    const label = byId<HTMLElement>('step-label');
    if (!view || view.steps.length === 0) {
      label.textContent = 'no steps';
      return;
    }
    const current = view.steps[this.step]!;
    label.textContent = `${this.step + 1}/${view.steps.length} ${current.label}`;
    label.dataset.stepIndex = String(this.step);
    label.dataset.nodeId = current.nodeId;
  }

  private command(command: 'first' | 'previous' | 'next' | 'last' | 'play' | 'pause'): void {
    const last = (this.view?.steps.length ?? 1) - 1;
    if (command !== 'play' && command !== 'pause') this.stopPlaying();
    switch (command) {
      case 'first':
        return this.setStep(0);
      case 'previous':
        return this.setStep(this.step - 1);
      case 'next':
        return this.setStep(this.step + 1);
      case 'last':
        return this.setStep(last);
      case 'play':
        if (this.playTimer !== undefined) return this.stopPlaying();
        if (this.step >= last) this.setStep(0);
        byId<HTMLButtonElement>('play').textContent = '⏸ Pause';
        byId<HTMLButtonElement>('play').setAttribute('aria-label', 'Pause');
        this.playTimer = window.setInterval(() => {
          if (this.step >= (this.view?.steps.length ?? 1) - 1) this.stopPlaying();
          else this.setStep(this.step + 1);
        }, PLAY_INTERVAL);
        return;
      case 'pause':
        return this.stopPlaying();
    }
  }

  private stopPlaying(): void {
    if (this.playTimer === undefined) return;
    window.clearInterval(this.playTimer);
    this.playTimer = undefined;
    byId<HTMLButtonElement>('play').textContent = '▶ Play';
    byId<HTMLButtonElement>('play').setAttribute('aria-label', 'Play');
  }

  // ---- selection and details -----------------------------------------------------------------

  private nodeOf(pane: PaneKind, id: string): GraphNode | undefined {
    const graph = this.graphs[pane];
    if (!graph) return undefined;
    let index = this.nodeIndex.get(graph);
    if (!index) this.nodeIndex.set(graph, (index = new Map(graph.nodes.map((n) => [n.id, n]))));
    return index.get(id);
  }

  private selectQuiet(pane: PaneKind, id: string): void {
    if (this.selected) this.renderers[this.selected.pane].select(undefined);
    this.selected = { pane, id };
    this.activePane = pane;
    this.renderers[pane].select(id);
    this.page = 0;
    this.renderDetails();
  }

  private select(pane: PaneKind, id: string, reason: 'select'): void {
    this.selectQuiet(pane, id);
    const loc = this.nodeOf(pane, id)?.loc;
    if (loc) this.host.post({ type: 'reveal', loc, reason });
    this.saveState();
  }

  private renderDetails(): void {
    const details = byId<HTMLElement>('details');
    if (!this.view || !this.index) return;
    const node = this.selected ? this.nodeOf(this.selected.pane, this.selected.id) : undefined;
    details.innerHTML = renderDetails(node, this.view, this.index, this.page);
    details.dataset.nodeId = node?.id ?? '';
  }

  private focusLine(line: number): void {
    for (const pane of ['forward', 'backward'] as const) {
      const graph = this.graphs[pane];
      const node = graph?.nodes.find((n) => n.kind === 'op' && n.loc?.line === line) ?? graph?.nodes.find((n) => n.loc?.line === line);
      if (node) {
        this.selectQuiet(pane, node.id);
        this.renderers[pane].reveal(node.id);
        return;
      }
    }
  }

  // ---- search, groups ------------------------------------------------------------------------

  private applySearch(): void {
    const query = byId<HTMLInputElement>('search').value;
    this.hits = [];
    for (const pane of ['forward', 'backward'] as const) {
      const graph = this.graphs[pane];
      const ids = graph ? searchNodes(graph, query) : [];
      this.renderers[pane].setHits(new Set(ids));
      this.hits.push(...ids.map((id) => ({ pane, id })));
    }
    this.hitCursor = -1;
    byId<HTMLElement>('search-count').textContent = query.trim() ? `${this.hits.length} match${this.hits.length === 1 ? '' : 'es'}` : '';
  }

  private nextHit(): void {
    if (this.hits.length === 0) return;
    this.hitCursor = (this.hitCursor + 1) % this.hits.length;
    const hit = this.hits[this.hitCursor]!;
    this.select(hit.pane, hit.id, 'select');
    this.renderers[hit.pane].reveal(hit.id);
  }

  private toggleGroup(key: string): void {
    if (this.groupBy === 'none') return;
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    void this.relayout(true);
    this.saveState();
  }

  private setAllGroups(collapse: boolean): void {
    if (this.groupBy === 'none' || !this.view) return;
    this.collapsed = new Set();
    if (collapse) {
      for (const graph of [this.view.forward, this.view.backward]) if (graph) for (const g of listGroups(graph, this.groupBy)) this.collapsed.add(g.key);
    }
    void this.relayout(false);
    this.saveState();
  }

  // ---- export ---------------------------------------------------------------------------------

  private async exportData(format: 'svg' | 'png' | 'json'): Promise<string> {
    if (format === 'json') return JSON.stringify(this.trace ?? null, null, 1);
    const svg = this.renderers[this.activePane].exportSvg();
    if (format === 'svg') return svg;
    const { width, height } = this.renderers[this.activePane].size();
    const scale = Math.min(2, 8192 / Math.max(1, width), 8192 / Math.max(1, height));
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      const image = new Image();
      await new Promise<void>((resolve, reject) => {
        image.onload = () => resolve();
        image.onerror = () => reject(new Error('could not render the SVG for PNG export'));
        image.src = url;
      });
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.ceil(width * scale));
      canvas.height = Math.max(1, Math.ceil(height * scale));
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2D canvas');
      context.scale(scale, scale);
      context.drawImage(image, 0, 0);
      return canvas.toDataURL('image/png');
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  private async export(format: 'svg' | 'png' | 'json'): Promise<void> {
    try {
      const data = await this.exportData(format);
      if (this.host.standalone) {
        const name = format === 'json' ? 'tapescope-trace.json' : `tapescope-${this.activePane}.${format}`;
        const href = format === 'png' ? data : URL.createObjectURL(new Blob([data], { type: format === 'svg' ? 'image/svg+xml' : 'application/json' }));
        const a = document.createElement('a');
        a.href = href;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        if (format !== 'png') setTimeout(() => URL.revokeObjectURL(href), 10_000);
      } else this.host.post({ type: 'export', format, data });
    } catch (error) {
      this.host.post({ type: 'log', level: 'error', message: `export failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  // ---- host messages, state ---------------------------------------------------------------------

  handleHostMessage(message: HostToView): void {
    switch (message.type) {
      case 'trace':
        void this.load(message.trace, message.focus, this.host.getState());
        byId<HTMLElement>('status').hidden = true;
        return;
      case 'focus': {
        const f = message.focus;
        const choice = this.choices.find((c) => (f.gradientCall !== undefined ? c.gradientCall === f.gradientCall : f.tape !== undefined && c.tape === f.tape));
        if (choice && choice.key !== this.view?.choice.key) void this.showChoice(choice).then(() => f.line && this.focusLine(f.line.line));
        else if (f.line) this.focusLine(f.line.line);
        return;
      }
      case 'running': {
        const status = byId<HTMLElement>('status');
        status.hidden = false;
        status.textContent = `Running ${message.file}: ${message.message}`;
        return;
      }
      case 'run-error': {
        const status = byId<HTMLElement>('status');
        status.hidden = false;
        status.textContent = `Error${message.loc ? ` at line ${message.loc.line}` : ''}: ${message.message}`;
        return;
      }
      case 'step-command':
        return this.command(message.command);
      case 'export-request':
        void this.export(message.format);
        return;
    }
  }

  private currentState(): ViewState {
    const view = this.view;
    return {
      ...(view ? { tape: view.choice.tape } : {}),
      ...(view?.choice.gradientCall !== undefined ? { gradientCall: view.choice.gradientCall } : {}),
      step: this.step,
      ...(this.selected ? { selectedNode: `${this.selected.pane}/${this.selected.id}` } : {}),
      ...(this.zooms.forward ? { zoom: this.zooms.forward } : {}),
      ...(this.zooms.backward ? { backwardZoom: this.zooms.backward } : {}),
      groupBy: this.groupBy,
      collapsedGroups: [...this.collapsed],
    };
  }

  private saveState(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = undefined;
      const state = this.currentState();
      this.host.setState(state);
      this.host.post({ type: 'state', state });
    }, 200);
  }

  // ---- controls --------------------------------------------------------------------------------

  private wireControls(): void {
    byId<HTMLSelectElement>('choice').addEventListener('change', (event) => {
      const choice = this.choices.find((c) => c.key === (event.target as HTMLSelectElement).value);
      if (choice) void this.showChoice(choice);
    });
    document.querySelectorAll<HTMLButtonElement>('[data-step]').forEach((button) =>
      button.addEventListener('click', () => this.command(button.dataset.step as 'first' | 'previous' | 'next' | 'last' | 'play')),
    );
    document.querySelectorAll<HTMLButtonElement>('[data-export]').forEach((button) =>
      button.addEventListener('click', () => void this.export(button.dataset.export as 'svg' | 'png' | 'json')),
    );
    const search = byId<HTMLInputElement>('search');
    search.addEventListener('input', () => this.applySearch());
    search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.nextHit();
      } else if (event.key === 'Escape') {
        search.value = '';
        this.applySearch();
        search.blur();
      }
    });
    byId<HTMLSelectElement>('group-mode').addEventListener('change', (event) => {
      this.groupBy = (event.target as HTMLSelectElement).value as GroupMode;
      byId<HTMLElement>('group-buttons').hidden = this.groupBy === 'none';
      this.collapsed.clear();
      void this.relayout(false);
      this.saveState();
    });
    byId<HTMLButtonElement>('collapse-all').addEventListener('click', () => this.setAllGroups(true));
    byId<HTMLButtonElement>('expand-all').addEventListener('click', () => this.setAllGroups(false));
    byId<HTMLButtonElement>('fit').addEventListener('click', () => this.fitAll());
    document.querySelectorAll<HTMLButtonElement>('[data-maximize]').forEach((button) =>
      button.addEventListener('click', () => this.toggleMaximize(button.dataset.maximize as PaneKind)),
    );
    document.getElementById('theme')?.addEventListener('change', (event) => {
      const value = (event.target as HTMLSelectElement).value;
      if (value) document.documentElement.dataset.theme = value;
      else delete document.documentElement.dataset.theme;
    });
    for (const pane of ['forward', 'backward'] as const) {
      byId<HTMLElement>(`${pane}-graph`).addEventListener('focus', () => (this.activePane = pane));
      // In a focused graph, ↑/↓ walk its nodes in order (sources and ops as recorded), Enter opens a
      // collapsed group or reveals the selected node's line; ←/→ stay the stepping keys.
      byId<HTMLElement>(`${pane}-graph`).addEventListener('keydown', (event) => {
        const graph = this.graphs[pane];
        if (!graph || graph.nodes.length === 0) return;
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          const at = this.selected?.pane === pane ? graph.nodes.findIndex((n) => n.id === this.selected!.id) : -1;
          const next = event.key === 'ArrowDown' ? (at + 1) % graph.nodes.length : (at - 1 + graph.nodes.length) % graph.nodes.length;
          this.select(pane, graph.nodes[next]!.id, 'select');
          this.renderers[pane].reveal(graph.nodes[next]!.id);
        } else if (event.key === 'Enter' && this.selected?.pane === pane) {
          if (this.selected.id.startsWith('group:')) this.toggleGroup(this.selected.id.slice(6));
          else {
            const loc = this.nodeOf(pane, this.selected.id)?.loc;
            if (loc) this.host.post({ type: 'reveal', loc, reason: 'select' });
          }
        }
      });
    }
    byId<HTMLElement>('details').addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLElement>('[data-action]');
      if (!button) return;
      const action = button.dataset.action;
      if (action === 'reveal' && this.selected) {
        const loc = this.nodeOf(this.selected.pane, this.selected.id)?.loc;
        if (loc) this.host.post({ type: 'reveal', loc, reason: 'select' });
      } else if (action === 'page') {
        this.page = Number(button.dataset.page);
        this.renderDetails();
        document.querySelector<HTMLElement>(`#details [data-action="page"]:not([disabled])`)?.focus();
      } else if (action === 'expand' && button.dataset.group) this.toggleGroup(button.dataset.group);
      else if (action === 'select' && button.dataset.node) {
        this.select('forward', button.dataset.node, 'select');
        this.renderers.forward.reveal(button.dataset.node);
      }
    });
    document.addEventListener('keydown', (event) => {
      const target = event.target instanceof Element ? event.target : document.body;
      if (target.closest('input, select, textarea') || event.altKey || event.ctrlKey || event.metaKey) return;
      const inButton = target.tagName === 'BUTTON';
      switch (event.key) {
        case 'ArrowRight':
          this.command('next');
          break;
        case 'ArrowLeft':
          this.command('previous');
          break;
        case 'Home':
          this.command('first');
          break;
        case 'End':
          this.command('last');
          break;
        case ' ':
          if (inButton) return;
          this.command('play');
          break;
        case 'f':
          this.fitAll();
          break;
        case '/':
          byId<HTMLInputElement>('search').focus();
          break;
        default:
          return;
      }
      event.preventDefault();
    });
  }

  /** Shows one graph across the whole width (or both again), then fits it. */
  toggleMaximize(pane: PaneKind): void {
    const panes = document.querySelector<HTMLElement>('.panes')!;
    const maximized = panes.dataset.maximized === pane ? undefined : pane;
    if (maximized) panes.dataset.maximized = maximized;
    else delete panes.dataset.maximized;
    document.querySelectorAll<HTMLButtonElement>('[data-maximize]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.maximize === maximized)));
    this.fitAll();
  }

  private fitAll(): void {
    this.renderers.forward.fit();
    if (this.view?.backward) this.renderers.backward.fit();
  }
}

/** Text carried by an inert element: a JSON string (`type="application/json"`) or plain text. */
function embeddedText(element: HTMLElement): string | undefined {
  const text = element.textContent ?? undefined;
  if (text === undefined || element.getAttribute('type') !== 'application/json') return text;
  const value: unknown = JSON.parse(text);
  return typeof value === 'string' ? value : undefined;
}

/** Standalone page: shows a revealed source line in the page (with the program text when embedded). */
function showSourceLine(loc: SourceLocation): void {
  const view = byId<HTMLElement>('source-view');
  view.hidden = false;
  const sourceElement = document.getElementById(SOURCE_ELEMENT_ID);
  const source = sourceElement ? (embeddedText(sourceElement) ?? '') : '';
  const lines = source ? source.split('\n') : [];
  let html = `<div><strong>${esc(loc.file)}:${loc.line}</strong>${loc.functionName && loc.functionName !== '<module>' ? ` in ${esc(loc.functionName)}` : ''}</div>`;
  if (lines.length >= loc.line) {
    for (let n = Math.max(1, loc.line - 1); n <= Math.min(lines.length, loc.line + 1); n++) {
      html += `<div class="line${n === loc.line ? ' here' : ''}" data-line="${n}">${String(n).padStart(4)}  ${esc(lines[n - 1] ?? '')}</div>`;
    }
  }
  view.innerHTML = html;
  view.dataset.line = String(loc.line);
}

const ENGINES: readonly LayoutEngine[] = ['dagre-network-simplex', 'dagre-longest-path', 'layered'];

/** `?layout=dagre-network-simplex` (page URL) forces a layout engine: for comparing them, and for tests. */
function requestedEngine(): LayoutEngine | undefined {
  const value = new URLSearchParams(location.search).get('layout');
  return ENGINES.find((e) => e === value);
}

function readEmbeddedTrace(): Trace | undefined {
  const element = document.getElementById(TRACE_ELEMENT_ID);
  if (!element?.textContent) return undefined;
  return JSON.parse(element.textContent) as Trace;
}

function boot(): void {
  performance.mark('tapescope-boot');
  injectStyles(SCRIPT_NONCE);
  let app: TapeViewApp | undefined;
  const host = connectHost((message: ViewToHost) => {
    // Standalone page: the page itself is the host.
    if (message.type === 'reveal') showSourceLine(message.loc);
    else if (message.type === 'log') console[message.level === 'info' ? 'log' : message.level](message.message);
  });
  let root = document.getElementById('tapescope-app');
  if (!root) {
    root = document.createElement('div');
    root.id = 'tapescope-app';
    document.body.appendChild(root);
  }
  root.innerHTML = shellHtml(host.standalone);
  app = new TapeViewApp(host);
  host.onMessage((message) => app?.handleHostMessage(message));
  if (host.standalone) {
    const trace = readEmbeddedTrace();
    if (trace) void app.load(trace);
    else byId<HTMLElement>('details').textContent = 'No trace embedded in this page.';
  } else {
    const state = host.getState();
    host.post({ type: 'ready', ...(state ? { state } : {}) });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
