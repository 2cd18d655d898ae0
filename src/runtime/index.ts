/**
 * Host side of the Python runtime, shared by the CLI and the VS Code extension (Node only, no
 * `vscode`): runs a user's `.py` file or `.ipynb` notebook in a worker thread that keeps Pyodide
 * warm between runs, streams its output, enforces the time limit and never lets a run hang or
 * crash the caller. See docs/runtime.md.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { SourceLocation, Trace } from '../trace/types';
import { NotebookFormatError, parseCellFileName, parseNotebook } from './notebook';
import type { PythonError, WorkerProgram, WorkerRunOutcome, WorkerStartData, WorkerToHost } from './protocol';
import { defaultSnapshotDir } from './snapshot';

export type { PythonError } from './protocol';
export { cellFileName, parseCellFileName } from './notebook';

export interface RunRequest {
  file: string;
  /** The program text; read from `file` when absent (an editor passes its unsaved text). */
  source?: string;
  /** Notebooks: run only the cells with index 0..uptoCell (indices count every cell). */
  uptoCell?: number;
  /** Wall-clock limit for the user's program, in ms (default 30000); the cold start is not counted. */
  timeLimitMs?: number;
  /** Largest tensor, in elements, the engine lets an op create. */
  maxTensorElements?: number;
  /** Element count up to which the trace keeps every value of a tensor. */
  snapshotLimit?: number;
  /** Record a trace (default true). */
  trace?: boolean;
}

export interface CellResult {
  /** Index of the cell in the notebook (all cells counted, 0-based). */
  index: number;
  /** What the cell printed (its displayed value is in `display`, not here). */
  stdout: string;
  /** What the cell wrote to stderr, including notes about skipped magics and its traceback. */
  stderr: string;
  /** IPython-style text of the cell's final expression, when it has one whose value is not None. */
  display?: string;
  error?: PythonError;
}

export interface RunResult {
  status: 'ok' | 'error' | 'timeout' | 'cancelled';
  /** Everything written to stdout, in order (for notebooks: prints and displayed values). */
  stdout: string;
  /** Everything written to stderr, including the traceback or the time-limit message. */
  stderr: string;
  error?: PythonError;
  /** The code `sys.exit(n)` asked for, when the program called it. */
  exitCode?: number;
  cells?: CellResult[];
  trace?: Trace;
  /** Wall-clock time of the run, from the call to run() (after earlier queued runs) to its result. */
  durationMs: number;
  /** Set when this run had to start Python first: how long loading the interpreter took. */
  coldStartMs?: number;
}

export interface RuntimeOptions {
  /** Streamed output, in program order. A cell's displayed value arrives as stdout too. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string, cell?: number) => void;
  /** Human-readable progress ("Starting Python (first run only)..."). */
  onProgress?: (message: string) => void;
  /** Path of the built worker bundle (default: `worker.js` next to this bundle). */
  workerPath?: string;
  /** Folder with Pyodide's files (default: found by the worker next to itself or in node_modules). */
  pyodideDir?: string;
  /**
   * Where to cache a memory snapshot of the loaded interpreter, which makes later cold starts
   * several times faster (default: $TAPESCOPE_CACHE_DIR, $XDG_CACHE_HOME/tapescope or
   * ~/.cache/tapescope); `false` turns the cache off.
   */
  snapshotDir?: string | false;
  /** How long a run may take to end after its KeyboardInterrupt before the worker is killed (default 1000 ms). */
  interruptGraceMs?: number;
}

export const DEFAULT_TIME_LIMIT_MS = 30_000;
const MAX_TIMER_MS = 2_147_483_647;
/** After the KeyboardInterrupt, how long a run may take to end before its worker is killed. */
const INTERRUPT_GRACE_MS = 1_000;
/** How long a run whose KeyboardInterrupt reached our runner may take to report, before the kill. */
const UNWIND_LIMIT_MS = 30_000;
/** How long loading Pyodide may take before the worker is considered broken. */
const LOAD_TIMEOUT_MS = 120_000;
/** Output is handed to onOutput in batches at most this far apart. */
const OUTPUT_BATCH_MS = 10;

