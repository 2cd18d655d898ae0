/**
 * The tape view in a real browser: Debian's Chromium (headless, driven by playwright-core) loading the
 * standalone page. Skips, saying why, when /usr/bin/chromium is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostToView, ViewState } from '../../src/protocol/messages';
import type { GradientCallRecord, Trace } from '../../src/trace/types';
import { buildTapeView, listChoices, type TapeView } from '../../webview/model/graph';
import { searchNodes } from '../../webview/model/groups';
import { bundleView, chromiumAvailable, CHROMIUM, launchChromium, ROOT, writePage, type LaunchedBrowser } from './browser';
import { in14Trace, nestedTapesTrace, randomTrace } from './fixtures';

const OUT = join(ROOT, 'test-output');
const PAGES = join(OUT, 'pages');
const DIST = join(OUT, 'webview-dist');
const SCREENSHOTS = join(OUT, 'screenshots');
const SOURCE = readFileSync(join(ROOT, 'examples', 'gradient_tape_basics.py'), 'utf8');

if (!chromiumAvailable()) {
  console.warn(`Skipping the tape view browser tests: ${CHROMIUM} is missing (apt-get install chromium).`);
}

async function openPage(launched: LaunchedBrowser, path: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await launched.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.emulateMedia({ colorScheme });
  await page.goto(`file://${path}`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
  expect(errors, 'page errors').toEqual([]);
  return page;
}

const nodeText = (page: Page, svg: string, id: string): Promise<string> => page.locator(`#${svg} g.node[data-id="${id}"]`).textContent().then((t) => t ?? '');

/**
 * The seed notebook's trace as the engine records it (running examples/gradient_tape_basics.py through
 * the CLI), or, when the CLI cannot run here (not built), the synthetic In[14] trace of fixtures.ts.
 */
function seedTrace(): { trace: Trace; real: boolean } {
  const cli = join(ROOT, 'bin', 'tapescope.js');
  const out = join(PAGES, 'seed-trace.json');
  mkdirSync(PAGES, { recursive: true });
  if (existsSync(join(ROOT, 'dist', 'cli.js'))) {
    const run = spawnSync(process.execPath, [cli, 'run', join(ROOT, 'examples', 'gradient_tape_basics.py'), '--trace', out], { encoding: 'utf8', timeout: 120_000 });
    if (run.status === 0 && existsSync(out)) return { trace: JSON.parse(readFileSync(out, 'utf8')) as Trace, real: true };
    console.warn(`tape view tests: the CLI could not record the seed trace (${run.status}: ${(run.stderr ?? '').slice(0, 300)}); using the synthetic In[14] trace`);
  } else console.warn('tape view tests: dist/cli.js is not built; using the synthetic In[14] trace');
  return { trace: in14Trace(), real: false };
}

/** The In[14] gradient call: five sources labelled x0..x4. */
function in14Call(trace: Trace): GradientCallRecord {
  const call = trace.gradients.find((g) => g.sources.map((s) => s.label).join(',') === 'x0,x1,x2,x3,x4');
  if (!call) throw new Error('no In[14] gradient call in the trace');
  return call;
}

