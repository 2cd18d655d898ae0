/**
 * A reusable gradient checker: the tape gradient of L(x) = Σ_k sum(f(x)_k * w_k) (w random, so every
 * output element matters) against central finite differences in float64, per input element; and
 * second-order gradients (a tape around a tape) against finite differences of the first gradient.
 * Random shapes and values come from fast-check arbitraries, so failures shrink to small cases.
 */
import fc from 'fast-check';
import * as tf from '../../src/engine';
import type { Tensor } from '../../src/engine';

export type Fn = (xs: Tensor[]) => Tensor | Tensor[];

/** A deterministic PRNG (mulberry32) for values and weights derived from a fast-check seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How the values of one input are drawn (kept away from the op's kinks and poles). */
export type Sampler = (random: () => number) => number;
export const uniform = (lo: number, hi: number): Sampler => (r) => lo + (hi - lo) * r();
/** |v| in [lo, hi] with a random sign: away from zero (abs, relu, division...). */
export const awayFromZero = (lo = 0.2, hi = 2): Sampler => (r) => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r());
export const positive = (lo = 0.3, hi = 2): Sampler => uniform(lo, hi);

export function tensor64(shape: number[], values: ArrayLike<number>): Tensor {
  return tf.getEngine().constant('float64', shape.slice(), Float64Array.from(values));
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

export interface Inputs {
  shapes: number[][];
  values: Float64Array[];
}

export function sample(shapes: number[][], samplers: Sampler[], seed: number): Inputs {
  const r = rng(seed);
  return { shapes, values: shapes.map((s, i) => Float64Array.from({ length: sizeOf(s) }, () => samplers[i](r))) };
}

const asList = (y: Tensor | Tensor[]): Tensor[] => (Array.isArray(y) ? y : [y]);

/** L = Σ sum(y_k * w_k), with the weights fixed by the outputs' shapes and a seed. */
function weightedLoss(ys: Tensor[], seed: number): Tensor {
  const r = rng(seed ^ 0x5bd1e995);
  let loss: Tensor | null = null;
  for (const y of ys) {
    const w = tensor64(y.shape, Array.from({ length: y.size }, () => 0.5 + r()));
    const term = tf.reduceSum(tf.multiply(y.dtype === 'float64' ? y : tf.cast(y, 'float64'), w));
    loss = loss ? tf.add(loss, term) : term;
  }
  return loss as Tensor;
}

function evalLoss(f: Fn, inputs: Inputs, seed: number): number {
  const xs = inputs.shapes.map((s, i) => tensor64(s, inputs.values[i]));
  return weightedLoss(asList(f(xs)), seed).scalarValue();
}

/** Tape gradient of the weighted loss with respect to every input (null if the tape gave None). */
export function tapeGradient(f: Fn, inputs: Inputs, seed: number): (Float64Array | null)[] {
  const xs = inputs.shapes.map((s, i) => tensor64(s, inputs.values[i]));
  const tape = new tf.GradientTape();
  tape.enter();
  let loss: Tensor;
  try {
    xs.forEach((x) => tape.watch(x));
    loss = weightedLoss(asList(f(xs)), seed);
  } finally {
    tape.exit();
  }
  return tape.gradient([loss], xs).map((g) => (g ? Float64Array.from(g.data as Float64Array) : null));
}

/** Central differences of `fn` with respect to every element of every input. */
function finiteDifferences(fn: (inputs: Inputs) => number, inputs: Inputs, eps: number, only?: boolean[]): Float64Array[] {
  return inputs.values.map((v, i) => {
    const out = new Float64Array(v.length);
    if (only && !only[i]) return out;
    for (let j = 0; j < v.length; j++) {
      const plus = inputs.values.map((a) => a.slice());
      const minus = inputs.values.map((a) => a.slice());
      plus[i][j] += eps;
      minus[i][j] -= eps;
      out[j] = (fn({ shapes: inputs.shapes, values: plus }) - fn({ shapes: inputs.shapes, values: minus })) / (2 * eps);
    }
    return out;
  });
}

export interface Mismatch {
  input: number;
  index: number;
  tape: number;
  numeric: number;
}

export function compare(tape: (Float64Array | null)[], numeric: Float64Array[], rtol: number, atol: number, only?: boolean[]): Mismatch | 'none-gradient' | null {
  for (let i = 0; i < numeric.length; i++) {
    if (only && !only[i]) continue;
    const g = tape[i];
    if (!g) return 'none-gradient';
    for (let j = 0; j < numeric[i].length; j++) {
      const a = g[j];
      const b = numeric[i][j];
      if (!(Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b)))) return { input: i, index: j, tape: a, numeric: b };
    }
  }
  return null;
}

export interface CheckOptions {
  eps?: number;
  rtol?: number;
  atol?: number;
  /** Which inputs are differentiable (others, e.g. integer indices passed as float64, are skipped). */
  differentiable?: boolean[];
}

