/**
 * Keras initializers, with Keras's variance-scaling formulas. The random ones:
 * - with a `seed` (an integer), draw as Keras 3 does: stateless ops seeded with [seed, 0], so
 *   `GlorotUniform(seed=42)` gives exactly Keras 3's values (and the same values at every call);
 * - without one, draw through the stateful tf.random ops (RandomUniform, TruncatedNormal...), as
 *   Keras 2's unseeded initializers did, so tf.random.set_seed makes layer weights reproducible.
 *   (Keras 3 seeds unseeded initializers from Python's `random` module instead; a Python front end
 *   that wants Keras 3's values passes `random.randint(1, 10**9)` as the seed.)
 */
import type { DTypeName } from '../dtype';
import { TFError } from '../errors';
import { constant } from '../convert';
import { normal, statelessNormal, statelessTruncatedNormal, statelessUniform, truncatedNormal, uniform } from '../random';
import type { Tensor } from '../tensor';

export type Initializer = (shape: readonly number[], dtype: DTypeName) => Tensor;
export type InitializerIdentifier = string | Initializer;

/** Keras's compute_fans: (fan_in, fan_out) of a weight shape. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptiveField = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return [shape[shape.length - 2] * receptiveField, shape[shape.length - 1] * receptiveField];
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/** Stddev of a unit truncated normal cut at ±2 (Keras's constant .87962566103423978). */
const TRUNCATED_STDDEV = 0.87962566103423978;

// A seeded draw is Keras 3's stateless one ([seed, 0]); an unseeded one uses the stateful ops.
function drawUniform(shape: readonly number[], lo: number, hi: number, dtype: DTypeName, seed?: number): Tensor {
  return seed === undefined ? uniform(shape, lo, hi, { dtype }) : statelessUniform(shape, [seed, 0], lo, hi, { dtype });
}

function drawNormal(shape: readonly number[], mean: number, stddev: number, dtype: DTypeName, seed?: number): Tensor {
  return seed === undefined ? normal(shape, mean, stddev, { dtype }) : statelessNormal(shape, [seed, 0], mean, stddev, { dtype });
}

function drawTruncatedNormal(shape: readonly number[], mean: number, stddev: number, dtype: DTypeName, seed?: number): Tensor {
  return seed === undefined ? truncatedNormal(shape, mean, stddev, { dtype }) : statelessTruncatedNormal(shape, [seed, 0], mean, stddev, { dtype });
}

/** keras.initializers.VarianceScaling(scale, mode, distribution, seed). */
export function varianceScaling(scale = 1, mode: FanMode = 'fan_in', distribution: Distribution = 'truncated_normal', seed?: number): Initializer {
  return (shape, dtype) => {
    const [fanIn, fanOut] = computeFans(shape);
    const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const s = scale / Math.max(1, n);
    if (distribution === 'truncated_normal') return drawTruncatedNormal(shape, 0, Math.sqrt(s) / TRUNCATED_STDDEV, dtype, seed);
    if (distribution === 'untruncated_normal') return drawNormal(shape, 0, Math.sqrt(s), dtype, seed);
    const limit = Math.sqrt(3 * s);
    return drawUniform(shape, -limit, limit, dtype, seed);
  };
}

/** limit = sqrt(6 / (fan_in + fan_out)), uniform in [-limit, limit). */
export const glorotUniform = (seed?: number): Initializer => varianceScaling(1, 'fan_avg', 'uniform', seed);
export const glorotNormal = (seed?: number): Initializer => varianceScaling(1, 'fan_avg', 'truncated_normal', seed);
export const heNormal = (seed?: number): Initializer => varianceScaling(2, 'fan_in', 'truncated_normal', seed);
export const heUniform = (seed?: number): Initializer => varianceScaling(2, 'fan_in', 'uniform', seed);
export const lecunNormal = (seed?: number): Initializer => varianceScaling(1, 'fan_in', 'truncated_normal', seed);
export const lecunUniform = (seed?: number): Initializer => varianceScaling(1, 'fan_in', 'uniform', seed);

export const zeros = (): Initializer => (shape, dtype) => constant(0, { dtype, shape: shape.slice() });
export const ones = (): Initializer => (shape, dtype) => constant(1, { dtype, shape: shape.slice() });
export const constantInitializer = (value = 0): Initializer => (shape, dtype) => constant(value, { dtype, shape: shape.slice() });

/** keras.initializers.RandomNormal(mean=0.0, stddev=0.05, seed=None). */
export const randomNormal = (mean = 0, stddev = 0.05, seed?: number): Initializer => (shape, dtype) => drawNormal(shape, mean, stddev, dtype, seed);
/** keras.initializers.RandomUniform(minval=-0.05, maxval=0.05, seed=None). */
export const randomUniform = (minval = -0.05, maxval = 0.05, seed?: number): Initializer => (shape, dtype) => drawUniform(shape, minval, maxval, dtype, seed);
/** keras.initializers.TruncatedNormal(mean=0.0, stddev=0.05, seed=None). */
export const truncatedNormalInitializer = (mean = 0, stddev = 0.05, seed?: number): Initializer => (shape, dtype) => drawTruncatedNormal(shape, mean, stddev, dtype, seed);

const BY_NAME: Record<string, () => Initializer> = {
  glorot_uniform: glorotUniform,
  glorot_normal: glorotNormal,
  he_normal: heNormal,
  he_uniform: heUniform,
  lecun_normal: lecunNormal,
  lecun_uniform: lecunUniform,
  zeros,
  ones,
  random_normal: randomNormal,
  random_uniform: randomUniform,
  truncated_normal: truncatedNormalInitializer,
  constant: constantInitializer,
};

/** Names `initializers.get` accepts (Keras's snake_case names). */
export const INITIALIZER_NAMES: readonly string[] = Object.keys(BY_NAME);

/** keras.initializers.get: a name or a callable. */
export function getInitializer(identifier: InitializerIdentifier): Initializer {
  if (typeof identifier === 'function') return identifier;
  const make = BY_NAME[identifier] ?? BY_NAME[identifier.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()];
  if (!make) throw new TFError('ValueError', `Could not interpret initializer identifier: ${identifier}`);
  return make();
}
