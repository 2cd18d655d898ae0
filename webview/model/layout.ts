/**
 * Layout input/output shared by the view and the layout worker, node sizing, the choice of layout
 * engine, and a fast layered layout for graphs too large for dagre to lay out in time.
 *
 * Why two engines: dagre is slow on trace graphs. Measured in headless Chromium on this (shared,
 * 2-core) machine with scripts/bench-view.mjs: both graphs of a synthetic tape of 147 nodes take ~1 s with
 * network-simplex, 296 nodes ~1.4 s even with the longest-path ranker, 1,871 nodes ~17 s; the layered
 * layout below does 1,871 nodes in ~0.1 s and 18,500 in ~0.5-1 s. So dagre lays out small graphs (where its
 * crossing reduction pays off) and the layered layout the rest.
 */
import type { GraphNode, ViewGraph } from './graph';
import { displayValue, formatType } from './values';

export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
  /** Cluster (expanded group) the node is drawn in, when grouping is on. */
  cluster?: string;
}

export interface LayoutInput {
  nodes: LayoutNodeInput[];
  edges: { from: string; to: string }[];
}

export type LayoutEngine = 'dagre-network-simplex' | 'dagre-longest-path' | 'layered';

export interface LayoutResult {
  engine: LayoutEngine;
  width: number;
  height: number;
  /** Centre of each node, in input order. */
  x: number[];
  y: number[];
  /** Polyline of each edge (flattened x,y pairs), in input order. */
  edgePoints: number[][];
  clusters: { key: string; x: number; y: number; width: number; height: number }[];
  millis: number;
  /** Node box sizes, in input order (filled in by the view from its input). */
  sizes?: { width: number; height: number }[];
}

export type LayoutProgress = (phase: string, fraction: number) => void;

/** Up to this many nodes dagre's network-simplex ranker is affordable. */
export const NETWORK_SIMPLEX_MAX_NODES = 150;
/** Above this many nodes dagre is too slow (see the module comment) and the layered layout is used. */
export const DAGRE_MAX_NODES = 300;

export function chooseEngine(nodeCount: number, requested?: LayoutEngine): LayoutEngine {
  if (requested) return requested;
  if (nodeCount <= NETWORK_SIMPLEX_MAX_NODES) return 'dagre-network-simplex';
  if (nodeCount <= DAGRE_MAX_NODES) return 'dagre-longest-path';
  return 'layered';
}

export const CHAR_WIDTH = 7.6;
export const LINE_HEIGHT = 15;
const PADDING = 10;
const REASON_CHARS = 30;

