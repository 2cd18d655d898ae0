import { describe, expect, it } from 'vitest';
import { buildTapeView, edgeState, listChoices, nodeState, type GraphNode, type TapeView } from '../../webview/model/graph';
import { collapseGroups, listGroups, searchNodes } from '../../webview/model/groups';
import { in14Trace, nestedTapesTrace, randomTrace } from './fixtures';

function in14View(): TapeView {
  const trace = in14Trace();
  const choices = listChoices(trace);
  expect(choices).toHaveLength(1);
  return buildTapeView(trace, choices[0]!);
}

const byId = (nodes: GraphNode[], id: string): GraphNode => {
  const node = nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
};

describe('forward graph of the In[14] tape', () => {
  const view = in14View();
  const trace = in14Trace();

  it('lists every op that ran while the tape was active, in recording order', () => {
    const ops = view.forward.nodes.filter((n) => n.kind === 'op');
    // The literal exponents are written into the op (`Pow(·, 2.0)`), not drawn as nodes.
    expect(ops.map((n) => n.title)).toEqual(['ReadVariableOp', 'Pow(·, 2.0)', 'ReadVariableOp', 'Pow(·, 2.0)', 'AddV2', 'Pow(·, 2.0)', 'AddV2', 'Pow(·, 2.0)', 'AddV2']);
    expect(ops.map((n) => n.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // x0's read and square are recorded; x1's are not (it is not trainable, so nothing watched them).
    expect(ops.map((n) => n.recorded)).toEqual([true, true, false, false, true, false, true, false, true]);
    expect(ops[2]!.note).toMatch(/not recorded/);
  });

  it('marks each source by kind', () => {
    const sources = view.forward.nodes.filter((n) => n.kind === 'source');
    const kindOf = (title: string) => sources.find((n) => n.title === title)?.sourceKind;
    expect(kindOf('x0')).toBe('trainable-variable');
    expect(sources.find((n) => n.title === 'x0')?.watched).toBe(true);
    expect(kindOf('x1')).toBe('non-trainable-variable');
    expect(kindOf('x2')).toBe('unwatched-tensor');
    expect(kindOf('x3')).toBe('constant');
    expect(kindOf('2.0')).toBeUndefined();
    // x4 was never read inside the tape, so the forward graph has no node for it.
    expect(kindOf('x4')).toBeUndefined();
  });

  it('carries op values, source lines and edges from producers', () => {
    const y = view.forward.nodes.filter((n) => n.kind === 'op').at(-1)!;
    expect(y.value?.values).toEqual([36]);
    expect(y.loc?.line).toBe(62);
    const producerOfY = trace.ops.find((o) => o.id === y.opId)!;
    const inputs = view.forward.edges.filter((e) => e.to === y.id).map((e) => e.tensorId);
    expect(inputs).toEqual(producerOfY.inputs);
    // x3**2: the named constant x3 is a node with an edge; the literal 2.0 is not.
    const x3 = view.forward.nodes.find((n) => n.title === 'x3')!;
    const x3sq = view.forward.edges.filter((e) => e.from === x3.id).map((e) => e.to);
    expect(x3sq).toHaveLength(1);
    expect(view.forward.edges.filter((e) => e.to === x3sq[0])).toHaveLength(1);
  });
});

describe('backward graph of the In[14] gradient call', () => {
  const view = in14View();
  const backward = view.backward!;

  it('ends x0 in its gradient 6.0 and x1..x4 in None with their own reasons', () => {
    expect(byId(backward.nodes, 'grad:0').value?.values).toEqual([6]);
    const reasons = [1, 2, 3, 4].map((i) => byId(backward.nodes, `none:${i}`).noneReason?.code);
    expect(reasons).toEqual(['not-trainable', 'tensor-not-variable', 'not-watched', 'not-accessed']);
    for (const i of [1, 2, 3, 4]) expect(byId(backward.nodes, `none:${i}`).title).toBe('None');
  });

  it('draws sources nothing reached, with no gradient edge into them', () => {
    for (const i of [1, 2, 3, 4]) {
      expect(backward.nodes.some((n) => n.id === `src:${i}`)).toBe(true);
      expect(backward.edges.filter((e) => e.to === `src:${i}`)).toHaveLength(0);
    }
    expect(backward.edges.filter((e) => e.to === 'src:0').map((e) => e.label)).toEqual(['6.0']);
  });

  it('follows the gradient from the target back to x0 through every visited op', () => {
    // target -> ∂AddV2 -> ∂AddV2 -> ∂AddV2 -> ∂Pow -> ∂ReadVariableOp -> x0 -> 6.0
    const next = (id: string) => backward.edges.filter((e) => e.from === id).map((e) => e.to);
    const path = ['target:0'];
    while (path.length < 10) {
      const out = next(path.at(-1)!);
      if (out.length === 0) break;
      expect(out).toHaveLength(1);
      path.push(out[0]!);
    }
    const titles = path.map((id) => byId(backward.nodes, id).title);
    expect(titles).toEqual(['target', '∂ AddV2', '∂ AddV2', '∂ AddV2', '∂ Pow', '∂ ReadVariableOp', 'x0', '∂/∂x0']);
  });
});

describe('step list', () => {
  it('walks forward ops in recording order, then backward steps in visiting order', () => {
    const trace = in14Trace();
    const view = in14View();
    expect(view.steps.map((s) => s.index)).toEqual(view.steps.map((_, i) => i));
    expect(view.forwardStepCount).toBe(9);
    const backwardOps = view.steps.filter((s) => s.phase === 'backward').map((s) => s.opId);
    expect(backwardOps).toEqual(trace.gradients[0]!.steps.map((s) => s.op));
    expect(view.steps.every((s) => s.loc?.line === 62 || s.loc?.line === undefined)).toBe(true);
  });

  it('gives each node computed / current / not-yet state per step', () => {
    const view = in14View();
    const pow = byId(view.forward.nodes, view.steps[1]!.nodeId);
    expect([0, 1, 2].map((s) => nodeState(pow, s))).toEqual(['pending', 'current', 'computed']);
    const x0 = view.forward.nodes.find((n) => n.title === 'x0')!;
    expect(nodeState(x0, 0)).toBe('computed');
    const backward = view.backward!;
    const lastStep = view.steps.length - 1;
    const grad = byId(backward.nodes, 'grad:0');
    const none = byId(backward.nodes, 'none:4');
    // Results appear as the backward pass reaches them, never as "current".
    expect(nodeState(grad, lastStep - 1)).toBe('pending');
    expect(nodeState(grad, lastStep)).toBe('computed');
    expect(nodeState(none, view.forwardStepCount)).toBe('pending');
    expect(nodeState(none, lastStep)).toBe('computed');
    const firstBackward = byId(backward.nodes, view.steps[view.forwardStepCount]!.nodeId);
    expect(nodeState(firstBackward, view.forwardStepCount - 1)).toBe('pending');
    expect(nodeState(firstBackward, view.forwardStepCount)).toBe('current');
    // The target (y) exists from the forward step that computed it.
    const target = byId(backward.nodes, 'target:0');
    expect(nodeState(target, view.forwardStepCount - 2)).toBe('pending');
    expect(nodeState(target, view.forwardStepCount - 1)).toBe('computed');
    const seedEdge = backward.edges.find((e) => e.kind === 'seed')!;
    expect(edgeState(seedEdge, view.forwardStepCount - 1)).toBe('pending');
    expect(edgeState(seedEdge, view.forwardStepCount)).toBe('computed');
  });
});

describe('a backward pass that visits ops again (jacobian)', () => {
  it('makes the node current at every visit, and the step list keeps every visit', () => {
    const trace = in14Trace();
    const call = trace.gradients[0]!;
    call.kind = 'jacobian';
    call.steps = [...call.steps, ...call.steps];
    const view = buildTapeView(trace, listChoices(trace)[0]!);
    const n = call.steps.length / 2;
    expect(view.steps).toHaveLength(view.forwardStepCount + 2 * n);
    const first = view.forwardStepCount;
    const node = view.backward!.nodes.find((x) => x.id === view.steps[first]!.nodeId)!;
    expect(view.steps[first + n]!.nodeId).toBe(node.id);
    expect(nodeState(node, first)).toBe('current');
    expect(nodeState(node, first + 1)).toBe('computed');
    expect(nodeState(node, first + n)).toBe('current');
    expect(nodeState(node, first + n + 1)).toBe('computed');
  });
});

describe('nested tapes', () => {
  const trace = nestedTapesTrace();
  const choices = listChoices(trace);

  it('offers both gradient calls, saying the inner one is recorded on the outer tape', () => {
    expect(choices.map((c) => c.gradientCall)).toEqual([0, 1]);
    const inner = choices.find((c) => c.gradientCall === 0)!;
    expect(inner.label).toMatch(/inside tape 0/);
    expect(inner.label).toMatch(/recorded on tape 0/);
    expect(inner.depth).toBe(1);
  });

  it("shows the outer tape's forward graph including the inner gradient's ops, grouped as that gradient", () => {
    const outer = buildTapeView(trace, choices.find((c) => c.gradientCall === 1)!);
    const gradientOps = outer.forward.nodes.filter((n) => n.groups.scope === 'gradient 0');
    expect(gradientOps.map((n) => n.title)).toEqual(['Pow(·, 2.0)', 'Mul(3.0, ·)', 'Mul']);
    expect(gradientOps.every((n) => n.note?.includes('higher-order'))).toBe(true);
    expect(outer.backward!.nodes.find((n) => n.id === 'grad:0')?.value?.values).toEqual([18]);
  });

  it('does not draw the outer gradient ops in the inner tape', () => {
    const inner = buildTapeView(trace, choices.find((c) => c.gradientCall === 0)!);
    expect(inner.forward.nodes.filter((n) => n.kind === 'op').map((n) => n.title)).toEqual(['Pow(·, 3.0)']);
    const x = inner.forward.nodes.find((n) => n.title === 'x')!;
    expect(x.sourceKind).toBe('watched-tensor');
  });
});

describe('groups and search', () => {
  const trace = randomTrace(300, 7);
  const view = buildTapeView(trace, listChoices(trace)[0]!);

  it('collapses a scope into one node, keeping edges to the outside and dropping inner ones', () => {
    const groups = listGroups(view.forward, 'scope');
    expect(groups.length).toBeGreaterThan(1);
    const key = groups[0]!.key;
    const collapsed = collapseGroups(view.forward, 'scope', new Set([key]));
    const members = view.forward.nodes.filter((n) => n.groups.scope === key).map((n) => n.id);
    expect(collapsed.nodes).toHaveLength(view.forward.nodes.length - members.length + 1);
    const groupNode = collapsed.nodes.find((n) => n.id === `group:${key}`)!;
    expect(groupNode.members).toEqual(members);
    const ids = new Set(collapsed.nodes.map((n) => n.id));
    for (const e of collapsed.edges) {
      expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      expect(e.from).not.toBe(e.to);
    }
    const memberSet = new Set(members);
    const crossing = view.forward.edges.filter((e) => memberSet.has(e.from) !== memberSet.has(e.to)).length;
    expect(crossing).toBeGreaterThan(0);
    expect(collapsed.edges.some((e) => e.from === groupNode.id || e.to === groupNode.id)).toBe(true);
    const steps = members.map((m) => view.forward.nodes.find((n) => n.id === m)!.step).filter((s) => s >= 0);
    expect(groupNode.stepRange).toEqual([Math.min(...steps), Math.max(...steps)]);
  });

  it('finds nodes by op type, name and line', () => {
    const in14 = in14View();
    expect(searchNodes(in14.forward, 'pow')).toHaveLength(4);
    expect(searchNodes(in14.forward, 'x3')).toEqual(['t:' + in14Trace().tensors.find((t) => t.name === 'x3')!.id]);
    expect(searchNodes(in14.forward, 'line 62')).toHaveLength(9); // the ops on line 62
    expect(searchNodes(in14.forward, ':55').map((id) => byId(in14.forward.nodes, id).title)).toEqual(['x0']);
    expect(searchNodes(in14.backward!, 'not-accessed')).toEqual(['none:4']);
  });
});
