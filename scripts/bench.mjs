// `npm run bench`: Tapescope's engine (dist/engine.js) against TensorFlow.js (cpu and wasm backends)
// in one process, on the workloads of issue 2, with trace recording on (and off, for comparison).
// Prints one table of figures and ratios, checks the targets, then the peak memory of a long
// recorded run (in a child process, so its peak is its own), then the runtime/view benches of the
// other layers when they exist.
//
//   node scripts/bench.mjs            full run (about two minutes)
//   node scripts/bench.mjs --quick    fewer repetitions and a shorter memory run (smoke test)
//   node scripts/bench.mjs --json F   also writes the figures to F
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;

if (args[0] === '--memory-child') {
  await memoryChild(Number(args[1]), Number(args[2]), args[3]);
  process.exit(0);
}

const enginePath = join(root, 'dist/engine.js');
if (!existsSync(enginePath)) {
  console.error('bench: dist/engine.js is missing; run `npm run build` first (npm run bench does).');
  process.exit(1);
}
const E = require(enginePath);

// ---- timing ---------------------------------------------------------------------------------

/**
 * Best wall time (ms) of `reps` runs of `fn`, after `warmup` untimed runs. The best, not the
 * median: other processes share this machine's two cores, and the best run is the one they
 * disturbed least (the median is kept in the JSON output).
 */
const medians = new Map();
function timeMs(fn, { reps, warmup = 1, key }) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  if (key) medians.set(key, times[Math.floor(times.length / 2)]);
  return times[0];
}

function rand(n, seed, scale = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

// ---- workloads, each for our engine and for a tfjs backend ------------------------------------

const CHAIN = 2000;
const MM_SIZES = [256, 1024];
const ELEMENTS = 1_000_000;

/** Our engine: one Engine per measured run, like one run of a user's file. */
const ours = (trace) => {
  const fresh = () => E.setEngine(new E.Engine({ trace }));
  const t = (data, shape) => E.constant(data, { shape });
  return {
    chain() {
      fresh();
      const c1 = E.constant(1.0001);
      const c2 = E.constant(0.001);
      const x = E.constant(0.5);
      const { tape, result } = E.withTape({}, (tp) => {
        tp.watch(x);
        let y = x;
        for (let i = 0; i < CHAIN; i++) y = i % 3 === 0 ? E.multiply(y, c1) : i % 3 === 1 ? E.add(y, c2) : E.sin(y);
        return y;
      });
      const [g] = tape.gradient([result], [x]);
      return g.data[0];
    },
    matmulSetup(n) {
      fresh();
      const a = t(rand(n * n, 1), [n, n]);
      const b = t(rand(n * n, 2), [n, n]);
      return () => {
        fresh();
        return E.matmul(a, b).data[0];
      };
    },
    mlpSetup() {
      fresh();
      const x = t(rand(128 * 784, 3), [128, 784]);
      const y = t(rand(128 * 10, 4), [128, 10]);
      const w1 = t(rand(784 * 256, 5, 0.05), [784, 256]);
      const b1 = t(rand(256, 6, 0.05), [256]);
      const w2 = t(rand(256 * 10, 7, 0.05), [256, 10]);
      const b2 = t(rand(10, 8, 0.05), [10]);
      return () => {
        fresh();
        const { tape, result } = E.withTape({}, (tp) => {
          for (const v of [w1, b1, w2, b2]) tp.watch(v);
          const h = E.relu(E.add(E.matmul(x, w1), b1));
          const out = E.add(E.matmul(h, w2), b2);
          return E.reduceMean(E.square(E.subtract(out, y)));
        });
        const grads = tape.gradient([result], [w1, b1, w2, b2]);
        return grads[0].data[0];
      };
    },
    sinExpSetup() {
      fresh();
      const x = t(rand(ELEMENTS, 9), [ELEMENTS]);
      return () => {
        fresh();
        const { tape, result } = E.withTape({}, (tp) => {
          tp.watch(x);
          return E.reduceSum(E.multiply(E.sin(x), E.exp(x)));
        });
        return tape.gradient([result], [x])[0].data[0];
      };
    },
  };
};

const tfjsWorkloads = (tf) => ({
  chain() {
    const c1 = tf.scalar(1.0001);
    const c2 = tf.scalar(0.001);
    const x = tf.scalar(0.5);
    const g = tf.grad((x0) => {
      let y = x0;
      for (let i = 0; i < CHAIN; i++) y = i % 3 === 0 ? tf.mul(y, c1) : i % 3 === 1 ? tf.add(y, c2) : tf.sin(y);
      return y;
    });
    const value = tf.tidy(() => g(x).dataSync()[0]);
    tf.dispose([c1, c2, x]);
    return value;
  },
  matmulSetup(n) {
    const a = tf.tensor2d(rand(n * n, 1), [n, n]);
    const b = tf.tensor2d(rand(n * n, 2), [n, n]);
    return () => tf.tidy(() => tf.matMul(a, b).dataSync()[0]);
  },
  mlpSetup() {
    const x = tf.tensor2d(rand(128 * 784, 3), [128, 784]);
    const y = tf.tensor2d(rand(128 * 10, 4), [128, 10]);
    const params = [
      tf.tensor2d(rand(784 * 256, 5, 0.05), [784, 256]),
      tf.tensor1d(rand(256, 6, 0.05)),
      tf.tensor2d(rand(256 * 10, 7, 0.05), [256, 10]),
      tf.tensor1d(rand(10, 8, 0.05)),
    ];
    const grads = tf.grads((w1, b1, w2, b2) => {
      const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
      return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(h, w2), b2), y)));
    });
    return () => tf.tidy(() => grads(params).map((g) => g.dataSync()[0])[0]);
  },
  sinExpSetup() {
    const x = tf.tensor1d(rand(ELEMENTS, 9));
    const g = tf.grad((x0) => tf.sum(tf.mul(tf.sin(x0), tf.exp(x0))));
    return () => tf.tidy(() => g(x).dataSync()[0]);
  },
});

