/**
 * Ops that size their output from attributes (tile, range, one_hot, linspace, einsum, eye) respect
 * the engine's per-tensor element cap: a huge request is TensorFlow's ResourceExhaustedError, not
 * a frozen or crashed host.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';

describe('output size cap', () => {
  const huge: [string, () => unknown][] = [
    ['tile', () => tf.tile(tf.constant([[1, 2]]), [100000, 100000])],
    ['range', () => tf.range(0, 1e12)],
    ['one_hot', () => tf.oneHot(tf.constant([1], { dtype: 'int32' }), 1e9)],
    ['linspace', () => tf.linspace(0, 1, 1e9)],
    ['einsum outer product', () => tf.einsum('i,j->ij', tf.fill([100000], 1), tf.fill([100000], 1))],
    ['eye', () => tf.eye(100000)],
    ['concat', () => tf.concat([tf.fill([600000], 1), tf.fill([600000], 1)], 0)],
  ];
  for (const [name, body] of huge) {
    it(name, () => {
      tf.setEngine(new tf.Engine({ maxTensorElements: 1_000_000 }));
      let error: unknown;
      try {
        body();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(tf.TFError);
      expect((error as tf.TFError).pythonType).toBe('ResourceExhaustedError');
    });
  }
});
