/**
 * A long traced run: the recorder keeps its logs in columns and builds records from them when the
 * trace is read, and from time to time on the way (a long run holds its early records built and
 * its columns bounded). The trace must say exactly what ran, across those rebuilds and a trace
 * taken midway.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import type { Tensor } from '../../src/engine';
import type { Trace } from '../../src/trace/types';

const OPS = 34_000; // more than the columns hold before they are built into records

describe('a long recording', () => {
  it('records every op, tensor value and backward step in order', () => {
    const engine = tf.setEngine(new tf.Engine());
    const x = tf.constant([0.5, 0.25, 0.125]);
    const c = tf.constant([1.0001, 0.999, 1]);
    const n = tf.constant(0.001);
    const ys: Tensor[] = [];
    let midway: Trace | undefined;
    const { tape, result } = tf.withTape({}, (g) => {
      g.watch(x);
      let y = x;
      for (let i = 0; i < OPS; i++) {
        y = i % 3 === 0 ? tf.multiply(y, c) : i % 3 === 1 ? tf.add(y, n) : tf.sin(y);
        ys.push(y);
        if (i === 20_000) midway = engine.recorder?.toTrace();
      }
      return tf.reduceSum(y);
    });
    const midwayOps = midway?.ops.length ?? 0;
    const [grad] = tape.gradient([result], [x]);
    const trace = engine.recorder?.toTrace() as Trace;

    // The trace taken midway is the same object, extended (in-process traces share their arrays).
    expect(midwayOps).toBeGreaterThan(20_000);
    expect(midway?.ops).toBe(trace.ops);

    const tensors = new Map(trace.tensors.map((t) => [t.id, t]));
    const ops = new Map(trace.ops.map((o) => [o.id, o]));
    for (let i = 1; i < trace.ops.length; i++) expect(trace.ops[i].seq).toBeGreaterThan(trace.ops[i - 1].seq);

    // Each forward op: its type, inputs, output, the tape that recorded it, and the value made
    // (mismatches collected: one expect per check would be slower than the run).
    const tapeId = trace.tapes[0].id;
    const wrong: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    let previous = x;
    ys.forEach((y, i) => {
      const record = tensors.get(y.id);
      const op = ops.get(record?.producer ?? -1);
      const inputs = i % 3 === 2 ? [previous.id] : [previous.id, (i % 3 === 0 ? c : n).id];
      if (op?.type !== (i % 3 === 0 ? 'Mul' : i % 3 === 1 ? 'AddV2' : 'Sin')) wrong.push(`op ${i}: type ${op?.type}`);
      if (!same(op?.inputs, inputs) || !same(op?.outputs, [y.id])) wrong.push(`op ${i}: tensors`);
      if (!same(op?.tapes, [tapeId])) wrong.push(`op ${i}: tapes`);
      if (!same(record?.value.values, Array.from(y.data as Float32Array)) || !same(record?.value.shape, [3])) wrong.push(`op ${i}: value`);
      previous = y;
    });
    expect(wrong).toEqual([]);

    // The backward pass: one step per forward op (and the sum), every id in it is in the trace.
    const call = trace.gradients[0];
    expect(call.steps.length).toBe(OPS + 1);
    for (const step of call.steps) {
      if (!ops.has(step.op)) wrong.push(`step ${step.op}: op`);
      for (const id of [...step.upstream, ...step.sent]) if (id !== null && !tensors.has(id)) wrong.push(`step ${step.op}: tensor ${id}`);
      for (const id of step.gradientOps) if (ops.get(id)?.gradientCall !== call.id) wrong.push(`step ${step.op}: gradient op ${id}`);
    }
    expect(wrong).toEqual([]);
    expect(call.sources[0].gradient).toBe((grad as Tensor).id);
    expect(tensors.get((grad as Tensor).id)?.value.values).toEqual(Array.from((grad as Tensor).data as Float32Array));
  });
});
