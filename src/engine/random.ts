/**
 * tf.random: normal, uniform (float and int) and truncated_normal with TensorFlow's seeding rules.
 *
 * Seeds follow `tf.random.set_seed` / `get_seed` semantics:
 * - a global seed and no op seed: each random op gets the next op seed of a deterministic sequence
 *   that `setSeed` restarts, so re-running a program gives the same values;
 * - an op seed and no global seed: the global seed is TensorFlow's DEFAULT_GRAPH_SEED (87654321);
 * - both: used as given; (0, 0) becomes (0, 2^31-1) as in TensorFlow;
 * - neither: TensorFlow draws fresh randomness per run. We deliberately do NOT: an unseeded program
 *   uses a fixed default global seed (UNSEEDED_GLOBAL_SEED) so runs, tests and traces are
 *   reproducible. A user who wants variety can call setSeed with a varying value.
 * Like TensorFlow's cached eager kernels, every (op, dtype, seed, seed2) pair owns one generator
 * whose counter advances each call (tf.random.uniform([1], seed=1) twice gives two values), and
 * setSeed resets all of them.
 *
 * The values do not equal TensorFlow's (they need not), but the generator is the same family:
 * Philox4x32-10, a counter-based PRNG keyed by (seed, seed2), with TensorFlow's float conversion
 * and Box-Muller transform. State is per Engine, so a fresh Engine restarts every sequence.
 */
import type { DTypeName, NumericData } from './dtype';
import { allocate, isFloat, isInteger, roundTo } from './dtype';
import { type Engine, getEngine, registerOp } from './engine';
import { TFError, opError } from './errors';
import { Tensor } from './tensor';
import { constant, type TensorLike, toTensor } from './convert';
import { sizeOf } from './shape';

// ---- Philox4x32-10 --------------------------------------------------------------------------

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (JS numbers lose them otherwise). */
function mulHi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: ten rounds over a 128-bit counter with a 64-bit key (Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3", SC11), written into `out`.
 */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  philoxBlock(counter[0] >>> 0, counter[1] >>> 0, counter[2] >>> 0, counter[3] >>> 0, key[0] >>> 0, key[1] >>> 0, out);
  return out;
}

/** The rounds on plain numbers (monomorphic and allocation-free: the hot loop of every random op). */
function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulHi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** A Philox stream: key from the two seeds, a 64-bit block counter, four uint32 per block. */
export class PhiloxStream {
  private readonly key0: number;
  private readonly key1: number;
  private counterLow = 0;
  private counterHigh = 0;
  private readonly block = new Uint32Array(4);
  private used = 4;

  constructor(seed: number, seed2: number) {
    this.key0 = seed >>> 0;
    this.key1 = seed2 >>> 0;
  }

  private refill(): void {
    philoxBlock(this.counterLow, this.counterHigh, 0, 0, this.key0, this.key1, this.block);
    this.used = 0;
    this.counterLow = (this.counterLow + 1) >>> 0;
    if (this.counterLow === 0) this.counterHigh = (this.counterHigh + 1) >>> 0;
  }

  nextUint32(): number {
    if (this.used === 4) this.refill();
    return this.block[this.used++];
  }

  /** Uniform in [0, 1) with float32 resolution, as TensorFlow's Uint32ToFloat (23 mantissa bits). */
  nextFloat32(): number {
    return (this.nextUint32() & 0x7fffff) * 2 ** -23;
  }

  /** Uniform in [0, 1) with float64 resolution (52 bits from two draws, as Uint64ToDouble). */
  nextFloat64(): number {
    const hi = this.nextUint32() & 0xfffff;
    const lo = this.nextUint32();
    return (hi * 2 ** 32 + lo) * 2 ** -52;
  }
}

// ---- seeds and per-engine state ---------------------------------------------------------------

/** TensorFlow's random_seed.DEFAULT_GRAPH_SEED: the global seed when only an op seed is given. */
export const DEFAULT_GRAPH_SEED = 87654321;
/** Our stand-in for "no seed at all" (TensorFlow would be nondeterministic; we stay reproducible). */
export const UNSEEDED_GLOBAL_SEED = 0x5eed;
const MAXINT32 = 2 ** 31 - 1;

interface RandomState {
  globalSeed: number | undefined;
  /** Source of op seeds for ops without one (restarted by setSeed). */
  opSeeds: PhiloxStream;
  /** One generator per (op, dtype, seed, seed2), like TensorFlow's cached stateful kernels. */
  kernels: Map<string, PhiloxStream>;
}

const states = new WeakMap<Engine, RandomState>();

function freshState(globalSeed: number | undefined): RandomState {
  const base = globalSeed ?? UNSEEDED_GLOBAL_SEED;
  // Key the op-seed sequence apart from the value streams so they never coincide.
  return { globalSeed, opSeeds: new PhiloxStream(base, 0x0b5eed5), kernels: new Map() };
}

function stateOf(engine: Engine): RandomState {
  let s = states.get(engine);
  if (!s) {
    s = freshState(undefined);
    states.set(engine, s);
  }
  return s;
}

