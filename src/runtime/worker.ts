/**
 * The Python worker thread: loads Pyodide once, writes our Python packages into its file system,
 * and runs the user's programs one at a time on request from the host (src/runtime/index.ts).
 *
 * Each run gets a fresh `__main__` and freshly imported user-facing packages (see
 * python/_tapescope/runner.py) and a fresh engine binding, while the interpreter stays loaded.
 * The host interrupts a run by storing 2 into the shared interrupt buffer (Python then raises
 * KeyboardInterrupt) and kills the whole thread if that does not end the run.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { PyodideAPI } from 'pyodide';
import { pythonSources } from 'tapescope:python-sources';
import { ENGINE_MODULE_NAME, createEngineBinding } from './engine-binding';
import { FastOps } from './fast-ops';
import * as engineApi from '../engine/index';
import type {
  HostToWorker,
  PythonError,
  WorkerCellOutcome,
  WorkerProgram,
  WorkerRunOptions,
  WorkerRunOutcome,
  WorkerStartData,
  WorkerToHost,
} from './protocol';
import { findPyodideDir } from './pyodide-files';
import {
  SNAPSHOT_PREIMPORTS,
  bytecodeCacheFile,
  listBytecode,
  removeQuietly,
  restoreBytecode,
  saveBytecode,
  saveSnapshot,
  snapshotFile,
} from './snapshot';

/** Where our packages live inside Pyodide's (in-memory) file system; runner.py agrees. */
const PACKAGE_ROOT = '/tapescope/python';
/** mtime given to our source files in Pyodide's file system (see the .pyc cache below). */
const SOURCE_MTIME_MS = 1_600_000_000_000;
/** Where compiled .pyc files of our packages are cached between processes (with the snapshot). */
let bytecodeCache: string | undefined;
/** How many .pyc files the cache holds (restored or saved); a run that adds some saves again. */
let cachedBytecodeCount = 0;

if (!parentPort) throw new Error('src/runtime/worker.ts must run as a worker thread');
const startData = workerData as WorkerStartData;
// Requests come on parentPort; everything we report goes on the host's dedicated port, which the
// host can also drain synchronously before deciding to kill us (see protocol.ts).
const requests = parentPort;
const reports = startData.reportPort;
const interruptFlag = new Int32Array(startData.interruptBuffer, 0, 1);
const interruptReachedRunner = new Int32Array(startData.interruptBuffer, 4, 1);

function post(message: WorkerToHost): void {
  reports.postMessage(message);
}

/** Python's stdout/stderr are line-buffered: each write is normally a whole line, sent at once. */
class StreamForwarder {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  runId = 0;
  cell: number | undefined;

  constructor(private readonly stream: 'stdout' | 'stderr') {}

  write(bytes: Uint8Array): number {
    this.pending += this.decoder.decode(bytes, { stream: true });
    if (this.pending.includes('\n') || this.pending.length >= 8192) this.flush();
    return bytes.length;
  }

  /** Writes text as if the program had printed it (notes about skipped magics, displayed values). */
  emit(text: string, display?: boolean): void {
    this.flush();
    this.pending = text;
    this.flush(display);
  }

  flush(display?: boolean): void {
    if (this.pending === '') return;
    const message: Extract<WorkerToHost, { type: 'output' }> = { type: 'output', runId: this.runId, stream: this.stream, text: this.pending, cell: this.cell };
    if (display) message.display = true;
    post(message);
    this.pending = '';
  }
}

const stdout = new StreamForwarder('stdout');
const stderr = new StreamForwarder('stderr');

interface Runner {
  begin_run(programFile: string, userFilesJson: string, sourcesJson: string): void;
  end_run(): void;
  collect_garbage(): void;
  import_warm_packages(): void;
  run_script(source: string, filename: string): string;
  run_cell(source: string, filename: string): string;
}

interface LoadedPython {
  pyodide: PyodideAPI;
  runner: Runner;
  /** The ops on the hot path as C-level builtins (src/runtime/fast-ops.ts), bound to each run. */
  fastOps: FastOps;
}

/**
 * Microseconds per engine op called from JavaScript in this worker, on the current run's engine
 * (best of `windows` windows of `n`): the peer of the same op called from Python, for
 * scripts/bench-runtime.mjs. `add`: two scalars; `reduceSum`: a 4x4 float32 tensor; `matmul`: two.
 */
