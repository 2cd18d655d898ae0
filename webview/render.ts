/**
 * Draws one graph (forward or backward) into an SVG with d3: markup built once per layout, then
 * stepping only flips classes on the nodes and edges whose state changed (never a re-layout), so a
 * step on a 10,000-node graph touches a handful of elements.
 */
import { select } from 'd3-selection';
import { curveBasis, curveBumpY, line } from 'd3-shape';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { edgeState, nodeState, type GraphEdge, type GraphNode, type NodeState, type ViewGraph } from './model/graph';
import { LINE_HEIGHT, nodeLines, nodeSize, type LayoutResult } from './model/layout';
import { displayValue, nonFiniteBadge, valueStats } from './model/values';
import { GRAPH_CSS, THEME_VARIABLES } from './styles';

const PAD = 10;
/** Below this zoom level text is hidden in large graphs: unreadable anyway, and huge graphs paint faster. */
const LOD_ZOOM = 0.35;
/** Graphs with at most this many nodes always show their text. */
const LOD_MIN_NODES = 400;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface RendererCallbacks {
  onSelect(nodeId: string): void;
  onActivate(nodeId: string): void;
  onToggleCluster(key: string): void;
  onZoom(transform: { x: number; y: number; k: number }): void;
}

function nodeShape(node: GraphNode, w: number, h: number): string {
  const rect = (rx: number, cls = 'shape', inset = 0): string =>
    `<rect class="${cls}" x="${fmt(-w / 2 + inset)}" y="${fmt(-h / 2 + inset)}" width="${fmt(w - 2 * inset)}" height="${fmt(h - 2 * inset)}" rx="${rx}"/>`;
  const halo = `<rect class="halo" x="${fmt(-w / 2 - 5)}" y="${fmt(-h / 2 - 5)}" width="${fmt(w + 10)}" height="${fmt(h + 10)}" rx="6"/>`;
  switch (node.kind) {
    case 'source': {
      const variable = node.sourceKind === 'trainable-variable' || node.sourceKind === 'non-trainable-variable';
      return halo + rect(variable ? Math.min(14, h / 2) : 1);
    }
    case 'none': {
      // An octagon: the None shape, so None is told by outline as well as by colour and text.
      const c = 10;
      const d = `M${-w / 2 + c},${-h / 2} H${w / 2 - c} L${w / 2},${-h / 2 + c} V${h / 2 - c} L${w / 2 - c},${h / 2} H${-w / 2 + c} L${-w / 2},${h / 2 - c} V${-h / 2 + c} Z`;
      return `${halo}<path class="shape" d="${d}"/>`;
    }
    case 'gradient':
      return halo + rect(4) + rect(2, 'inner', 3);
    case 'group':
      return `${halo}<rect class="stack" x="${fmt(-w / 2 + 5)}" y="${fmt(-h / 2 + 5)}" width="${fmt(w)}" height="${fmt(h)}" rx="4"/>${rect(4)}`;
    default:
      return halo + rect(node.kind === 'target' ? 8 : 4);
  }
}

