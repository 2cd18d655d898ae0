// Benchmark of the tape view in Debian Chromium (headless, playwright-core): synthetic traces of
// 1,000 and 10,000 nodes; prints time to interactive (navigation start to the graphs drawn and
// steppable), the layout time inside it, and the repaint time of one step. Not a timed test.
//   node scripts/bench-view.mjs [--sizes 1000,10000] [--steps 20] [--layout ENGINE]
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argument = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sizes = argument('--sizes', '1000,10000').split(',').map(Number);
const stepSamples = Number(argument('--steps', '20'));
// `--layout dagre-longest-path` (or dagre-network-simplex, layered) forces the layout engine.
const forcedLayout = argument('--layout', '');

if (!existsSync('/usr/bin/chromium')) {
  console.log('bench-view: /usr/bin/chromium is missing (apt-get install chromium); nothing measured.');
  process.exit(0);
}

// The fixtures and page writer are TypeScript: bundle them once for Node.
const outDir = join(root, 'bench-output', 'view');
mkdirSync(outDir, { recursive: true });
const helper = join(outDir, 'bench-helpers.cjs');
await build({
  stdin: {
    contents: `export { randomTrace } from './test/webview/fixtures';
               export { writePage, launchChromium, bundleView } from './test/webview/browser';`,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: helper,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  external: ['playwright-core', 'esbuild'],
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const { randomTrace, writePage, launchChromium, bundleView } = require(helper);
const dist = join(outDir, 'dist');
await bundleView(dist);

const launched = await launchChromium({ width: 1400, height: 800 });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const size of sizes) {
    const trace = randomTrace(size, 11);
    const page = await launched.context.newPage();
    const path = writePage(join(outDir, 'pages'), `random-${size}`, trace, undefined, dist);
    const started = Date.now();
    await page.goto(`file://${path}${forcedLayout ? `?layout=${forcedLayout}` : ''}`);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
    const wall = Date.now() - started;
    const info = await page.evaluate(() => ({
      ...document.documentElement.dataset,
      measures: performance.getEntriesByType('measure').map((m) => `${m.name.replace('tapescope-', '')} ${Math.round(m.duration)} ms`).join(', '),
    }));
    // One step = keydown -> restyle -> the next frame painted (rAF, then a task after the frame).
    await page.keyboard.press('Home');
    const repaint = await page.evaluate(async (samples) => {
      const times = [];
      // At the start of a frame: step (the keydown handler restyles), then a task queued now runs
      // only after this frame's style, layout and paint: the difference is the step's frame cost.
      for (let i = 0; i < samples; i++) {
        times.push(
          await new Promise((resolve) =>
            requestAnimationFrame(() => {
              const t0 = performance.now();
              document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
              const script = performance.now() - t0;
              setTimeout(() => resolve([performance.now() - t0, script]), 0);
            }),
          ),
        );
      }
      return times;
    }, stepSamples);
    const steps = await page.locator('#step-label').getAttribute('data-step-index');
    console.log(
      `${String(size).padStart(6)} ops, ${info.nodeCount} nodes in both graphs: interactive in ${info.readyAt} ms after navigation start ` +
        `(wall ${wall} ms; layout ${info.layoutMs} ms with ${info.layoutEngine}; ${info.measures}); one step repaints in ` +
        `median ${median(repaint.map((r) => r[0])).toFixed(1)} ms (of which script ${median(repaint.map((r) => r[1])).toFixed(1)} ms), ` +
        `max ${Math.max(...repaint.map((r) => r[0])).toFixed(1)} ms over ${repaint.length} steps (now at step ${steps})`,
    );
    await page.close();
  }
} finally {
  await launched.close();
  rmSync(join(outDir, 'pages'), { recursive: true, force: true });
}