describe.skipIf(!chromiumAvailable())('tape view in Chromium', () => {
  let launched: LaunchedBrowser;
  let in14Path: string;
  let trace: Trace;
  let call: GradientCallRecord;
  let view: TapeView;
  /** Opens the page on the In[14] gradient call. */
  let openIn14: (colorScheme?: 'light' | 'dark') => Promise<Page>;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const seed = seedTrace();
    trace = seed.trace;
    call = in14Call(trace);
    const choice = listChoices(trace).find((c) => c.gradientCall === call.id)!;
    view = buildTapeView(trace, choice);
    await bundleView(DIST);
    in14Path = writePage(PAGES, 'seed', trace, SOURCE, DIST);
    launched = await launchChromium();
    openIn14 = async (colorScheme = 'light') => {
      const page = await openPage(launched, in14Path, colorScheme);
      if ((await page.locator('#choice').inputValue()) !== choice.key) {
        await page.locator('#choice').selectOption(choice.key);
        await page.waitForSelector('html[data-ready="true"]');
      }
      return page;
    };
  }, 180_000);

  it('renders every tape and gradient call of the seed trace without errors', async () => {
    const page = await openPage(launched, in14Path);
    const keys = listChoices(trace).map((c) => c.key);
    expect(await page.locator('#choice option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(keys);
    for (const key of keys) {
      await page.locator('#choice').selectOption(key);
      await page.waitForSelector('html[data-ready="true"]');
      const choice = listChoices(trace).find((c) => c.key === key)!;
      const expected = buildTapeView(trace, choice);
      expect(await page.locator('#forward-graph g.node').count()).toBe(expected.forward.nodes.length);
      expect(await page.locator('#backward-graph g.node').count()).toBe(expected.backward?.nodes.length ?? 0);
    }
    await page.close();
  });

  afterAll(async () => {
    await launched?.close();
  });

  it('renders the In[14] tape: x0 gets 6.0, x1..x4 get None each with its own reason', async () => {
    const page = await openIn14();
    expect(await page.locator('#forward-graph g.node').count()).toBe(view.forward.nodes.length);
    expect(await page.locator('#backward-graph g.node').count()).toBe(view.backward!.nodes.length);
    expect(await nodeText(page, 'backward-graph', 'grad:0')).toContain('= 6.0');
    expect(await nodeText(page, 'backward-graph', 'src:0')).toContain('x0');
    const reasons = new Set<string>();
    for (const [i, source] of call.sources.entries()) {
      if (i === 0) continue;
      const text = await nodeText(page, 'backward-graph', `none:${i}`);
      expect(text).toContain('None');
      // The reason is drawn in the node (wrapped), starting with the source's name.
      expect(text.replace(/\s+/g, ' ')).toContain(source.noneReason!.message.split(' ').slice(0, 4).join(' '));
      reasons.add(text);
      // The None node is an octagon (shape, not only colour) ...
      expect(await page.locator(`#backward-graph g.node[data-id="none:${i}"] path.shape`).count()).toBe(1);
      // ... and selecting it shows the reason, its code and the fix in the detail panel.
      await page.locator(`#backward-graph g.node[data-id="none:${i}"]`).click();
      const detail = page.locator(`#details [data-none-reason="${source.noneReason!.code}"]`);
      await expect.poll(() => detail.count()).toBe(1);
      expect(await detail.textContent()).toContain(source.noneReason!.fix!);
    }
    expect(reasons.size).toBe(4);
    await page.screenshot({ path: join(SCREENSHOTS, 'in14-light.png') });
    await page.locator('[data-maximize="backward"]').click();
    await page.screenshot({ path: join(SCREENSHOTS, 'in14-backward-light.png') });
    await page.close();
  });

  it('looks right in the dark and high-contrast themes too (screenshots)', async () => {
    const page = await openIn14('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(30, 30, 30)');
    await page.screenshot({ path: join(SCREENSHOTS, 'in14-dark.png') });
    await page.locator('[data-maximize="forward"]').click();
    await page.screenshot({ path: join(SCREENSHOTS, 'in14-forward-dark.png') });
    await page.locator('#theme').selectOption('high-contrast');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(0, 0, 0)');
    await page.locator('[data-maximize="forward"]').click();
    await page.screenshot({ path: join(SCREENSHOTS, 'in14-high-contrast.png') });
    await page.close();
  });

  it('steps by keyboard through every forward op, then every backward node, in order', async () => {
    const page = await openIn14();
    await page.locator('#forward-graph').focus();
    await page.keyboard.press('Home');
    for (const [i, step] of view.steps.entries()) {
      const label = page.locator('#step-label');
      await expect.poll(() => label.getAttribute('data-step-index')).toBe(String(i));
      const current = await page.locator('g.node.state-current').evaluateAll((nodes) => nodes.map((n) => `${n.closest('svg')!.id}/${n.getAttribute('data-id')}`));
      expect(current).toEqual([`${step.graph}-graph/${step.nodeId}`]);
      // Later forward nodes are dimmed (not yet computed); earlier ones are not.
      if (step.phase === 'forward' && i + 1 < view.forwardStepCount) {
        expect(await page.locator(`#forward-graph g.node[data-id="${view.steps[i + 1]!.nodeId}"]`).getAttribute('class')).toContain('state-pending');
      }
      if (i > 0) expect(await page.locator(`#${view.steps[i - 1]!.graph}-graph g.node[data-id="${view.steps[i - 1]!.nodeId}"]`).getAttribute('class')).toContain('state-computed');
      // Each step reveals its source line (the standalone page shows it).
      expect(await page.locator('#source-view').getAttribute('data-line')).toBe(String(step.loc!.line));
      await page.keyboard.press('ArrowRight');
    }
    // Past the end stays at the last step; the results are then computed.
    await expect.poll(() => page.locator('#step-label').getAttribute('data-step-index')).toBe(String(view.steps.length - 1));
    expect(await page.locator('#backward-graph g.node[data-id="none:4"]').getAttribute('class')).toContain('state-computed');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('#step-label').getAttribute('data-step-index')).toBe(String(view.steps.length - 2));
    await page.close();
  });

  it('shows the source line of a selected node', async () => {
    const page = await openIn14();
    const powId = view.forward.nodes.find((n) => n.title.startsWith('Pow') && n.recorded)!.id;
    await page.locator(`#forward-graph g.node[data-id="${powId}"]`).click();
    await expect.poll(() => page.locator('#details').getAttribute('data-node-id')).toBe(powId);
    expect(await page.locator('#details').textContent()).toContain('gradient_tape_basics.py:62');
    expect(await page.locator('#source-view').getAttribute('data-line')).toBe('62');
    expect(await page.locator('#source-view .line.here').textContent()).toContain('y = (x0**2) + (x1**2) + (x2**2) + (x3**2)');
    // Its gradient (6.0 arrives at x0**2 as 1.0) is shown too.
    expect(await page.locator('#details').textContent()).toContain('Gradient at its output');
    await page.close();
  });

  it('fits a narrow panel (like VS Code beside the editor): graphs above, details below (screenshot)', async () => {
    const page = await openIn14('dark');
    await page.setViewportSize({ width: 540, height: 860 });
    await page.locator('#fit').click();
    const graph = await page.locator('#backward-graph').boundingBox();
    const details = await page.locator('#details').boundingBox();
    expect(graph!.width).toBeGreaterThan(400);
    expect(details!.y).toBeGreaterThanOrEqual(graph!.y + graph!.height - 1);
    await page.screenshot({ path: join(SCREENSHOTS, 'in14-narrow-dark.png') });
    await page.close();
  });

  it('walks the nodes of a focused graph with ↑/↓ (every node reachable by keyboard)', async () => {
    const page = await openIn14();
    await page.locator('#backward-graph').focus();
    const seen: string[] = [];
    for (let i = 0; i < view.backward!.nodes.length; i++) {
      await page.keyboard.press('ArrowDown');
      seen.push((await page.locator('#details').getAttribute('data-node-id')) ?? '');
    }
    expect(new Set(seen)).toEqual(new Set(view.backward!.nodes.map((n) => n.id)));
    await page.close();
  });

  it('finds nodes by search', async () => {
    const page = await openIn14();
    await page.keyboard.press('/');
    await page.keyboard.type('pow');
    const expected = searchNodes(view.forward, 'pow').length + searchNodes(view.backward!, 'pow').length;
    expect(expected).toBe(5); // four Pow ops forward, one ∂ Pow backward
    await expect.poll(() => page.locator('#search-count').textContent()).toBe(`${expected} matches`);
    expect(await page.locator('g.node.hit').count()).toBe(expected);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#details h3').textContent()).toBe('Pow(·, 2.0)');
    await page.close();
  });

  it('exports the graph as valid SVG, and the trace as JSON', async () => {
    const page = await openIn14();
    await page.locator('#backward-graph').focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="svg"]').click()]);
    const svgPath = await download.path();
    const svg = readFileSync(svgPath, 'utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, root: doc.documentElement.nodeName, nodes: doc.querySelectorAll('g.node').length, text: doc.documentElement.textContent };
    }, svg);
    expect(parsed.error).toBeNull();
    expect(parsed.root).toBe('svg');
    expect(parsed.nodes).toBe(view.backward!.nodes.length);
    expect(parsed.text).toContain('= 6.0');
    expect(svg).not.toContain('var(--vscode');
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="json"]').click()]);
    const exported = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8')) as Trace;
    expect(exported.gradients.find((g) => g.id === call.id)!.sources.map((s) => s.noneReason?.code ?? null)).toEqual([null, 'not-trainable', 'tensor-not-variable', 'not-watched', 'not-accessed']);
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="png"]').click()]);
    expect(readFileSync(await pngDownload.path()).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('inside VS Code: talks through the typed messages and restores its state after being hidden', async () => {
    // A stand-in for the webview API: records what the view posts and keeps setState across reloads.
    const page = await launched.context.newPage();
    const fakeVsCode = (saved: ViewState | null): void => {
      const w = window as unknown as { posted: unknown[]; saved: unknown; acquireVsCodeApi: () => unknown };
      w.posted = [];
      w.saved = saved ?? undefined;
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => w.posted.push(m),
        getState: () => w.saved,
        setState: (s: unknown) => (w.saved = s),
      });
    };
    await page.addInitScript(fakeVsCode, null);
    await page.goto(`file://${in14Path}`);
    const posted = (): Promise<{ type: string; [k: string]: unknown }[]> => page.evaluate(() => (window as unknown as { posted: { type: string }[] }).posted);
    await expect.poll(async () => (await posted()).map((m) => m.type)).toContain('ready');
    const send = (message: HostToView): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), message);
    await send({ type: 'trace', trace, runId: 1, focus: { gradientCall: call.id } });
    await page.waitForSelector('html[data-ready="true"]');
    await send({ type: 'step-command', command: 'first' });
    // window.postMessage is delivered asynchronously: the keys must not race ahead of 'first'.
    await expect.poll(() => page.locator('#step-label').getAttribute('data-step-index')).toBe('0');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#step-label').getAttribute('data-step-index')).toBe('2');
    const reveals = (await posted()).filter((m) => m.type === 'reveal');
    expect(reveals.at(-1)).toEqual({ type: 'reveal', loc: view.steps[2]!.loc, reason: 'step' });
    const lastStateOf = async (): Promise<ViewState | undefined> => (await posted()).filter((m) => m.type === 'state').at(-1)?.state as ViewState | undefined;
    await expect.poll(async () => (await lastStateOf())?.step).toBe(2);
    const zoomBefore = (await lastStateOf())!.zoom!.k;
    await page.mouse.move(300, 300);
    await page.mouse.wheel(0, -200);
    await expect.poll(async () => (await lastStateOf())?.zoom?.k).toBeGreaterThan(zoomBefore);
    const lastState = (await lastStateOf())!;
    expect(lastState.step).toBe(2);
    expect(lastState.gradientCall).toBe(call.id);
    // What the view gave setState is what it posted; hidden and restored, a fresh page gets it back.
    expect(await page.evaluate(() => (window as unknown as { saved: unknown }).saved)).toEqual(lastState);
    await page.addInitScript(fakeVsCode, lastState);
    await page.reload();
    await expect.poll(async () => (await posted()).find((m) => m.type === 'ready')).toBeTruthy();
    const ready = (await posted()).find((m) => m.type === 'ready')!;
    expect((ready.state as ViewState).step).toBe(2);
    await send({ type: 'trace', trace, runId: 2, focus: { gradientCall: call.id } });
    await page.waitForSelector('html[data-ready="true"]');
    expect(await page.locator('#step-label').getAttribute('data-step-index')).toBe('2');
    const transform = await page.locator('#forward-graph g.graph-root').getAttribute('transform');
    expect(transform).toContain(`scale(${lastState.zoom!.k}`);
    await page.close();
  });

  it('shows nested tapes: the outer tape holds the inner gradient ops', async () => {
    const nested = nestedTapesTrace();
    const page = await openPage(launched, writePage(PAGES, 'nested', nested, undefined, DIST), 'dark');
    const options = await page.locator('#choice option').allTextContents();
    expect(options).toHaveLength(2);
    expect(options[0]).toContain('recorded on tape 0');
    await page.locator('#choice').selectOption('gradient:1');
    await page.waitForSelector('html[data-ready="true"]');
    await page.locator('#group-mode').selectOption('scope');
    await page.waitForSelector('html[data-ready="true"]');
    await expect.poll(() => page.locator('#forward-graph g.cluster').count()).toBe(1);
    expect(await page.locator('#forward-graph g.cluster text').textContent()).toContain('gradient 0');
    expect(await nodeText(page, 'backward-graph', 'grad:0')).toContain('= 18.0');
    await page.screenshot({ path: join(SCREENSHOTS, 'nested-outer-dark.png') });
    await page.locator('#forward-graph g.cluster text').click();
    await expect.poll(() => page.locator('#forward-graph g.node.kind-group').count()).toBe(1);
    await page.close();
  });

  it('shows layout progress and cancels a slow dagre layout, falling back to the layered layout', async () => {
    const path = writePage(PAGES, 'random-1500', randomTrace(1500, 9), undefined, DIST);
    const page = await launched.context.newPage();
    await page.goto(`file://${path}?layout=dagre-network-simplex`);
    const cancel = page.locator('#cancel-layout');
    await cancel.waitFor({ timeout: 20_000 });
    expect(await page.locator('#status').textContent()).toContain('dagre-network-simplex');
    expect(await page.locator('#status progress').count()).toBe(1);
    await cancel.click();
    await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
    expect(await page.getAttribute('html', 'data-layout-engine')).toBe('layered');
    expect(await page.locator('#status').textContent()).toContain('cancelled');
    await page.close();
  });

  it('draws a 2,000-node trace with the layered layout and steps without re-laying out', async () => {
    const big = randomTrace(2000, 5);
    const page = await openPage(launched, writePage(PAGES, 'random-2000', big, undefined, DIST));
    expect(await page.getAttribute('html', 'data-layout-engine')).toBe('layered');
    const renders = await page.locator('#forward-graph').getAttribute('data-render-count');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#step-label').getAttribute('data-step-index')).toBe('1');
    // Stepping zoomed in on the current node (drawn in detail), and did not lay the graph out again.
    const currentId = await page.locator('#step-label').getAttribute('data-node-id');
    await expect.poll(() => page.locator(`#forward-graph g.node.state-current[data-id="${currentId}"]`).count()).toBe(1);
    expect(await page.locator('#forward-graph').getAttribute('data-render-count')).toBe(renders);
    // Far out, the big graph is an overview: a few paths rather than thousands of elements.
    await page.keyboard.press('f');
    await expect.poll(() => page.locator('#forward-graph path.ov-current').count()).toBe(1);
    expect(await page.locator('#forward-graph g.node').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'random-2000-overview-light.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'random-2000-light.png') });
    await page.close();
  });
});
