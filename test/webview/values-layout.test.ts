import { describe, expect, it } from 'vitest';
import { runLayout } from '../../webview/layout-dagre';
import { buildTapeView, listChoices } from '../../webview/model/graph';
import { chooseEngine, layeredLayout, layoutInput, nodeSize, type LayoutResult, type LayoutInput } from '../../webview/model/layout';
import { displayValue, formatScalar, valuePage, valueStats } from '../../webview/model/values';
import { in14Trace, randomTrace, snapshot } from './fixtures';

describe('value display', () => {
  it('formats floats the way TensorFlow prints them', () => {
    expect(formatScalar(6, 'float32')).toBe('6.0');
    expect(formatScalar(-0.5, 'float32')).toBe('-0.5');
    expect(formatScalar(1 / 3, 'float32')).toBe('0.3333');
    expect(formatScalar(7, 'int32')).toBe('7');
    expect(formatScalar('nan', 'float32')).toBe('nan');
    expect(formatScalar(true, 'bool')).toBe('True');
  });

  it('shows scalars inline, small tensors as numbers, larger ones as a summary with a NaN/Inf badge', () => {
    expect(displayValue(snapshot([6], []))).toEqual({ mode: 'scalar', text: '6.0' });
    expect(displayValue(snapshot([1, 2, 3, 4], [2, 2]))).toEqual({ mode: 'small', text: '[[1.0 2.0] [3.0 4.0]]' });
    const values = Array.from({ length: 200 }, (_, i) => (i === 3 ? NaN : i === 4 ? Infinity : i));
    const big = displayValue(snapshot(values, [10, 20]));
    expect(big.mode).toBe('large');
    if (big.mode !== 'large') return;
    // 200 elements exceed the snapshot limit: the engine's summary is used, over finite elements only.
    const finite = values.filter(Number.isFinite);
    expect(big.stats).toMatchObject({ count: 200, nanCount: 1, infCount: 1, min: 0, max: 199, partial: false });
    expect(big.stats.mean).toBeCloseTo(finite.reduce((a, b) => a + b, 0) / finite.length, 10);
    const kept = displayValue(snapshot(Array.from({ length: 60 }, (_, i) => i), [6, 10]));
    expect(kept.mode === 'large' && kept.kind).toBe('heatmap');
    if (kept.mode === 'large') expect(kept.cells[0]).toBeCloseTo(0, 6);
  });

  it('pages the kept elements with their multi-indices', () => {
    const page = valuePage(snapshot(Array.from({ length: 60 }, (_, i) => i), [6, 10]), 1, 25);
    expect(page.pageCount).toBe(3);
    expect(page.rows[0]).toEqual({ index: '[2, 5]', text: '25.0' });
    expect(valueStats(snapshot([1, 2, 3], [3])).mean).toBe(2);
  });
});

function checkNoOverlap(input: LayoutInput, result: LayoutResult): void {
  // Sweep over x: only boxes whose x-ranges overlap are compared (plain JS, one assertion at the end).
  const boxes = input.nodes.map((n, i) => ({ i, x0: result.x[i]! - n.width / 2, x1: result.x[i]! + n.width / 2, y0: result.y[i]! - n.height / 2, y1: result.y[i]! + n.height / 2 }));
  boxes.sort((a, b) => a.x0 - b.x0);
  const overlaps: string[] = [];
  const active: typeof boxes = [];
  for (const box of boxes) {
    for (let k = active.length - 1; k >= 0; k--) if (active[k]!.x1 <= box.x0 + 0.5) active.splice(k, 1);
    for (const other of active) {
      if (Math.min(box.y1, other.y1) - Math.max(box.y0, other.y0) > 0.5) overlaps.push(`${other.i}/${box.i}`);
    }
    active.push(box);
  }
  expect(overlaps.slice(0, 5)).toEqual([]);
}

describe('layout', () => {
  it('lays out the In[14] graphs with dagre, edges flowing downwards, no overlaps', () => {
    const trace = in14Trace();
    const view = buildTapeView(trace, listChoices(trace)[0]!);
    for (const graph of [view.forward, view.backward!]) {
      const input = layoutInput(graph);
      const result = runLayout(input, chooseEngine(input.nodes.length));
      expect(result.engine).toBe('dagre-network-simplex');
      checkNoOverlap(input, result);
      const at = new Map(input.nodes.map((n, i) => [n.id, i]));
      for (const e of input.edges) expect(result.y[at.get(e.to)!]!).toBeGreaterThan(result.y[at.get(e.from)!]!);
    }
  });

  it('stacks the sources no gradient reached in one column, keeping the backward graph narrow', () => {
    const trace = in14Trace();
    const view = buildTapeView(trace, listChoices(trace)[0]!);
    const input = layoutInput(view.backward!);
    expect(input.edges.slice(view.backward!.edges.length)).toEqual([
      { from: 'none:1', to: 'src:2' },
      { from: 'none:2', to: 'src:3' },
      { from: 'none:3', to: 'src:4' },
    ]);
    const result = runLayout(input, 'dagre-network-simplex');
    const xOf = (id: string) => result.x[input.nodes.findIndex((n) => n.id === id)]!;
    expect(new Set([1, 2, 3, 4].map((i) => Math.round(xOf(`src:${i}`)))).size).toBe(1);
    // Two columns (the gradient path and the stacked sources), not five side by side.
    const widest = Math.max(...input.nodes.map((n) => n.width));
    expect(result.width).toBeLessThan(2 * widest + 150);
  });

  it('lays out a 5,000-node trace with the layered layout quickly, edges downwards, no overlaps', () => {
    const trace = randomTrace(5000, 3);
    const view = buildTapeView(trace, listChoices(trace)[0]!);
    const input = layoutInput(view.forward);
    expect(chooseEngine(input.nodes.length)).toBe('layered');
    const phases: string[] = [];
    const result = layeredLayout(input, (phase) => phases.push(phase));
    expect(phases).toEqual(['ranking', 'ordering', 'positioning', 'routing']);
    checkNoOverlap(input, result);
    const at = new Map(input.nodes.map((n, i) => [n.id, i]));
    for (const e of input.edges) expect(result.y[at.get(e.to)!]!).toBeGreaterThan(result.y[at.get(e.from)!]!);
    expect(result.width).toBeGreaterThan(0);
  });

  it('sizes a None node to hold its reason', () => {
    const trace = in14Trace();
    const view = buildTapeView(trace, listChoices(trace)[0]!);
    const none = view.backward!.nodes.find((n) => n.id === 'none:2')!;
    const op = view.forward.nodes.find((n) => n.kind === 'op')!;
    expect(nodeSize(none).height).toBeGreaterThan(nodeSize(op).height);
  });
});
