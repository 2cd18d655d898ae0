/**
 * Runs layouts in a Web Worker made from a blob (CSP `worker-src blob:`), whose source the page
 * carries in `<script type="text/plain" id="tapescope-layout-worker">` (or fetches from the URL in its
 * `data-src`). Cancel terminates the worker. Where no worker can be made, layouts run on the main thread.
 */
import { runLayout } from './layout-dagre';
import type { LayoutReply, LayoutRequest } from './layout-protocol';
import type { LayoutEngine, LayoutInput, LayoutProgress, LayoutResult } from './model/layout';

export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
  }
}

export interface LayoutJob {
  promise: Promise<LayoutResult>;
  cancel(): void;
}

export class LayoutClient {
  private worker: Worker | undefined;
  private workerUrl: string | undefined;
  private nextId = 1;
  private pending = new Map<number, { resolve(r: LayoutResult): void; reject(e: Error): void; progress: LayoutProgress }>();
  /** Why there is no worker, when there is none (shown in the status line). */
  workerProblem: string | undefined;

  constructor(private readonly workerSource: () => Promise<string | undefined>) {}

  /** Starts the worker early (while the trace is parsed and the graphs are built). */
  prewarm(): void {
    void this.ensureWorker();
  }

  private starting: Promise<Worker | undefined> | undefined;

  private ensureWorker(): Promise<Worker | undefined> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.startWorker().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startWorker(): Promise<Worker | undefined> {
    if (this.worker) return this.worker;
    if (this.workerProblem) return undefined;
    try {
      const source = await this.workerSource();
      if (!source) throw new Error('no layout worker source in the page');
      this.workerUrl ??= URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const worker = new Worker(this.workerUrl);
      worker.addEventListener('message', (event: MessageEvent<LayoutReply>) => this.onReply(event.data));
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        this.failAll(new Error(event.message || 'layout worker failed'));
        this.worker?.terminate();
        this.worker = undefined;
      });
      this.worker = worker;
      return worker;
    } catch (error) {
      this.workerProblem = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  private onReply(reply: LayoutReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    if (reply.type === 'progress') job.progress(reply.phase, reply.fraction);
    else {
      this.pending.delete(reply.id);
      if (reply.type === 'done') job.resolve(reply.result);
      else job.reject(new Error(reply.message));
    }
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }

  layout(input: LayoutInput, engine: LayoutEngine, progress: LayoutProgress): LayoutJob {
    const id = this.nextId++;
    let cancelled = false;
    let cancel = (): void => {
      cancelled = true;
    };
    const promise = new Promise<LayoutResult>((resolve, reject) => {
      void this.ensureWorker().then((worker) => {
        if (cancelled) return reject(new LayoutCancelled());
        if (!worker) {
          // Main-thread fallback: yield a frame first so the progress line can paint.
          progress('laying out on the main thread', 0.1);
          setTimeout(() => {
            if (cancelled) return reject(new LayoutCancelled());
            try {
              resolve(runLayout(input, engine, progress));
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          }, 16);
          return;
        }
        this.pending.set(id, { resolve, reject, progress });
        cancel = () => {
          // dagre cannot be interrupted: terminate the worker; the next layout makes a new one.
          this.pending.delete(id);
          worker.terminate();
          if (this.worker === worker) this.worker = undefined;
          this.failAll(new LayoutCancelled());
          reject(new LayoutCancelled());
        };
        const request: LayoutRequest = { type: 'layout', id, input, engine };
        worker.postMessage(request);
      });
    });
    return { promise, cancel: () => cancel() };
  }
}
