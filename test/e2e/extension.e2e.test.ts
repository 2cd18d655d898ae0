/**
 * End-to-end: the packaged Tapescope .vsix in a real VS Code (code-server 4.139.1 = VS Code 1.139.1),
 * driven in Debian Chromium by playwright-core. Opens the seed script, clicks the "Compute gradient"
 * lens above the In[14] cell's `tape.gradient(y,[x0,x1,x2,x3,x4])`, and checks the tape view (two
 * iframes deep), keyboard stepping with the editor highlight following, the inline hint and the
 * Problems entries. Screenshots go to test-output/screenshots/.
 *
 * Installs what it needs with scripts/e2e-setup.sh (minutes the first time); skips, saying why, only
 * when that script reports that code-server cannot be installed on this machine.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/trace/types';
import {
  distIsFresh,
  groupGone,
  installExtension,
  makeRunFolders,
  repoRoot,
  runsDir,
  runSetup,
  startCodeServer,
  type E2eEnvironment,
  type RunFolders,
  type RunningCodeServer,
} from './codeServer';
import { goToLine, highlightedLine, hoverText, inlineHints, lensAbove } from './editorDom';

const SEED = 'gradient_tape_basics.py';
/** The In[14] call: `grad = tape.gradient(y,[x0,x1,x2,x3,x4])`. */
const IN14_GRADIENT_LINE = readFileSync(join(repoRoot, 'examples', SEED), 'utf8')
  .split('\n')
  .findIndex((l) => l.includes('tape.gradient(y,[x0,x1,x2,x3,x4])')) + 1;
const shots = join(repoRoot, 'test-output', 'screenshots');
const t0 = Date.now();
const log = (...parts: unknown[]) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...parts);

let skipReason: string | undefined;
let env: E2eEnvironment;
let folders: RunFolders;
let server: RunningCodeServer | undefined;
let context: BrowserContext | undefined;
let page: Page;
let referenceTrace: Trace | undefined;
const cspViolations: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `extension-${name}.png`) }).catch((e: Error) => log('screenshot failed', e.message));
}

/** The tape view's document: code-server's webview iframe → VS Code's inner active frame. */
function view(): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The seed's trace from the CLI: the independent source of the None reasons the view must show. */
function cliTrace(): Trace | undefined {
  const out = join(runsDir(), 'seed-trace.json');
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'tapescope.js'), 'run', join(repoRoot, 'examples', SEED), '--trace', out], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) {
    log(`CLI run of the seed failed (exit ${r.status}); tape assertions will fail:\n${r.stderr.slice(-2000)}`);
    return undefined;
  }
  return JSON.parse(readFileSync(out, 'utf8')) as Trace;
}

const SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'editor.codeLens': true,
  'editor.minimap.enabled': false,
  // The scratch workspace lives inside this repo's .e2e/: keep git's "open parent repository?" away.
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'window.commandCenter': false,
  'workbench.colorTheme': 'Default Dark Modern',
  // Open .ipynb files in the notebook editor (code-server otherwise opened them as JSON here).
  'workbench.editorAssociations': { '*.ipynb': 'jupyter-notebook' },
};

let vsix: string;

/** Fresh folders with the seed copied in and the packaged extension installed. */
function prepare(name: string, settings: Record<string, unknown>): RunFolders {
  const f = makeRunFolders(name, settings);
  copyFileSync(join(repoRoot, 'examples', SEED), join(f.workspace, SEED));
  const installed = installExtension(env, f, vsix);
  log(`[${name}] installed extensions:`, installed);
  expect(installed).toMatch(/^tapescope\.tapescope@0\.1\.0$/m);
  return f;
}

