import { describe, expect, it } from 'vitest';
import type { GradientCallRecord, SourceLocation, Trace, ValueSnapshot } from '../../src/trace/types';
import { assignedNames, TraceInsights, type LocResolver } from '../../src/extension/traceInsights';
import { formatScalar, formatSnapshot } from '../../src/extension/valueFormat';

const FILE = '/w/seed.py';
const at = (line: number, column?: number, endColumn?: number): SourceLocation => ({ file: FILE, line, column, endLine: line, endColumn });
const scalar = (v: number): ValueSnapshot => ({ dtype: 'float32', shape: [], values: [v] });
const resolve: LocResolver = (loc) => (loc.file === FILE ? { doc: 'doc', line: loc.line - 1 } : undefined);

/**
 * A trace shaped like the seed's In[14] cell (lines as in the source below): x0 trainable, x1 not
 * trainable, x2 a tensor made from a variable, x3 a constant, x4 never used; y = x0**2 + ...
 */
const source = [
  'x0 = tf.Variable(3.0, name="x0")', // 1
  'x1 = tf.Variable(3.0, name="x1", trainable=False)', // 2
  'x2 = tf.Variable(2.0, name="x2") + 1.0', // 3
  'x3 = tf.constant(3.0, name="x3")', // 4
  'x4 = tf.Variable(4.0, name="x4")', // 5
  'with tf.GradientTape() as tape:', // 6
  '    y = (x0**2) + (x1**2) + (x2**2) + (x3**2)', // 7
  'grad = tape.gradient(y,[x0,x1,x2,x3,x4])', // 8
];

function seedLikeTrace(gradientRuns = 1): Trace {
  const gradients: GradientCallRecord[] = [];
  for (let r = 0; r < gradientRuns; r++) {
    gradients.push({
      id: r,
      tape: 0,
      kind: 'gradient',
      loc: at(8, 8, 41),
      targets: [6],
      unconnectedGradients: 'none',
      structure: '[x0, x1, x2, x3, x4]',
      sources: [
        { index: 0, variable: 0, label: 'x0', gradient: 7 },
        { index: 1, variable: 1, label: 'x1', gradient: null, noneReason: { code: 'not-trainable', message: 'x1 is a variable with trainable=False.', fix: 'call tape.watch(x1)' } },
        { index: 2, tensor: 1, label: 'x2', gradient: null, noneReason: { code: 'tensor-not-variable', message: 'x2 is a tf.Tensor, not a tf.Variable: it is not watched.', fix: 'call tape.watch(x2)' } },
        { index: 3, tensor: 2, label: 'x3', gradient: null, noneReason: { code: 'not-watched', message: 'x3 is a constant that was never watched.', fix: 'call tape.watch(x3)' } },
        { index: 4, variable: 3, label: 'x4', gradient: null, noneReason: { code: 'not-accessed', message: 'x4 was never read while the tape recorded.' } },
      ],
      steps: [{ op: 3, upstream: [8], sent: [9], gradientOps: [] }],
      recordedOn: [],
      seqStart: 20,
      seqEnd: 30,
    });
  }
  return {
    format: 'tapescope-trace',
    version: 1,
    limits: { snapshotLimit: 16, headLength: 8, maxOps: 1000 },
    variables: [
      { id: 0, name: 'x0:0', trainable: true, dtype: 'float32', shape: [], initial: scalar(3), loc: at(1) },
      { id: 1, name: 'x1:0', trainable: false, dtype: 'float32', shape: [], initial: scalar(3), loc: at(2) },
      { id: 2, name: 'x2:0', trainable: true, dtype: 'float32', shape: [], initial: scalar(2), loc: at(3) },
      { id: 3, name: 'x4:0', trainable: true, dtype: 'float32', shape: [], initial: scalar(4), loc: at(5) },
    ],
    tensors: [
      { id: 0, kind: 'variable-read', dtype: 'float32', shape: [], variable: 2, value: scalar(2), loc: at(3), producer: 0, outputIndex: 0 },
      { id: 1, kind: 'tensor', dtype: 'float32', shape: [], value: scalar(3), loc: at(3), producer: 1, outputIndex: 0 },
      { id: 2, kind: 'constant', dtype: 'float32', shape: [], name: 'x3', value: scalar(3), loc: at(4) },
      { id: 3, kind: 'variable-read', dtype: 'float32', shape: [], variable: 0, value: scalar(3), loc: at(7), producer: 2, outputIndex: 0 },
      { id: 6, kind: 'tensor', dtype: 'float32', shape: [], value: scalar(36), loc: at(7), producer: 3, outputIndex: 0 },
      { id: 7, kind: 'tensor', dtype: 'float32', shape: [], value: scalar(6), loc: at(8), gradientCall: 0 },
      { id: 8, kind: 'tensor', dtype: 'float32', shape: [], value: scalar(1), loc: at(8), gradientCall: 0 },
      { id: 9, kind: 'tensor', dtype: 'float32', shape: [], value: scalar(1), loc: at(8), gradientCall: 0 },
    ],
    ops: [
      { id: 0, seq: 1, type: 'ReadVariableOp', attrs: {}, inputs: [], outputs: [0], variable: 2, loc: at(3), tapes: [] },
      { id: 1, seq: 2, type: 'AddV2', attrs: {}, inputs: [0], outputs: [1], loc: at(3), tapes: [] },
      { id: 2, seq: 5, type: 'ReadVariableOp', attrs: {}, inputs: [], outputs: [3], variable: 0, loc: at(7), tapes: [0] },
      { id: 3, seq: 6, type: 'AddV2', attrs: {}, inputs: [3], outputs: [6], loc: at(7), tapes: [0] },
    ],
    tapes: [{ id: 0, persistent: false, watchAccessedVariables: true, loc: at(6), outerTapes: [] }],
    tapeEvents: [],
    assigns: [],
    gradients,
  };
}

