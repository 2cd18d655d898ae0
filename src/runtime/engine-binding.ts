/**
 * The one place where the worker meets the engine: what Python sees as the module
 * `_tapescope_engine`, made fresh for every run, and how the run's trace is taken back.
 *
 * Every run gets a new `Engine` (its own tapes, variables, ids and trace), installed as the
 * engine the API functions use, with TensorFlow's log lines routed to the run's stderr. Python
 * sees `bridge` (src/runtime/bridge.ts: what our `tensorflow` package calls, one call per op),
 * the engine's public API (src/engine/index.ts: `add`, `matmul`, ...), `engine` (this run's Engine
 * instance) and `options` (the run's settings).
 */
import * as engineApi from '../engine/index';
import { type BridgeCore, createBridge } from './bridge';
import type { Trace } from '../trace/types';

export interface EngineRunOptions {
  /** Absolute path of the program (the trace's `program.file`). */
  programFile: string;
  trace: boolean;
  snapshotLimit?: number;
  /** Largest tensor, in elements, an op may create (a bigger one is an error, not a frozen host). */
  maxTensorElements?: number;
  /** Where the engine's log lines (TensorFlow's `WARNING:tensorflow:...`, stderr) go. */
  writeStderr: (text: string) => void;
}

export interface EngineBinding {
  /** Registered with `pyodide.registerJsModule('_tapescope_engine', module)` for one run. */
  module: object;
  /** The run's trace (undefined when tracing is off); call once, after the run. */
  finish(): Trace | undefined;
  /** The run's ops for the fast layer (src/runtime/fast-ops.ts). */
  core: BridgeCore;
}

export const ENGINE_MODULE_NAME = '_tapescope_engine';

export function createEngineBinding(options: EngineRunOptions): EngineBinding {
  const engine = engineApi.setEngine(
    new engineApi.Engine({
      trace: options.trace,
      limits: options.snapshotLimit !== undefined ? { snapshotLimit: options.snapshotLimit } : {},
      maxTensorElements: options.maxTensorElements,
    }),
  );
  engine.warningSink = (line) => options.writeStderr(line.endsWith('\n') ? line : `${line}\n`);
  if (engine.recorder) engine.recorder.program = { file: options.programFile, language: 'python' };
  // "Logged once per process" warnings must show again in the next run, as in a new process.
  engineApi.resetWarningCounters();
  const { bridge, core } = createBridge(engine);
  const module = {
    ...engineApi,
    engine,
    // What our Python `tensorflow` package calls: one function per Python-level op (src/runtime/bridge.ts).
    bridge,
    options: { trace: options.trace, snapshotLimit: options.snapshotLimit, maxTensorElements: options.maxTensorElements },
  };
  return { module, core, finish: () => engine.recorder?.toTrace() };
}