/** Opens the seed in the workbench via the `payload` URL and waits for its tab. */
async function openSeed(s: RunningCodeServer, f: RunFolders): Promise<void> {
  const host = new URL(s.url).host;
  const fileUri = `vscode-remote://${host}${f.workspace}/${SEED}`;
  const url = `${s.url}/?folder=${encodeURIComponent(f.workspace)}&payload=${encodeURIComponent(JSON.stringify([['openFile', fileUri]]))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.tabs-container .tab', { hasText: SEED }).first().waitFor({ timeout: 60_000 });
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  const setup = runSetup();
  if (!setup.ok) {
    skipReason = `code-server cannot be installed here: ${setup.reason}`;
    console.warn(`SKIPPING the VS Code end-to-end tests: ${skipReason}`);
    return;
  }
  env = setup.env;
  log(`environment ready in ${setup.seconds.toFixed(1)} s (code-server ${env.codeServerVersion})`);

  vsix = join(runsDir(), 'tapescope.vsix');
  const fresh = distIsFresh();
  const pack = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--out', vsix, ...(fresh ? ['--skip-build'] : [])], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  if (pack.status !== 0) throw new Error(`npm run package failed:\n${pack.stdout}\n${pack.stderr}`);
  log(`packaged ${vsix}${fresh ? ' (dist/ was up to date: no rebuild)' : ''}`);
  folders = prepare('extension', SETTINGS);
  referenceTrace = cliTrace();

  server = await startCodeServer(env, folders);
  log(`code-server pid ${server.pid} at ${server.url}`);
  const require = createRequire(join(env.playwrightCore, 'package.json'));
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  context = await chromium.launchPersistentContext(folders.browserProfile, {
    executablePath: env.chromium,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => log('pageerror:', e.message));
  // Console messages of every frame, the webview's included: CSP violations show up here.
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(`${m.location().url}: ${m.text()}`);
  });
}, 25 * 60_000);

afterAll(async () => {
  if (page) await shot('99-final');
  await context?.close().catch(() => undefined);
  if (server) {
    await server.stop();
    expect(groupGone(server.pid)).toBe(true);
    log('code-server process group stopped');
  }
}, 60_000);

/** The In[14] call in the CLI's trace of the seed, and its None sources. */
function in14Call() {
  expect(referenceTrace, 'the CLI must produce a trace of the seed').toBeDefined();
  const call = referenceTrace!.gradients.find((g) => g.loc?.line === IN14_GRADIENT_LINE)!;
  expect(call, `a gradient call recorded at line ${IN14_GRADIENT_LINE}`).toBeDefined();
  const noneSources = call.sources.filter((s) => s.gradient === null);
  expect(noneSources).toHaveLength(4);
  return { call, noneSources };
}

/**
 * Asserts the panel shows In[14]'s backward graph: x0's gradient 6.0, and a None node for each of
 * x1..x4 whose description carries that source's reason from the CLI's trace.
 */
async function expectIn14Tape(screenshot: string, sourceFile: string) {
  const found = in14Call();
  const backward = view().locator('#backward-graph');
  // Wait for this run's graph: node descriptions end in their source location (file:line).
  await expect
    .poll(async () => (await backward.locator('g.node title').allTextContents()).some((t) => t.includes(sourceFile)), { timeout: 120_000, interval: 500 })
    .toBe(true);
  await page.waitForTimeout(500);
  await shot(screenshot);
  const nodes = await backward.locator('g.node').evaluateAll((els) =>
    els.map((el) => ({ id: el.getAttribute('data-id') ?? '', title: el.querySelector('title')?.textContent ?? '', text: el.textContent ?? '' })),
  );
  const gradientOfX0 = nodes.find((n) => n.title.startsWith('∂/∂x0'));
  expect(gradientOfX0, `a gradient node for x0 among ${nodes.map((n) => n.title.split(' — ')[0]).join(', ')}`).toBeDefined();
  expect(gradientOfX0!.text).toContain('6.0');
  const noneNodes = nodes.filter((n) => n.title.startsWith('None'));
  expect(noneNodes).toHaveLength(4);
  for (const s of found.noneSources) {
    expect(
      noneNodes.some((n) => n.title.includes(s.noneReason!.message)),
      `a None node with ${s.label}'s reason: ${s.noneReason!.message}`,
    ).toBe(true);
  }
  // The sources themselves are drawn too, so the user sees which None belongs to whom.
  for (const label of ['x0', 'x1', 'x2', 'x3', 'x4']) expect(nodes.some((n) => n.title.startsWith(label))).toBe(true);
  log('tape view shows x0 → 6.0 and the four None reasons');
  return found;
}

