/**
 * The view's model on traces the engine really records (the seed notebook and TF reference cases, run
 * through the CLI): every tape and gradient call builds into well-formed graphs and a step list, and the
 * seed's In[14] cell shows what the issue asks. Skips, saying why, when the CLI is not built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/trace/types';
import { buildTapeView, listChoices, type ViewGraph } from '../../webview/model/graph';
import { layeredLayout, layoutInput } from '../../webview/model/layout';
import { runLayout } from '../../webview/layout-dagre';

const ROOT = join(__dirname, '..', '..');
const CLI_BUILT = existsSync(join(ROOT, 'dist', 'cli.js')) && existsSync(join(ROOT, 'dist', 'worker.js'));
const OUT = join(ROOT, 'test-output', 'engine-traces');

if (!CLI_BUILT) console.warn('Skipping the engine-trace view tests: dist/cli.js is not built (npm run build).');

function record(script: string): Trace {
  mkdirSync(OUT, { recursive: true });
  const out = join(OUT, `${script.replace(/[^\w.-]+/g, '_')}.json`);
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'tapescope.js'), 'run', join(ROOT, script), '--trace', out], { encoding: 'utf8', timeout: 120_000 });
  // Error cases exit 1 (a Python exception) but still write the trace up to the failure.
  if (!existsSync(out)) throw new Error(`no trace from ${script}: ${run.status} ${run.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Trace;
}

function checkGraph(graph: ViewGraph): void {
  const ids = new Set(graph.nodes.map((n) => n.id));
  expect(ids.size, 'node ids are unique').toBe(graph.nodes.length);
  for (const e of graph.edges) expect(ids.has(e.from) && ids.has(e.to), `edge ${e.id}`).toBe(true);
  const input = layoutInput(graph);
  const layout = graph.nodes.length <= 150 ? runLayout(input, 'dagre-network-simplex') : layeredLayout(input);
  for (const v of [...layout.x, ...layout.y]) expect(Number.isFinite(v)).toBe(true);
}

function checkTrace(trace: Trace): void {
  const choices = listChoices(trace);
  expect(choices.length).toBe(trace.gradients.length + trace.tapes.filter((t) => !trace.gradients.some((g) => g.tape === t.id)).length);
  for (const choice of choices) {
    const view = buildTapeView(trace, choice);
    checkGraph(view.forward);
    if (view.backward) checkGraph(view.backward);
    expect(view.steps.map((s) => s.index)).toEqual(view.steps.map((_, i) => i));
    const nodeIds = new Set([...view.forward.nodes, ...(view.backward?.nodes ?? [])].map((n) => n.id));
    for (const step of view.steps) expect(nodeIds.has(step.nodeId), step.label).toBe(true);
    const call = trace.gradients.find((g) => g.id === choice.gradientCall);
    if (call && view.backward) {
      // Every requested source ends in its gradient or in a None node carrying the engine's reason.
      for (const source of call.sources) {
        const result = view.backward.nodes.find((n) => n.sourceIndex === source.index && (n.kind === 'gradient' || n.kind === 'none'))!;
        expect(result.kind).toBe(source.gradient === null ? 'none' : 'gradient');
        if (source.noneReason) expect(result.noneReason).toEqual(source.noneReason);
      }
    }
  }
}

describe.skipIf(!CLI_BUILT)('the view model on engine traces', () => {
  it('builds every tape of the seed notebook; In[14] shows 6.0 and four None reasons', () => {
    const trace = record('examples/gradient_tape_basics.py');
    checkTrace(trace);
    const call = trace.gradients.find((g) => g.sources.map((s) => s.label).join(',') === 'x0,x1,x2,x3,x4')!;
    const view = buildTapeView(trace, listChoices(trace).find((c) => c.gradientCall === call.id)!);
    expect(view.backward!.nodes.find((n) => n.id === 'grad:0')!.value?.values).toEqual([6]);
    expect([1, 2, 3, 4].map((i) => view.backward!.nodes.find((n) => n.id === `none:${i}`)!.noneReason?.code)).toEqual([
      'not-trainable',
      'tensor-not-variable',
      'not-watched',
      'not-accessed',
    ]);
    // x1**2 ran inside the tape but was not recorded; x0**2 was.
    const pows = view.forward.nodes.filter((n) => n.title.startsWith('Pow'));
    expect(pows.map((n) => n.recorded)).toEqual([true, false, false, false]);
  }, 120_000);

  it.each([
    'test/fixtures/tf-cases/010_guide_separate_targets_persistent.py',
    'test/fixtures/tf-cases/022_adv_stop_recording.py',
    'test/fixtures/tf-cases/024_adv_stop_gradient.py',
    'test/fixtures/tf-cases/032_adv_batch_jacobian.py',
    'test/fixtures/tf-cases/060_test_nested_tape_inner_watch.py',
    'test/fixtures/tf-cases/084_keras_two_dense_names.py',
    // Programs that raise: the trace holds what happened up to the failure.
    'test/fixtures/tf-cases/066_error_non_persistent_twice.py',
    'test/fixtures/tf-cases/072_error_batch_jacobian_shapes.py',
  ])('builds every tape and gradient call of %s', (script) => {
    checkTrace(record(script));
  }, 120_000);
});