function valueGraphic(node: GraphNode, w: number, top: number): string {
  if (!node.value) return '';
  const display = displayValue(node.value, 48);
  if (display.mode !== 'large') return '';
  const x0 = -w / 2 + PAD;
  const width = w - 2 * PAD;
  const height = 22;
  let body = '';
  if (display.kind === 'heatmap') {
    const finite = display.cells.filter(Number.isFinite).map(Math.abs);
    const scale = Math.max(1e-12, ...finite);
    const cw = width / display.columns;
    const ch = height / display.rows;
    display.cells.forEach((v, i) => {
      const r = Math.floor(i / display.columns);
      const c = i % display.columns;
      const cls = Number.isFinite(v) ? (v >= 0 ? 'pos' : 'neg') : 'nan';
      const opacity = Number.isFinite(v) ? 0.12 + 0.88 * (Math.abs(v) / scale) : 0.5;
      body += `<rect class="heat ${cls}" x="${fmt(x0 + c * cw)}" y="${fmt(top + r * ch)}" width="${fmt(cw + 0.3)}" height="${fmt(ch + 0.3)}" fill-opacity="${opacity.toFixed(2)}"/>`;
    });
  } else {
    const finite = display.cells.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const span = hi - lo || 1;
    const step = display.cells.length > 1 ? width / (display.cells.length - 1) : 0;
    const points = display.cells
      .map((v, i) => (Number.isFinite(v) ? `${fmt(x0 + i * step)},${fmt(top + height - ((v - lo) / span) * height)}` : ''))
      .filter(Boolean);
    body += `<polyline class="spark" points="${points.join(' ')}"/>`;
  }
  const stats = display.stats;
  const summary = [stats.min, stats.max, stats.mean].every((v) => v !== undefined)
    ? `min ${stats.min!.toPrecision(3)} max ${stats.max!.toPrecision(3)} mean ${stats.mean!.toPrecision(3)}`
    : `${stats.count} elements`;
  return `<g class="heatmap"><rect class="heat-frame" x="${fmt(x0)}" y="${fmt(top)}" width="${fmt(width)}" height="${height}"/>${body}</g><text class="sub" x="${fmt(x0)}" y="${fmt(top + height + 12)}">${escapeXml(summary)}</text>`;
}

function nodeMarkup(node: GraphNode, w: number, h: number): string {
  const { body, valueText, valueGraphic: hasGraphic } = nodeLines(node);
  const x0 = -w / 2 + PAD;
  let y = -h / 2 + PAD + 11;
  const title = node.kind === 'none' ? '⊘ None' : node.kind === 'group' ? `▸ ${node.title}` : node.title;
  let text = `<text class="title" x="${fmt(x0)}" y="${fmt(y)}">${escapeXml(title)}</text>`;
  for (const l of body) {
    y += LINE_HEIGHT;
    text += `<text class="sub" x="${fmt(x0)}" y="${fmt(y)}">${escapeXml(l)}</text>`;
  }
  if (valueText) {
    y += LINE_HEIGHT;
    text += `<text class="value" x="${fmt(x0)}" y="${fmt(y)}">${escapeXml(valueText)}</text>`;
  }
  if (hasGraphic) text += valueGraphic(node, w, y + 5);
  if (node.value) {
    const badge = nonFiniteBadge(valueStats(node.value));
    if (badge) {
      const bw = badge.length * 6.5 + 8;
      text += `<rect class="badge-bg" x="${fmt(w / 2 - bw - 4)}" y="${fmt(-h / 2 + 3)}" width="${fmt(bw)}" height="14" rx="3"/><text class="badge" x="${fmt(w / 2 - bw)}" y="${fmt(-h / 2 + 14)}">${escapeXml(badge)}</text>`;
    }
  }
  return nodeShape(node, w, h) + text;
}

function nodeBaseClass(node: GraphNode): string {
  let cls = `node kind-${node.kind}`;
  if (node.sourceKind) cls += ` src-${node.sourceKind}`;
  if (node.recorded === false) cls += ' unrecorded';
  return cls;
}

let svgCounter = 0;
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Graphs up to this many nodes are drawn in full; larger ones draw only what is in view. */
const FULL_DRAW_MAX = 600;
/** When more than this many nodes are in view, they are drawn as an overview (boxes in a few paths). */
const DETAIL_MAX_VISIBLE = 600;

interface NodeItem {
  node: GraphNode;
  x: number;
  y: number;
  width: number;
  height: number;
  baseClass: string;
  state: NodeState;
  element?: SVGGElement;
}

interface EdgeItem {
  edge: GraphEdge;
  index: number;
  points: [number, number][];
  box: [number, number, number, number];
  state: NodeState;
  element?: SVGPathElement;
  label?: SVGTextElement;
}

const edgeMarker = (edge: GraphEdge): string =>
  edge.kind === 'none' ? 'none' : edge.kind === 'gradient' || edge.kind === 'seed' || edge.kind === 'result' ? 'gradient' : 'arrow';