function timeEngineOp(kind: 'add' | 'reduceSum' | 'matmul', n: number, windows: number): number {
  const scalarA = engineApi.constant(1.5);
  const scalarB = engineApi.constant(2.5);
  const square = engineApi.constant(Array.from({ length: 16 }, (_, i) => i / 16), { shape: [4, 4] });
  const op =
    kind === 'add' ? () => engineApi.add(scalarA, scalarB) : kind === 'reduceSum' ? () => engineApi.reduceSum(square) : () => engineApi.matmul(square, square);
  let best = Number.POSITIVE_INFINITY;
  for (let w = 0; w < windows; w++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) op();
    best = Math.min(best, (performance.now() - started) / n);
  }
  return best * 1000;
}

/** Set once Python is loaded (the same value `loading` resolves to). */
let loaded: LoadedPython | undefined;

async function loadPython(): Promise<LoadedPython> {
  const started = performance.now();
  post({ type: 'progress', message: 'Starting Python (first run only)...' });
  const pyodideDir = findPyodideDir(__dirname, startData.pyodideDir);
  if (!pyodideDir) {
    throw new Error(`Pyodide was not found next to ${__dirname} (expected a pyodide/ folder; run npm run build)`);
  }
  // A runtime require of the file on disk: Pyodide must stay outside the bundle (it loads its
  // .mjs and .wasm relative to indexURL).
  const nodeRequire = createRequire(__filename);
  const pyodideModule = nodeRequire(join(pyodideDir, 'pyodide.js')) as typeof import('pyodide');
  const { pyodide, from } = await loadInterpreter(pyodideModule, pyodideDir);
  pyodide.setStdout({ write: (bytes: Uint8Array) => stdout.write(bytes) });
  pyodide.setStderr({ write: (bytes: Uint8Array) => stderr.write(bytes) });
  // No terminal: input() sees end of file instead of blocking the worker.
  pyodide.setStdin({ stdin: () => null });
  pyodide.setInterruptBuffer(interruptFlag);

  for (const [relativePath, text] of Object.entries(pythonSources)) {
    const target = `${PACKAGE_ROOT}/${relativePath}`;
    pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf('/')));
    pyodide.FS.writeFile(target, text);
    // A fixed mtime keeps cached .pyc files valid in the next process (they record source mtime
    // and size; the cache file is keyed by the sources' hash, so changed content never matches).
    pyodide.FS.utime(target, SOURCE_MTIME_MS, SOURCE_MTIME_MS);
  }
  bytecodeCache = startData.snapshotDir
    ? bytecodeCacheFile(startData.snapshotDir, pyodideModule.version, pythonSources)
    : undefined;
  if (bytecodeCache) cachedBytecodeCount = restoreBytecode(pyodide, bytecodeCache, PACKAGE_ROOT);
  // For scripts/bench-runtime.mjs: a do-nothing JS function (the bare Python→JS call), and the
  // engine's add run from JavaScript in this worker, on the current run's engine (the peer of
  // `x + y` from Python, under the same JIT state and trace setting).
  pyodide.registerJsModule('_tapescope_probe', { noop: () => 0, engineOpMicros: timeEngineOp });
  // The runner tells the host, the moment a KeyboardInterrupt leaves the user's code, that the run
  // is ending by itself (on a loaded machine the unwinding can outlast the kill's grace period).
  pyodide.registerJsModule('_tapescope_host', { interruptReachedRunner: () => Atomics.store(interruptReachedRunner, 0, 1) });
  // Pyodide's Emscripten module: the C API the fast layer calls (checked before it is used).
  const fastOps = new FastOps((pyodide as unknown as { _module?: unknown })._module);
  pyodide.registerJsModule('_tapescope_fast', fastOps.pythonModule());
  pyodide.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(PACKAGE_ROOT)})\nsys.dont_write_bytecode = False`);
  const runner = pyodide.pyimport('_tapescope.runner') as unknown as Runner;
  try {
    runner.import_warm_packages();
  } catch {
    // Imported on demand instead; the user's import shows the error.
  }
  post({ type: 'ready', coldStartMs: Math.round(performance.now() - started), from });
  loaded = { pyodide, runner, fastOps };
  return loaded;
}

/** Restores Python from the cached snapshot when there is a good one, else loads it (and caches one). */
async function loadInterpreter(
  pyodideModule: typeof import('pyodide'),
  indexURL: string,
): Promise<{ pyodide: PyodideAPI; from: 'snapshot' | 'plain' }> {
  const file = startData.snapshotDir ? snapshotFile(startData.snapshotDir, pyodideModule.version) : undefined;
  if (file && existsSync(file)) {
    try {
      const pyodide = await pyodideModule.loadPyodide({ indexURL, packages: [], _loadSnapshot: readFileSync(file) });
      pyodide.runPython('import sys'); // a damaged snapshot fails here rather than in the user's run
      return { pyodide, from: 'snapshot' };
    } catch {
      removeQuietly(file);
    }
  }
  const pyodide = await pyodideModule.loadPyodide({ indexURL, packages: [], ...(file ? { _makeSnapshot: true } : {}) });
  if (file) {
    try {
      pyodide.runPython(SNAPSHOT_PREIMPORTS.map((name) => `import ${name}`).join('\n'));
      saveSnapshot(file, pyodide.makeMemorySnapshot());
    } catch {
      // No cache this time: the next cold start loads the ordinary way again.
    }
  }
  return { pyodide, from: 'plain' };
}

const loading: Promise<LoadedPython> = loadPython();
loading.catch((error: unknown) => {
  post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
});

type ParsedOutcome = { display?: string; error?: PythonError; exitCode?: number };

function userFiles(program: WorkerProgram): { files: string[]; sources: Record<string, string> } {
  if (program.kind === 'script') return { files: [program.file], sources: { [program.file]: program.source } };
  const sources: Record<string, string> = {};
  for (const cell of program.cells) sources[cell.filename] = cell.source;
  return { files: Object.keys(sources), sources };
}

function pythonErrorType(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'type' in error && typeof error.type === 'string') return error.type;
  return undefined;
}

/** Host folders already visible to Python (mounted once, kept for later runs). */
const mountedDirectories = new Set<string>();

/**
 * Makes the program's folder visible to Python at its real path, as it is to CPython: so the
 * user's own modules next to the script import, and relative data files open. The runner puts it
 * first on sys.path and makes it the working directory.
 */
function mountProgramDirectory(pyodide: LoadedPython['pyodide'], programFile: string): void {
  const dir = dirname(programFile);
  if (!isAbsolute(programFile) || dir === '/' || mountedDirectories.has(dir)) return;
  if (dir === PACKAGE_ROOT || dir.startsWith(`${PACKAGE_ROOT}/`) || PACKAGE_ROOT.startsWith(`${dir}/`)) return;
  try {
    if (!statSync(dir).isDirectory()) return;
    pyodide.FS.mkdirTree(dir);
    pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: dir }, dir);
    mountedDirectories.add(dir);
  } catch {
    // A folder that cannot be mounted only means sibling imports fail, with Python's own error.
  }
}

async function run(runId: number, program: WorkerProgram, options: WorkerRunOptions): Promise<WorkerRunOutcome> {
  const { pyodide, runner, fastOps } = await loading;
  for (const forwarder of [stdout, stderr]) {
    forwarder.runId = runId;
    forwarder.cell = undefined;
  }
  // An interrupt meant for the previous run (arriving just as it ended) must not hit this one.
  Atomics.store(interruptFlag, 0, 0);
  Atomics.store(interruptReachedRunner, 0, 0);
  const engine = createEngineBinding({
    programFile: program.file,
    trace: options.trace,
    snapshotLimit: options.snapshotLimit,
    maxTensorElements: options.maxTensorElements,
    writeStderr: (text) => stderr.write(new TextEncoder().encode(text)),
  });
  pyodide.registerJsModule(ENGINE_MODULE_NAME, engine.module);
  fastOps.bindRun(engine.core);
  const { files, sources } = userFiles(program);
  mountProgramDirectory(pyodide, program.file);
  const outcome: WorkerRunOutcome = { status: 'ok' };
  post({ type: 'started', runId });
  try {
    runner.begin_run(program.file, JSON.stringify(files), JSON.stringify(sources));
    if (program.kind === 'script') {
      applyOutcome(outcome, JSON.parse(runner.run_script(program.source, program.file)) as ParsedOutcome);
    } else {
      outcome.cells = [];
      for (const cell of program.cells) {
        stdout.cell = stderr.cell = cell.index;
        for (const note of cell.notes) stderr.emit(`${note}\n`);
        const parsed = JSON.parse(runner.run_cell(cell.source, cell.filename)) as ParsedOutcome;
        stdout.flush();
        stderr.flush();
        const cellOutcome: WorkerCellOutcome = { index: cell.index };
        if (parsed.display !== undefined) {
          cellOutcome.display = parsed.display;
          stdout.emit(`${parsed.display}\n`, true);
        }
        if (parsed.error) cellOutcome.error = parsed.error;
        outcome.cells.push(cellOutcome);
        post({ type: 'cell-done', runId, cell: cellOutcome });
        applyOutcome(outcome, parsed);
        if (outcome.status !== 'ok' || outcome.exitCode !== undefined) break;
      }
    }
  } catch (error) {
    // Our own runner failed: a KeyboardInterrupt that landed outside the user's code, or a
    // JavaScript-level failure (then the interpreter may be damaged and is replaced).
    const type = pythonErrorType(error);
    const detail = error instanceof Error ? error.message : String(error);
    if (type === 'KeyboardInterrupt') {
      outcome.status = 'interrupted';
      outcome.error = { type, message: '', traceback: '' };
    } else {
      // A bug of ours, not the user's: say so, with the whole (unfiltered) Python traceback.
      outcome.status = 'error';
      const lastLine = detail.trimEnd().split('\n').at(-1) ?? detail;
      outcome.error = {
        type: 'InternalError',
        message: `Tapescope's Python runner failed (${lastLine})`,
        traceback: `Tapescope internal error (please report it):\n${detail.endsWith('\n') ? detail : `${detail}\n`}`,
      };
      if (!type) outcome.workerUnusable = true;
    }
  } finally {
    stdout.flush();
    stderr.flush();
    try {
      runner.end_run();
    } catch {
      outcome.workerUnusable = true;
    }
    fastOps.bindRun(undefined);
  }
  try {
    outcome.trace = engine.finish();
  } catch (error) {
    stderr.cell = undefined;
    stderr.emit(`tapescope: the trace could not be collected: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return outcome;
}

function applyOutcome(outcome: WorkerRunOutcome, parsed: ParsedOutcome): void {
  if (parsed.exitCode !== undefined) {
    outcome.exitCode = parsed.exitCode;
    if (parsed.exitCode !== 0) outcome.status = 'error';
  }
  if (parsed.error) {
    outcome.error = parsed.error;
    outcome.status = parsed.error.type === 'KeyboardInterrupt' ? 'interrupted' : 'error';
  }
}

/** Saves our packages' .pyc files when the run compiled modules the cache does not have yet. */
function updateBytecodeCache(pyodide: PyodideAPI): void {
  if (!bytecodeCache) return;
  try {
    const compiled = listBytecode(pyodide, PACKAGE_ROOT);
    if (compiled.length <= cachedBytecodeCount) return;
    saveBytecode(pyodide, bytecodeCache, PACKAGE_ROOT, compiled);
    cachedBytecodeCount = compiled.length;
  } catch {
    bytecodeCache = undefined; // an unwritable cache folder: stop trying
  }
}

// Runs are strictly sequential: the host sends the next one only after `done`.
requests.on('message', (message: HostToWorker) => {
  if (message.type !== 'run') return;
  run(message.runId, message.program, message.options).then(
    (outcome) => {
      // Before reporting (a CLI process ends right after): keep what this run compiled.
      if (loaded) updateBytecodeCache(loaded.pyodide);
      post({ type: 'done', runId: message.runId, outcome });
      // Clean up after reporting, so the caller does not wait for it.
      setImmediate(() => {
        loading
          .then(({ pyodide, runner }) => {
            runner.collect_garbage();
          })
          .catch(() => undefined);
      });
    },
    (error: unknown) =>
      post({
        type: 'done',
        runId: message.runId,
        outcome: {
          status: 'error',
          error: { type: 'InternalError', message: error instanceof Error ? error.message : String(error), traceback: '' },
          workerUnusable: true,
        },
      }),
  );
});
