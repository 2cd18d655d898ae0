/**
 * Messages between the host (`TapescopeRuntime`, src/runtime/index.ts) and the Python worker
 * (src/runtime/worker.ts). Both sides import these types; the worker is started fresh when it has
 * to be killed, so no message ever refers to state from a previous worker.
 */
import type { MessagePort } from 'node:worker_threads';
import type { SourceLocation, Trace } from '../trace/types';

export interface PythonError {
  /** Exception class name (`ValueError`, `InvalidArgumentError`, `SyntaxError`, ...). */
  type: string;
  message: string;
  /** Python-style traceback showing only frames in the user's file(s), ending `Type: message`. */
  traceback: string;
  /** Innermost frame in the user's file (for notebooks `file` is `/abs/nb.ipynb#cell<i>`). */
  loc?: SourceLocation;
}

/** One code cell to run, already stripped of IPython magics (see notebook.ts). */
export interface CellToRun {
  /** Index of the cell among all cells of the notebook (markdown included), 0-based. */
  index: number;
  /** The encoded file name its code is compiled under: `/abs/nb.ipynb#cell<index>`. */
  filename: string;
  source: string;
  /** Notes for stderr before the cell runs (skipped magics). */
  notes: string[];
}

export interface WorkerRunOptions {
  maxTensorElements?: number;
  snapshotLimit?: number;
  trace: boolean;
}

export type WorkerProgram =
  | { kind: 'script'; file: string; source: string }
  | { kind: 'notebook'; file: string; cells: CellToRun[] };

export type HostToWorker = { type: 'run'; runId: number; program: WorkerProgram; options: WorkerRunOptions };

export interface WorkerCellOutcome {
  index: number;
  display?: string;
  error?: PythonError;
}

export interface WorkerRunOutcome {
  /** `interrupted`: a KeyboardInterrupt ended the run (the host knows whether it asked for one). */
  status: 'ok' | 'error' | 'interrupted';
  error?: PythonError;
  /** From SystemExit: `sys.exit(3)` gives 3. Absent when the program ended normally. */
  exitCode?: number;
  cells?: WorkerCellOutcome[];
  trace?: Trace;
  /** The interpreter may be damaged (a JavaScript-level failure): the host must replace the worker. */
  workerUnusable?: boolean;
}

export type WorkerToHost =
  | { type: 'progress'; message: string }
  /** `from`: how Python was loaded (a cached memory snapshot is ~4x faster than a plain load). */
  | { type: 'ready'; coldStartMs: number; from: 'snapshot' | 'plain' }
  | { type: 'load-failed'; message: string }
  | { type: 'started'; runId: number }
  /** `display`: the text is a notebook cell's displayed value (IPython's `Out[n]`), not a print. */
  | { type: 'output'; runId: number; stream: 'stdout' | 'stderr'; text: string; cell?: number; display?: boolean }
  | { type: 'cell-done'; runId: number; cell: WorkerCellOutcome }
  | { type: 'done'; runId: number; outcome: WorkerRunOutcome };

/** Data the worker is started with (`workerData`). */
export interface WorkerStartData {
  /**
   * Two Int32 slots over a SharedArrayBuffer. Slot 0 is Pyodide's interrupt buffer: the host stores
   * 2 (SIGINT) to interrupt Python. Slot 1 the worker sets to 1 when that KeyboardInterrupt has
   * come out of the user's code into our runner (the run is ending; the host need not kill it).
   */
  interruptBuffer: SharedArrayBuffer;
  /** Folder with pyodide.js & co.; when absent the worker looks next to itself, then node_modules. */
  pyodideDir?: string;
  /** Folder for the cached interpreter memory snapshot (faster cold starts); absent: no snapshot. */
  snapshotDir?: string;
  /**
   * Where the worker posts every WorkerToHost message. A port of our own (not the worker's
   * parentPort) because the host can read it synchronously (`receiveMessageOnPort`): before
   * killing a run that outlived its interrupt, it takes any `done` already sent, so a run that
   * did stop in time is never killed just because the host's event loop was late.
   */
  reportPort: MessagePort;
}