/** Throws with a readable message when the tape gradient and finite differences disagree. */
export function checkFirstOrder(name: string, f: Fn, inputs: Inputs, seed: number, options: CheckOptions = {}): void {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-6 } = options;
  const previous = tf.getEngine();
  tf.setEngine(new tf.Engine({ trace: false }));
  try {
    const tape = tapeGradient(f, inputs, seed);
    const numeric = finiteDifferences((x) => evalLoss(f, x, seed), inputs, eps, options.differentiable);
    const bad = compare(tape, numeric, rtol, atol, options.differentiable);
    if (bad) throw new Error(`${name}: first-order gradient mismatch ${JSON.stringify(bad)} for shapes ${JSON.stringify(inputs.shapes)}`);
  } finally {
    tf.setEngine(previous);
  }
}

/**
 * Second order: h(x) = Σ_i sum(∂L/∂x_i · v_i) with v random; its gradient from an outer tape
 * around the inner one is compared with central differences of h (each a first-order tape run).
 */
export function checkSecondOrder(name: string, f: Fn, inputs: Inputs, seed: number, options: CheckOptions = {}): void {
  const { eps = 1e-5, rtol = 1e-5, atol = 1e-6 } = options;
  const previous = tf.getEngine();
  tf.setEngine(new tf.Engine({ trace: false }));
  try {
    const r = rng(seed ^ 0x27d4eb2d);
    const directions = inputs.values.map((v) => Float64Array.from({ length: v.length }, () => r() - 0.5));
    const h = (x: Inputs): number =>
      tapeGradient(f, x, seed).reduce((acc, g, i) => {
        if (!g || (options.differentiable && !options.differentiable[i])) return acc;
        let s = 0;
        for (let j = 0; j < g.length; j++) s += g[j] * directions[i][j];
        return acc + s;
      }, 0);

    const xs = inputs.shapes.map((s, i) => tensor64(s, inputs.values[i]));
    const outer = new tf.GradientTape();
    outer.enter();
    let hTensor: Tensor;
    try {
      xs.forEach((x) => outer.watch(x));
      const inner = new tf.GradientTape();
      inner.enter();
      let loss: Tensor;
      try {
        xs.forEach((x) => inner.watch(x));
        loss = weightedLoss(asList(f(xs)), seed);
      } finally {
        inner.exit();
      }
      const grads = inner.gradient([loss], xs);
      let acc: Tensor | null = null;
      grads.forEach((g, i) => {
        if (!g || (options.differentiable && !options.differentiable[i])) return;
        const term = tf.reduceSum(tf.multiply(g, tensor64(g.shape, directions[i])));
        acc = acc ? tf.add(acc, term) : term;
      });
      hTensor = acc ?? tensor64([], [0]);
    } finally {
      outer.exit();
    }
    const tape = outer.gradient([hTensor], xs).map((g) => (g ? Float64Array.from(g.data as Float64Array) : null));
    // A None second derivative is a zero one (e.g. a linear op): compare as zeros.
    const filled = tape.map((g, i) => g ?? new Float64Array(inputs.values[i].length));
    const numeric = finiteDifferences(h, inputs, eps, options.differentiable);
    const bad = compare(filled, numeric, rtol, atol, options.differentiable);
    if (bad) throw new Error(`${name}: second-order gradient mismatch ${JSON.stringify(bad)} for shapes ${JSON.stringify(inputs.shapes)}`);
  } finally {
    tf.setEngine(previous);
  }
}

// ---- arbitraries for shapes ----------------------------------------------------------------

export const dim = (max = 3): fc.Arbitrary<number> => fc.integer({ min: 1, max });
export const shapeArb = (minRank = 0, maxRank = 3, maxDim = 3): fc.Arbitrary<number[]> => fc.array(dim(maxDim), { minLength: minRank, maxLength: maxRank });

/** Two shapes that broadcast: the second drops some leading dims and sets others to 1 (or swaps roles). */
export const broadcastPairArb = (maxRank = 3): fc.Arbitrary<[number[], number[]]> =>
  fc
    .tuple(shapeArb(0, maxRank), fc.array(fc.boolean(), { minLength: maxRank, maxLength: maxRank }), fc.nat({ max: maxRank }), fc.boolean())
    .map(([full, ones, drop, swap]) => {
      const reduced = full.slice(Math.min(drop, full.length)).map((d, i) => (ones[i] ? 1 : d));
      return swap ? [reduced, full] : [full, reduced];
    });

export const seedArb = fc.integer({ min: 1, max: 0x7fffffff });

/** Runs a property with a fixed fast-check seed: deterministic, and shrinks on failure. */
export function property<T>(arb: fc.Arbitrary<T>, check: (value: T) => void, numRuns = 12): void {
  fc.assert(fc.property(arb, check), { seed: 20261128, numRuns });
}
