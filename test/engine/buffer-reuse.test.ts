/**
 * Reused buffers: a backward pass gives back the large buffers of its intermediate values, and
 * later ops reuse them. A reused buffer must never be one anything can still read: these cases
 * keep every returned gradient and forward value and check them again after later passes reused
 * memory, and check the trace's summaries of values made in reused buffers.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import { GradientTape, type Tensor } from '../../src/engine';
import { pooledBufferBytes } from '../../src/engine/dtype';

const N = 40_000; // 160 KB of float32: large enough to be pooled

beforeEach(() => {
  tf.setEngine(new tf.Engine());
});

function ramp(n: number, scale: number, offset = 0): Tensor {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.fround(offset + (scale * i) / n);
  return tf.constant(data, { shape: [n] });
}

const copy = (t: Tensor): Float32Array => Float32Array.from(t.data as Float32Array);

function sinExpGradient(x: Tensor): Tensor {
  const { tape, result } = tf.withTape({}, (g) => {
    g.watch(x);
    return tf.reduceSum(tf.multiply(tf.sin(x), tf.exp(x)));
  });
  return tape.gradient([result], [x])[0] as Tensor;
}

describe('buffers reused after a backward pass', () => {
  it('gives back intermediates, and what it returned stays intact while later passes reuse memory', () => {
    const kept: { g: Tensor; values: Float32Array; x: Tensor }[] = [];
    const before = pooledBufferBytes();
    for (let k = 0; k < 6; k++) {
      const x = ramp(N, 2, k * 0.1);
      const g = sinExpGradient(x);
      // d/dx sin(x) e^x = (cos x + sin x) e^x, to float32 accuracy.
      const xs = x.data as Float32Array;
      const gs = g.data as Float32Array;
      for (const i of [0, 1, 12_345, N - 1]) {
        const v = xs[i];
        expect(gs[i]).toBeCloseTo((Math.cos(v) + Math.sin(v)) * Math.exp(v), 4);
      }
      kept.push({ g, values: copy(g), x });
    }
    expect(pooledBufferBytes()).toBeGreaterThan(before);
    // Nothing returned earlier was overwritten by the passes that reused memory since.
    for (const { g, values } of kept) expect(copy(g)).toEqual(values);
  });

  it('keeps a returned gradient that is an intermediate itself (AddV2 passes its upstream on)', () => {
    const x = ramp(N, 1);
    const c = ramp(N, 3);
    const results: Tensor[] = [];
    for (let k = 0; k < 4; k++) {
      const { tape, result } = tf.withTape({}, (g) => {
        g.watch(x);
        // d/dx sum((x + c) * 2) = 2: the AddV2 gradient is the Mul gradient itself.
        return tf.reduceSum(tf.multiply(tf.add(x, c), tf.constant(2)));
      });
      results.push(tape.gradient([result], [x])[0] as Tensor);
      tf.multiply(x, c); // reuses whatever the pass gave back
    }
    for (const g of results) expect((g.data as Float32Array).every((v) => v === 2)).toBe(true);
  });

  it('keeps a returned gradient that shares its buffer with a reshape', () => {
    const x = tf.reshape(ramp(N, 1), [200, 200]);
    const results: { g: Tensor; values: Float32Array }[] = [];
    for (let k = 0; k < 4; k++) {
      const { tape, result } = tf.withTape({}, (g) => {
        g.watch(x);
        return tf.reduceSum(tf.reshape(tf.square(x), [N]));
      });
      const g = tape.gradient([result], [x])[0] as Tensor;
      results.push({ g, values: copy(g) });
      tf.exp(tf.reshape(x, [N]));
    }
    const xs = x.data as Float32Array;
    for (const { g, values } of results) {
      expect(copy(g)).toEqual(values);
      expect(values[777]).toBeCloseTo(2 * xs[777], 5);
    }
  });

  it('never gives back forward values (the forward pass and its user keep them)', () => {
    const x = ramp(N, 1);
    const { tape, result } = tf.withTape({}, (g) => {
      g.watch(x);
      const y = tf.sin(x);
      const z = tf.reshape(y, [N]);
      return { y, z, loss: tf.reduceSum(tf.multiply(z, z)) };
    });
    const yValues = copy(result.y);
    tape.gradient([result.loss], [x]);
    for (let k = 0; k < 3; k++) sinExpGradient(ramp(N, 1, k));
    expect(copy(result.y)).toEqual(yValues);
    expect(copy(result.z)).toEqual(yValues);
  });

  it('never gives back a forward value a gradient function reshaped (the reshape shares its buffer)', () => {
    const x = tf.reshape(ramp(2 * N, 1), [N, 2]);
    const { tape, result } = tf.withTape({}, (g) => {
      g.watch(x);
      const y = tf.reduceMax(x, [1]); // its gradient reshapes y: a view of this forward value
      return { y, loss: tf.reduceSum(tf.multiply(y, y)) };
    });
    const yValues = copy(result.y);
    const [dx] = tape.gradient([result.loss], [x]);
    for (let k = 0; k < 3; k++) sinExpGradient(ramp(N, 1, k));
    expect(copy(result.y)).toEqual(yValues);
    expect((dx as Tensor).data[1] as number).toBeCloseTo(2 * yValues[0], 5);
  });

  it('gives back nothing when a tape records the gradient ops (higher order)', () => {
    const x = ramp(N, 1);
    const outer = new GradientTape(true).enter();
    outer.watch(x);
    const inner = new GradientTape().enter();
    inner.watch(x);
    const y = tf.reduceSum(tf.multiply(tf.sin(x), tf.exp(x)));
    inner.exit();
    const pooled = pooledBufferBytes();
    const [dy] = inner.gradient([y], [x]); // recorded by the outer tape: it keeps every intermediate
    expect(pooledBufferBytes()).toBeLessThanOrEqual(pooled); // (it may have taken some)
    const total = tf.reduceSum(dy as Tensor);
    outer.exit();
    sinExpGradient(ramp(N, 1, 0.25)); // reuses whatever was given back
    const [d2y] = outer.gradient([total], [x]);
    // d/dx [(cos x + sin x) e^x] = 2 cos(x) e^x
    const xs = x.data as Float32Array;
    expect((d2y as Tensor).data[5000] as number).toBeCloseTo(2 * Math.cos(xs[5000]) * Math.exp(xs[5000]), 4);
  });

  it('gives back nothing when a custom gradient is on the path', () => {
    const engine = tf.getEngine();
    const x = ramp(N, 1);
    let stashed: Tensor | null = null;
    const tape = new GradientTape().enter();
    tape.watch(x);
    const inner = tf.sin(x);
    const [y] = engine.recordCustomGradient('Identity', [inner], [inner], ([dy]) => {
      stashed = tf.multiply(dy, tf.constant(3)); // user code may keep what it makes
      return [stashed];
    });
    const loss = tf.reduceSum(y);
    tape.exit();
    const pooled = pooledBufferBytes();
    tape.gradient([loss], [x]);
    expect(pooledBufferBytes()).toBeLessThanOrEqual(pooled); // (it may have taken some)
    const values = copy(stashed as unknown as Tensor);
    sinExpGradient(ramp(N, 1, 0.5));
    expect(copy(stashed as unknown as Tensor)).toEqual(values);
    expect(values.every((v) => v === 3)).toBe(true);
  });

  it("summarises values made in reused buffers from their own values (the trace's cached summaries)", () => {
    const engine = tf.getEngine();
    const grads: Tensor[] = [];
    for (let k = 0; k < 3; k++) grads.push(sinExpGradient(ramp(N, 1, k)));
    const trace = engine.recorder?.toTrace();
    for (const g of grads) {
      const record = trace?.tensors.find((t) => t.id === g.id);
      const data = g.data as Float32Array;
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const v of data) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
      expect(record?.value.summary?.min).toBe(min);
      expect(record?.value.summary?.max).toBe(max);
      expect(record?.value.summary?.mean).toBeCloseTo(sum / data.length, 3);
    }
  });
});