function defaultWorkerPath(): string {
  // In the CJS bundles (dist/cli.js, dist/extension.js) __dirname is dist/, where worker.js is.
  return join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'worker.js');
}

function describeLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  const cell = parseCellFileName(loc.file);
  return cell ? ` at ${cell.notebook}, cell ${cell.cell}, line ${loc.line}` : ` at ${loc.file}, line ${loc.line}`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

interface WorkerHandle {
  worker: Worker;
  /** The port the worker reports on (see WorkerStartData.reportPort). */
  reports: MessagePort;
  interrupt: Int32Array;
  /** Set to 1 by the worker when the KeyboardInterrupt has left the user's code (protocol.ts). */
  interruptReachedRunner: Int32Array;
  ready: boolean;
  /** Set once we terminate it ourselves, so its exit is not reported as a crash. */
  retired: boolean;
}

/** Per-run bookkeeping on the host. */
class ActiveRun {
  readonly startedAt = performance.now();
  stdout = '';
  stderr = '';
  readonly cellOutput = new Map<number, { stdout: string; stderr: string }>();
  /** Why the host is stopping this run, if it is. */
  stopReason: 'timeout' | 'cancelled' | undefined;
  userCodeStarted = false;
  coldStartMs: number | undefined;
  timers: NodeJS.Timeout[] = [];
  private pending: { stream: 'stdout' | 'stderr'; cell: number | undefined; text: string } | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly runId: number,
    readonly request: Required<Pick<RunRequest, 'timeLimitMs'>> & RunRequest,
    private readonly onOutput: RuntimeOptions['onOutput'],
    readonly finish: (result: RunResult) => void,
  ) {}

  output(stream: 'stdout' | 'stderr', text: string, cell: number | undefined, display = false): void {
    if (stream === 'stdout') this.stdout += text;
    else this.stderr += text;
    if (cell !== undefined && !display) {
      const perCell = this.cellOutput.get(cell) ?? { stdout: '', stderr: '' };
      perCell[stream] += text;
      this.cellOutput.set(cell, perCell);
    }
    if (!this.onOutput) return;
    if (this.pending && (this.pending.stream !== stream || this.pending.cell !== cell)) this.flushOutput();
    if (this.pending) this.pending.text += text;
    else this.pending = { stream, cell, text };
    this.flushTimer ??= setTimeout(() => this.flushOutput(), OUTPUT_BATCH_MS);
  }

  flushOutput(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending && this.onOutput) {
      try {
        this.onOutput(pending.stream, pending.text, pending.cell);
      } catch {
        // A failing listener must not break the run it listens to.
      }
    }
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

export class TapescopeRuntime {
  private handle: WorkerHandle | undefined;
  private active: ActiveRun | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextRunId = 1;
  /** Bumped by cancel(): runs queued before it resolve as cancelled without running. */
  private cancelEpoch = 0;
  private disposed = false;

  constructor(private readonly options: RuntimeOptions = {}) {}