/** tf.random.set_seed: sets the global seed and restarts op seeds and every kernel's counter. */
export function setSeed(seed: number | null): void {
  if (seed !== null && !Number.isInteger(seed)) {
    throw new TFError('TypeError', `'${typeof seed}' object cannot be interpreted as an integer`);
  }
  states.set(getEngine(), freshState(seed === null ? undefined : seed));
}

/** The global seed set by setSeed, if any. */
export function getGlobalSeed(): number | undefined {
  return stateOf(getEngine()).globalSeed;
}

/** tf.random.get_seed: the (seed, seed2) pair an op with `opSeed` runs with. */
export function getSeed(opSeed?: number | null): [number, number] {
  const state = stateOf(getEngine());
  let seeds: [number, number];
  if (state.globalSeed !== undefined) {
    const op = opSeed ?? state.opSeeds.nextUint32() & MAXINT32;
    seeds = [state.globalSeed, op];
  } else if (opSeed !== undefined && opSeed !== null) {
    seeds = [DEFAULT_GRAPH_SEED, opSeed];
  } else {
    seeds = [UNSEEDED_GLOBAL_SEED, state.opSeeds.nextUint32() & MAXINT32];
  }
  // TensorFlow avoids (0, 0), which its kernels read as "nondeterministic".
  if (seeds[0] === 0 && seeds[1] === 0) seeds = [0, MAXINT32];
  return seeds;
}

function kernelStream(type: string, dtype: DTypeName, seed: number, seed2: number): PhiloxStream {
  const state = stateOf(getEngine());
  const key = `${type}/${dtype}/${seed}/${seed2}`;
  let stream = state.kernels.get(key);
  if (!stream) {
    // Mix the op type into the key so normal and uniform with one seed are independent streams.
    const salt = [...type].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7);
    stream = new PhiloxStream((seed ^ salt) >>> 0, seed2 >>> 0 ^ (Math.floor(seed / 2 ** 32) >>> 0));
    state.kernels.set(key, stream);
  }
  return stream;
}

// ---- sampling -----------------------------------------------------------------------------

function uniformUnit(stream: PhiloxStream, dtype: DTypeName): number {
  if (dtype === 'float64') return stream.nextFloat64();
  // Half precision keeps 10 mantissa bits (TensorFlow's Uint16ToHalf), so rounding never reaches 1.
  if (dtype === 'float16') return (stream.nextUint32() & 0x3ff) * 2 ** -10;
  return stream.nextFloat32();
}

/** Box-Muller as TensorFlow's BoxMullerFloat: two uniforms give two independent normals. */
function fillNormal(stream: PhiloxStream, dtype: DTypeName, out: NumericData, truncate: boolean): void {
  const epsilon = dtype === 'float64' ? 1e-300 : 1e-7;
  let i = 0;
  while (i < out.length) {
    let u1 = uniformUnit(stream, dtype);
    if (u1 < epsilon) u1 = epsilon;
    const v1 = 2 * Math.PI * uniformUnit(stream, dtype);
    const radius = Math.sqrt(-2 * Math.log(u1));
    for (let k = 0; k < 2 && i < out.length; k++) {
      const z = (k === 0 ? Math.sin(v1) : Math.cos(v1)) * radius;
      // TruncatedNormal redraws values more than two standard deviations out.
      if (truncate && !(Math.abs(z) < 2)) continue;
      out[i++] = dtype === 'float16' ? roundTo(dtype, z) : z;
    }
  }
}

interface RandomAttrs {
  seed: number;
  seed2: number;
  dtype: DTypeName;
  [key: string]: unknown;
}

function shapeFromTensor(type: string, shape: Tensor): number[] {
  const dims = Array.from(shape.data as ArrayLike<number>);
  for (const d of dims) {
    if (d < 0) throw opError(type, `Dimension ${d} must be >= 0`);
  }
  return dims;
}

function floatKernel(type: string, truncate: boolean | 'uniform') {
  return (inputs: Tensor[], attrs: RandomAttrs): Tensor[] => {
    const shape = shapeFromTensor(type, inputs[0]);
    const data = allocate(attrs.dtype, sizeOf(shape)) as NumericData;
    const stream = kernelStream(type, attrs.dtype, attrs.seed, attrs.seed2);
    if (truncate === 'uniform') {
      // Storage rounds float32/float64; the unit values are exact in every dtype.
      for (let i = 0; i < data.length; i++) data[i] = uniformUnit(stream, attrs.dtype);
    } else {
      fillNormal(stream, attrs.dtype, data, truncate);
    }
    return [new Tensor(attrs.dtype, shape, data)];
  };
}

// Random ops have no gradient in TensorFlow (their only inputs are shapes and bounds).
registerOp<RandomAttrs>({ type: 'RandomStandardNormal', forward: floatKernel('RandomStandardNormal', false), noGradient: 'nondifferentiable' });
registerOp<RandomAttrs>({ type: 'TruncatedNormal', forward: floatKernel('TruncatedNormal', true), noGradient: 'nondifferentiable' });
registerOp<RandomAttrs>({ type: 'RandomUniform', forward: floatKernel('RandomUniform', 'uniform'), noGradient: 'nondifferentiable' });

