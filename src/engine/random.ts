/**
 * tf.random: normal, uniform (float and int), truncated_normal and shuffle, plus the stateless_*
 * variants, as TensorFlow computes them.
 *
 * Seeds follow `tf.random.set_seed` / `get_seed` in eager mode:
 * - a global seed and no op seed: the op seed is the next `random.Random(global_seed).randint(0,
 *   2**31 - 1)` (TensorFlow's context.internal_operation_seed), so re-running a program gives the
 *   same values and setSeed restarts the sequence;
 * - an op seed and no global seed: the global seed is DEFAULT_GRAPH_SEED (87654321);
 * - both: used as given (each `% (2**31 - 1)`); (0, 0) becomes (0, 2**31 - 1);
 * - neither: the op gets seed = seed2 = 0 and TensorFlow's kernel seeds itself from the OS, so
 *   values vary per run. We deliberately do NOT: such kernels are seeded from a fixed
 *   UNSEEDED_ENTROPY_SEED, so unseeded runs, tests and traces reproduce.
 * Like TensorFlow's cached eager kernels, every (op, dtype, seed, seed2) owns one Philox generator
 * whose counter moves 256 blocks per output each call (tf.random.uniform([1], seed=1) twice gives
 * two values), and setSeed resets them all. State is per Engine: a fresh Engine restarts it all.
 *
 * The generator and distributions are TensorFlow's (Philox4x32-10 keyed by the seeds, its uint →
 * float conversions, Box-Muller in float32, the truncated normal's per-group sample regions), so
 * the values equal TensorFlow 2.21's on Linux CPU: exactly for uniform floats and ints, and for
 * normals except about 1% of float32 samples that differ by one ulp, because TensorFlow calls
 * glibc's logf/sincosf while we round the correctly rounded double results (emulating glibc's
 * float routines bit for bit would mean copying them). test/engine/random-reference.test.ts checks this
 * against real TensorFlow. Stateless ops derive their generator from the seed pair alone
 * (TensorFlow's GenerateKey) and share the distributions; they are recorded as TensorFlow's V1 op
 * types (StatelessRandomUniform(shape, seed), ...) rather than V2's key/counter pair, whose uint64
 * tensors the engine has no dtype for.
 */
import type { DTypeName, NumericData } from './dtype';
import { allocate, isFloat, isInteger, roundTo } from './dtype';
import { type Engine, allocateChecked, getEngine, registerOp } from './engine';
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

// ---- Python's Mersenne Twister (TensorFlow draws eager op seeds from random.Random) ----------

const MT_N = 624;
const MT_M = 397;

/** MT19937 seeded exactly like Python's `random.Random(int)` (init_by_array over 32-bit words). */
export class PythonRandom {
  private readonly state = new Uint32Array(MT_N);
  private index = MT_N;

