/**
 * Grouping (by Keras layer / name scope, or by source line), collapsing groups into one node each, and
 * search. Collapsing changes the graph (so it is laid out again); stepping never does.
 */
import type { GraphEdge, GraphNode, ViewGraph } from './graph';

export type GroupMode = 'none' | 'scope' | 'line';

export interface GroupInfo {
  key: string;
  size: number;
}

export function groupKey(node: GraphNode, mode: GroupMode): string | undefined {
  if (mode === 'none') return undefined;
  return mode === 'scope' ? node.groups.scope : node.groups.line;
}

/** Groups with at least two members (a group of one is not worth a box). */
export function listGroups(graph: ViewGraph, mode: GroupMode): GroupInfo[] {
  const sizes = new Map<string, number>();
  for (const node of graph.nodes) {
    const key = groupKey(node, mode);
    if (key !== undefined) sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  return [...sizes].filter(([, size]) => size >= 2).map(([key, size]) => ({ key, size }));
}

export const groupNodeId = (key: string): string => `group:${key}`;

/**
 * Replaces each collapsed group's members by one group node; edges are redirected to it, edges inside
 * a group disappear, and parallel edges between the same two nodes merge into one.
 */
export function collapseGroups(graph: ViewGraph, mode: GroupMode, collapsed: ReadonlySet<string>): ViewGraph {
  if (mode === 'none' || collapsed.size === 0) return graph;
  const valid = new Set(listGroups(graph, mode).map((g) => g.key));
  const replacement = new Map<string, string>();
  const groups = new Map<string, GraphNode>();
  const nodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    const key = groupKey(node, mode);
    if (key === undefined || !collapsed.has(key) || !valid.has(key)) {
      nodes.push(node);
      continue;
    }
    const id = groupNodeId(key);
    replacement.set(node.id, id);
    let group = groups.get(key);
    if (!group) {
      group = { id, kind: 'group', title: key, groups: { [mode]: key }, step: node.step, passive: false, members: [], stepRange: [Infinity, -Infinity] };
      groups.set(key, group);
      nodes.push(group);
    }
    group.members!.push(node.id);
    if (!node.passive || node.step >= 0) {
      const range = group.stepRange!;
      range[0] = Math.min(range[0], node.step);
      range[1] = Math.max(range[1], node.step);
    }
  }
  for (const group of groups.values()) {
    const range = group.stepRange!;
    if (!Number.isFinite(range[0])) range[0] = range[1] = -1;
    group.step = range[0];
    group.subtitle = `${group.members!.length} nodes, collapsed`;
  }
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const edge of graph.edges) {
    const from = replacement.get(edge.from) ?? edge.from;
    const to = replacement.get(edge.to) ?? edge.to;
    if (from === to) continue;
    const id = from === edge.from && to === edge.to ? edge.id : `${from}->${to}`;
    if (seen.has(id)) continue;
    seen.add(id);
    edges.push(id === edge.id ? edge : { ...edge, id, from, to });
  }
  return { kind: graph.kind, nodes, edges };
}

/**
 * Nodes matching a search: by op type or name (substring, case-insensitive), or by line
 * (`12`, `:12`, `line 12`). Results keep graph order.
 */
export function searchNodes(graph: ViewGraph, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const lineMatch = /^(?:line\s*|:)?(\d+)$/.exec(q);
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  const hits: string[] = [];
  for (const node of graph.nodes) {
    if (line !== undefined) {
      if (node.loc?.line === line) hits.push(node.id);
      continue;
    }
    const haystack = [node.title, node.subtitle ?? '', node.sourceKind ?? '', node.noneReason?.code ?? ''].join(' ').toLowerCase();
    if (haystack.includes(q)) hits.push(node.id);
  }
  return hits;
}