registerOp<RandomAttrs>({
  type: 'RandomUniformInt',
  forward: ([shapeTensor, minTensor, maxTensor], attrs) => {
    const shape = shapeFromTensor('RandomUniformInt', shapeTensor);
    const lo = minTensor.scalarValue();
    const hi = maxTensor.scalarValue();
    if (!(lo < hi)) throw opError('RandomUniformInt', `Need minval < maxval, got ${lo} >= ${hi}`);
    const dtype = minTensor.dtype;
    const data = allocate(dtype, sizeOf(shape)) as NumericData;
    const stream = kernelStream('RandomUniformInt', dtype, attrs.seed, attrs.seed2);
    const range = hi - lo;
    for (let i = 0; i < data.length; i++) {
      // Modulo of 32 (or 64, for wide int64 ranges) random bits, as TensorFlow's UniformDistribution.
      const bits = range <= 2 ** 32 ? stream.nextUint32() : stream.nextUint32() * 2 ** 32 + stream.nextUint32();
      data[i] = lo + (bits % range);
    }
    return [new Tensor(dtype, shape, data)];
  },
  noGradient: 'nondifferentiable',
});

// ---- public API -----------------------------------------------------------------------------

export interface RandomOptions {
  dtype?: DTypeName;
  /** The op-level seed (`seed=` in TensorFlow). */
  seed?: number | null;
}

function shapeTensor(shape: readonly number[]): Tensor {
  return constant(shape.slice(), { dtype: 'int32', shape: [shape.length] });
}

function checkFloatDType(dtype: DTypeName, what: string): void {
  if (!isFloat(dtype)) {
    // TensorFlow converts `mean`/`minval` first, so this is the error users see.
    throw new TFError('TypeError', `Cannot convert 0.0 to EagerTensor of dtype ${dtype}`);
  }
  void what;
}

/** Scales and shifts a standard sample the way TensorFlow's Python wrappers do (Mul then AddV2). */
function scaleShift(sample: Tensor, scale: TensorLike, shift: TensorLike): Tensor {
  const engine = getEngine();
  const scaled = engine.run1('Mul', [sample, toTensor(scale, sample.dtype)]);
  return engine.run1('AddV2', [scaled, toTensor(shift, sample.dtype)]);
}

/** tf.random.normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None). */
export function normal(shape: readonly number[], mean: TensorLike = 0, stddev: TensorLike = 1, options: RandomOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  checkFloatDType(dtype, 'normal');
  const [seed, seed2] = getSeed(options.seed);
  const sample = getEngine().run1('RandomStandardNormal', [shapeTensor(shape)], { seed, seed2, dtype });
  return scaleShift(sample, stddev, mean);
}

/** tf.random.truncated_normal: normal samples redrawn when more than 2 stddev from the mean. */
export function truncatedNormal(shape: readonly number[], mean: TensorLike = 0, stddev: TensorLike = 1, options: RandomOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  checkFloatDType(dtype, 'truncated_normal');
  const [seed, seed2] = getSeed(options.seed);
  const sample = getEngine().run1('TruncatedNormal', [shapeTensor(shape)], { seed, seed2, dtype });
  return scaleShift(sample, stddev, mean);
}

/**
 * tf.random.uniform(shape, minval=0, maxval=None, dtype=float32, seed=None): floats in
 * [minval, maxval) (maxval defaults to 1), integers in [minval, maxval) (maxval required).
 */
export function uniform(shape: readonly number[], minval: TensorLike = 0, maxval: TensorLike | null = null, options: RandomOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  const engine = getEngine();
  if (isInteger(dtype)) {
    if (maxval === null) throw new TFError('ValueError', `Must specify maxval for integer dtype tf.${dtype}`);
    const lo = toTensor(minval, dtype);
    const hi = toTensor(maxval, dtype);
    const [seed, seed2] = getSeed(options.seed);
    return engine.run1('RandomUniformInt', [shapeTensor(shape), lo, hi], { seed, seed2, Tout: dtype });
  }
  if (!isFloat(dtype)) throw new TFError('TypeError', `Invalid dtype: ${dtype}`);
  // TensorFlow skips the affine map for the default [0, 1) range.
  const minIsZero = typeof minval === 'number' && minval === 0;
  const maxIsOne = maxval === null || (typeof maxval === 'number' && maxval === 1);
  const lo = minIsZero && maxIsOne ? null : toTensor(minval, dtype);
  const hi = minIsZero && maxIsOne ? null : toTensor(maxval ?? 1, dtype);
  const [seed, seed2] = getSeed(options.seed);
  const sample = engine.run1('RandomUniform', [shapeTensor(shape)], { seed, seed2, dtype });
  if (lo === null || hi === null) return sample;
  if (minIsZero) return engine.run1('Mul', [sample, hi]);
  const width = engine.run1('Sub', [hi, lo]);
  return engine.run1('AddV2', [engine.run1('Mul', [sample, width]), lo]);
}