describe('TraceInsights', () => {
  it('hints each gradient line with values and short None reasons', () => {
    const insights = new TraceInsights(seedLikeTrace(), resolve);
    const hints = insights.hints('doc');
    expect(hints).toHaveLength(1);
    expect(hints[0].line).toBe(7);
    expect(hints[0].text).toBe(
      '∇ x0: 6.0 · x1: None — not trainable · x2: None — tensor, not variable · x3: None — not watched · x4: None — unused in tape',
    );
    expect(hints[0].text.length).toBeLessThanOrEqual(140);
    expect(insights.hints('other-doc')).toEqual([]);
  });

  it('says how many times a gradient line ran and describes the last run', () => {
    const insights = new TraceInsights(seedLikeTrace(3), resolve);
    expect(insights.gradientCallsAt('doc', 7).map((c) => c.id)).toEqual([0, 1, 2]);
    expect(insights.hints('doc')[0].text.startsWith('(run 3 of 3) ∇ x0: 6.0')).toBe(true);
    expect(insights.focusForLine('doc', 7)).toEqual({ gradientCall: 2, line: { file: FILE, line: 8 } });
  });

  it('turns every None into a diagnostic with the full reason and the fix', () => {
    const diags = new TraceInsights(seedLikeTrace(), resolve).noneDiagnostics('doc');
    expect(diags.map((d) => d.code)).toEqual(['not-trainable', 'tensor-not-variable', 'not-watched', 'not-accessed']);
    expect(diags[1]).toMatchObject({ line: 7, column: 8, endColumn: 41 });
    expect(diags[1].message).toBe(
      'The gradient for x2 is None: x2 is a tf.Tensor, not a tf.Variable: it is not watched. Fix: call tape.watch(x2)',
    );
    expect(diags[3].message).toBe('The gradient for x4 is None: x4 was never read while the tape recorded.');
  });

  it('maps recorded lines to view focus and leaves other lines alone', () => {
    const insights = new TraceInsights(seedLikeTrace(), resolve);
    expect(insights.recordedLines('doc')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(insights.focusForLine('doc', 6)).toEqual({ line: { file: FILE, line: 7 } });
    expect(insights.focusForLine('doc', 20)).toBeUndefined();
  });

  it('hovers show value and gradient of the name defined on a recorded line', () => {
    const insights = new TraceInsights(seedLikeTrace(), resolve);
    const x0 = insights.hover('doc', source, 7, 'x0')!;
    expect(x0).toContain('**x0** = `3.0`');
    expect(x0).toContain('∇ (gradient at line 8) = `6.0`');
    // x2 is the AddV2 result on line 3, not the variable made there.
    const x2 = insights.hover('doc', source, 7, 'x2')!;
    expect(x2).toContain('**x2** = `3.0`');
    expect(x2).toContain('tf.Tensor · float32, shape () · AddV2');
    expect(x2).toContain('= `None` — x2 is a tf.Tensor, not a tf.Variable');
    // y got its upstream gradient from the backward step through its producer.
    const y = insights.hover('doc', source, 7, 'y')!;
    expect(y).toContain('**y** = `36.0`');
    expect(y).toContain('∂target/∂this (gradient at line 8) = `1.0`');
    expect(insights.hover('doc', source, 7, 'tape')).toBeUndefined();
  });
});

describe('value formatting', () => {
  it('prints floats like TensorFlow does', () => {
    expect(formatScalar(6, 'float32')).toBe('6.0');
    expect(formatScalar(0.99995458126068115, 'float32')).toBe('0.9999546');
    expect(formatScalar(3, 'int32')).toBe('3');
    // Shortest round-trip per dtype, as numpy prints float32 (checked against Math.fround).
    expect(formatScalar(Math.fround(1 - 0.1 * 2 * (2 * 1 - 1) * 2), 'float32')).toBe('0.6');
    expect(formatScalar(Math.fround(0.16) - 2 ** -26, 'float32')).toBe('0.15999998');
    expect(formatScalar(0.1, 'float64')).toBe('0.1');
    expect(formatScalar(Math.fround(0.1), 'float64')).toBe('0.10000000149011612');
    expect(formatScalar('nan', 'float32')).toBe('nan');
    expect(formatScalar(true, 'bool')).toBe('True');
  });
  it('nests small tensors and summarises big ones', () => {
    expect(formatSnapshot({ dtype: 'float32', shape: [2, 2], values: [1, 2, 3, 4.5] })).toBe('[[1.0, 2.0], [3.0, 4.5]]');
    expect(
      formatSnapshot({ dtype: 'float32', shape: [100], head: [1, 2], summary: { count: 100, min: 0, max: 9, mean: 4.5, nanCount: 1, infCount: 0 } }),
    ).toBe('float32(100,) min 0.0, max 9.0, mean 4.5, 1 NaN');
  });
  it('finds assigned names', () => {
    expect(assignedNames('x0 = tf.Variable(3.0)')).toEqual(['x0']);
    expect(assignedNames('  a, b = f()')).toEqual(['a', 'b']);
    expect(assignedNames('loss += 1')).toEqual(['loss']);
    expect(assignedNames('if a == b:')).toEqual([]);
    expect(assignedNames('for var, g in zip(a, b):')).toEqual(['var', 'g']);
  });
});
