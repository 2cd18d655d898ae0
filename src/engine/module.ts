/**
 * A small tf.Module: finds the variables a module holds in its attributes (directly, in arrays or
 * plain objects, or inside sub-modules) so `trainableVariables` works without registration, the
 * way tf.Module walks its __dict__. Keras layers build on it.
 */
import { Variable } from './tensor';

export class Module {
  constructor(readonly name: string = 'module') {}

  /**
   * Variables in attribute order, depth first, each once. tf.Module sorts attributes by name; Keras
   * layers keep creation order, which is what subclasses that override this return.
   */
  get variables(): Variable[] {
    const found: Variable[] = [];
    const seen = new Set<unknown>();
    const visit = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || seen.has(value)) return;
      seen.add(value);
      if (value instanceof Variable) {
        found.push(value);
      } else if (value instanceof Module) {
        if (value === this) this.ownAttributes().forEach(visit);
        else value.variables.forEach(visit);
      } else if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
        const entries = value instanceof Map ? [...value.values()] : Object.values(value as Record<string, unknown>);
        entries.forEach(visit);
      }
    };
    visit(this);
    return found;
  }

  get trainableVariables(): Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

  get nonTrainableVariables(): Variable[] {
    return this.variables.filter((v) => !v.trainable);
  }

  /** Sub-modules held in attributes, depth first (tf.Module.submodules). */
  get submodules(): Module[] {
    const found: Module[] = [];
    const seen = new Set<unknown>([this]);
    const visit = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || seen.has(value)) return;
      seen.add(value);
      if (value instanceof Module) {
        found.push(value);
        value.ownAttributes().forEach(visit);
      } else if (Array.isArray(value)) value.forEach(visit);
      else if (Object.getPrototypeOf(value) === Object.prototype) Object.values(value as Record<string, unknown>).forEach(visit);
    };
    this.ownAttributes().forEach(visit);
    return found;
  }

  /** The attribute values searched for variables; private bookkeeping can be excluded by overriding. */
  protected ownAttributes(): unknown[] {
    return Object.values(this);
  }
}