  /** Runs are queued: each starts when the previous one has ended. The promise never rejects. */
  run(request: RunRequest): Promise<RunResult> {
    const epoch = this.cancelEpoch;
    const job = this.queue.then(() => this.execute(request, epoch));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Starts Python ahead of the first run (e.g. when a Python file is opened). */
  warmUp(): void {
    if (!this.disposed) this.ensureWorker();
  }

  /** Stops the current run (KeyboardInterrupt, then killing the worker) and drops queued runs. */
  cancel(): void {
    this.cancelEpoch++;
    const run = this.active;
    if (run && !run.stopReason) this.stop(run, 'cancelled');
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.cancelEpoch++;
    const run = this.active;
    if (run) {
      run.stopReason ??= 'cancelled';
      this.killWorkerAndFinish(run);
    }
    const handle = this.handle;
    this.handle = undefined;
    if (handle) {
      handle.retired = true;
      handle.reports.close();
      await handle.worker.terminate();
    }
  }

  private async execute(request: RunRequest, epoch: number): Promise<RunResult> {
    const started = performance.now();
    const finished = (partial: Omit<RunResult, 'durationMs'>): RunResult => ({
      ...partial,
      durationMs: Math.round(performance.now() - started),
    });
    if (this.disposed) {
      return finished({ status: 'cancelled', stdout: '', stderr: '', error: hostError('Cancelled', 'the runtime was disposed') });
    }
    if (epoch !== this.cancelEpoch) return finished({ status: 'cancelled', stdout: '', stderr: '' });

    const file = resolve(request.file);
    let program: WorkerProgram;
    try {
      program = await this.loadProgram(file, request);
    } catch (error) {
      const pythonError =
        error instanceof NotebookFormatError
          ? hostError('NotebookFormatError', error.message)
          : hostError('FileNotFoundError', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      const stderr = `${pythonError.type}: ${pythonError.message}\n`;
      this.options.onOutput?.('stderr', stderr);
      return finished({ status: 'error', stdout: '', stderr, error: pythonError });
    }

    // cancel() may have been called while the file was being read.
    if (epoch !== this.cancelEpoch || this.disposed) return finished({ status: 'cancelled', stdout: '', stderr: '' });

    const timeLimitMs =
      request.timeLimitMs !== undefined && Number.isFinite(request.timeLimitMs) && request.timeLimitMs > 0
        ? // setTimeout fires at once for delays beyond 2^31-1 ms (~24.8 days): cap there.
          Math.min(request.timeLimitMs, MAX_TIMER_MS)
        : DEFAULT_TIME_LIMIT_MS;
    return new Promise<RunResult>((resolvePromise) => {
      const runId = this.nextRunId++;
      const run = new ActiveRun(runId, { ...request, timeLimitMs }, this.options.onOutput, (result) => {
        resolvePromise({ ...result, durationMs: Math.round(performance.now() - started) });
      });
      this.active = run;
      let handle: WorkerHandle;
      try {
        handle = this.ensureWorker();
      } catch (error) {
        const message = `the Python worker could not be started: ${error instanceof Error ? error.message : String(error)}`;
        run.output('stderr', `tapescope: ${message}\n`, undefined);
        this.complete(run, { status: 'error', error: hostError('WorkerCrash', message) });
        return;
      }
      if (!handle.ready) run.coldStartMs = 0; // filled in by the `ready` message
      run.timers.push(
        setTimeout(() => {
          if (run.userCodeStarted || this.active !== run) return;
          run.stopReason = undefined;
          this.killWorkerAndFinish(run, hostError('RuntimeError', `Python did not start within ${formatSeconds(LOAD_TIMEOUT_MS)}`));
        }, LOAD_TIMEOUT_MS),
      );
      handle.worker.postMessage({
        type: 'run',
        runId,
        program,
        options: { trace: request.trace ?? true, snapshotLimit: request.snapshotLimit, maxTensorElements: request.maxTensorElements },
      });
    });
  }

  private async loadProgram(file: string, request: RunRequest): Promise<WorkerProgram> {
    // A UTF-8 byte order mark is fine for CPython reading a file, but not inside a compiled string.
    const source = (request.source ?? (await readFile(file, 'utf8'))).replace(/^\uFEFF/, '');
    if (extname(file).toLowerCase() === '.ipynb') {
      return { kind: 'notebook', file, cells: parseNotebook(source, file, basename(file), request.uptoCell) };
    }
    return { kind: 'script', file, source };
  }

  private ensureWorker(): WorkerHandle {
    if (this.handle) return this.handle;
    const interruptBuffer = new SharedArrayBuffer(8);
    const snapshotDir = this.options.snapshotDir === false ? undefined : (this.options.snapshotDir ?? defaultSnapshotDir());
    const reports = new MessageChannel();
    const startData: WorkerStartData = { interruptBuffer, pyodideDir: this.options.pyodideDir, snapshotDir, reportPort: reports.port2 };
    const worker = new Worker(this.options.workerPath ?? defaultWorkerPath(), {
      workerData: startData,
      transferList: [reports.port2],
      // Every op leaves a few small objects that live until the run's trace is taken; a larger young
      // generation keeps them from being copied by each scavenge (25-35% faster traced ops, measured).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    // Neither may keep a CLI process alive once its runs are over (a run holds timers meanwhile).
    worker.unref();
    reports.port1.unref();
    const handle: WorkerHandle = { worker, reports: reports.port1, interrupt: new Int32Array(interruptBuffer, 0, 1), interruptReachedRunner: new Int32Array(interruptBuffer, 4, 1), ready: false, retired: false };
    reports.port1.on('message', (message: WorkerToHost) => this.onWorkerMessage(handle, message));
    worker.on('error', (error: Error) => this.onWorkerFailure(handle, `the Python worker failed: ${error.message}`));
    worker.on('exit', (code: number) => this.onWorkerFailure(handle, `the Python worker stopped unexpectedly (exit code ${code})`));
    this.handle = handle;
    return handle;
  }

  private onWorkerMessage(handle: WorkerHandle, message: WorkerToHost): void {
    if (handle.retired) return;
    const run = this.active;
    switch (message.type) {
      case 'progress':
        this.options.onProgress?.(message.message);
        return;
      case 'ready':
        handle.ready = true;
        if (run && run.coldStartMs !== undefined) run.coldStartMs = message.coldStartMs;
        this.options.onProgress?.(
          `Python ready (${formatSeconds(message.coldStartMs)}${message.from === 'snapshot' ? ', restored from the snapshot cache' : ''})`,
        );
        return;
      case 'load-failed':
        this.options.onProgress?.(`Python failed to start: ${message.message}`);
        return; // the pending run receives `done` with the error
    }
    if (!run || message.runId !== run.runId) return;
    switch (message.type) {
      case 'started':
        run.userCodeStarted = true;
        run.clearTimers();
        if (run.stopReason) {
          this.stop(run, run.stopReason);
        } else {
          run.timers.push(
            setTimeout(() => {
              if (!run.stopReason) this.stop(run, 'timeout');
            }, run.request.timeLimitMs),
          );
        }
        return;
      case 'output':
        run.output(message.stream, message.text, message.cell, message.display);
        return;
      case 'cell-done':
        return; // the per-cell results come with `done`
      case 'done':
        this.finishFromOutcome(handle, run, message.outcome);
        return;
    }
  }

  /** Asks Python to stop (KeyboardInterrupt), and kills the worker if the run has not ended soon after. */
  private stop(run: ActiveRun, reason: 'timeout' | 'cancelled'): void {
    run.stopReason = reason;
    const handle = this.handle;
    if (!run.userCodeStarted || !handle) {
      // Still loading Python: let it load (the next run wants it) and interrupt as soon as the run starts.
      return;
    }
    Atomics.store(handle.interrupt, 0, 2);
    const grace = this.options.interruptGraceMs ?? INTERRUPT_GRACE_MS;
    const stoppedAt = performance.now();
    const checkStopped = (): void => {
      // The run may have ended in time with its `done` still queued behind this timer.
      this.drainReports(handle);
      if (this.active !== run) return;
      // The interrupt left the user's code and our runner is reporting it: the program stops by
      // itself, only slowly (a loaded machine). Wait for it, within a bound, rather than kill the
      // warm interpreter and lose where the program was.
      if (Atomics.load(handle.interruptReachedRunner, 0) === 1 && performance.now() - stoppedAt < UNWIND_LIMIT_MS) {
        run.timers.push(setTimeout(checkStopped, grace));
        return;
      }
      this.killWorkerAndFinish(run);
    };
    run.timers.push(setTimeout(checkStopped, grace));
  }

  private finishFromOutcome(handle: WorkerHandle, run: ActiveRun, outcome: WorkerRunOutcome): void {
    if (outcome.workerUnusable) this.retire(handle);
    let status: RunResult['status'] = outcome.status === 'interrupted' ? 'error' : outcome.status;
    let error = outcome.error;
    if (outcome.status === 'interrupted' && run.stopReason) {
      status = run.stopReason;
      error = this.stopError(run, error?.loc, error?.traceback);
    }
    if (error && status === 'error') {
      const text = error.traceback || `${error.type}: ${error.message}\n`;
      const failedCell = outcome.cells?.find((cell) => cell.error)?.index;
      run.output('stderr', text.endsWith('\n') ? text : `${text}\n`, failedCell);
    } else if (error && (status === 'timeout' || status === 'cancelled')) {
      run.output('stderr', `${error.message}\n`, undefined);
    }
    const cells = outcome.cells?.map((cell): CellResult => {
      const output = run.cellOutput.get(cell.index) ?? { stdout: '', stderr: '' };
      const result: CellResult = { index: cell.index, stdout: output.stdout, stderr: output.stderr };
      if (cell.display !== undefined) result.display = cell.display;
      if (cell.error) result.error = status === 'ok' || status === 'error' ? cell.error : error;
      return result;
    });
    this.complete(run, { status, error, exitCode: outcome.exitCode, cells, trace: outcome.trace });
  }

  private stopError(run: ActiveRun, loc: SourceLocation | undefined, traceback = ''): PythonError {
    const message =
      run.stopReason === 'timeout'
        ? `tapescope: stopped: the time limit of ${formatSeconds(run.request.timeLimitMs)} was exceeded${describeLocation(loc)}`
        : `tapescope: the run was cancelled${describeLocation(loc)}`;
    const result = hostError(run.stopReason === 'timeout' ? 'TimeoutError' : 'Cancelled', message, traceback);
    if (loc) result.loc = loc;
    return result;
  }

  private killWorkerAndFinish(run: ActiveRun, failure?: PythonError): void {
    if (this.active !== run) return;
    if (this.handle) this.retire(this.handle);
    if (failure) {
      run.output('stderr', `tapescope: ${failure.message}\n`, undefined);
      this.complete(run, { status: 'error', error: failure });
      return;
    }
    const error = this.stopError(run, undefined);
    run.output('stderr', `${error.message}\n`, undefined);
    this.complete(run, { status: run.stopReason ?? 'cancelled', error });
  }

  private onWorkerFailure(handle: WorkerHandle, message: string): void {
    if (handle.retired) return;
    // What the worker reported before it died (its last output, maybe even its `done`) comes first.
    this.drainReports(handle);
    if (handle.retired) return;
    this.retire(handle);
    const run = this.active;
    if (!run) return;
    if (run.stopReason) {
      this.killWorkerAndFinish(run);
      return;
    }
    const error = hostError('WorkerCrash', `${message}. The next run starts a fresh Python.`);
    run.output('stderr', `tapescope: ${error.message}\n`, undefined);
    this.complete(run, { status: 'error', error });
  }

  /** Handles, now, every report the worker has already sent. */
  private drainReports(handle: WorkerHandle): void {
    for (let report = receiveMessageOnPort(handle.reports); report; report = receiveMessageOnPort(handle.reports)) {
      this.onWorkerMessage(handle, report.message as WorkerToHost);
    }
  }

  /** Forgets a worker (killing it); the next run starts a fresh one. */
  private retire(handle: WorkerHandle): void {
    handle.retired = true;
    handle.reports.close();
    if (this.handle === handle) this.handle = undefined;
    void handle.worker.terminate();
  }

  private complete(run: ActiveRun, partial: Pick<RunResult, 'status' | 'error' | 'exitCode' | 'cells' | 'trace'>): void {
    if (this.active !== run) return;
    this.active = undefined;
    run.clearTimers();
    run.flushOutput();
    const result: RunResult = { status: partial.status, stdout: run.stdout, stderr: run.stderr, durationMs: 0 };
    if (partial.error) result.error = partial.error;
    if (partial.exitCode !== undefined) result.exitCode = partial.exitCode;
    if (partial.cells) result.cells = partial.cells;
    if (partial.trace) result.trace = partial.trace;
    if (run.coldStartMs !== undefined) result.coldStartMs = run.coldStartMs;
    run.finish(result);
  }
}

function hostError(type: string, message: string, traceback = ''): PythonError {
  return { type, message, traceback };
}
