/**
 * How a tape finds the op that made a tensor: the tensor names the op for the first tape that
 * recorded it, other tapes keep their own lookup, and a reset or used-up tape forgets. These cases
 * pin the values where two tapes (or two states of one tape) record the same ops.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import { GradientTape, type Tensor } from '../../src/engine';

beforeEach(() => {
  tf.setEngine(new tf.Engine());
});

const value = (t: Tensor | null | undefined): unknown => (t ? t.toNested() : null);
const tape = (persistent = false): GradientTape => new GradientTape(persistent).enter();

describe('tapes sharing recorded ops', () => {
  it('nested tapes both differentiate the ops both recorded', () => {
    const x = tf.constant(2);
    const outer = tape(true);
    outer.watch(x);
    const inner = tape(true);
    inner.watch(x);
    const y = tf.multiply(tf.multiply(x, x), x); // x^3
    inner.exit();
    outer.exit();
    expect(value(inner.gradient([y], [x])[0])).toBe(12);
    expect(value(outer.gradient([y], [x])[0])).toBe(12);
  });

  it('an inner tape started later tracks only what it watched', () => {
    const x = tf.constant(3);
    const outer = tape(true);
    outer.watch(x);
    const a = tf.multiply(x, x); // outer only
    const inner = tape(true);
    inner.watch(a);
    const b = tf.multiply(a, x); // both: x on outer, a on inner
    inner.exit();
    outer.exit();
    expect(value(outer.gradient([b], [x])[0])).toBe(27); // d(x^3)/dx
    expect(value(inner.gradient([b], [a])[0])).toBe(3); // d(a*x)/da
    expect(inner.gradient([b], [x])[0]).toBeNull(); // x is not watched by the inner tape
  });

  it('second order through the outer tape', () => {
    const x = tf.constant(1.5);
    const outer = tape();
    outer.watch(x);
    const inner = tape();
    inner.watch(x);
    const y = tf.sin(tf.multiply(x, x));
    inner.exit();
    const [dy] = inner.gradient([y], [x]); // 2x cos(x^2)
    outer.exit();
    const [d2y] = outer.gradient([dy as Tensor], [x]); // 2 cos(x^2) - 4x^2 sin(x^2)
    const expected = 2 * Math.cos(2.25) - 4 * 2.25 * Math.sin(2.25);
    expect(value(d2y) as number).toBeCloseTo(expected, 4);
  });

  it('reset forgets the ops recorded before it, and new ops are recorded afresh', () => {
    const x = tf.constant(2);
    const g = tape(true);
    g.watch(x);
    const before = tf.multiply(x, x);
    g.reset();
    g.watch(x);
    const after = tf.multiply(before, x);
    g.exit();
    expect(g.gradient([before], [x])[0]).toBeNull();
    expect(g.gradient([after], [before])[0]).toBeNull(); // not watched since the reset
    expect(value(g.gradient([after], [x])[0])).toBe(4); // `before` is a constant to the reset tape
  });

  it('a new tape over tensors an earlier (used-up) tape recorded', () => {
    const x = tf.constant(2);
    const first = tape();
    first.watch(x);
    const y = tf.multiply(x, x);
    first.exit();
    expect(value(first.gradient([y], [x])[0])).toBe(4);
    const second = tape();
    second.watch(y);
    const z = tf.multiply(y, y);
    second.exit();
    expect(second.gradient([z], [x])[0]).toBeNull();
    const third = tape();
    third.watch(y);
    const w = tf.multiply(y, y);
    third.exit();
    expect(value(third.gradient([w], [y])[0])).toBe(8);
  });

  it('a gradient inside a gradient function over the same persistent tape', () => {
    const x = tf.constant(3);
    const g = tape(true);
    g.watch(x);
    const y = tf.multiply(x, x);
    const z = tf.sin(y);
    g.exit();
    // Interleave two passes over the same recorded ops: the first pass's answers must not change.
    const [dz] = g.gradient([z], [x]);
    const [dy] = g.gradient([y], [x]);
    const [dzAgain] = g.gradient([z], [x, y]);
    expect(value(dy)).toBe(6);
    expect(value(dz) as number).toBeCloseTo(6 * Math.cos(9), 5);
    expect(value(dzAgain) as number).toBeCloseTo(6 * Math.cos(9), 5);
  });
});
