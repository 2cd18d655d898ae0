/**
 * Calls `action` once, `delayMs` after the last `trigger()`: a burst of saves re-runs the file once.
 * The clock is injectable so tests need no real timers.
 */
export interface TimerApi {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: TimerApi = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Debouncer {
  private handle: unknown;
  private pending = false;

  constructor(
    private readonly delayMs: number,
    private readonly action: () => void,
    private readonly timers: TimerApi = realTimers,
  ) {}

  trigger(): void {
    if (this.pending) this.timers.clear(this.handle);
    this.pending = true;
    this.handle = this.timers.set(() => {
      this.pending = false;
      this.action();
    }, this.delayMs);
  }

  cancel(): void {
    if (this.pending) this.timers.clear(this.handle);
    this.pending = false;
  }

  get isPending(): boolean {
    return this.pending;
  }
}