/** Splits text into lines of at most `width` characters at spaces. */
export function wrapText(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The text lines a node shows under its title, shared by sizing and drawing. */
export function nodeLines(node: GraphNode): { body: string[]; valueText?: string; valueGraphic: boolean } {
  const body: string[] = [];
  if (node.kind === 'none') {
    body.push(...wrapText(node.noneReason?.message ?? node.subtitle ?? '', REASON_CHARS));
    if (node.noneReason?.fix) body.push(...wrapText(`fix: ${node.noneReason.fix}`, REASON_CHARS));
    return { body, valueGraphic: false };
  }
  if (node.subtitle) body.push(...(node.kind === 'gradient' ? wrapText(node.subtitle, REASON_CHARS) : [node.subtitle]));
  if (!node.value) return { body, valueGraphic: false };
  const display = displayValue(node.value);
  const type = formatType(node.value.dtype, node.value.shape);
  if (display.mode === 'scalar') return { body, valueText: `= ${display.text}  ${type}`, valueGraphic: false };
  if (display.mode === 'small') return { body, valueText: `${display.text}  ${type}`, valueGraphic: false };
  return { body, valueText: type, valueGraphic: true };
}

/** Node box size from its text (monospace estimate; the worker has no DOM to measure with). */
export function nodeSize(node: GraphNode): { width: number; height: number } {
  const { body, valueText, valueGraphic } = nodeLines(node);
  // A value graphic (heatmap / sparkline) is followed by a `min … max … mean …` line of ~32 characters.
  const longest = Math.max(node.title.length + 2, ...body.map((l) => l.length), valueText?.length ?? 0, valueGraphic ? 34 : 0);
  const width = Math.min(320, Math.max(node.kind === 'source' ? 70 : 90, longest * CHAR_WIDTH + 2 * PADDING));
  const lines = 1 + body.length + (valueText ? 1 : 0);
  const height = lines * LINE_HEIGHT + 2 * PADDING - 4 + (valueGraphic ? 28 + LINE_HEIGHT : 0);
  return { width, height };
}

/**
 * Layout-only edges for a backward graph: sources no gradient reached (each a source -> None pair)
 * are stacked in one column instead of side by side, which keeps the graph narrow enough to read.
 * They come after the graph's own edges, so edge i of the layout is still edge i of the graph.
 */
export function stackingEdges(graph: ViewGraph): { from: string; to: string }[] {
  if (graph.kind !== 'backward') return [];
  const reached = new Set(graph.edges.filter((e) => e.kind !== 'result' && e.kind !== 'none').map((e) => e.to));
  const resultOf = new Map<number, string>();
  for (const node of graph.nodes) if ((node.kind === 'none' || node.kind === 'gradient') && node.sourceIndex !== undefined) resultOf.set(node.sourceIndex, node.id);
  const unreached = graph.nodes.filter((n) => n.kind === 'source' && n.sourceIndex !== undefined && !reached.has(n.id));
  const edges: { from: string; to: string }[] = [];
  for (let i = 1; i < unreached.length; i++) {
    const above = resultOf.get(unreached[i - 1]!.sourceIndex!) ?? unreached[i - 1]!.id;
    edges.push({ from: above, to: unreached[i]!.id });
  }
  return edges;
}

export function layoutInput(graph: ViewGraph, clusterOf?: (node: GraphNode) => string | undefined): LayoutInput {
  return {
    nodes: graph.nodes.map((node) => {
      const cluster = clusterOf?.(node);
      return { id: node.id, ...nodeSize(node), ...(cluster !== undefined ? { cluster } : {}) };
    }),
    edges: [...graph.edges.map((e) => ({ from: e.from, to: e.to })), ...stackingEdges(graph)],
  };
}

const NODE_GAP = 24;
const RANK_GAP = 44;
const MARGIN = 16;

/**
 * A layered (Sugiyama-style) layout in linear time per pass: ranks by longest path from the sources
 * (sources pulled down next to their first consumer), order by recording order refined with barycentre
 * sweeps, x by packing each rank around its barycentres. No dummy nodes: long edges are drawn as curves.
 */
export function layeredLayout(input: LayoutInput, progress: LayoutProgress = () => {}): LayoutResult {
  const started = Date.now();
  const n = input.nodes.length;
  const indexOf = new Map<string, number>();
  input.nodes.forEach((node, i) => indexOf.set(node.id, i));
  const preds: number[][] = Array.from({ length: n }, () => []);
  const succs: number[][] = Array.from({ length: n }, () => []);
  const edges: [number, number][] = [];
  for (const e of input.edges) {
    const a = indexOf.get(e.from);
    const b = indexOf.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    edges.push([a, b]);
    preds[b]!.push(a);
    succs[a]!.push(b);
  }
  progress('ranking', 0.1);
  // Kahn's topological order; nodes left over (a cycle, which a trace should never have) go last.
  const indegree = preds.map((p) => p.length);
  const order: number[] = [];
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    order.push(v);
    for (const w of succs[v]!) if (--indegree[w]! === 0) queue.push(w);
  }
  if (order.length < n) {
    const placed = new Set(order);
    for (let i = 0; i < n; i++) if (!placed.has(i)) order.push(i);
  }
  const position = new Int32Array(n);
  order.forEach((v, i) => (position[v] = i));
  const rank = new Int32Array(n);
  for (const v of order) for (const u of preds[v]!) if (position[u]! < position[v]!) rank[v] = Math.max(rank[v]!, rank[u]! + 1);
  // Pull sources, and nodes fed only by sources (a variable's reads), down to just above their first
  // consumer: a variable read late in the program is then drawn late, not in one huge top row.
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    if (succs[v]!.length === 0) continue;
    const fedBySourcesOnly = preds[v]!.every((u) => preds[u]!.length === 0);
    if (!fedBySourcesOnly) continue;
    let first = Infinity;
    for (const w of succs[v]!) first = Math.min(first, rank[w]!);
    rank[v] = Math.max(rank[v]!, first - 1);
  }
  let maxRank = 0;
  for (let v = 0; v < n; v++) maxRank = Math.max(maxRank, rank[v]!);
  const layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  for (let v = 0; v < n; v++) layers[rank[v]!]!.push(v); // input order = recording order
  progress('ordering', 0.35);
  const slot = new Float64Array(n);
  const renumber = (layer: number[]): void => layer.forEach((v, i) => (slot[v] = i));
  layers.forEach(renumber);
  const sweep = (neighbours: number[][], layerOrder: number[][]): void => {
    for (const layer of layerOrder) {
      const key = new Float64Array(layer.length);
      layer.forEach((v, i) => {
        const ns = neighbours[v]!;
        if (ns.length === 0) key[i] = slot[v]!;
        else {
          let sum = 0;
          for (const u of ns) sum += slot[u]! / Math.max(1, layers[rank[u]!]!.length);
          key[i] = (sum / ns.length) * layer.length;
        }
      });
      const sorted = layer.map((v, i) => [key[i]!, i, v] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      sorted.forEach(([, , v], i) => (layer[i] = v));
      renumber(layer);
    }
  };
  for (let pass = 0; pass < 3; pass++) {
    sweep(preds, layers);
    sweep(succs, [...layers].reverse());
  }
  progress('positioning', 0.7);
  const x = new Array<number>(n).fill(0);
  const y = new Array<number>(n).fill(0);
  const widthOf = (v: number): number => input.nodes[v]!.width;
  let top = MARGIN;
  let minX = Infinity;
  let maxX = -Infinity;
  for (const layer of layers) {
    let height = 0;
    for (const v of layer) height = Math.max(height, input.nodes[v]!.height);
    // Desired x: mean of already-placed predecessors. Two packings keep the row's order and gaps: one
    // pushing right from the left end, one pushing left from the right end; their average keeps the gaps
    // too (the constraints are linear) and does not drift to one side.
    const desired = layer.map((v) => {
      let sum = 0;
      let count = 0;
      for (const u of preds[v]!) {
        if (rank[u]! < rank[v]!) {
          sum += x[u]!;
          count++;
        }
      }
      return count ? sum / count : NaN;
    });
    const m = layer.length;
    const gap = (i: number): number => (widthOf(layer[i]!) + widthOf(layer[i + 1]!)) / 2 + NODE_GAP;
    const fromLeft = new Array<number>(m);
    const fromRight = new Array<number>(m);
    for (let i = 0; i < m; i++) {
      const min = i === 0 ? -Infinity : fromLeft[i - 1]! + gap(i - 1);
      const want = Number.isNaN(desired[i]!) ? (i === 0 ? 0 : min) : desired[i]!;
      fromLeft[i] = Math.max(want, min);
    }
    for (let i = m - 1; i >= 0; i--) {
      const max = i === m - 1 ? Infinity : fromRight[i + 1]! - gap(i);
      const want = Number.isNaN(desired[i]!) ? (i === m - 1 ? fromLeft[i]! : max) : desired[i]!;
      fromRight[i] = Math.min(want, max);
    }
    layer.forEach((v, i) => {
      x[v] = (fromLeft[i]! + fromRight[i]!) / 2;
      y[v] = top + height / 2;
      minX = Math.min(minX, x[v]! - widthOf(v) / 2);
      maxX = Math.max(maxX, x[v]! + widthOf(v) / 2);
    });
    top += height + RANK_GAP;
  }
  if (!Number.isFinite(minX)) minX = maxX = 0;
  for (let v = 0; v < n; v++) x[v] = x[v]! - minX + MARGIN;
  progress('routing', 0.9);
  const edgePoints = input.edges.map((e) => {
    const a = indexOf.get(e.from);
    const b = indexOf.get(e.to);
    if (a === undefined || b === undefined) return [];
    const ay = y[a]! + input.nodes[a]!.height / 2;
    const by = y[b]! - input.nodes[b]!.height / 2;
    return [x[a]!, ay, x[b]!, by];
  });
  return {
    engine: 'layered',
    width: maxX - minX + 2 * MARGIN,
    height: top - RANK_GAP + MARGIN,
    x,
    y,
    edgePoints,
    clusters: clusterBoxes(input, x, y),
    millis: Date.now() - started,
  };
}

/** Bounding boxes of each cluster's members (with room for a label above). */
export function clusterBoxes(input: LayoutInput, x: number[], y: number[]): LayoutResult['clusters'] {
  const boxes = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
  input.nodes.forEach((node, i) => {
    if (node.cluster === undefined) return;
    const b = boxes.get(node.cluster) ?? { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    b.x0 = Math.min(b.x0, x[i]! - node.width / 2);
    b.x1 = Math.max(b.x1, x[i]! + node.width / 2);
    b.y0 = Math.min(b.y0, y[i]! - node.height / 2);
    b.y1 = Math.max(b.y1, y[i]! + node.height / 2);
    boxes.set(node.cluster, b);
  });
  return [...boxes].map(([key, b]) => ({ key, x: b.x0 - 8, y: b.y0 - 22, width: b.x1 - b.x0 + 16, height: b.y1 - b.y0 + 30 }));
}
