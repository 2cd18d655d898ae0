/**
 * Seeded generator of random programs (program.ts) for the differential tests: op chains over
 * random shapes and dtypes with broadcasting, some deliberately wrong (mismatched dtypes or shapes,
 * float-only ops on integers, bad axes) so that errors are compared too; and tapes in every
 * configuration: watch or not, persistent or not, watch_accessed_variables, trainable and
 * non-trainable variables, nested tapes whose inner gradient the outer tape differentiates,
 * stop_recording blocks, assigns that cut paths, unconnected_gradients NONE/ZERO, integer sources,
 * a second gradient() on a non-persistent tape.
 */
import type { Arg, DType, Program, Stmt } from './program';
import { BINARY_FNS, COMPARE_FNS, NN_FNS, REDUCE_FNS, UNARY_FNS, UNARY_INT_OK } from './ops';

/** mulberry32: small, fast, seedable; the same seed gives the same programs everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

interface Value {
  name: string;
  dtype: DType;
  shape: number[];
  isVar: boolean;
}

const sizeOf = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
const isFloat = (d: DType): boolean => d === 'float16' || d === 'float32' || d === 'float64';

function broadcast(a: number[], b: number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(Math.max(da, db));
  }
  return out;
}

class ProgramBuilder {
  private counter = 0;
  /** Every value bound so far (a later op may use any of them). */
  readonly values: Value[] = [];
  constructor(
    private readonly rng: Rng,
    readonly mainDType: DType,
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  randomShape(maxRank = 3): number[] {
    const rank = this.rng.int(0, maxRank);
    return Array.from({ length: rank }, () => this.rng.int(1, 4));
  }

  /** A shape that broadcasts with `shape` (same, with some dims 1, or with leading dims dropped). */
  compatibleShape(shape: number[]): number[] {
    const r = this.rng.next();
    if (r < 0.4) return shape.slice();
    let out = shape.map((d) => (this.rng.chance(0.35) ? 1 : d));
    if (this.rng.chance(0.3)) out = out.slice(this.rng.int(0, out.length));
    if (this.rng.chance(0.15) && out.length < 4) out = [this.rng.int(1, 3), ...out];
    return broadcast(out, shape) ? out : shape.slice();
  }

  /** A shape that does not broadcast with `shape` (or null if every shape would). */
  incompatibleShape(shape: number[]): number[] | null {
    const dims = shape.map((d, i) => ({ d, i })).filter(({ d }) => d > 1);
    if (dims.length === 0) return null;
    const { d, i } = this.rng.pick(dims);
    const out = shape.slice();
    out[i] = d === 4 ? 3 : d + 1;
    return out;
  }

  randomValues(dtype: DType, n: number, positive = false): number[] {
    return Array.from({ length: n }, () => {
      if (dtype === 'bool') return this.rng.int(0, 1);
      if (dtype === 'int32' || dtype === 'int64') return this.rng.int(positive ? 1 : -3, 5);
      // Multiples of 1/8 in [-2, 2]: exact in every float dtype, and zeros and ties show up often.
      const v = this.rng.int(positive ? 1 : -16, 16) / 8;
      return v;
    });
  }

  constStmt(dtype: DType, shape: number[], out: Stmt[], positive = false): Value {
    const v: Value = { name: this.fresh('c'), dtype, shape, isVar: false };
    out.push({ k: 'const', out: v.name, dtype, shape, values: this.randomValues(dtype, sizeOf(shape), positive) });
    this.values.push(v);
    return v;
  }

  varStmt(dtype: DType, shape: number[], trainable: boolean, out: Stmt[]): Value {
    const v: Value = { name: this.fresh('v'), dtype, shape, isVar: true };
    out.push({ k: 'var', out: v.name, dtype, shape, values: this.randomValues(dtype, sizeOf(shape)), trainable });
    this.values.push(v);
    return v;
  }

  bind(name: string, dtype: DType, shape: number[]): Value {
    const v: Value = { name, dtype, shape, isVar: false };
    this.values.push(v);
    return v;
  }

  /** A recent value (recent ones are likelier, so chains form). */
  operand(filter: (v: Value) => boolean = () => true): Value | undefined {
    const candidates = this.values.filter((v) => v.dtype !== 'bool' && filter(v));
    if (candidates.length === 0) return undefined;
    const i = Math.max(0, candidates.length - 1 - Math.floor(Math.pow(this.rng.next(), 2) * candidates.length));
    return candidates[i];
  }

  /** A second operand for a binary op with `a`: existing or fresh; sometimes wrong on purpose. */
  partner(a: Value, out: Stmt[]): Arg {
    if (this.rng.chance(0.04)) {
      // Deliberate dtype mismatch: TensorFlow never promotes between tensors.
      const other = this.rng.pick((['float32', 'float64', 'int32'] as DType[]).filter((d) => d !== a.dtype));
      return this.constStmt(other, this.compatibleShape(a.shape), out).name;
    }
    if (this.rng.chance(0.04)) {
      const bad = this.incompatibleShape(a.shape);
      if (bad) return this.constStmt(a.dtype, bad, out).name;
    }
    if (this.rng.chance(0.15)) {
      const isInt = !isFloat(a.dtype) || this.rng.chance(0.3);
      return isInt ? { lit: this.rng.int(-2, 3), int: true } : { lit: this.rng.pick([0.5, 1.5, -0.75, 2.5, 0.25]) };
    }
    const existing = this.operand((v) => v.name !== a.name && v.dtype === a.dtype && broadcast(v.shape, a.shape) !== null);
    if (existing && this.rng.chance(0.6)) return existing.name;
    return this.constStmt(a.dtype, this.compatibleShape(a.shape), out).name;
  }

  shapeOfArg(arg: Arg): { dtype: DType | 'literal'; shape: number[] } {
    if (typeof arg !== 'string') return { dtype: 'literal', shape: [] };
    const v = this.values.find((x) => x.name === arg) as Value;
    return { dtype: v.dtype, shape: v.shape };
  }

  /** One random op appended to `out`; returns the value it binds (or undefined when it cannot). */
  randomOp(out: Stmt[]): Value | undefined {
    const rng = this.rng;
    const a = this.operand();
    if (!a) return undefined;
    const kind = rng.pick(['unary', 'unary', 'unary', 'binary', 'binary', 'binary', 'reduce', 'reduce', 'matmul', 'shape', 'where', 'cast', 'stack', 'nn', 'nn', 'concat', 'tile', 'gather', 'argmax']);
    const name = this.fresh('t');
    switch (kind) {
      case 'unary': {
        const intOk = !isFloat(a.dtype);
        // Mostly ops valid for the dtype; sometimes a float-only op on integers (an error on purpose).
        const fns = intOk && !rng.chance(0.2) ? UNARY_INT_OK : UNARY_FNS;
        const fn = rng.pick(fns);
        out.push({ k: 'op', out: name, fn, args: [a.name] });
        return this.bind(name, a.dtype, a.shape);
      }
      case 'binary': {
        const fn = rng.chance(0.06) ? 'div_no_nan' : rng.pick(BINARY_FNS);
        const b = this.partner(a, out);
        // A literal goes second: tf.math.add(2.5, x) converts 2.5 alone (float32) while `2.5 + x`
        // takes x's dtype, and the TypeScript API (like the operators) always does the latter.
        const args: Arg[] = typeof b !== 'string' || rng.chance(0.5) ? [a.name, b] : [b, a.name];
        out.push({ k: 'op', out: name, fn, args });
        const bs = this.shapeOfArg(b);
        const shape = broadcast(a.shape, bs.shape) ?? a.shape;
        const dtype = fn === 'divide' && !isFloat(a.dtype) ? 'float64' : a.dtype;
        return this.bind(name, dtype, shape);
      }
      case 'reduce': {
        const fn = rng.pick(REDUCE_FNS);
        const keepdims = rng.chance(0.3);
        let axis: number | number[] | null = null;
        const r = a.shape.length;
        if (r > 0 && rng.chance(0.6)) {
          if (rng.chance(0.5)) axis = rng.int(-r, r - 1);
          else axis = rng.shuffle(Array.from({ length: r }, (_, i) => i)).slice(0, rng.int(1, r));
        }
        if (rng.chance(0.03)) axis = r + 1; // out of range on purpose
        const attrs: Record<string, unknown> = { keepdims };
        if (axis !== null) attrs.axis = axis;
        out.push({ k: 'op', out: name, fn, args: [a.name], attrs });
        const axes = axis === null ? a.shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((x) => (x < 0 ? x + r : x));
        const shape = keepdims ? a.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : a.shape.filter((_, i) => !axes.includes(i));
        return this.bind(name, a.dtype, shape);
      }
      case 'matmul': {
        const base = this.operand((v) => v.shape.length >= 2 && v.shape.length <= 3) ?? a;
        if (base.shape.length < 2) {
          // Lift to a matrix first.
          const lifted = this.fresh('t');
          const shape = base.shape.length === 0 ? [1, 1] : [1, base.shape[0]];
          out.push({ k: 'op', out: lifted, fn: 'reshape', args: [base.name], attrs: { shape } });
          this.bind(lifted, base.dtype, shape);
          return this.matmulWith(this.values[this.values.length - 1], name, out);
        }
        return this.matmulWith(base, name, out);
      }
      case 'shape': {
        const which = rng.pick(['reshape', 'transpose', 'expand_dims', 'squeeze']);
        if (which === 'reshape') {
          const n = sizeOf(a.shape);
          const shape = this.factor(n);
          if (rng.chance(0.05)) shape.push(2); // wrong size on purpose (when n allows)
          out.push({ k: 'op', out: name, fn: 'reshape', args: [a.name], attrs: { shape } });
          const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
          return this.bind(name, a.dtype, shape.map((d) => (d === -1 ? Math.max(1, n / known) : d)));
        }
        if (which === 'transpose') {
          const perm = rng.shuffle(a.shape.map((_, i) => i));
          out.push({ k: 'op', out: name, fn: 'transpose', args: [a.name], attrs: { perm } });
          return this.bind(name, a.dtype, perm.map((p) => a.shape[p]));
        }
        if (which === 'expand_dims') {
          const r = a.shape.length;
          const axis = rng.int(-r - 1, r);
          out.push({ k: 'op', out: name, fn: 'expand_dims', args: [a.name], attrs: { axis } });
          const at = axis < 0 ? axis + r + 1 : axis;
          const shape = a.shape.slice();
          shape.splice(at, 0, 1);
          return this.bind(name, a.dtype, shape);
        }
        const ones = a.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        const axis = ones.length > 0 && rng.chance(0.7) ? [rng.pick(ones)] : undefined;
        out.push({ k: 'op', out: name, fn: 'squeeze', args: [a.name], attrs: axis ? { axis } : {} });
        return this.bind(name, a.dtype, a.shape.filter((d, i) => (axis ? i !== axis[0] : d !== 1)));
      }
      case 'where': {
        const cond = this.fresh('t');
        out.push({ k: 'op', out: cond, fn: rng.pick(COMPARE_FNS), args: [a.name, isFloat(a.dtype) ? { lit: 0.25 } : { lit: 1, int: true }] });
        const b = this.partner(a, out);
        const bs = this.shapeOfArg(b);
        out.push({ k: 'op', out: name, fn: 'where', args: [cond, a.name, b] });
        return this.bind(name, a.dtype, broadcast(a.shape, bs.shape) ?? a.shape);
      }
      case 'cast': {
        const to = rng.pick((['float32', 'float64', 'int32', 'float16'] as DType[]).filter((d) => d !== a.dtype));
        out.push({ k: 'op', out: name, fn: 'cast', args: [a.name], attrs: { dtype: to } });
        return this.bind(name, to, a.shape);
      }
      case 'stack': {
        const others = this.values.filter((v) => v.name !== a.name && v.dtype === a.dtype && v.shape.join() === a.shape.join());
        const b = others.length > 0 && rng.chance(0.5) ? rng.pick(others) : this.constStmt(a.dtype, a.shape.slice(), out);
        const axis = rng.int(-a.shape.length - 1, a.shape.length);
        out.push({ k: 'op', out: name, fn: 'stack', args: [a.name, b.name], attrs: { axis } });
        const at = axis < 0 ? axis + a.shape.length + 1 : axis;
        const shape = a.shape.slice();
        shape.splice(at, 0, 2);
        return this.bind(name, a.dtype, shape);
      }
      case 'nn': {
        const fn = rng.pick(NN_FNS);
        const r = a.shape.length;
        const attrs: Record<string, unknown> = {};
        if (fn === 'leaky_relu') attrs.alpha = rng.pick([0.2, 0.3, 0.01]);
        if (fn === 'cumsum') {
          attrs.axis = r === 0 ? 0 : rng.int(-r, r - 1);
          attrs.exclusive = rng.chance(0.4);
          attrs.reverse = rng.chance(0.4);
        }
        out.push({ k: 'op', out: name, fn, args: [a.name], attrs });
        return this.bind(name, a.dtype, fn === 'l2_loss' ? [] : a.shape);
      }
      case 'concat': {
        const r = a.shape.length;
        if (r === 0) return undefined;
        const axis = rng.int(-r, r - 1);
        const at = axis < 0 ? axis + r : axis;
        const otherShape = a.shape.slice();
        otherShape[at] = rng.int(1, 3);
        if (rng.chance(0.04) && r > 1) otherShape[(at + 1) % r] += 1; // mismatched on purpose
        const b = this.constStmt(a.dtype, otherShape, out);
        const first = rng.chance(0.5);
        out.push({ k: 'op', out: name, fn: 'concat', args: first ? [a.name, b.name] : [b.name, a.name], attrs: { axis } });
        const shape = a.shape.slice();
        shape[at] += otherShape[at];
        return this.bind(name, a.dtype, shape);
      }
      case 'tile': {
        const multiples = a.shape.map(() => rng.int(1, 2));
        out.push({ k: 'op', out: name, fn: 'tile', args: [a.name], attrs: { multiples } });
        return this.bind(name, a.dtype, a.shape.map((d, i) => d * multiples[i]));
      }
      case 'gather': {
        const r = a.shape.length;
        if (r === 0) return undefined;
        const axis = rng.int(0, r - 1);
        const count = rng.int(1, 4);
        const limit = a.shape[axis];
        const values = Array.from({ length: count }, () => rng.int(0, limit - 1));
        if (rng.chance(0.04)) values[0] = limit; // out of range on purpose
        const indices = this.fresh('c');
        out.push({ k: 'const', out: indices, dtype: 'int32', shape: [count], values });
        out.push({ k: 'op', out: name, fn: 'gather', args: [a.name, indices], attrs: { axis } });
        const shape = [...a.shape.slice(0, axis), count, ...a.shape.slice(axis + 1)];
        return this.bind(name, a.dtype, shape);
      }
      case 'argmax': {
        const r = a.shape.length;
        if (r === 0) return undefined;
        const axis = rng.int(-r, r - 1);
        out.push({ k: 'op', out: name, fn: 'argmax', args: [a.name], attrs: { axis } });
        const at = axis < 0 ? axis + r : axis;
        return this.bind(name, 'int64', a.shape.filter((_, i) => i !== at));
      }
    }
    return undefined;
  }

  private matmulWith(a: Value, name: string, out: Stmt[]): Value {
    const rng = this.rng;
    const ta = rng.chance(0.35);
    const tb = rng.chance(0.35);
    const r = a.shape.length;
    const m = ta ? a.shape[r - 1] : a.shape[r - 2];
    let k = ta ? a.shape[r - 2] : a.shape[r - 1];
    const n = rng.int(1, 4);
    if (rng.chance(0.04)) k += 1; // inner dimensions disagree on purpose
    const batch = r === 3 ? (rng.chance(0.3) ? [1] : rng.chance(0.5) ? [] : [a.shape[0]]) : [];
    const bShape = [...batch, ...(tb ? [n, k] : [k, n])];
    const b = this.constStmt(a.dtype, bShape, out);
    const first = rng.chance(0.5);
    // Sometimes the fresh matrix is the left operand (its batch and shape arranged to fit).
    if (!first && r === 2 && !ta) {
      const left = this.constStmt(a.dtype, tb ? [m, n] : [n, m], out);
      out.push({ k: 'op', out: name, fn: 'matmul', args: [left.name, a.name], attrs: { transpose_a: tb, transpose_b: false } });
      return this.bind(name, a.dtype, [n, a.shape[1]]);
    }
    out.push({ k: 'op', out: name, fn: 'matmul', args: [a.name, b.name], attrs: { transpose_a: ta, transpose_b: tb } });
    return this.bind(name, a.dtype, [...(r === 3 ? [a.shape[0]] : []), m, n]);
  }

  /** A random shape with `n` elements. */
  private factor(n: number): number[] {
    const dims: number[] = [];
    let rest = n;
    while (rest > 1 && dims.length < 3) {
      const divisors = [];
      for (let d = 2; d <= rest; d++) if (rest % d === 0) divisors.push(d);
      const d = this.rng.pick(divisors);
      dims.push(d);
      rest /= d;
    }
    if (rest > 1) dims.push(rest);
    if (this.rng.chance(0.3)) dims.splice(this.rng.int(0, dims.length), 0, 1);
    if (this.rng.chance(0.15) && dims.length > 0) dims[this.rng.int(0, dims.length - 1)] = -1;
    return dims;
  }
}

