/**
 * The one place where the worker meets the engine: what Python sees as the module
 * `_tapescope_engine`, made fresh for every run, and how the run's trace is taken back.
 *
 * Until the engine's Python-facing API lands (src/engine/index.ts), this registers a placeholder
 * module that only reports the run's options; `createEngineBinding` is the line to change.
 */
import type { Trace } from '../trace/types';

export interface EngineRunOptions {
  /** Absolute path of the program (the trace's `program.file`). */
  programFile: string;
  trace: boolean;
  snapshotLimit?: number;
  /** Largest tensor, in elements, an op may create (a bigger one is an error, not a frozen host). */
  maxTensorElements?: number;
}

export interface EngineBinding {
  /** Registered with `pyodide.registerJsModule('_tapescope_engine', module)` for one run. */
  module: object;
  /** The run's trace (undefined when tracing is off or no engine is present); ends the binding. */
  finish(): Trace | undefined;
}

export const ENGINE_MODULE_NAME = '_tapescope_engine';

export function createEngineBinding(options: EngineRunOptions): EngineBinding {
  const placeholder = {
    available: false,
    options: { ...options },
    /** A no-op used by scripts/bench-runtime.mjs to measure the bare Python→JS call cost. */
    ping(): number {
      return 0;
    },
  };
  return { module: placeholder, finish: () => undefined };
}