  constructor(seed: number) {
    let n = Math.abs(Math.trunc(seed));
    const key: number[] = [];
    while (n > 0) {
      key.push(n % 2 ** 32);
      n = Math.floor(n / 2 ** 32);
    }
    if (key.length === 0) key.push(0);
    this.initByArray(key);
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < MT_N; i++) mt[i] = (Math.imul(1812433253, mt[i - 1] ^ (mt[i - 1] >>> 30)) + i) >>> 0;
    this.index = MT_N;
  }

  private initByArray(key: number[]): void {
    const mt = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(MT_N, key.length); k > 0; k--) {
      mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = MT_N - 1; k > 0; k--) {
      mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private twist(): void {
    const mt = this.state;
    for (let k = 0; k < MT_N; k++) {
      const y = (mt[k] & 0x80000000) | (mt[(k + 1) % MT_N] & 0x7fffffff);
      mt[k] = mt[(k + MT_M) % MT_N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** getrandbits(32). */
  nextUint32(): number {
    if (this.index >= MT_N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** randint(0, 2**31 - 1): 32 random bits, redrawn while >= 2**31 (Python's _randbelow). */
  randintMaxInt32(): number {
    let r = this.nextUint32();
    while (r >= 2 ** 31) r = this.nextUint32();
    return r;
  }
}

// ---- seeds and per-engine state ---------------------------------------------------------------

/** TensorFlow's random_seed.DEFAULT_GRAPH_SEED: the global seed when only an op seed is given. */
export const DEFAULT_GRAPH_SEED = 87654321;
/**
 * Where an unseeded program's randomness comes from. TensorFlow seeds such kernels from the OS
 * (different every run); we seed them from this fixed value so runs, tests and traces reproduce.
 */
export const UNSEEDED_ENTROPY_SEED = 0x5eed;
const MAXINT32 = 2 ** 31 - 1;

/** A cached stateful kernel's generator: Philox key and the 128-bit counter of its next call. */
interface KernelGenerator {
  key0: number;
  key1: number;
  counter: number[];
}

interface RandomState {
  globalSeed: number | undefined;
  /** context.internal_operation_seed(): random.Random(global seed), restarted by setSeed. */
  opSeeds: PythonRandom | undefined;
  /** Stand-in for the OS entropy TensorFlow uses for kernels with seed = seed2 = 0. */
  entropy: PythonRandom;
  /** One generator per (op, dtype, seed, seed2), like TensorFlow's cached eager kernels. */
  kernels: Map<string, KernelGenerator>;
}

const states = new WeakMap<Engine, RandomState>();

function freshState(globalSeed: number | undefined): RandomState {
  return {
    globalSeed,
    opSeeds: globalSeed === undefined ? undefined : new PythonRandom(globalSeed),
    entropy: new PythonRandom(UNSEEDED_ENTROPY_SEED),
    kernels: new Map(),
  };
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

/** Python's `seed % _MAXINT32` (non-negative for negative seeds). */
function truncateSeed(seed: number): number {
  return ((seed % MAXINT32) + MAXINT32) % MAXINT32;
}

/**
 * tf.random.get_seed: the (seed, seed2) attrs of an op with `opSeed`. (0, 0), TensorFlow's
 * "no seed at all", means the kernel seeds itself (from UNSEEDED_ENTROPY_SEED here).
 */
export function getSeed(opSeed?: number | null): [number, number] {
  const state = stateOf(getEngine());
  let seeds: [number, number];
  if (state.globalSeed !== undefined) {
    const op = opSeed ?? (state.opSeeds as PythonRandom).randintMaxInt32();
    seeds = [truncateSeed(state.globalSeed), truncateSeed(op)];
    if (seeds[0] === 0 && seeds[1] === 0) seeds = [0, MAXINT32];
  } else if (opSeed !== undefined && opSeed !== null) {
    seeds = [DEFAULT_GRAPH_SEED, truncateSeed(opSeed)];
  } else {
    seeds = [0, 0];
  }
  return seeds;
}

/** The generator of the kernel an op with these attrs runs on (created on first use). */
function kernelGenerator(type: string, dtype: DTypeName, seed: number, seed2: number): KernelGenerator {
  const state = stateOf(getEngine());
  const cacheKey = `${type}/${dtype}/${seed}/${seed2}`;
  let gen = state.kernels.get(cacheKey);
  if (!gen) {
    // GuardedPhiloxRandom::Init: (0, 0) means two random 64-bit seeds.
    let lo = seed;
    let hi = seed2;
    let loHigh = 0;
    let hiHigh = 0;
    if (seed === 0 && seed2 === 0) {
      [lo, loHigh, hi, hiHigh] = [state.entropy.nextUint32(), state.entropy.nextUint32(), state.entropy.nextUint32(), state.entropy.nextUint32()];
    }
    // PhiloxRandom(seed_lo, seed_hi): the key is seed, the counter's upper half is seed2.
    gen = { key0: lo >>> 0, key1: loHigh >>> 0, counter: [0, 0, hi >>> 0, hiHigh >>> 0] };
    state.kernels.set(cacheKey, gen);
  }
  return gen;
}

/** PhiloxRandom::Skip: adds `count` to the 128-bit counter. */
function skip(counter: number[], count: number): void {
  const low = count % 2 ** 32;
  const high = Math.floor(count / 2 ** 32);
  const sum0 = counter[0] + low;
  counter[0] = sum0 >>> 0;
  const sum1 = counter[1] + high + (sum0 >= 2 ** 32 ? 1 : 0);
  counter[1] = sum1 >>> 0;
  if (sum1 >= 2 ** 32) {
    counter[2] = (counter[2] + 1) >>> 0;
    if (counter[2] === 0) counter[3] = (counter[3] + 1) >>> 0;
  }
}

/**
 * GuardedPhiloxRandom::ReserveRandomOutputs(n, 256): this call's generator is the current one, and
 * the kernel's counter moves past 256 blocks per output so the next call never overlaps.
 */
function reserve(gen: KernelGenerator, outputs: number): PhiloxBlocks {
  const blocks = new PhiloxBlocks(gen.key0, gen.key1, gen.counter.slice());
  skip(gen.counter, outputs * 256);
  return blocks;
}

/** Successive Philox blocks from a counter (PhiloxRandom's operator()). */
class PhiloxBlocks {
  readonly block: Uint32Array = new Uint32Array(4);

  constructor(
    private readonly key0: number,
    private readonly key1: number,
    readonly counter: number[],
  ) {}

  /** Fills `block` with the next 4 uint32 and advances the counter (SkipOne). */
  next(): Uint32Array {
    const c = this.counter;
    philoxBlock(c[0], c[1], c[2], c[3], this.key0, this.key1, this.block);
    for (let i = 0; i < 4; i++) {
      c[i] = (c[i] + 1) >>> 0;
      if (c[i] !== 0) break;
    }
    return this.block;
  }

  /** A copy positioned `count` blocks ahead (for the truncated normal's per-group regions). */
  ahead(count: number): PhiloxBlocks {
    const counter = this.counter.slice();
    skip(counter, count);
    return new PhiloxBlocks(this.key0, this.key1, counter);
  }
}

// ---- TensorFlow's distributions (random_distributions.h), float32 math emulated with fround ----

const f = Math.fround;
const TWO_PI = 2 * Math.PI;
const EPSILON_F32 = f(1e-7);

function uint32ToFloat(x: number): number {
  return (x & 0x7fffff) * 2 ** -23;
}

function uint64ToDouble(x0: number, x1: number): number {
  return ((x0 & 0xfffff) * 2 ** 32 + x1) * 2 ** -52;
}

/** BoxMullerFloat in float32: sincosf(2π u) scaled by sqrtf(-2 logf(u1)). */
function boxMullerFloat(x0: number, x1: number, out: Float64Array): void {
  let u1 = uint32ToFloat(x0);
  if (u1 < EPSILON_F32) u1 = EPSILON_F32;
  const v1 = f(TWO_PI * uint32ToFloat(x1));
  const u2 = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
  out[0] = f(f(Math.sin(v1)) * u2);
  out[1] = f(f(Math.cos(v1)) * u2);
}

/** BoxMullerDouble: two 52-bit uniforms give two doubles. */
function boxMullerDouble(x0: number, x1: number, x2: number, x3: number, out: Float64Array): void {
  let u1 = uint64ToDouble(x0, x1);
  if (u1 < 1e-7) u1 = 1e-7;
  const v1 = TWO_PI * uint64ToDouble(x2, x3);
  const u2 = Math.sqrt(-2 * Math.log(u1));
  out[0] = Math.sin(v1) * u2;
  out[1] = Math.cos(v1) * u2;
}

/** Storage value of a float32 result in the op's dtype (half rounds the float32 value). */
function store(dtype: DTypeName, value: number): number {
  return dtype === 'float16' ? roundTo('float16', value) : value;
}

/** FillPhiloxRandom for fixed-size groups: group g of outputs comes from block g. */
function fillUniform(blocks: PhiloxBlocks, dtype: DTypeName, out: NumericData): void {
  const n = out.length;
  if (dtype === 'float64') {
    for (let i = 0; i < n; i += 2) {
      const b = blocks.next();
      out[i] = uint64ToDouble(b[0], b[1]);
      if (i + 1 < n) out[i + 1] = uint64ToDouble(b[2], b[3]);
    }
    return;
  }
  const half = dtype === 'float16';
  for (let i = 0; i < n; i += 4) {
    const b = blocks.next();
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = half ? (b[k] & 0x3ff) * 2 ** -10 : uint32ToFloat(b[k]);
  }
}

function fillNormal(blocks: PhiloxBlocks, dtype: DTypeName, out: NumericData): void {
  const n = out.length;
  const pair = new Float64Array(2);
  if (dtype === 'float64') {
    for (let i = 0; i < n; i += 2) {
      const b = blocks.next();
      boxMullerDouble(b[0], b[1], b[2], b[3], pair);
      out[i] = pair[0];
      if (i + 1 < n) out[i + 1] = pair[1];
    }
    return;
  }
  for (let i = 0; i < n; i += 4) {
    const b = blocks.next();
    for (let k = 0; k < 4 && i + k < n; k += 2) {
      boxMullerFloat(b[k], b[k + 1], pair);
      out[i + k] = store(dtype, pair[0]);
      if (i + k + 1 < n) out[i + k + 1] = store(dtype, pair[1]);
    }
  }
}

/**
 * TruncatedNormalDistribution with a variable number of samples per output: each group of outputs
 * (4, or 2 for float64) starts 256 samples after the previous group's start and draws single
 * uint32s until enough normals fall strictly inside two standard deviations.
 */
function fillTruncatedNormal(blocks: PhiloxBlocks, dtype: DTypeName, out: NumericData): void {
  const n = out.length;
  const isDouble = dtype === 'float64';
  const groupSize = isDouble ? 2 : 4;
  const blocksPerGroup = (groupSize * 256) / 4;
  const pair = new Float64Array(2);
  for (let start = 0, group = 0; start < n; start += groupSize, group++) {
    const gen = blocks.ahead(group * blocksPerGroup);
    let used = 4;
    let block: Uint32Array = gen.block;
    const sample = (): number => {
      if (used === 4) {
        block = gen.next();
        used = 0;
      }
      return block[used++];
    };
    let filled = 0;
    while (filled < groupSize) {
      if (isDouble) boxMullerDouble(sample(), sample(), sample(), sample(), pair);
      else boxMullerFloat(sample(), sample(), pair);
      for (let k = 0; k < 2 && filled < groupSize; k++) {
        if (Math.abs(pair[k]) < 2) {
          if (start + filled < n) out[start + filled] = store(dtype, pair[k]);
          filled++;
        }
      }
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

function floatKernel(type: string, fill: (blocks: PhiloxBlocks, dtype: DTypeName, out: NumericData) => void) {
  return (inputs: Tensor[], attrs: RandomAttrs): Tensor[] => {
    const shape = shapeFromTensor(type, inputs[0]);
    const data = allocateChecked(attrs.dtype, sizeOf(shape)) as NumericData;
    fill(reserve(kernelGenerator(type, attrs.dtype, attrs.seed, attrs.seed2), data.length), attrs.dtype, data);
    return [new Tensor(attrs.dtype, shape, data)];
  };
}

// Random ops have no gradient in TensorFlow (their only inputs are shapes and bounds).
registerOp<RandomAttrs>({ type: 'RandomStandardNormal', forward: floatKernel('RandomStandardNormal', fillNormal), noGradient: 'nondifferentiable' });
registerOp<RandomAttrs>({ type: 'TruncatedNormal', forward: floatKernel('TruncatedNormal', fillTruncatedNormal), noGradient: 'nondifferentiable' });
registerOp<RandomAttrs>({ type: 'RandomUniform', forward: floatKernel('RandomUniform', fillUniform), noGradient: 'nondifferentiable' });

registerOp<RandomAttrs>({
  type: 'RandomUniformInt',
  forward: ([shapeTensor, minTensor, maxTensor], attrs) => {
    const shape = shapeFromTensor('RandomUniformInt', shapeTensor);
    const lo = minTensor.scalarValue();
    const hi = maxTensor.scalarValue();
    if (!(lo < hi)) throw opError('RandomUniformInt', `Need minval < maxval, got ${lo} >= ${hi}`);
    const dtype = minTensor.dtype;
    const data = allocateChecked(dtype, sizeOf(shape)) as NumericData;
    fillUniformInt(reserve(kernelGenerator('RandomUniformInt', dtype, attrs.seed, attrs.seed2), data.length), dtype, lo, hi, data);
    return [new Tensor(dtype, shape, data)];
  },
  noGradient: 'nondifferentiable',
});

/**
 * RandomShuffle: permutes the first axis. TensorFlow reserves size - 1 single uint32 samples and
 * swaps element i with i + sample % (size - i), first to last; inputs with at most one row are
 * returned untouched without drawing.
 */
registerOp<{ seed: number; seed2: number }>({
  type: 'RandomShuffle',
  forward: ([value], attrs) => {
    const rows = value.rank === 0 ? 1 : value.shape[0];
    if (value.size <= 1 || rows <= 1) return [new Tensor(value.dtype, value.shape.slice(), value.data)];
    const gen = kernelGenerator('RandomShuffle', value.dtype, attrs.seed, attrs.seed2);
    const blocks = new PhiloxBlocks(gen.key0, gen.key1, gen.counter.slice());
    skip(gen.counter, Math.ceil((rows - 1) / 4));
    const order = Array.from({ length: rows }, (_, i) => i);
    let used = 4;
    let block: Uint32Array = blocks.block;
    for (let i = 0; i < rows - 1; i++) {
      if (used === 4) {
        block = blocks.next();
        used = 0;
      }
      const j = i + (block[used++] % (rows - i));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const rowSize = value.size / rows;
    const source = value.data;
    const data = value.dtype === 'string' ? new Array<string>(value.size) : (allocate(value.dtype, value.size) as NumericData);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < rowSize; k++) (data as unknown as unknown[])[r * rowSize + k] = source[order[r] * rowSize + k];
    }
    return [new Tensor(value.dtype, value.shape.slice(), data as NumericData | string[])];
  },
  noGradient: 'nondifferentiable',
});

// ---- stateless ops ------------------------------------------------------------------------

/** The two int64 seed words of a stateless op's `seed` input ([2], int32 or int64). */
function statelessSeed(type: string, seed: Tensor): [number, number] {
  if (seed.rank !== 1 || seed.shape[0] !== 2) throw opError(type, `seed must have shape [2], not [${seed.shape.join(',')}]`);
  const words = seed.data as ArrayLike<number>;
  return [words[0], words[1]];
}

/**
 * TensorFlow's GenerateKey for stateless ops: one Philox block of the seed under a fixed key gives
 * the generator's key (first two words) and the upper half of its counter (last two words).
 */
function statelessBlocks(seed0: number, seed1: number): PhiloxBlocks {
  const word = (x: number, high: boolean) => (high ? Math.floor(x / 2 ** 32) >>> 0 : x >>> 0);
  const mix = philox4x32([word(seed0, false), word(seed0, true), word(seed1, false), word(seed1, true)], [0x3ec8f720, 0x02461e29]);
  return new PhiloxBlocks(mix[0], mix[1], [0, 0, mix[2], mix[3]]);
}

function statelessKernel(type: string, fill: (blocks: PhiloxBlocks, dtype: DTypeName, out: NumericData) => void) {
  return ([shapeTensor, seed]: Tensor[], attrs: { dtype: DTypeName }): Tensor[] => {
    const shape = shapeFromTensor(type, shapeTensor);
    const [s0, s1] = statelessSeed(type, seed);
    const data = allocateChecked(attrs.dtype, sizeOf(shape)) as NumericData;
    fill(statelessBlocks(s0, s1), attrs.dtype, data);
    return [new Tensor(attrs.dtype, shape, data)];
  };
}

// The same distributions as the stateful ops, from a generator that depends on the seed alone.
registerOp({ type: 'StatelessRandomNormal', forward: statelessKernel('StatelessRandomNormal', fillNormal), noGradient: 'nondifferentiable' });
registerOp({ type: 'StatelessTruncatedNormal', forward: statelessKernel('StatelessTruncatedNormal', fillTruncatedNormal), noGradient: 'nondifferentiable' });
registerOp({ type: 'StatelessRandomUniform', forward: statelessKernel('StatelessRandomUniform', fillUniform), noGradient: 'nondifferentiable' });

/** lo + bits % (hi - lo), 32-bit samples for int32 and 64-bit ones for int64, as UniformDistribution. */
function fillUniformInt(blocks: PhiloxBlocks, dtype: DTypeName, lo: number, hi: number, data: NumericData): void {
  const n = data.length;
  if (dtype === 'int32') {
    const range = hi - lo;
    for (let i = 0; i < n; i += 4) {
      const b = blocks.next();
      for (let k = 0; k < 4 && i + k < n; k++) data[i + k] = lo + (b[k] % range);
    }
    return;
  }
  const range = BigInt(hi) - BigInt(lo);
  for (let i = 0; i < n; i += 2) {
    const b = blocks.next();
    for (let k = 0; k < 2 && i + k < n; k++) {
      const bits = (BigInt(b[2 * k + 1]) << 32n) | BigInt(b[2 * k]);
      data[i + k] = Number(BigInt(lo) + (bits % range));
    }
  }
}

registerOp({
  type: 'StatelessRandomUniformInt',
  forward: ([shapeTensor, seed, minTensor, maxTensor]) => {
    const shape = shapeFromTensor('StatelessRandomUniformInt', shapeTensor);
    const [s0, s1] = statelessSeed('StatelessRandomUniformInt', seed);
    const lo = minTensor.scalarValue();
    const hi = maxTensor.scalarValue();
    if (!(lo < hi)) throw opError('StatelessRandomUniformInt', `Need minval < maxval, got ${lo} >= ${hi}`);
    const data = allocateChecked(minTensor.dtype, sizeOf(shape)) as NumericData;
    fillUniformInt(statelessBlocks(s0, s1), minTensor.dtype, lo, hi, data);
    return [new Tensor(minTensor.dtype, shape, data)];
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

/** tf.random.shuffle(value, seed=None): the rows (first axis) of `value` in a random order. */
export function shuffle(value: TensorLike, options: { seed?: number | null } = {}): Tensor {
  const t = toTensor(value);
  const [seed, seed2] = getSeed(options.seed);
  return getEngine().run1('RandomShuffle', [t], { seed, seed2 });
}

// ---- stateless API ----------------------------------------------------------------------------

/** A stateless op's seed: a pair of integers (Python `seed=[1, 2]`) or a shape-[2] int tensor. */
export type StatelessSeed = readonly [number, number] | Tensor;

function seedTensor(seed: StatelessSeed): Tensor {
  if (seed instanceof Tensor) return seed;
  const wide = seed.some((s) => s > 2 ** 31 - 1 || s < -(2 ** 31));
  return constant([seed[0], seed[1]], { dtype: wide ? 'int64' : 'int32', shape: [2] });
}

/** tf.random.stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=float32): same seed, same values. */
export function statelessNormal(shape: readonly number[], seed: StatelessSeed, mean: TensorLike = 0, stddev: TensorLike = 1, options: { dtype?: DTypeName } = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  checkFloatDType(dtype, 'stateless_normal');
  const sample = getEngine().run1('StatelessRandomNormal', [shapeTensor(shape), seedTensor(seed)], { dtype });
  return scaleShift(sample, stddev, mean);
}

/** tf.random.stateless_truncated_normal. */
export function statelessTruncatedNormal(shape: readonly number[], seed: StatelessSeed, mean: TensorLike = 0, stddev: TensorLike = 1, options: { dtype?: DTypeName } = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  checkFloatDType(dtype, 'stateless_truncated_normal');
  const sample = getEngine().run1('StatelessTruncatedNormal', [shapeTensor(shape), seedTensor(seed)], { dtype });
  return scaleShift(sample, stddev, mean);
}

/**
 * tf.random.stateless_uniform(shape, seed, minval=0, maxval=None, dtype=float32): floats in
 * [minval, maxval) (maxval defaults to 1; the affine map always runs, as in TensorFlow), integers
 * in [minval, maxval) when both are given.
 */
export function statelessUniform(shape: readonly number[], seed: StatelessSeed, minval: TensorLike | null = 0, maxval: TensorLike | null = null, options: { dtype?: DTypeName } = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  const engine = getEngine();
  if (isInteger(dtype)) {
    if ((minval === null) !== (maxval === null)) {
      throw new TFError('ValueError', `For integer \`dtype\` argument <dtype: '${dtype}'>, argument \`minval\` and \`maxval\` must be both None or not None. Got \`minval\`=${minval === null ? 'None' : String(minval)} and \`maxval\`=${maxval === null ? 'None' : String(maxval)}.`);
    }
    if (minval === null || maxval === null) throw new TFError('NotImplementedError', 'Tapescope does not support full-range integer tf.random.stateless_uniform (minval=None, maxval=None) yet.');
    return engine.run1('StatelessRandomUniformInt', [shapeTensor(shape), seedTensor(seed), toTensor(minval, dtype), toTensor(maxval, dtype)]);
  }
  if (!isFloat(dtype)) throw new TFError('ValueError', `Argument \`dtype\` got invalid value <dtype: '${dtype}'>.`);
  const lo = toTensor(minval ?? 0, dtype);
  const hi = toTensor(maxval ?? 1, dtype);
  const sample = engine.run1('StatelessRandomUniform', [shapeTensor(shape), seedTensor(seed)], { dtype });
  return engine.run1('AddV2', [engine.run1('Mul', [sample, engine.run1('Sub', [hi, lo])]), lo]);
}
