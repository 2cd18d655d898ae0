/**
 * The GradientTape rules of docs/tf-semantics.md, through the TypeScript API. Case numbers refer
 * to the reference cases (test/fixtures/tf-cases); the Python runtime runs those scripts verbatim.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import { GradientTape, type Tensor } from '../../src/engine';

let engine: tf.Engine;
beforeEach(() => {
  engine = tf.setEngine(new tf.Engine());
  engine.warningSink = (line) => warnings.push(line);
  warnings.length = 0;
  tf.resetWarningCounters();
});
const warnings: string[] = [];

const value = (t: Tensor | null | undefined): unknown => (t ? t.toNested() : null);
const c = (v: number) => tf.constant(v);

function tape(options: { persistent?: boolean; watchAccessedVariables?: boolean } = {}): GradientTape {
  return new GradientTape(options.persistent ?? false, options.watchAccessedVariables ?? true).enter();
}

describe('what is recorded and watched', () => {
  it('[008] intermediate results can be sources', () => {
    const x = c(3);
    const g = tape();
    g.watch(x);
    const y = tf.multiply(x, x);
    const z = tf.multiply(y, y);
    g.exit();
    expect(value(g.gradient([z], [y])[0])).toBe(18);
  });

  it('[010] persistent tapes allow several gradients; [066] non-persistent only one', () => {
    const x = tf.variable(2);
    const g = tape({ persistent: true });
    const y0 = tf.pow(x, 2);
    const y1 = tf.divide(1, x);
    g.exit();
    expect(value(g.gradient([y0], [x])[0])).toBe(4);
    expect(value(g.gradient([y1], [x])[0])).toBe(-0.25);
    const h = tape();
    const z = tf.pow(x, 2);
    h.exit();
    h.gradient([z], [x]);
    expect(() => h.gradient([z], [x])).toThrow('A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)');
  });

  it('[012] a non-scalar target is summed', () => {
    const x = tf.variable(2);
    const g = tape();
    const y = tf.multiply(x, tf.constant([3, 4]));
    g.exit();
    expect(value(g.gradient([y], [x])[0])).toBe(7);
  });

  it('[014] a variable target is its own source (gradient 1), not connected to other sources', () => {
    const x = c(1);
    const v0 = tf.variable(2);
    const v1 = tf.variable(2);
    const g = tape({ persistent: true });
    g.watch(x);
    const result = v0; // the `if x > 0` branch
    g.exit();
    const [d0, d1] = g.gradient([result], [v0, v1]);
    expect(value(d0)).toBe(1);
    expect(d1).toBeNull();
    expect(g.gradient([result], [x])[0]).toBeNull();
  });

  it('[018] integer tensors: watched with a warning, gradient None with the dtype reason', () => {
    const x = tf.constant(10, { dtype: 'int32' });
    const g = tape();
    g.watch(x);
    const y = tf.multiply(x, x);
    g.exit();
    expect(g.gradient([y], [x], { sourceLabels: ['x'] })).toEqual([null]);
    expect(warnings).toEqual(['WARNING:tensorflow:The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32']);
    const reason = engine.recorder!.toTrace().gradients[0].sources[0].noneReason;
    expect(reason?.code).toBe('integer-dtype');
  });

  it('[019] assign_add cuts the path, and the reason says so', () => {
    const x0 = tf.variable(3, { name: 'x0' });
    const x1 = tf.variable(2, { name: 'x1' });
    const g = tape();
    tf.assignAdd(x1, x0);
    const y = tf.pow(x1, 2);
    g.exit();
    const [d0, d1] = g.gradient([y], [x0, x1]);
    expect(d0).toBeNull();
    expect(value(d1)).toBe(10);
    const reason = engine.recorder!.toTrace().gradients[0].sources[0].noneReason;
    expect(reason?.code).toBe('stateful-assign');
  });

  it('[022] stop_recording: ops inside are not recorded', () => {
    const x = tf.variable(2);
    const y = tf.variable(3);
    const g = tape();
    const xSq = tf.multiply(x, x);
    const end = g.stopRecording();
    const ySq = tf.multiply(y, y);
    end();
    const z = tf.add(xSq, ySq);
    g.exit();
    const [dx, dy] = g.gradient([z], [x, y]);
    expect(value(dx)).toBe(4);
    expect(dy).toBeNull();
    expect(engine.recorder!.toTrace().gradients[0].sources[1].noneReason?.code).toBe('recording-stopped');
  });

  it('[024] stop_gradient blocks, with the reason', () => {
    const x = tf.variable(2);
    const y = tf.variable(3);
    const g = tape();
    const ySq = tf.pow(y, 2);
    const z = tf.add(tf.pow(x, 2), tf.stopGradient(ySq));
    g.exit();
    const [dx, dy] = g.gradient([z], [x, y]);
    expect(value(dx)).toBe(4);
    expect(dy).toBeNull();
    expect(engine.recorder!.toTrace().gradients[0].sources[1].noneReason?.code).toBe('stop-gradient');
  });

  it('[026] watching belongs to one tape', () => {
    const x0 = c(0);
    const x1 = c(0);
    const t0 = tape();
    const t1 = tape();
    t0.watch(x0);
    t1.watch(x1);
    const ys = tf.reduceSum(tf.add(tf.sin(x0), tf.sigmoid(x1)));
    t1.exit();
    t0.exit();
    expect(value(t0.gradient([ys], [x0])[0])).toBe(1);
    expect(value(t1.gradient([ys], [x1])[0])).toBe(0.25);
    expect(t0.gradient === t1.gradient).toBe(true);
  });

  it('[052] watched_variables() is in construction order', () => {
    const a = tf.variable(1, { name: 'a' });
    const b = tf.variable(2, { name: 'b' });
    const cc = tf.variable(3, { name: 'c' });
    const g = tape();
    tf.multiply(tf.multiply(cc, b), a);
    g.exit();
    expect(g.watchedVariables().map((v) => v.name)).toEqual(['a:0', 'b:0', 'c:0']);
    const h = tape({ watchAccessedVariables: false });
    h.watch(cc);
    h.watch(a);
    h.exit();
    expect(h.watchedVariables().map((v) => v.name)).toEqual(['a:0', 'c:0']);
  });
});

describe('variable access, as TensorFlow marks it', () => {
  it('assign, assign_add and assign_sub inside a tape watch a trainable variable (_lazy_read)', () => {
    const a = tf.variable(1, { name: 'a' });
    const b = tf.variable(1, { name: 'b' });
    const frozen = tf.variable(1, { name: 'frozen', trainable: false });
    const g = tape();
    tf.assignAdd(a, 1);
    tf.assign(b, 3);
    tf.assignSub(frozen, 1);
    g.exit();
    expect(g.watchedVariables().map((v) => v.name)).toEqual(['a:0', 'b:0']);
  });

  it('tf.stop_gradient(variable) does not watch it; tf.identity(variable) does', () => {
    const v = tf.variable([1]);
    const w = tf.variable([1]);
    const g = tape();
    tf.stopGradient(v);
    tf.identity(w);
    g.exit();
    expect(g.watchedVariables()).toEqual([w]);
  });
});

describe('tape lifecycle', () => {
  it('[048][050] reset() forgets everything recorded and watched', () => {
    const g = tape();
    expect(g.watchedVariables().length).toBe(0);
    const v = tf.variable(1);
    let loss = tf.multiply(v, v);
    expect(g.watchedVariables()).toEqual([v]);
    g.reset();
    expect(g.watchedVariables().length).toBe(0);
    loss = tf.add(loss, tf.multiply(v, v));
    expect(g.watchedVariables().length).toBe(1);
    g.exit();
    expect(value(g.gradient([loss], [v])[0])).toBe(2);
  });

  it('[061] re-entering a tape keeps recording on it; [067] entering an active tape is an error', () => {
    const x = c(3);
    const g = new GradientTape(true);
    g.enter();
    g.watch(x);
    const y = tf.multiply(2, x);
    g.exit();
    g.enter();
    const z = tf.multiply(2, y);
    expect(() => g.enter()).toThrow('Tape is still recording, This can happen if you try to re-enter an already-active tape.');
    g.exit();
    expect(value(g.gradient([z], [x])[0])).toBe(4);
  });

  it('[071] stop_recording on a never-entered tape, reset on an exited one', () => {
    const g = new GradientTape();
    expect(() => g.stopRecording()).toThrow('Trying to stop recording a tape which is not recording.');
    g.enter();
    g.exit();
    expect(() => g.reset()).toThrow('Tape is not recording.');
  });

  it('[054] gradient() inside the block: non-persistent stops recording, persistent warns once', () => {
    const v1 = tf.variable(1);
    const g = tape();
    const loss = tf.multiply(2, v1);
    expect(value(g.gradient([loss], [v1])[0])).toBe(2);
    expect(g.isRecording).toBe(false);
    g.exit();
    const p = tape({ persistent: true });
    const loss2 = tf.multiply(2, v1);
    p.gradient([loss2], [v1]);
    p.gradient([loss2], [v1]);
    p.exit();
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/^WARNING:tensorflow:Calling GradientTape.gradient on a persistent tape inside its context/);
  });
});

describe('what gradient() returns', () => {
  it('[044] targets that are sources add ones', () => {
    let x = c(2);
    let g = tape();
    g.watch(x);
    const y = tf.multiply(x, x);
    g.exit();
    expect(value(g.gradient([x, y], [x])[0])).toBe(5);
    x = c(3);
    g = tape();
    g.watch(x);
    g.exit();
    expect(value(g.gradient([x, x], [x])[0])).toBe(2);
  });

  it('[046] string targets and sources give None', () => {
    const s = tf.constant('unknown');
    const x = c(3);
    const y = c(5);
    const g = tape();
    g.watch(x);
    g.watch(y);
    g.watch(s);
    const z = tf.multiply(y, y);
    g.exit();
    const grads = g.gradient([x, y, z, s], [x, y, s]);
    expect([value(grads[0]), value(grads[1]), grads[2]]).toEqual([1, 11, null]);
  });

  it('[058] unconnected_gradients zero gives zeros of the source shape', () => {
    const x = tf.constant(1, { shape: [2, 2] });
    const y = c(3);
    const g = tape();
    g.watch(x);
    g.watch(y);
    const z = tf.multiply(y, 2);
    g.exit();
    const [gx, gy] = g.gradient([z], [x, y], { unconnectedGradients: 'zero' });
    expect(value(gx)).toEqual([[0, 0], [0, 0]]);
    expect(value(gy)).toBe(2);
  });

  it('[043] output_gradients give a vector-Jacobian product', () => {
    const x = c(3);
    const g = tape();
    g.watch(x);
    const loss = tf.multiply(x, x);
    g.exit();
    expect(value(g.gradient([loss, x], [x], { outputGradients: [c(1), c(2)] })[0])).toBe(8);
  });

  it('[062][090] equal values are still different sources', () => {
    const x = c(10);
    const x1 = tf.identity(x);
    const g = tape();
    g.watch(x);
    g.watch(x1);
    const loss = tf.add(tf.multiply(x, 2), tf.multiply(x1, 3));
    g.exit();
    expect(g.gradient([loss], [x, x1]).map(value)).toEqual([2, 3]);
  });

  it('[086] variables as targets', () => {
    let g = tape();
    const x = tf.variable([3]);
    const y = tf.variable([2]);
    g.exit();
    expect(g.gradient([x], [y])).toEqual([null]);
    const v2 = tf.variable(7);
    g = tape();
    g.exit();
    expect(value(g.gradient([v2], [v2])[0])).toBe(1);
  });
});

describe('higher order, jacobians, custom gradients', () => {
  it('[060] nested tapes: the outer tape differentiates the inner gradient', () => {
    const g = tape();
    const x = c(3);
    g.watch(x);
    let y = tf.multiply(x, x);
    const gg = tape();
    gg.watch(y);
    const z = tf.multiply(2, y);
    gg.exit();
    const inner = gg.gradient([z], [y])[0]!;
    expect(value(inner)).toBe(2);
    y = tf.add(y, inner);
    g.exit();
    expect(value(g.gradient([y], [x])[0])).toBe(6);
  });

  it('second derivative of x^3 with nested tapes is 6x', () => {
    const x = tf.variable(2);
    const outer = tape();
    const inner = tape();
    const y = tf.pow(x, 3);
    inner.exit();
    const dy = inner.gradient([y], [x])[0]!;
    outer.exit();
    expect(value(dy)).toBe(12);
    expect(value(outer.gradient([dy], [x])[0])).toBe(12);
    const trace = engine.recorder!.toTrace();
    expect(trace.gradients[0].recordedOn).toEqual([outer.id]);
  });

  it('[064] jacobian and [040] batch_jacobian', () => {
    const g = tape({ persistent: true });
    const x = tf.constant([1, 2]);
    const y = tf.constant([3, 4]);
    g.watch(x);
    g.watch(y);
    const z = tf.multiply(tf.multiply(x, x), y);
    g.exit();
    const [jx, jy] = g.jacobian(z, [x, y]);
    expect(value(jx)).toEqual([[6, 0], [0, 16]]);
    expect(value(jy)).toEqual([[1, 0], [0, 4]]);
    const b = tape();
    const xb = tf.constant([[1, 2], [3, 4]]);
    b.watch(xb);
    const yb = tf.multiply(xb, xb);
    b.exit();
    expect(value(b.batchJacobian(yb, xb))).toEqual([[[2, 0], [0, 4]], [[6, 0], [0, 8]]]);
  });

  it('[072] batch_jacobian shape errors', () => {
    const g = tape();
    const y = tf.constant([[1, 2], [3, 4]]);
    g.exit();
    expect(() => g.batchJacobian(y, tf.constant([1, 2]))).toThrow('Shape (2,) must have rank at least 2');
  });

  it('[074] custom gradient replaces the ops inside', () => {
    const x = c(100);
    const g = tape();
    g.watch(x);
    const e = tf.exp(x);
    const y = tf.log(tf.add(1, e));
    const [out] = engine.recordCustomGradient('log1pexp', [x], [y], ([up]) => [tf.multiply(up, tf.subtract(1, tf.divide(1, tf.add(1, e))))]);
    g.exit();
    expect(value(g.gradient([out], [x])[0])).toBe(1);
  });

  it('[076] a custom gradient returning the wrong count is a ValueError', () => {
    const x = tf.variable(1);
    const g = tape();
    const [y] = engine.recordCustomGradient('identity', [tf.read(x)], [tf.read(x)], () => []);
    g.exit();
    expect(() => g.gradient([y], [x])).toThrowError(tf.TFError);
  });
});
