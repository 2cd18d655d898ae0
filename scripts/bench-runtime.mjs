// Benchmarks of the Python runtime (run after `npm run build`: it drives dist/cli.js + dist/worker.js):
//   - cold start: loading Pyodide and our packages in a new worker (median of 3);
//   - warm run of a small program, and of examples/gradient_tape_basics.py once the tensorflow
//     package exists (median and p90 of the run() round trip, as a caller sees it);
//   - the bare Python→JavaScript call cost (a do-nothing registered JS function, 100k calls),
//     next to Python's own loop and call costs; an engine op called from JS (in the same worker,
//     and alone in this process), from Python through the raw engine API, and as `x + y` /
//     `tf.add` on our tensorflow's tensors. The per-op overhead from Python (`x + y` minus the same
//     op from JS in the worker) has a target of at most twice the bare call.
// Prints a table and writes bench-output/runtime.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliBundle = join(root, 'dist', 'cli.js');
if (!existsSync(cliBundle) || !existsSync(join(root, 'dist', 'worker.js'))) {
  console.error('dist/cli.js or dist/worker.js is missing: run npm run build first');
  process.exit(1);
}
const { TapescopeRuntime } = createRequire(import.meta.url)(cliBundle);
const outDir = join(root, 'bench-output');
mkdirSync(outDir, { recursive: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

function writeProgram(name, text) {
  const path = join(outDir, name);
  writeFileSync(path, text);
  return path;
}

async function expectOk(runtime, request) {
  const result = await runtime.run(request);
  if (result.status !== 'ok') throw new Error(`${request.file}: ${result.status}\n${result.stderr}`);
  return result;
}

const small = writeProgram(
  'bench_small.py',
  'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(sum(i * i for i in range(1000)), fib(15))\n',
);

const results = {};

// Cold start: a new runtime (worker) each time.
const cold = [];
const coldWall = [];
for (let i = 0; i < 3; i++) {
  const runtime = new TapescopeRuntime();
  const started = performance.now();
  const result = await expectOk(runtime, { file: small });
  coldWall.push(performance.now() - started);
  cold.push(result.coldStartMs);
  await runtime.dispose();
}
results.coldStartMs = median(cold);
results.coldFirstRunWallMs = median(coldWall);

const runtime = new TapescopeRuntime();
await expectOk(runtime, { file: small });

async function warm(file, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await expectOk(runtime, { file });
    times.push(performance.now() - started);
  }
  return { medianMs: median(times), p90Ms: p90(times) };
}
results.warmSmall = await warm(small, 20);

const seed = join(root, 'examples', 'gradient_tape_basics.py');
const haveTensorflow = existsSync(join(root, 'src', 'runtime', 'python', 'tensorflow', '__init__.py'));
if (haveTensorflow) {
  try {
    results.warmSeed = await warm(seed, 10);
  } catch (error) {
    results.warmSeed = { error: String(error.message ?? error).split('\n')[0] };
  }
}

// Python→JS calls and ops from Python. Ops with trace recording stay well under the trace's maxOps
// (200k), past which recording stops and ops get cheaper: OPS_N ops per timing, 3 timings.
const CALLS_N = 100_000;
const OPS_N = 20_000;
const callProgram = writeProgram(
  'bench_calls.py',
  `import json, time
import _tapescope_probe
noop = _tapescope_probe.noop

def timed(body, n):
    # The best of 100 short windows: on a loaded machine (2 cores shared with builds and tests) long
    # windows are mostly preemption; the same n operations in total.
    window = max(1, n // 100)
    best = float('inf')
    for _ in range(100):
        start = time.perf_counter()
        body(window)
        best = min(best, time.perf_counter() - start)
    return best / window * 1e6

def empty_loop(n):
    for _ in range(n):
        pass

def python_calls(n):
    f = lambda: 0
    for _ in range(n):
        f()

def js_calls(n):
    for _ in range(n):
        noop()

def js_calls_with_floats(n):
    for _ in range(n):
        noop(1.5, 2.5)

figures = {
    'emptyLoopUs': timed(empty_loop, ${CALLS_N}),
    'pythonCallUs': timed(python_calls, ${CALLS_N}),
    'jsCallUs': timed(js_calls, ${CALLS_N}),
    'jsCallTwoFloatsUs': timed(js_calls_with_floats, ${CALLS_N}),
}
import _tapescope_engine as E
a = E.constant(1.5)
b = E.constant(2.5)
add = E.add
def engine_adds(n):
    for _ in range(n):
        add(a, b)
figures['engineAddFromPythonUs'] = timed(engine_adds, ${OPS_N})
try:
    import tensorflow as tf
    x = tf.constant(1.5)
    y = tf.constant(2.5)
    def tf_adds(n):
        for _ in range(n):
            x + y
    figures['tfAddFromPythonUs'] = timed(tf_adds, ${OPS_N})
    def tf_add_calls(n):
        for _ in range(n):
            tf.add(x, y)
    figures['tfAddFunctionFromPythonUs'] = timed(tf_add_calls, ${OPS_N})
    # The peer: the same add from JavaScript in this worker, on this run's engine.
    figures['engineAddInWorkerUs'] = _tapescope_probe.engineOpMicros('add', ${OPS_N} // 100, 100)
    # Beyond the cheapest op: a reduction and a matmul (4x4) through tf's functions, and their peers.
    m = tf.reshape(tf.range(16, dtype=tf.float32) / 16.0, [4, 4])
    def reduce_sums(n):
        for _ in range(n):
            tf.reduce_sum(m)
    def matmuls(n):
        for _ in range(n):
            tf.matmul(m, m)
    figures['tfReduceSumFromPythonUs'] = timed(reduce_sums, ${OPS_N})
    figures['tfMatmulFromPythonUs'] = timed(matmuls, ${OPS_N})
    figures['engineReduceSumInWorkerUs'] = _tapescope_probe.engineOpMicros('reduceSum', ${OPS_N} // 100, 100)
    figures['engineMatmulInWorkerUs'] = _tapescope_probe.engineOpMicros('matmul', ${OPS_N} // 100, 100)
    try:
        import _tapescope_fast
        figures['fastLayer'] = _tapescope_fast.disabledReason() or 'on'
    except ImportError:
        figures['fastLayer'] = 'not available'
except ImportError:
    figures['tfAddFromPythonUs'] = None
print(json.dumps(figures))
`,
);
for (const trace of [true, false]) {
  const result = await runtime.run({ file: callProgram, trace, timeLimitMs: 120_000 });
  if (result.status !== 'ok') {
    console.error(result.stderr);
    results[trace ? 'calls' : 'callsNoTrace'] = { error: result.error?.message };
    continue;
  }
  results[trace ? 'calls' : 'callsNoTrace'] = JSON.parse(result.stdout.trim().split('\n').at(-1));
}
await runtime.dispose();

// The same add run by the engine from JavaScript (dist/engine.js) alone in this process: the op with
// nothing else having run (monomorphic JIT), for reference; the overhead uses the in-worker peer.
const engineBundle = join(root, 'dist', 'engine.js');
if (existsSync(engineBundle)) {
  const engine = createRequire(import.meta.url)(engineBundle);
  for (const trace of [true, false]) {
    let best = Number.POSITIVE_INFINITY;
    for (let rep = 0; rep < 3; rep++) {
      engine.setEngine(new engine.Engine({ trace }));
      const a = engine.constant(1.5);
      const b = engine.constant(2.5);
      const started = performance.now();
      for (let i = 0; i < OPS_N; i++) engine.add(a, b);
      best = Math.min(best, ((performance.now() - started) / OPS_N) * 1000);
    }
    results[trace ? 'calls' : 'callsNoTrace'].engineAddAloneUs = best;
  }
}

const fmt = (value, unit) => (typeof value === 'number' ? `${value.toFixed(unit === 'us' ? 2 : 0)} ${unit === 'us' ? 'µs' : 'ms'}` : 'n/a');
const rows = [
  ['cold start (load Pyodide + our packages)', fmt(results.coldStartMs, 'ms')],
  ['first run incl. cold start (wall)', fmt(results.coldFirstRunWallMs, 'ms')],
  ['warm run, small program (median / p90)', `${fmt(results.warmSmall.medianMs, 'ms')} / ${fmt(results.warmSmall.p90Ms, 'ms')}`],
  [
    'warm run, examples/gradient_tape_basics.py (median / p90)',
    results.warmSeed?.medianMs !== undefined
      ? `${fmt(results.warmSeed.medianMs, 'ms')} / ${fmt(results.warmSeed.p90Ms, 'ms')}`
      : (results.warmSeed?.error ?? 'n/a (no tensorflow package yet)'),
  ],
  ['Python empty loop iteration', fmt(results.calls?.emptyLoopUs, 'us')],
  ['Python function call', fmt(results.calls?.pythonCallUs, 'us')],
  ['bare Python→JS call (no args)', fmt(results.calls?.jsCallUs, 'us')],
  ['bare Python→JS call (two floats)', fmt(results.calls?.jsCallTwoFloatsUs, 'us')],
  ['engine add from JS in the worker (trace on / off)', `${fmt(results.calls?.engineAddInWorkerUs, 'us')} / ${fmt(results.callsNoTrace?.engineAddInWorkerUs, 'us')}`],
  ['engine add from JS alone in a process (trace on / off)', `${fmt(results.calls?.engineAddAloneUs, 'us')} / ${fmt(results.callsNoTrace?.engineAddAloneUs, 'us')}`],
  ['engine API add from Python via FFI (trace on / off)', `${fmt(results.calls?.engineAddFromPythonUs, 'us')} / ${fmt(results.callsNoTrace?.engineAddFromPythonUs, 'us')}`],
  ['tf x + y from Python (trace on / off)', `${fmt(results.calls?.tfAddFromPythonUs, 'us')} / ${fmt(results.callsNoTrace?.tfAddFromPythonUs, 'us')}`],
  ['tf.add(x, y) from Python (trace on / off)', `${fmt(results.calls?.tfAddFunctionFromPythonUs, 'us')} / ${fmt(results.callsNoTrace?.tfAddFunctionFromPythonUs, 'us')}`],
  ['tf.reduce_sum(4x4) from Python / engine in the worker (trace on)', `${fmt(results.calls?.tfReduceSumFromPythonUs, 'us')} / ${fmt(results.calls?.engineReduceSumInWorkerUs, 'us')}`],
  ['tf.matmul(4x4, 4x4) from Python / engine in the worker (trace on)', `${fmt(results.calls?.tfMatmulFromPythonUs, 'us')} / ${fmt(results.calls?.engineMatmulInWorkerUs, 'us')}`],
  ['fast layer (src/runtime/fast-ops.ts)', String(results.calls?.fastLayer ?? 'n/a')],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log('Python runtime');
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
// Per-op overhead from Python: what `x + y` (and tf.add) cost beyond the same op from JavaScript in
// the same worker, against the bare Python→JS call (issue 3's target: at most twice the bare call).
for (const [key, label] of [['calls', 'trace on'], ['callsNoTrace', 'trace off']]) {
  const figures = results[key];
  if (!figures?.tfAddFromPythonUs || !figures.engineAddInWorkerUs || !results.calls?.jsCallUs) continue;
  figures.tfOverheadUs = figures.tfAddFromPythonUs - figures.engineAddInWorkerUs;
  figures.tfOverheadRatio = figures.tfOverheadUs / results.calls.jsCallUs;
  figures.tfAddOverheadUs = figures.tfAddFunctionFromPythonUs - figures.engineAddInWorkerUs;
  console.log(
    `  per-op overhead from Python (${label}): x + y ${fmt(figures.tfOverheadUs, 'us')} = ${figures.tfOverheadRatio.toFixed(1)}x the bare call, ` +
      `tf.add ${fmt(figures.tfAddOverheadUs, 'us')} = ${(figures.tfAddOverheadUs / results.calls.jsCallUs).toFixed(1)}x (target ≤ 2x)`,
  );
  if (figures.tfReduceSumFromPythonUs && figures.engineReduceSumInWorkerUs) {
    figures.reduceSumOverheadUs = figures.tfReduceSumFromPythonUs - figures.engineReduceSumInWorkerUs;
    figures.matmulOverheadUs = figures.tfMatmulFromPythonUs - figures.engineMatmulInWorkerUs;
    console.log(
      `  per-op overhead from Python (${label}): tf.reduce_sum ${fmt(figures.reduceSumOverheadUs, 'us')} = ${(figures.reduceSumOverheadUs / results.calls.jsCallUs).toFixed(1)}x, ` +
        `tf.matmul ${fmt(figures.matmulOverheadUs, 'us')} = ${(figures.matmulOverheadUs / results.calls.jsCallUs).toFixed(1)}x the bare call`,
    );
  }
}
writeFileSync(join(outDir, 'runtime.json'), `${JSON.stringify(results, null, 2)}\n`);