/** Later tests reuse the first test's window; run alone, they open the workspace themselves. */
async function ensureWorkbench(): Promise<void> {
  if (page.url().startsWith(server!.url)) return;
  await page.goto(`${server!.url}/?folder=${encodeURIComponent(folders.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
}

/** Brings the Output tab of the bottom panel to the front (it shows the Tapescope channel). */
async function showOutputPanel(): Promise<void> {
  await page.locator('.part.panel .composite-bar .action-label', { hasText: /^Output$/ }).first().click({ timeout: 10_000 });
}

/** Text of the bottom panel (output channel, Problems). */
async function bottomPanelText(): Promise<string> {
  // Monaco renders spaces in editor lines (the output channel) as no-break spaces.
  return (await page.locator('.part.panel').allInnerTexts().catch(() => [])).join('\n').replace(/\u00a0/g, ' ');
}

describe('Tapescope in a real VS Code (code-server)', () => {
  it('shows the lens, runs the seed and shows In[14] in the tape view; editor and view follow each other', async (ctx) => {
    if (skipReason) {
      ctx.skip();
      return;
    }
    await openSeed(server!, folders);
    log('workbench ready, seed open');

    // The first lens appears once the extension has activated (onLanguage:python).
    await page.locator('.codelens-decoration a', { hasText: 'Compute gradient' }).first().waitFor({ timeout: 90_000 });
    log('first lens visible');
    await goToLine(page, IN14_GRADIENT_LINE, SEED);
    const lens = await lensAbove(page, IN14_GRADIENT_LINE, 'Compute gradient');
    await shot('01-lens');
    expect(lens, `a "Compute gradient" lens above line ${IN14_GRADIENT_LINE}`).toBeDefined();
    await lens!.click();
    log('clicked the lens above line', IN14_GRADIENT_LINE);

    // The panel opens beside the editor; its document is two iframes deep.
    await page.locator('iframe.webview.ready').first().waitFor({ state: 'attached', timeout: 60_000 });
    await view().locator('body').waitFor({ timeout: 60_000 });
    log('panel open');
    await shot('02-panel-open');

    // ---- the tape: x0 → 6.0, x1..x4 → None with their reasons (the CLI's trace says which) ----
    const { call, noneSources } = await expectIn14Tape('03-tape', `${SEED}:`);

    // A roomier picture for the README: sidebar and bottom panel hidden for one screenshot.
    await goToLine(page, IN14_GRADIENT_LINE, SEED);
    await page.keyboard.press('Control+B');
    await page.keyboard.press('Control+J');
    await page.waitForTimeout(1500);
    await shot('readme');
    await page.keyboard.press('Control+J');
    await page.keyboard.press('Control+B');
    await page.locator('.explorer-folders-view').waitFor({ timeout: 10_000 });

    // ---- inline hint and Problems ----
    const hints = await inlineHints(page);
    expect(hints[IN14_GRADIENT_LINE], `inline hint on line ${IN14_GRADIENT_LINE}`).toMatch(/x0: 6\.0 · x1: None — .+ · x4: None/);
    log('inline hint:', hints[IN14_GRADIENT_LINE]);
    await showOutputPanel();
    await expect.poll(bottomPanelText, { timeout: 30_000 }).toContain('tf.Tensor(6.0, shape=(), dtype=float32)');

    // ---- stepping in the view moves the editor's highlight ----
    const tapeOps = referenceTrace!.ops
      .filter((op) => op.tapes.includes(call.tape) && op.gradientCall === undefined && op.loc)
      .sort((a, b) => a.seq - b.seq);
    const forwardLines = tapeOps.map((op) => op.loc!.line);
    expect(forwardLines.length).toBeGreaterThan(0);
    await view().locator('#forward-graph').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect.poll(() => highlightedLine(page), { timeout: 30_000 }).toBe(forwardLines[0]);
    log('after Home the editor highlight is on line', forwardLines[0]);
    await shot('04-step');

    // In[7]: its tape spans two lines (22: y = x@w+b, 23: loss = ...): stepping must move the highlight.
    const in7Line = 27;
    const in7 = referenceTrace!.gradients.find((g) => g.loc?.line === in7Line)!;
    const in7Lines = referenceTrace!.ops
      .filter((op) => op.tapes.includes(in7.tape) && op.gradientCall === undefined && op.loc)
      .sort((a, b) => a.seq - b.seq)
      .map((op) => op.loc!.line);
    expect(new Set(in7Lines)).toEqual(new Set([22, 23]));
    // This time through the command palette: "Compute Gradient at Cursor" with the cursor on line 27.
    await goToLine(page, in7Line, SEED);
    expect(await lensAbove(page, in7Line, 'Compute gradient'), 'a lens above line 27').toBeDefined();
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.insertText('Tapescope: Compute Gradient at Cursor');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Compute Gradient at Cursor' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await view().locator('#backward-graph g.node title').allTextContents()).some((t) => t.startsWith('∂/∂w')), { timeout: 60_000 }).toBe(true);
    await view().locator('#forward-graph').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect.poll(() => highlightedLine(page), { timeout: 30_000 }).toBe(in7Lines[0]);
    const visited: (number | undefined)[] = [await highlightedLine(page)];
    for (let i = 0; i < in7Lines.length + 6 && !visited.includes(23); i++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(600);
      visited.push(await highlightedLine(page));
    }
    log('highlight while stepping through In[7]:', visited.join(' → '));
    expect(visited[0]).toBe(22);
    expect(visited).toContain(23);
    expect(visited.every((l) => l === 22 || l === 23)).toBe(true);
    await shot('04b-step-in7');

    // ---- cursor on a recorded line selects its node in the view ----
    await goToLine(page, 23, SEED);
    await expect.poll(async () => view().locator('#details').innerText(), { timeout: 30_000 }).toMatch(/:23\b/);
    await shot('05-cursor-follow');
    log('cursor on line 23 selected its node in the view');

    // ---- hover: a name used on a recorded line shows its value and gradient ----
    await goToLine(page, 62, SEED);
    const hover = await hoverText(page, 62, 'x0');
    log('hover on x0:', hover.replace(/\s+/g, ' '));
    expect(hover).toContain('x0 = 3.0');
    expect(hover).toMatch(/∇ \(gradient at line 64\) = 6\.0/);
    await shot('05b-hover');
    await page.keyboard.press('Escape');

    // ---- Problems: every None as an Information entry with the full reason ----
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.waitFor({ timeout: 10_000 });
    for (const s of noneSources) {
      await expect.poll(async () => (await problems.innerText()).replace(/\s+/g, ' '), { timeout: 30_000 }).toContain(`The gradient for ${s.label} is None`);
    }
    await shot('06-problems');
    log('Problems lists the four None gradients');

    // ---- re-run on save: x0 = 4.0 makes the hint on the In[14] line say 8.0 ----
    const x0Line = readFileSync(join(folders.workspace, SEED), 'utf8').split('\n').findIndex((l) => l.startsWith('x0 = tf.Variable(3.0')) + 1;
    await goToLine(page, x0Line, SEED);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.insertText("x0 = tf.Variable(4.0, name='x0')");
    await page.keyboard.press('Control+S');
    await goToLine(page, IN14_GRADIENT_LINE, SEED);
    await expect.poll(async () => (await inlineHints(page))[IN14_GRADIENT_LINE] ?? '', { timeout: 60_000, interval: 500 }).toContain('x0: 8.0');
    await shot('06b-rerun-on-save');
    log('after saving x0 = 4.0 the file re-ran and the hint reads', (await inlineHints(page))[IN14_GRADIENT_LINE]);

    // ---- reload the window: the webview serializer restores the panel, which re-runs the file and
    // shows the tape it showed before (In[7]'s, the last one picked) ----
    // Without the `payload` (files to open replace the restored editors in VS Code for the web).
    await page.goto(`${server!.url}/?folder=${encodeURIComponent(folders.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await expect
      .poll(async () => (await view().locator('#backward-graph g.node title').allTextContents().catch(() => [])).some((t) => t.startsWith('∂/∂w')), {
        timeout: 120_000,
        interval: 1000,
      })
      .toBe(true);
    await shot('06c-restored-after-reload');
    const ours = cspViolations.filter((v) => /tapescope|webview|vscode-resource|vscode-cdn/i.test(v));
    expect(ours, 'no Content Security Policy violations in the panel').toEqual([]);
    log('after a window reload the panel came back with the In[7] tape');
  }, 10 * 60_000);

  it('in a notebook: the lens in the In[14] cell runs the cells up to it', async (ctx) => {
    if (skipReason) {
      ctx.skip();
      return;
    }
    await ensureWorkbench();
    const NOTEBOOK = 'gradient_tape_basics.ipynb';
    copyFileSync(join(repoRoot, 'examples', NOTEBOOK), join(folders.workspace, NOTEBOOK));
    // Open it from the Explorer (the payload URL would open it as JSON text); the notebook editor
    // appears when the built-in ipynb serializer has activated, which takes a while on two cores.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: NOTEBOOK }).first().click({ timeout: 30_000 });
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ timeout: 120_000 });
    const cell = page.locator('.notebook-editor .code-cell-row', { hasText: 'tape.gradient(y,[x0,x1,x2,x3,x4])' }).first();
    // The cell list is virtualised: scroll until the In[14] cell is rendered.
    for (let i = 0; i < 30 && (await cell.count()) === 0; i++) {
      await page.locator('.notebook-editor .cell-list-container').first().hover();
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(250);
    }
    await cell.waitFor({ timeout: 10_000 });
    await cell.scrollIntoViewIfNeeded();
    const lens = cell.locator('.codelens-decoration a', { hasText: 'Compute gradient' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await shot('08-notebook-lens');
    await lens.click();
    log('clicked the lens in the notebook cell');
    await expectIn14Tape('09-notebook-tape', `${NOTEBOOK}#cell4:`);
    // Cells after In[14] did not run: the last cell's output is absent (the channel shows the latest run).
    await showOutputPanel();
    await expect.poll(bottomPanelText, { timeout: 30_000 }).toContain("['x0:0']");
    const output = await bottomPanelText();
    expect(output).toContain('gradient_tape_basics.ipynb (cells up to 4)');
    expect(output).not.toContain('dys/dx1');
  }, 5 * 60_000);

  it('an error in user code: Error diagnostic on the failing line, traceback in the output channel', async (ctx) => {
    if (skipReason) {
      ctx.skip();
      return;
    }
    await ensureWorkbench();
    const BAD = 'fails_after_gradient.py';
    writeFileSync(
      join(folders.workspace, BAD),
      ['import tensorflow as tf', 'x = tf.Variable(3.0)', 'with tf.GradientTape() as tape:', '    y = x * x', 'g = tape.gradient(y, x)', 'print(g)', 'print(undefined_name)', ''].join('\n'),
    );
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: BAD }).first().click({ timeout: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: BAD }).first().waitFor({ timeout: 30_000 });
    const lens = await lensAbove(page, 5, 'Compute gradient', 60_000);
    expect(lens, 'a lens above line 5').toBeDefined();
    await lens!.click();
    await showOutputPanel();
    await expect.poll(bottomPanelText, { timeout: 60_000 }).toContain("NameError: name 'undefined_name' is not defined");
    const output = await bottomPanelText();
    expect(output).toContain('tf.Tensor(6.0, shape=(), dtype=float32)');
    expect(output).toMatch(/line 7/);
    // The tape up to the failure is still shown.
    await expect
      .poll(async () => (await view().locator('#backward-graph g.node title').allTextContents()).some((t) => t.includes(`${BAD}:`)), { timeout: 60_000 })
      .toBe(true);
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await expect.poll(async () => (await problems.innerText()).replace(/\s+/g, ' '), { timeout: 15_000 }).toContain("NameError: name 'undefined_name' is not defined");
    expect((await problems.innerText()).replace(/\s+/g, ' ')).toMatch(/\[Ln 7, Col \d+\]/);
    await shot('10-user-error');
    log('user error: Error diagnostic on line 7, traceback in the output, tape shown');
  }, 5 * 60_000);

  it('a gradient line that ran several times: the panel says so and the user picks the iteration', async (ctx) => {
    if (skipReason) {
      ctx.skip();
      return;
    }
    await ensureWorkbench();
    const LOOP = 'training_loop.py';
    writeFileSync(
      join(folders.workspace, LOOP),
      [
        'import tensorflow as tf',
        'w = tf.Variable(1.0, name="w")',
        'for step in range(3):',
        '    with tf.GradientTape() as tape:',
        '        loss = (w * 2.0 - 1.0) ** 2',
        '    g = tape.gradient(loss, w)',
        '    w.assign_sub(0.1 * g)',
        'print(w.numpy())',
        '',
      ].join('\n'),
    );
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: LOOP }).first().click({ timeout: 30_000 });
    await page.locator('.tabs-container .tab', { hasText: LOOP }).first().waitFor({ timeout: 30_000 });
    const lens = await lensAbove(page, 6, 'Compute gradient', 60_000);
    expect(lens, 'a lens above line 6').toBeDefined();
    await lens!.click();
    const notice = page.locator('.notification-toast', { hasText: 'line 6 ran 3 times; the panel shows the last' });
    await notice.waitFor({ timeout: 60_000 });
    // The hint describes the last run; a lens offers the others.
    await expect.poll(async () => (await inlineHints(page))[6] ?? '', { timeout: 15_000 }).toMatch(/^\(run 3 of 3\) ∇ /);
    expect(await lensAbove(page, 6, 'ran 3× — pick iteration')).toBeDefined();
    const choice = view().locator('#choice');
    const lastLabel = await choice.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '');
    expect(lastLabel).toMatch(/at line 6/);
    await shot('11-loop-last');
    await notice.locator('a.monaco-button, .monaco-button', { hasText: 'Pick iteration' }).first().click();
    const quickPick = page.locator('.quick-input-widget');
    await quickPick.locator('.monaco-list-row', { hasText: 'Run 1 of 3' }).first().click({ timeout: 10_000 });
    await expect
      .poll(async () => choice.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? ''), { timeout: 15_000 })
      .not.toBe(lastLabel);
    const firstLabel = await choice.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? '');
    expect(firstLabel).toMatch(/at line 6/);
    // Gradient calls are numbered in program order: the first iteration's number is the smaller.
    const number = (label: string) => Number(/gradient (\d+)/.exec(label)?.[1]);
    expect(number(firstLabel)).toBeLessThan(number(lastLabel));
    await shot('12-loop-first');
    log(`loop: the panel showed "${lastLabel}", then after picking run 1 "${firstLabel}"`);
  }, 5 * 60_000);

  it('in restricted mode the lenses explain why nothing runs, and clicking runs nothing', async (ctx) => {
    if (skipReason) {
      ctx.skip();
      return;
    }
    const restricted = prepare('restricted', {
      ...SETTINGS,
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.untrustedFiles': 'open',
    });
    const untrusted = await startCodeServer(env, restricted, { workspaceTrust: true });
    try {
      await openSeed(untrusted, restricted);
      const lens = page.locator('.codelens-decoration a', { hasText: 'Compute gradient — restricted mode' }).first();
      await lens.waitFor({ timeout: 90_000 });
      expect(await lens.innerText()).toContain('Compute gradient — restricted mode: trust this workspace to run code');
      expect(await page.locator('.codelens-decoration a', { hasText: /^Compute gradient$/ }).count()).toBe(0);
      await lens.click();
      const notice = page.locator('.notification-toast', { hasText: 'only in a trusted workspace' });
      await notice.waitFor({ timeout: 15_000 });
      await shot('07-restricted');
      expect(await page.locator('iframe.webview').count(), 'no panel opens in restricted mode').toBe(0);
      log('restricted mode: lens explains, nothing runs');
    } finally {
      await untrusted.stop();
      expect(groupGone(untrusted.pid)).toBe(true);
    }
  }, 5 * 60_000);
});
