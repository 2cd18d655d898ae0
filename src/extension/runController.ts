/**
 * Owns the warm runtime and serialises runs: one run at a time; a new request stops the one in
 * progress, and of several requests that queue up meanwhile only the newest runs (the older ones
 * resolve as `superseded`). The runtime is created on the first run, never at activation.
 *
 * Pure: the runtime is any object with the `TapescopeRuntime` shape, so tests use a fake.
 */
import type { SourceLocation, Trace } from '../trace/types';

export interface RunRequest {
  /** Absolute path of the .py or .ipynb file (names the program in tracebacks and trace locations). */
  file: string;
  /** The text to run instead of the file on disk (unsaved editor contents). */
  source?: string;
  /** Notebooks: run cells 0..uptoCell (inclusive). */
  uptoCell?: number;
  timeLimitMs?: number;
  snapshotLimit?: number;
}

export interface RunErrorInfo {
  type: string;
  message: string;
  traceback: string;
  loc?: SourceLocation;
}

export interface RunOutcome {
  status: 'ok' | 'error' | 'timeout' | 'cancelled';
  stdout: string;
  stderr: string;
  error?: RunErrorInfo;
  trace?: Trace;
  durationMs: number;
}

export interface RuntimeLike {
  run(request: RunRequest): Promise<RunOutcome>;
  cancel(): void;
  dispose(): void;
}

export interface RuntimeHooks {
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  onProgress(message: string): void;
}

export type RuntimeFactory = (hooks: RuntimeHooks) => RuntimeLike;

export type ControllerResult = RunOutcome | { status: 'superseded' };

export class RunController {
  private runtime: RuntimeLike | undefined;
  private current: Promise<unknown> | undefined;
  private latestTicket = 0;
  private runs = 0;

  constructor(
    private readonly createRuntime: RuntimeFactory,
    private readonly hooks: RuntimeHooks,
  ) {}

  /** True before the first run has finished: the runtime still has to load (the slow part). */
  get isCold(): boolean {
    return this.runs === 0;
  }

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  async run(request: RunRequest): Promise<ControllerResult> {
    const ticket = ++this.latestTicket;
    // Stop what is running and wait for it to settle before starting: the runtime runs one program.
    while (this.current) {
      this.runtime?.cancel();
      await this.current.catch(() => undefined);
      if (ticket !== this.latestTicket) return { status: 'superseded' };
    }
    if (ticket !== this.latestTicket) return { status: 'superseded' };
    this.runtime ??= this.createRuntime(this.hooks);
    const running = this.runtime.run(request);
    this.current = running;
    try {
      return await running;
    } finally {
      this.current = undefined;
      this.runs++;
    }
  }

  /** Stops the run in progress (if any); its promise resolves with status `cancelled`. */
  stop(): boolean {
    if (!this.current) return false;
    this.runtime?.cancel();
    return true;
  }

  dispose(): void {
    this.latestTicket++;
    this.runtime?.cancel();
    this.runtime?.dispose();
    this.runtime = undefined;
  }
}