/**
 * Untimed runs of the scalar chain before timing it, for every implementation alike. The row is
 * per-op overhead, a steady-state figure: in a fresh process the JIT takes 10-20 runs of the chain
 * (2000 ops forward and backward each) to compile the hot paths of a JavaScript engine, more when
 * the other core is busy, and the first column timed would otherwise pay for it.
 */
const CHAIN_WARMUP = quick ? 5 : 20;

/** Runs every workload on one implementation; returns the figures. */
function measure(impl, name) {
  const reps = quick ? 3 : 9;
  const r = {};
  r.chainUsPerOp = (timeMs(() => impl.chain(), { reps: quick ? 5 : 15, warmup: CHAIN_WARMUP, key: `${name} chain` }) * 1000) / CHAIN;
  for (const n of MM_SIZES) {
    const run = impl.matmulSetup(n);
    const ms = timeMs(run, { reps: n >= 1024 ? (quick ? 2 : 4) : reps, warmup: 1, key: `${name} matmul${n}` });
    r[`matmul${n}Gflops`] = (2 * n * n * n) / (ms * 1e6);
  }
  r.mlpMsPerStep = timeMs(impl.mlpSetup(), { reps, warmup: 2, key: `${name} mlp` });
  r.sinExpMs = timeMs(impl.sinExpSetup(), { reps, warmup: 1, key: `${name} sinexp` });
  return r;
}

// ---- run ------------------------------------------------------------------------------------

const columns = [];
columns.push({ name: 'ours (trace on)', figures: measure(ours(true), 'ours-trace') });
columns.push({ name: 'ours (trace off)', figures: measure(ours(false), 'ours-notrace') });
const rssAfterOurs = process.memoryUsage().rss;

let tf;
try {
  tf = require('@tensorflow/tfjs');
} catch {
  console.log('bench: @tensorflow/tfjs is not installed (npm install); comparing nothing.');
}
if (tf) {
  const silence = console.warn;
  console.warn = () => {}; // tfjs advises installing tfjs-node on every backend switch
  await tf.setBackend('cpu');
  await tf.ready();
  columns.push({ name: 'tfjs-cpu', figures: measure(tfjsWorkloads(tf), 'tfjs-cpu') });
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // single-threaded, as the targets assume
    await tf.setBackend('wasm');
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    columns.push({ name: `tfjs-wasm${simd ? ' simd' : ''}`, figures: measure(tfjsWorkloads(tf), 'tfjs-wasm') });
  } catch (err) {
    console.log(`bench: tfjs wasm backend unavailable (${err.message})`);
  }
  console.warn = silence;
}