export class GraphRenderer {
  private readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly clusterLayer: SVGGElement;
  private readonly edgeLayer: SVGGElement;
  private readonly overviewLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly zoomBehavior: ZoomBehavior<SVGSVGElement, unknown>;
  private readonly uid = `g${++svgCounter}`;
  private items: NodeItem[] = [];
  private byId = new Map<string, NodeItem>();
  private edgeItems: EdgeItem[] = [];
  /** Nodes and edges by the step at which their state flips, for restyling only what a step changes. */
  private nodesByStep = new Map<number, NodeItem[]>();
  private edgesByStep = new Map<number, EdgeItem[]>();
  private rangeNodes: NodeItem[] = [];
  private current = -1;
  private selected: string | undefined;
  private hits = new Set<string>();
  private layout: LayoutResult | undefined;
  private lowDetail = false;
  private overview = false;
  private updateScheduled = false;
  private overviewDirty = false;
  /** The SVG's size, kept by a ResizeObserver: reading clientWidth while stepping would force a layout. */
  private viewWidth = 600;
  private viewHeight = 400;
  /** How many times a graph was laid out and drawn (stepping must never change it). */
  renderCount = 0;
  transform: ZoomTransform = zoomIdentity;

  constructor(svg: SVGSVGElement, private readonly callbacks: RendererCallbacks) {
    this.svg = svg;
    this.svg.innerHTML = '';
    const defs = ['arrow', 'gradient', 'none']
      .map((kind) => `<marker id="${this.uid}-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow ${kind}" d="M0,0 L10,5 L0,10 z"/></marker>`)
      .join('');
    this.svg.insertAdjacentHTML('beforeend', `<defs>${defs}</defs><g class="graph-root"><g class="clusters"></g><g class="edges"></g><g class="overview"></g><g class="nodes"></g></g>`);
    this.viewport = this.svg.querySelector('g.graph-root') as SVGGElement;
    this.clusterLayer = this.viewport.querySelector('g.clusters') as SVGGElement;
    this.edgeLayer = this.viewport.querySelector('g.edges') as SVGGElement;
    this.overviewLayer = this.viewport.querySelector('g.overview') as SVGGElement;
    this.nodeLayer = this.viewport.querySelector('g.nodes') as SVGGElement;
    const measure = (): void => {
      this.viewWidth = this.svg.clientWidth || this.viewWidth;
      this.viewHeight = this.svg.clientHeight || this.viewHeight;
    };
    measure();
    new ResizeObserver(() => {
      measure();
      this.scheduleUpdate();
    }).observe(this.svg);
    this.zoomBehavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.005, 4])
      // d3's default extent reads the SVG's size, forcing a style/layout flush on every programmatic pan.
      .extent(() => [
        [0, 0],
        [this.viewWidth, this.viewHeight],
      ])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.transform = event.transform;
        this.viewport.setAttribute('transform', event.transform.toString());
        const low = event.transform.k < LOD_ZOOM && this.items.length > LOD_MIN_NODES;
        if (low !== this.lowDetail) {
          this.lowDetail = low;
          this.viewport.classList.toggle('lod-low', low);
        }
        this.scheduleUpdate();
        this.callbacks.onZoom({ x: event.transform.x, y: event.transform.y, k: event.transform.k });
      });
    select(this.svg).call(this.zoomBehavior).on('dblclick.zoom', null);
    this.svg.addEventListener('click', (event) => {
      const target = event.target as Element;
      const cluster = target.closest('g.cluster');
      if (cluster) {
        this.callbacks.onToggleCluster(cluster.getAttribute('data-cluster') ?? '');
        return;
      }
      const node = target.closest('g.node');
      if (node) {
        this.callbacks.onSelect(node.getAttribute('data-id') ?? '');
        return;
      }
      // Overview mode: find the box under the pointer.
      if (this.overview) {
        const [gx, gy] = this.transform.invert(this.pointer(event));
        const hit = this.items.find((it) => Math.abs(it.x - gx) <= it.width / 2 && Math.abs(it.y - gy) <= it.height / 2);
        if (hit) this.callbacks.onSelect(hit.node.id);
      }
    });
    this.svg.addEventListener('dblclick', (event) => {
      const node = (event.target as Element).closest('g.node');
      if (node) this.callbacks.onActivate(node.getAttribute('data-id') ?? '');
    });
  }

  private pointer(event: MouseEvent): [number, number] {
    const rect = this.svg.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  /** Takes a laid-out graph (the one expensive call; stepping never repeats it). */
  render(graph: ViewGraph, layout: LayoutResult, current: number): void {
    this.layout = layout;
    this.current = current;
    this.renderCount++;
    this.svg.dataset.renderCount = String(this.renderCount);
    this.clusterLayer.innerHTML = layout.clusters
      .map((c) => `<g class="cluster" data-cluster="${escapeXml(c.key)}"><rect x="${fmt(c.x)}" y="${fmt(c.y)}" width="${fmt(c.width)}" height="${fmt(c.height)}" rx="6"/><text x="${fmt(c.x + 6)}" y="${fmt(c.y + 14)}">▾ ${escapeXml(c.key)} (click to collapse)</text></g>`)
      .join('');
    this.edgeLayer.innerHTML = '';
    this.nodeLayer.innerHTML = '';
    this.overviewLayer.innerHTML = '';
    this.overview = false;
    this.items = [];
    this.byId.clear();
    this.nodesByStep.clear();
    this.edgesByStep.clear();
    this.rangeNodes = [];
    graph.nodes.forEach((node, i) => {
      const item: NodeItem = { node, x: layout.x[i]!, y: layout.y[i]!, ...sizeOf(layout, i, node), baseClass: nodeBaseClass(node), state: nodeState(node, current) };
      this.items.push(item);
      this.byId.set(node.id, item);
      if (node.stepRange) this.rangeNodes.push(item);
      else {
        bucket(this.nodesByStep, node.step, item);
        for (const step of node.revisits ?? []) bucket(this.nodesByStep, step, item);
      }
    });
    this.edgeItems = [];
    graph.edges.forEach((edge, index) => {
      const flat = layout.edgePoints[index] ?? [];
      const points: [number, number][] = [];
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      for (let k = 0; k + 1 < flat.length; k += 2) {
        const p: [number, number] = [flat[k]!, flat[k + 1]!];
        points.push(p);
        x0 = Math.min(x0, p[0]);
        x1 = Math.max(x1, p[0]);
        y0 = Math.min(y0, p[1]);
        y1 = Math.max(y1, p[1]);
      }
      if (points.length < 2) return;
      const item: EdgeItem = { edge, index, points, box: [x0, y0, x1, y1], state: edgeState(edge, current) };
      this.edgeItems.push(item);
      bucket(this.edgesByStep, edge.step, item);
    });
    this.update();
  }

  private scheduleUpdate(): void {
    if (this.updateScheduled) return;
    this.updateScheduled = true;
    requestAnimationFrame(() => {
      this.updateScheduled = false;
      this.update();
    });
  }

  /** The part of the graph (in layout coordinates) in view, with a margin so small pans draw nothing new. */
  private visibleBox(): [number, number, number, number] {
    const width = this.viewWidth;
    const height = this.viewHeight;
    const [ax, ay] = this.transform.invert([-width * 0.5, -height * 0.5]);
    const [bx, by] = this.transform.invert([width * 1.5, height * 1.5]);
    return [ax, ay, bx, by];
  }

  /** Mounts what is in view (all of it for small graphs); far-out views become an overview. */
  private update(): void {
    const all = this.items.length <= FULL_DRAW_MAX;
    const [ax, ay, bx, by] = all ? [-Infinity, -Infinity, Infinity, Infinity] : this.visibleBox();
    const inView = (x0: number, y0: number, x1: number, y1: number): boolean => x1 >= ax && x0 <= bx && y1 >= ay && y0 <= by;
    const visible = this.items.filter((it) => inView(it.x - it.width / 2, it.y - it.height / 2, it.x + it.width / 2, it.y + it.height / 2));
    const overview = !all && visible.length > DETAIL_MAX_VISIBLE;
    if (overview) {
      for (const it of this.items) this.unmountNode(it);
      for (const e of this.edgeItems) this.unmountEdge(e);
      this.overview = true;
      this.drawOverview();
      return;
    }
    if (this.overview) {
      this.overview = false;
      this.overviewLayer.innerHTML = '';
    }
    const keep = new Set(visible);
    for (const it of this.items) if (it.element && !keep.has(it)) this.unmountNode(it);
    const fresh = visible.filter((it) => !it.element);
    this.mountNodes(fresh);
    const edgesInView = this.edgeItems.filter((e) => inView(...e.box));
    const keepEdges = new Set(edgesInView);
    for (const e of this.edgeItems) if (e.element && !keepEdges.has(e)) this.unmountEdge(e);
    this.mountEdges(edgesInView.filter((e) => !e.element));
  }

  private nodeClass(item: NodeItem): string {
    let cls = `${item.baseClass} state-${item.state}`;
    if (item.node.id === this.selected) cls += ' selected';
    if (this.hits.has(item.node.id)) cls += ' hit';
    return cls;
  }

  private mountNodes(items: NodeItem[]): void {
    if (items.length === 0) return;
    const markup = items
      .map((it) => `<g class="${this.nodeClass(it)}" data-id="${escapeXml(it.node.id)}" transform="translate(${fmt(it.x)},${fmt(it.y)})"><title>${escapeXml(describeNode(it.node))}</title>${nodeMarkup(it.node, it.width, it.height)}</g>`)
      .join('');
    const before = this.nodeLayer.childElementCount;
    this.nodeLayer.insertAdjacentHTML('beforeend', markup);
    const children = this.nodeLayer.children;
    items.forEach((it, k) => (it.element = children[before + k] as SVGGElement));
  }

  private unmountNode(item: NodeItem): void {
    item.element?.remove();
    delete item.element;
  }

  private mountEdges(items: EdgeItem[]): void {
    if (items.length === 0) return;
    const pathOf = line<[number, number]>();
    for (const e of items) {
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('class', `edge kind-${e.edge.kind} state-${e.state}`);
      path.setAttribute('d', pathOf.curve(e.points.length === 2 ? curveBumpY : curveBasis)(e.points) ?? '');
      path.setAttribute('marker-end', `url(#${this.uid}-${edgeMarker(e.edge)})`);
      this.edgeLayer.appendChild(path);
      e.element = path;
      if (e.edge.label) {
        const mid = e.points[Math.floor(e.points.length / 2)]!;
        const prev = e.points[Math.floor(e.points.length / 2) - 1] ?? mid;
        const label = document.createElementNS(SVG_NS, 'text');
        label.setAttribute('class', `edge-label state-${e.state}`);
        label.setAttribute('x', fmt((mid[0] + prev[0]) / 2 + 6));
        label.setAttribute('y', fmt((mid[1] + prev[1]) / 2 + 4));
        label.textContent = e.edge.label;
        this.edgeLayer.appendChild(label);
        e.label = label;
      }
    }
  }

  private unmountEdge(e: EdgeItem): void {
    e.element?.remove();
    e.label?.remove();
    delete e.element;
    delete e.label;
  }

  /** Far-out view of a big graph: every box and edge in a handful of paths (cheap to draw and restyle). */
  private drawOverview(): void {
    this.overviewDirty = false;
    const byClass: Record<string, string[]> = { computed: [], pending: [], current: [], selected: [], hit: [] };
    for (const it of this.items) {
      const rect = `M${fmt(it.x - it.width / 2)},${fmt(it.y - it.height / 2)}h${fmt(it.width)}v${fmt(it.height)}h${fmt(-it.width)}z`;
      byClass[it.state]!.push(rect);
      if (it.node.id === this.selected) byClass.selected!.push(rect);
      if (this.hits.has(it.node.id)) byClass.hit!.push(rect);
    }
    const edges: string[] = [];
    for (const e of this.edgeItems) {
      const a = e.points[0]!;
      const b = e.points[e.points.length - 1]!;
      edges.push(`M${fmt(a[0])},${fmt(a[1])}L${fmt(b[0])},${fmt(b[1])}`);
    }
    this.overviewLayer.innerHTML =
      `<path class="ov-edges" d="${edges.join('')}"/>` +
      Object.entries(byClass)
        .map(([cls, parts]) => `<path class="ov ov-${cls}" d="${parts.join('')}"/>`)
        .join('');
  }

  private scheduleOverview(): void {
    if (this.overviewDirty) return;
    this.overviewDirty = true;
    requestAnimationFrame(() => {
      if (this.overview && this.overviewDirty) this.drawOverview();
    });
  }

  private restyleNode(item: NodeItem): void {
    if (item.element) item.element.setAttribute('class', this.nodeClass(item));
    else if (this.overview) this.scheduleOverview();
  }

  /** Moves the stepping position: restyles only nodes/edges whose step lies between old and new. */
  setStep(current: number): void {
    const previous = this.current;
    this.current = current;
    if (previous === current) return;
    const lo = Math.min(previous, current);
    const hi = Math.max(previous, current);
    const visit = (step: number): void => {
      for (const item of this.nodesByStep.get(step) ?? []) {
        const state = nodeState(item.node, current);
        if (state !== item.state) {
          item.state = state;
          this.restyleNode(item);
        }
      }
      for (const e of this.edgesByStep.get(step) ?? []) {
        const state = edgeState(e.edge, current);
        if (state !== e.state) {
          e.state = state;
          e.element?.setAttribute('class', `edge kind-${e.edge.kind} state-${state}`);
          e.label?.setAttribute('class', `edge-label state-${state}`);
        }
      }
    };
    const steps = new Set<number>();
    if (hi - lo > this.nodesByStep.size + this.edgesByStep.size) {
      for (const step of this.nodesByStep.keys()) if (step >= lo && step <= hi) steps.add(step);
      for (const step of this.edgesByStep.keys()) if (step >= lo && step <= hi) steps.add(step);
    } else for (let s = lo; s <= hi; s++) steps.add(s);
    for (const s of steps) visit(s);
    for (const item of this.rangeNodes) {
      const state = nodeState(item.node, current);
      if (state !== item.state) {
        item.state = state;
        this.restyleNode(item);
      }
    }
  }

  select(nodeId: string | undefined): void {
    const before = this.selected;
    this.selected = nodeId;
    for (const id of [before, nodeId]) {
      const item = id !== undefined ? this.byId.get(id) : undefined;
      if (item) this.restyleNode(item);
    }
  }

  setHits(hits: Set<string>): void {
    const changed = new Set([...this.hits, ...hits]);
    this.hits = hits;
    for (const id of changed) {
      const item = this.byId.get(id);
      if (item) this.restyleNode(item);
    }
  }

  has(nodeId: string): boolean {
    return this.byId.has(nodeId);
  }

  fit(): void {
    if (!this.layout) return;
    this.viewWidth = this.svg.clientWidth || this.viewWidth;
    this.viewHeight = this.svg.clientHeight || this.viewHeight;
    const width = this.viewWidth;
    const height = this.viewHeight;
    const k = Math.min(1.2, (0.95 * width) / Math.max(1, this.layout.width), (0.95 * height) / Math.max(1, this.layout.height));
    const t = zoomIdentity.translate((width - this.layout.width * k) / 2, (height - this.layout.height * k) / 2).scale(k);
    select(this.svg).call(this.zoomBehavior.transform, t);
  }

  setTransform(t: { x: number; y: number; k: number }): void {
    select(this.svg).call(this.zoomBehavior.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  /** Pans (keeping the zoom) so the node is visible, if it is not already; zooms in from an overview. */
  reveal(nodeId: string): void {
    const item = this.byId.get(nodeId);
    if (!item) return;
    const width = this.viewWidth;
    const height = this.viewHeight;
    const [sx, sy] = this.transform.apply([item.x, item.y]);
    const margin = 30;
    const readable = (this.transform.k >= LOD_ZOOM || this.items.length <= LOD_MIN_NODES) && !this.overview;
    if (sx > margin && sx < width - margin && sy > margin && sy < height - margin && readable) return;
    const k = readable ? this.transform.k : 0.8;
    const t = zoomIdentity.translate(width / 2 - item.x * k, height / 2 - item.y * k).scale(k);
    select(this.svg).call(this.zoomBehavior.transform, t);
  }

  /** The whole graph as a standalone SVG document (every node, not only those in view), colours resolved. */
  exportSvg(): string {
    const layout = this.layout;
    const width = Math.ceil(layout?.width ?? 100);
    const height = Math.ceil(layout?.height ?? 100);
    const computed = getComputedStyle(document.body);
    const vars = Object.keys(THEME_VARIABLES)
      .map((name) => `${name}: ${computed.getPropertyValue(name).trim() || 'initial'};`)
      .join(' ');
    const pathOf = line<[number, number]>();
    const edges = this.edgeItems
      .map((e) => {
        const d = pathOf.curve(e.points.length === 2 ? curveBumpY : curveBasis)(e.points) ?? '';
        let out = `<path class="edge kind-${e.edge.kind} state-${e.state}" d="${d}" marker-end="url(#${this.uid}-${edgeMarker(e.edge)})"/>`;
        if (e.edge.label) {
          const mid = e.points[Math.floor(e.points.length / 2)]!;
          const prev = e.points[Math.floor(e.points.length / 2) - 1] ?? mid;
          out += `<text class="edge-label state-${e.state}" x="${fmt((mid[0] + prev[0]) / 2 + 6)}" y="${fmt((mid[1] + prev[1]) / 2 + 4)}">${escapeXml(e.edge.label)}</text>`;
        }
        return out;
      })
      .join('');
    const nodes = this.items
      .map((it) => `<g class="${this.nodeClass(it)}" data-id="${escapeXml(it.node.id)}" transform="translate(${fmt(it.x)},${fmt(it.y)})"><title>${escapeXml(describeNode(it.node))}</title>${nodeMarkup(it.node, it.width, it.height)}</g>`)
      .join('');
    const serializer = new XMLSerializer();
    const defs = serializer.serializeToString(this.svg.querySelector('defs')!);
    const clusters = serializer.serializeToString(this.clusterLayer);
    const css = `svg { ${vars} } ${GRAPH_CSS}`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><style>${css.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</style><rect width="100%" height="100%" fill="var(--ts-bg)"/>${defs}<g class="graph-root">${clusters}<g class="edges">${edges}</g><g class="nodes">${nodes}</g></g></svg>`;
  }

  size(): { width: number; height: number } {
    return { width: this.layout?.width ?? 0, height: this.layout?.height ?? 0 };
  }
}

function bucket<T>(map: Map<number, T[]>, step: number, item: T): void {
  const list = map.get(step);
  if (list) list.push(item);
  else map.set(step, [item]);
}

function sizeOf(layout: LayoutResult, i: number, node: GraphNode): { width: number; height: number } {
  return layout.sizes?.[i] ?? nodeSize(node);
}

/** A tooltip / accessible description of a node. */
export function describeNode(node: GraphNode): string {
  const parts = [node.kind === 'none' ? 'None' : node.title];
  if (node.subtitle) parts.push(node.subtitle);
  if (node.noneReason) parts.push(node.noneReason.message);
  if (node.loc) parts.push(`${node.loc.file}:${node.loc.line}`);
  return parts.join(' — ');
}
