/**
 * A small tf.Module: finds the variables a module holds in its attributes (directly, in arrays or
 * plain objects, or inside sub-modules) so `trainableVariables` works without registration.
 *
 * The order is tf.Module's (`_flatten_module`): the module's own attributes sorted by name, each
 * flattened like tf.nest (arrays in order, plain objects and Maps by sorted key), every leaf once;
 * then, depth first, the sub-modules met on the way. Keras layers override it with creation order.
 */
import { Variable } from './tensor';

type Leaf = Variable | Module;

/** tf.nest.flatten of an attribute value, keeping only Variables and Modules (modules are leaves). */
function flattenLeaves(value: unknown, out: Leaf[], depth = 0): void {
  if (value instanceof Variable || value instanceof Module) {
    out.push(value);
    return;
  }
  // Deep cycles in plain data are not nest structures; stop rather than recurse forever.
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) flattenLeaves(item, out, depth + 1);
  } else if (value instanceof Map) {
    for (const key of [...value.keys()].sort()) flattenLeaves(value.get(key), out, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) flattenLeaves(record[key], out, depth + 1);
  }
}

export class Module {
  constructor(readonly name: string = 'module') {}

  /** Attribute names never searched (tf.Module's _TF_MODULE_IGNORED_PROPERTIES). */
  protected ignoredAttributes(): ReadonlySet<string> {
    return new Set();
  }

  /** Leaves matching `predicate`, in tf.Module's order; every leaf once. */
  protected flatten<T extends Leaf>(predicate: (leaf: Leaf) => leaf is T): T[] {
    const found: T[] = [];
    const seen = new Set<Leaf>();
    const stack = new Set<Module>();
    const walk = (module: Module): void => {
      const submodules: Module[] = [];
      const ignored = module.ignoredAttributes();
      const record = module as unknown as Record<string, unknown>;
      for (const key of Object.keys(record).sort()) {
        if (ignored.has(key)) continue;
        const leaves: Leaf[] = [];
        flattenLeaves(record[key], leaves);
        for (const leaf of leaves) {
          if (seen.has(leaf)) continue;
          seen.add(leaf);
          if (predicate(leaf)) found.push(leaf);
          if (leaf instanceof Module) submodules.push(leaf);
        }
      }
      // A module reachable from itself is walked once (tf.Module's recursion_stack).
      stack.add(module);
      for (const sub of submodules) if (!stack.has(sub)) walk(sub);
      stack.delete(module);
    };
    seen.add(this);
    walk(this);
    return found;
  }

  get variables(): Variable[] {
    return this.flatten((leaf): leaf is Variable => leaf instanceof Variable);
  }

  get trainableVariables(): Variable[] {
    return this.flatten((leaf): leaf is Variable => leaf instanceof Variable && leaf.trainable);
  }

  get nonTrainableVariables(): Variable[] {
    return this.flatten((leaf): leaf is Variable => leaf instanceof Variable && !leaf.trainable);
  }

  /** All sub-modules, in the same order (tf.Module.submodules). */
  get submodules(): Module[] {
    return this.flatten((leaf): leaf is Module => leaf instanceof Module);
  }
}