const rows = [
  { key: 'chainUsPerOp', label: `scalar op chain (${CHAIN} ops) fwd+bwd, µs/op`, lowerIsBetter: true },
  { key: 'matmul256Gflops', label: 'matmul 256³, GFLOP/s', lowerIsBetter: false },
  { key: 'matmul1024Gflops', label: 'matmul 1024³, GFLOP/s', lowerIsBetter: false },
  { key: 'mlpMsPerStep', label: 'MLP 784-256-10 b128 fwd+bwd, ms/step', lowerIsBetter: true },
  { key: 'sinExpMs', label: 'grad reduce_sum(sin(x)*exp(x)) 1e6, ms', lowerIsBetter: true },
];

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const labelWidth = Math.max(...rows.map((r) => r.label.length)) + 2;
const colWidth = 18;
console.log(`\nTapescope engine vs TensorFlow.js (node ${process.version}, ${quick ? 'quick' : 'full'} run; best of repetitions, load average ${loadavg()[0].toFixed(1)})\n`);
console.log(''.padEnd(labelWidth) + columns.map((c) => c.name.padStart(colWidth)).join(''));
const cpu = columns.find((c) => c.name === 'tfjs-cpu');
for (const row of rows) {
  let line = row.label.padEnd(labelWidth);
  for (const c of columns) line += fmt(c.figures[row.key]).padStart(colWidth);
  console.log(line);
}
if (cpu) {
  console.log('\nours (trace on) vs each, as a speed-up (>1 means ours is faster):');
  const us = columns[0].figures;
  for (const row of rows) {
    let line = row.label.padEnd(labelWidth);
    for (const c of columns.slice(2)) {
      const speedup = row.lowerIsBetter ? c.figures[row.key] / us[row.key] : us[row.key] / c.figures[row.key];
      line += `${fmt(speedup)}x vs ${c.name}`.padStart(colWidth + 10);
    }
    console.log(line);
  }
  console.log('\ntargets (trace on):');
  const checks = [
    [`per-op overhead ≤ 1/10 of tfjs-cpu (${fmt(us.chainUsPerOp)} vs ${fmt(cpu.figures.chainUsPerOp / 10)} µs)`, us.chainUsPerOp <= cpu.figures.chainUsPerOp / 10],
    ...rows.map((row) => [
      `${row.label}: not slower than tfjs-cpu`,
      row.lowerIsBetter ? us[row.key] <= cpu.figures[row.key] : us[row.key] >= cpu.figures[row.key],
    ]),
  ];
  for (const [text, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
}

// ---- memory: a long recorded run in its own process -------------------------------------------

const memOps = quick ? 10_000 : 100_000;
const memElements = 1_000_000;
console.log(`\npeak memory (resident set, this process after our workloads: ${(rssAfterOurs / 2 ** 20).toFixed(0)} MiB)`);
const memory = {};
for (const mode of ['view', 'compute']) {
  const ops = mode === 'view' ? memOps : quick ? 50 : 200;
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--memory-child', String(ops), String(memElements), mode], {
    encoding: 'utf8',
  });
  if (child.status !== 0) {
    console.log(`  memory run (${mode}) failed: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    continue;
  }
  const m = JSON.parse(child.stdout.trim().split('\n').pop());
  memory[mode] = m;
  const what =
    mode === 'view'
      ? `${m.ops.toLocaleString('en')} recorded ops (Reshape/Identity, sharing data) on a ${memElements.toLocaleString('en')}-element float32 tensor`
      : `${m.ops.toLocaleString('en')} recorded ops (Neg/Sin, a new ${memElements.toLocaleString('en')}-element buffer each)`;
  console.log(
    `  ${what}: peak RSS ${m.peakMiB.toFixed(0)} MiB (baseline ${m.baselineMiB.toFixed(0)} MiB; a copy per op would be ${((m.ops * memElements * 4) / 2 ** 30).toFixed(0)} GiB), trace ${m.traceOps.toLocaleString('en')} ops, ${(m.ms / m.ops).toFixed(3)} ms/op`,
  );
}

// ---- the other layers' benches, when they exist -----------------------------------------------

for (const other of ['bench-runtime.mjs', 'bench-view.mjs']) {
  const file = join(root, 'scripts', other);
  if (!existsSync(file)) continue;
  console.log(`\n---- scripts/${other} ----`);
  const res = spawnSync(process.execPath, [file, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  if (res.status !== 0) console.log(`scripts/${other} exited with ${res.status}`);
}

if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ columns, medians: Object.fromEntries(medians), memory }, null, 2));

// ---- the memory child -------------------------------------------------------------------------

async function memoryChild(ops, elements, mode) {
  const E2 = require(join(root, 'dist/engine.js'));
  let peak = 0;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  };
  sample();
  const baseline = peak;
  const engine = E2.setEngine(new E2.Engine({ trace: true }));
  const t0 = performance.now();
  let x = E2.constant(rand(elements, 11), { shape: [elements] });
  const square = [1000, elements / 1000];
  for (let i = 0; i < ops; i++) {
    if (mode === 'view') x = i % 2 === 0 ? E2.reshape(x, i % 4 === 0 ? square : [elements]) : E2.identity(x);
    else x = i % 2 === 0 ? E2.negative(x) : E2.sin(x);
    if (i % 500 === 0) sample();
  }
  sample();
  const ms = performance.now() - t0;
  const trace = engine.recorder.toTrace();
  sample();
  const peakFromOs = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({ ops, ms, traceOps: trace.ops.length, baselineMiB: baseline / 2 ** 20, peakMiB: Math.max(peak, peakFromOs) / 2 ** 20 }),
  );
}
