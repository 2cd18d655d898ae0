import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';

function fresh(): tf.Engine {
  return tf.setEngine(new tf.Engine());
}

describe('the seed notebook through the TypeScript API', () => {
  it('In[2]: d(x^2)/dx at 3 is 6', () => {
    fresh();
    const x = tf.variable(3.0);
    const { tape, result: y } = tf.withTape({}, () => tf.pow(x, 2));
    const [g] = tape.gradient([y], [x]);
    expect(g?.dtype).toBe('float32');
    expect(g?.scalarValue()).toBe(6);
  });

  it('In[14]: x0 gets 6.0; x1..x4 are None, each with its own reason', () => {
    const engine = fresh();
    const x0 = tf.variable(3.0, { name: 'x0' });
    const x1 = tf.variable(3.0, { name: 'x1', trainable: false });
    const x2 = tf.add(tf.variable(2.0, { name: 'x2' }), 1.0);
    const x3 = tf.constant(3.0, { name: 'x3' });
    const x4 = tf.variable(4.0, { name: 'x4' });
    const { tape, result: y } = tf.withTape({}, () =>
      tf.add(tf.add(tf.add(tf.pow(x0, 2), tf.pow(x1, 2)), tf.pow(x2, 2)), tf.pow(x3, 2)),
    );
    const grads = tape.gradient([y], [x0, x1, x2, x3, x4], { sourceLabels: ['x0', 'x1', 'x2', 'x3', 'x4'] });
    expect(grads[0]?.scalarValue()).toBe(6);
    expect(grads.slice(1)).toEqual([null, null, null, null]);
    expect(tape.watchedVariables().map((v) => v.name)).toEqual(['x0:0']);
    const trace = engine.recorder!.toTrace();
    const call = trace.gradients[0];
    expect(call.sources.map((s) => s.noneReason?.code)).toEqual([undefined, 'not-trainable', 'tensor-not-variable', 'not-watched', 'not-accessed']);
    expect(call.sources[2].noneReason?.message).toContain('x2 is a tf.Tensor computed from the tf.Variable x2');
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  });

  it('In[18]: watch_accessed_variables=False, softplus\'(10) is 0.9999546 in float32', () => {
    fresh();
    const x0 = tf.variable(0.0);
    const x1 = tf.variable(10.0);
    const { tape, result: ys } = tf.withTape({ watchAccessedVariables: false }, (t) => {
      t.watch(x1);
      const y = tf.add(tf.sin(x0), tf.softplus(x1));
      return tf.reduceSum(y);
    });
    const grad = tf.gradient(tape, ys, { x0, x1 }) as Record<string, tf.Tensor | null>;
    expect(grad.x0).toBeNull();
    expect(grad.x1?.scalarValue()).toBe(Math.fround(0.9999546));
  });
});