/** One random program. */
export function generateProgram(rng: Rng, id: string): Program {
  const mainDType = rng.pick<DType>(['float32', 'float32', 'float32', 'float32', 'float32', 'float32', 'float64', 'float64', 'int32', 'float16']);
  const b = new ProgramBuilder(rng, mainDType);
  const body: Stmt[] = [];
  const sources: string[] = [];
  const nConst = rng.int(1, 3);
  for (let i = 0; i < nConst; i++) sources.push(b.constStmt(mainDType, i === 0 ? b.randomShape() : b.compatibleShape(b.values[0].shape), body).name);
  const nVar = rng.int(0, 2);
  for (let i = 0; i < nVar; i++) {
    const dtype = rng.chance(0.9) ? mainDType : 'float64';
    sources.push(b.varStmt(dtype, b.compatibleShape(b.values[0].shape), rng.chance(0.75), body).name);
  }

  if (rng.chance(0.08)) {
    // No tape: ops alone (values, broadcasting, errors).
    for (let i = rng.int(2, 6); i > 0; i--) b.randomOp(body);
    return { id, body };
  }

  const persistent = rng.chance(0.35);
  const watchAccessed = rng.chance(0.8);
  const tape = b.fresh('tape');
  const tapeBody: Stmt[] = [];
  for (const s of sources) if (rng.chance(0.55)) tapeBody.push({ k: 'watch', tape, x: s });
  for (let i = rng.int(1, 4); i > 0; i--) b.randomOp(tapeBody);

  if (rng.chance(0.25)) {
    // Nested tape: its gradient, taken inside the outer tape, is differentiated by the outer one.
    const inner = b.fresh('tape');
    const innerBody: Stmt[] = [];
    const innerPersistent = rng.chance(0.3);
    const watchedInner = sources.filter(() => rng.chance(0.6));
    for (const s of watchedInner) innerBody.push({ k: 'watch', tape: inner, x: s });
    let last: string | undefined;
    for (let i = rng.int(1, 3); i > 0; i--) last = b.randomOp(innerBody)?.name ?? last;
    tapeBody.push({ k: 'tape', out: inner, persistent: innerPersistent, watchAccessed: rng.chance(0.8), body: innerBody });
    if (last) {
      const innerSources = rng.shuffle(sources.slice()).slice(0, rng.int(1, sources.length));
      const outs = innerSources.map(() => b.fresh('g'));
      tapeBody.push({ k: 'grad', tape: inner, targets: [last], sources: innerSources, unconnected: rng.chance(0.5) ? 'zero' : 'none', outs });
      // Use a gradient later (may be None: then the op fails like Python would on None).
      const useful = outs.find((_, i) => rng.chance(0.7) || i === 0);
      if (useful && rng.chance(0.8)) {
        const src = b.values.find((v) => v.name === innerSources[outs.indexOf(useful)]) as { dtype: DType; shape: number[] };
        b.bind(useful, src.dtype, src.shape);
        const t = b.fresh('t');
        tapeBody.push({ k: 'op', out: t, fn: 'reduce_sum', args: [useful], attrs: { keepdims: false } });
        b.bind(t, src.dtype, []);
      }
    }
  }

  if (rng.chance(0.2)) {
    const stopBody: Stmt[] = [];
    for (let i = rng.int(1, 2); i > 0; i--) b.randomOp(stopBody);
    tapeBody.push({ k: 'stop', tape, body: stopBody });
  }
  const vars = b.values.filter((v) => v.isVar);
  if (vars.length > 0 && rng.chance(0.15)) {
    const v = rng.pick(vars);
    const value = b.constStmt(v.dtype, v.shape.slice(), tapeBody);
    tapeBody.push({ k: 'assign', variable: v.name, mode: rng.pick(['assign', 'assign_add', 'assign_sub'] as const), value: value.name });
    if (rng.chance(0.7)) b.randomOp(tapeBody);
  }
  for (let i = rng.int(0, 2); i > 0; i--) b.randomOp(tapeBody);

  // Targets: the last value, sometimes with another one (list targets are summed).
  const computed = b.values.filter((v) => !v.isVar && v.name.startsWith('t'));
  const last = computed[computed.length - 1];
  const targets: string[] = last ? [last.name] : [sources[0]];
  if (computed.length > 1 && rng.chance(0.25)) targets.push(rng.pick(computed.slice(0, -1)).name);
  const gradSources = rng.shuffle([...sources, ...computed.slice(0, -1).map((v) => v.name)]).slice(0, rng.int(1, Math.min(4, sources.length + 1)));
  const unconnected = rng.chance(0.3) ? 'zero' : 'none';
  const gradStmt = (): Stmt => ({ k: 'grad', tape, targets, sources: gradSources, unconnected, outs: gradSources.map(() => b.fresh('g')) });

  // gradient() inside the context: pops a non-persistent tape; a persistent one keeps recording.
  const gradInside = rng.chance(0.12);
  if (gradInside) tapeBody.push(gradStmt());
  if (rng.chance(0.2)) tapeBody.push({ k: 'watched', tape });
  body.push({ k: 'tape', out: tape, persistent, watchAccessed, body: tapeBody });
  if (!gradInside || persistent || rng.chance(0.3)) body.push(gradStmt());
  if (persistent ? rng.chance(0.4) : rng.chance(0.08)) body.push(gradStmt()); // second use
  if (rng.chance(0.3)) body.push({ k: 'watched', tape });
  return { id, body };
}

export function generatePrograms(seed: number, count: number): Program[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => generateProgram(rng, `s${seed}-p${i}`));
}
