/**
 * Keras's object-name counters (`backend.get_uid`): the first Dense is `dense`, then `dense_1`, ...
 * Keras keeps them per process; we keep them per Engine, and the runtime makes a fresh Engine per
 * run, so every run starts from `dense` like a fresh Python process.
 */
import { type Engine, getEngine } from '../engine';

const counters = new WeakMap<Engine, Map<string, number>>();

/** `dense`, `dense_1`, `dense_2`, ... for the prefix, counted per engine. */
export function uniqueName(prefix: string): string {
  const engine = getEngine();
  let byPrefix = counters.get(engine);
  if (!byPrefix) {
    byPrefix = new Map();
    counters.set(engine, byPrefix);
  }
  const count = byPrefix.get(prefix) ?? 0;
  byPrefix.set(prefix, count + 1);
  return count === 0 ? prefix : `${prefix}_${count}`;
}

/** Keras's to_snake_case for class names: `MeanSquaredError` → `mean_squared_error`, `RMSprop` → `rm_sprop`. */
export function snakeCase(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_]+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
