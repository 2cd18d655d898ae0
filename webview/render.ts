/**
 * Draws one graph (forward or backward) into an SVG with d3: markup built once per layout, then
 * stepping only flips classes on the nodes and edges whose state changed (never a re-layout), so a
 * step on a 10,000-node graph touches a handful of elements.
 */
import { curveBasis, curveBumpY, line, select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
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

interface DrawnNode {
  node: GraphNode;
  element: SVGGElement;
  baseClass: string;
  state: NodeState;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface DrawnEdge {
  edge: GraphEdge;
  element: SVGPathElement;
  label?: SVGTextElement;
  baseClass: string;
  state: NodeState;
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

export class GraphRenderer {
  private readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly zoomBehavior: ZoomBehavior<SVGSVGElement, unknown>;
  private readonly uid = `g${++svgCounter}`;
  private nodes = new Map<string, DrawnNode>();
  private edges: DrawnEdge[] = [];
  /** Nodes and edges by the step at which their state flips, for restyling only what a step changes. */
  private nodesByStep = new Map<number, DrawnNode[]>();
  private edgesByStep = new Map<number, DrawnEdge[]>();
  private rangeNodes: DrawnNode[] = [];
  private current = -1;
  private selected: string | undefined;
  private hits = new Set<string>();
  private layout: LayoutResult | undefined;
  private lowDetail = false;
  transform: ZoomTransform = zoomIdentity;

  constructor(svg: SVGSVGElement, private readonly callbacks: RendererCallbacks) {
    this.svg = svg;
    this.svg.innerHTML = '';
    const defs = ['arrow', 'gradient', 'none']
      .map((kind) => `<marker id="${this.uid}-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow ${kind}" d="M0,0 L10,5 L0,10 z"/></marker>`)
      .join('');
    this.svg.insertAdjacentHTML('beforeend', `<defs>${defs}</defs><g class="graph-root"></g>`);
    this.viewport = this.svg.querySelector('g.graph-root') as SVGGElement;
    this.zoomBehavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.01, 4])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.transform = event.transform;
        this.viewport.setAttribute('transform', event.transform.toString());
        const low = event.transform.k < LOD_ZOOM && this.nodes.size > LOD_MIN_NODES;
        if (low !== this.lowDetail) {
          this.lowDetail = low;
          this.viewport.classList.toggle('lod-low', low);
        }
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
      if (node) this.callbacks.onSelect(node.getAttribute('data-id') ?? '');
    });
    this.svg.addEventListener('dblclick', (event) => {
      const node = (event.target as Element).closest('g.node');
      if (node) this.callbacks.onActivate(node.getAttribute('data-id') ?? '');
    });
  }

  /** Draws a laid-out graph (the one expensive call; stepping never repeats it). */
  render(graph: ViewGraph, layout: LayoutResult, current: number): void {
    this.layout = layout;
    this.current = current;
    const parts: string[] = [];
    for (const c of layout.clusters) {
      parts.push(`<g class="cluster" data-cluster="${escapeXml(c.key)}"><rect x="${fmt(c.x)}" y="${fmt(c.y)}" width="${fmt(c.width)}" height="${fmt(c.height)}" rx="6"/><text x="${fmt(c.x + 6)}" y="${fmt(c.y + 14)}">▾ ${escapeXml(c.key)} (click to collapse)</text></g>`);
    }
    const pathOf = line<[number, number]>();
    graph.edges.forEach((edge, i) => {
      const flat = layout.edgePoints[i] ?? [];
      const points: [number, number][] = [];
      for (let k = 0; k + 1 < flat.length; k += 2) points.push([flat[k]!, flat[k + 1]!]);
      if (points.length < 2) return;
      const d = pathOf.curve(points.length === 2 ? curveBumpY : curveBasis)(points) ?? '';
      const state = edgeState(edge, current);
      const marker = edge.kind === 'none' ? 'none' : edge.kind === 'gradient' || edge.kind === 'seed' || edge.kind === 'result' ? 'gradient' : 'arrow';
      parts.push(`<path class="edge kind-${edge.kind} state-${state}" data-edge="${i}" d="${d}" marker-end="url(#${this.uid}-${marker})"/>`);
      if (edge.label) {
        const mid = points[Math.floor(points.length / 2)]!;
        const prev = points[Math.floor(points.length / 2) - 1] ?? mid;
        parts.push(`<text class="edge-label state-${state}" data-edge-label="${i}" x="${fmt((mid[0] + prev[0]) / 2 + 6)}" y="${fmt((mid[1] + prev[1]) / 2 + 4)}">${escapeXml(edge.label)}</text>`);
      }
    });
    graph.nodes.forEach((node, i) => {
      const x = layout.x[i]!;
      const y = layout.y[i]!;
      const size = sizeOf(layout, i, node);
      const state = nodeState(node, current);
      const cls = `${nodeBaseClass(node)} state-${state}${node.id === this.selected ? ' selected' : ''}${this.hits.has(node.id) ? ' hit' : ''}`;
      parts.push(`<g class="${cls}" data-id="${escapeXml(node.id)}" transform="translate(${fmt(x)},${fmt(y)})"><title>${escapeXml(describeNode(node))}</title>${nodeMarkup(node, size.width, size.height)}</g>`);
    });
    this.viewport.innerHTML = parts.join('');

    this.nodes.clear();
    this.nodesByStep.clear();
    this.edgesByStep.clear();
    this.rangeNodes = [];
    const elements = this.viewport.querySelectorAll<SVGGElement>('g.node');
    elements.forEach((element, i) => {
      const node = graph.nodes[i]!;
      const size = sizeOf(layout, i, node);
      const drawn: DrawnNode = { node, element, baseClass: nodeBaseClass(node), state: nodeState(node, current), x: layout.x[i]!, y: layout.y[i]!, ...size };
      this.nodes.set(node.id, drawn);
      if (node.stepRange) this.rangeNodes.push(drawn);
      else this.bucket(this.nodesByStep, node.step, drawn);
    });
    this.edges = [];
    this.viewport.querySelectorAll<SVGPathElement>('path.edge').forEach((element) => {
      const i = Number(element.getAttribute('data-edge'));
      const edge = graph.edges[i]!;
      const label = this.viewport.querySelector<SVGTextElement>(`text[data-edge-label="${i}"]`) ?? undefined;
      const drawn: DrawnEdge = { edge, element, ...(label ? { label } : {}), baseClass: `edge kind-${edge.kind}`, state: edgeState(edge, current) };
      this.edges.push(drawn);
      this.bucket(this.edgesByStep, edge.step, drawn);
    });
  }

  private bucket<T>(map: Map<number, T[]>, step: number, item: T): void {
    const list = map.get(step);
    if (list) list.push(item);
    else map.set(step, [item]);
  }

  private applyNodeClass(drawn: DrawnNode): void {
    let cls = `${drawn.baseClass} state-${drawn.state}`;
    if (drawn.node.id === this.selected) cls += ' selected';
    if (this.hits.has(drawn.node.id)) cls += ' hit';
    drawn.element.setAttribute('class', cls);
  }

  /** Moves the stepping position: restyles only nodes/edges whose step lies between old and new. */
  setStep(current: number): void {
    const previous = this.current;
    this.current = current;
    if (previous === current) return;
    const lo = Math.min(previous, current);
    const hi = Math.max(previous, current);
    const visit = (step: number): void => {
      for (const drawn of this.nodesByStep.get(step) ?? []) {
        const state = nodeState(drawn.node, current);
        if (state !== drawn.state) {
          drawn.state = state;
          this.applyNodeClass(drawn);
        }
      }
      for (const drawn of this.edgesByStep.get(step) ?? []) {
        const state = edgeState(drawn.edge, current);
        if (state !== drawn.state) {
          drawn.state = state;
          drawn.element.setAttribute('class', `${drawn.baseClass} state-${state}`);
          drawn.label?.setAttribute('class', `edge-label state-${state}`);
        }
      }
    };
    if (hi - lo > this.nodesByStep.size) {
      for (const step of this.nodesByStep.keys()) if (step >= lo && step <= hi) visit(step);
      for (const step of this.edgesByStep.keys()) if (step >= lo && step <= hi && !this.nodesByStep.has(step)) visit(step);
    } else for (let s = lo; s <= hi; s++) visit(s);
    for (const drawn of this.rangeNodes) {
      const state = nodeState(drawn.node, current);
      if (state !== drawn.state) {
        drawn.state = state;
        this.applyNodeClass(drawn);
      }
    }
  }

  select(nodeId: string | undefined): void {
    const before = this.selected;
    this.selected = nodeId;
    for (const id of [before, nodeId]) {
      const drawn = id !== undefined ? this.nodes.get(id) : undefined;
      if (drawn) this.applyNodeClass(drawn);
    }
  }

  setHits(hits: Set<string>): void {
    const changed = new Set([...this.hits, ...hits]);
    this.hits = hits;
    for (const id of changed) {
      const drawn = this.nodes.get(id);
      if (drawn) this.applyNodeClass(drawn);
    }
  }

  has(nodeId: string): boolean {
    return this.nodes.has(nodeId);
  }

  /** Node ids whose element shows the `current` state (for tests and the step label). */
  currentNodeIds(): string[] {
    return [...this.nodes.values()].filter((d) => d.state === 'current').map((d) => d.node.id);
  }

  fit(): void {
    if (!this.layout) return;
    const width = this.svg.clientWidth || 600;
    const height = this.svg.clientHeight || 400;
    const k = Math.min(1.2, (0.95 * width) / Math.max(1, this.layout.width), (0.95 * height) / Math.max(1, this.layout.height));
    const t = zoomIdentity.translate((width - this.layout.width * k) / 2, (height - this.layout.height * k) / 2).scale(k);
    select(this.svg).call(this.zoomBehavior.transform, t);
  }

  setTransform(t: { x: number; y: number; k: number }): void {
    select(this.svg).call(this.zoomBehavior.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  /** Pans (keeping the zoom) so the node is visible, if it is not already. Zooms in when text is hidden. */
  reveal(nodeId: string): void {
    const drawn = this.nodes.get(nodeId);
    if (!drawn) return;
    const width = this.svg.clientWidth || 600;
    const height = this.svg.clientHeight || 400;
    const [sx, sy] = this.transform.apply([drawn.x, drawn.y]);
    const margin = 30;
    const readable = this.transform.k >= LOD_ZOOM || this.nodes.size <= LOD_MIN_NODES;
    if (sx > margin && sx < width - margin && sy > margin && sy < height - margin && readable) return;
    const k = readable ? this.transform.k : LOD_ZOOM + 0.25;
    const t = zoomIdentity.translate(width / 2 - drawn.x * k, height / 2 - drawn.y * k).scale(k);
    select(this.svg).call(this.zoomBehavior.transform, t);
  }

  /** The whole graph as a standalone SVG document, theme colours resolved. */
  exportSvg(): string {
    const layout = this.layout;
    const width = Math.ceil(layout?.width ?? 100);
    const height = Math.ceil(layout?.height ?? 100);
    const computed = getComputedStyle(document.body);
    const vars = Object.keys(THEME_VARIABLES)
      .map((name) => `${name}: ${computed.getPropertyValue(name).trim() || 'initial'};`)
      .join(' ');
    const clone = this.svg.cloneNode(true) as SVGSVGElement;
    const root = clone.querySelector('g.graph-root');
    root?.removeAttribute('transform');
    root?.classList.remove('lod-low');
    const serializer = new XMLSerializer();
    const inner = [...clone.childNodes].map((n) => serializer.serializeToString(n)).join('');
    const css = `svg { ${vars} } ${GRAPH_CSS}`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><style>${escapeXml(css).replace(/&quot;/g, '"').replace(/&#39;/g, "'")}</style><rect width="100%" height="100%" fill="var(--ts-bg)"/>${inner}</svg>`;
  }

  size(): { width: number; height: number } {
    return { width: this.layout?.width ?? 0, height: this.layout?.height ?? 0 };
  }
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
