import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';

afterEach(() => {
  tf.setEngine(new tf.Engine());
});

describe('the tensor size cap', () => {
  it('applies to every op that allocates, with TensorFlow\'s out-of-memory error type', () => {
    tf.setEngine(new tf.Engine({ maxTensorElements: 1000 }));
    const expectOom = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(tf.TFError);
        expect((err as tf.TFError).pythonType).toBe('ResourceExhaustedError');
        expect((err as tf.TFError).message).toContain('--max-tensor-elements');
        return;
      }
      throw new Error('expected an out-of-memory error');
    };
    expectOom(() => tf.zeros([2000, 2000]));
    const a = tf.ones([40, 20]);
    expectOom(() => tf.matmul(a, a, { transposeB: true }));
    expectOom(() => tf.broadcastTo(tf.constant(1), [100, 100]));
    expect(tf.reduceSum(tf.ones([10, 100])).scalarValue()).toBe(1000);
  });
});
