/**
 * dagre layout of a tape graph (what TensorBoard, Netron and Model Explorer use). Runs in the layout
 * worker, or on the main thread when no worker can be made. Clusters (expanded groups) become dagre
 * compound nodes so their members stay together.
 */
import dagre from '@dagrejs/dagre';
import { clusterBoxes, type LayoutEngine, type LayoutInput, type LayoutProgress, type LayoutResult, layeredLayout } from './model/layout';

export function runLayout(input: LayoutInput, engine: LayoutEngine, progress: LayoutProgress = () => {}): LayoutResult {
  if (engine === 'layered') return layeredLayout(input, progress);
  const started = Date.now();
  const useClusters = input.nodes.some((n) => n.cluster !== undefined);
  const graph = new dagre.graphlib.Graph({ multigraph: true, compound: useClusters });
  graph.setGraph({
    rankdir: 'TB',
    nodesep: 24,
    ranksep: 36,
    edgesep: 12,
    marginx: 16,
    marginy: 16,
    ranker: engine === 'dagre-network-simplex' ? 'network-simplex' : 'longest-path',
  });
  graph.setDefaultEdgeLabel(() => ({}));
  progress('building graph', 0.05);
  for (const node of input.nodes) graph.setNode(node.id, { width: node.width, height: node.height });
  if (useClusters) {
    for (const node of input.nodes) {
      if (node.cluster === undefined) continue;
      const clusterId = `cluster:${node.cluster}`;
      if (!graph.hasNode(clusterId)) graph.setNode(clusterId, { label: node.cluster, paddingTop: 24 });
      graph.setParent(node.id, clusterId);
    }
  }
  input.edges.forEach((e, i) => graph.setEdge(e.from, e.to, {}, `e${i}`));
  progress('ranking', 0.2);
  dagre.layout(graph, {
    disableOptimalOrderHeuristic: engine === 'dagre-longest-path',
    customOrder: (g, order) => {
      progress('ordering', 0.5);
      order(g, { disableOptimalOrderHeuristic: engine === 'dagre-longest-path' });
      progress('positioning', 0.8);
    },
  });
  const x: number[] = [];
  const y: number[] = [];
  for (const node of input.nodes) {
    const placed = graph.node(node.id) as { x: number; y: number };
    x.push(placed.x);
    y.push(placed.y);
  }
  const edgePoints = input.edges.map((e, i) => {
    const label = graph.edge(e.from, e.to, `e${i}`) as { points?: { x: number; y: number }[] } | undefined;
    return (label?.points ?? []).flatMap((p) => [p.x, p.y]);
  });
  const size = graph.graph() as { width?: number; height?: number };
  return {
    engine,
    width: size.width ?? 0,
    height: size.height ?? 0,
    x,
    y,
    edgePoints,
    clusters: clusterBoxes(input, x, y),
    millis: Date.now() - started,
  };
}
