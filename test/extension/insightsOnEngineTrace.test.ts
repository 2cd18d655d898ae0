/**
 * TraceInsights on a trace the real engine records: the seed's In[14] cell written against the
 * engine's TypeScript API, each statement tagged with its line as the Python runtime does.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/engine';
import { Engine, setEngine, getEngine } from '../../src/engine';
import { TraceInsights } from '../../src/extension/traceInsights';
import { fileLocResolver } from '../../src/extension/sourceMap';

const FILE = '/w/gradient_tape_basics.py';
const DOC = 'file:///w/gradient_tape_basics.py';

function recordIn14() {
  const previous = getEngine();
  const engine = setEngine(new Engine({ trace: true }));
  const at = (line: number) => (engine.location = { file: FILE, line });
  try {
    at(55);
    const x0 = tf.variable(3.0, { name: 'x0' });
    at(56);
    const x1 = tf.variable(3.0, { name: 'x1', trainable: false });
    at(57);
    const x2 = tf.add(tf.variable(2.0, { name: 'x2' }), 1.0);
    at(58);
    const x3 = tf.constant(3.0, { name: 'x3' });
    at(59);
    const x4 = tf.variable(4.0, { name: 'x4' });
    at(61);
    const { tape, result: y } = tf.withTape({}, () => {
      at(62);
      return tf.add(tf.add(tf.add(tf.pow(x0, 2), tf.pow(x1, 2)), tf.pow(x2, 2)), tf.pow(x3, 2));
    });
    at(64);
    const grads = tape.gradient([y], [x0, x1, x2, x3, x4], {
      sourceLabels: ['x0', 'x1', 'x2', 'x3', 'x4'],
      loc: { file: FILE, line: 64 },
      structure: '[x0, x1, x2, x3, x4]',
    });
    return { grads, trace: engine.recorder!.toTrace() };
  } finally {
    setEngine(previous);
  }
}

describe('TraceInsights on an engine trace of In[14]', () => {
  const { grads, trace } = recordIn14();
  const insights = new TraceInsights(trace, fileLocResolver(FILE, DOC));

  it('hints x0 → 6.0 and a None reason for each other source', () => {
    expect(grads.map((g) => (g === null ? null : 'tensor'))).toEqual(['tensor', null, null, null, null]);
    const [hint] = insights.hints(DOC);
    expect(hint.line).toBe(63);
    expect(hint.text).toMatch(/^∇ x0: 6\.0 · x1: None — .+ · x2: None — .+ · x3: None — .+ · x4: None — .+/);
  });

  it('gives one Information diagnostic per None with the engine reason, distinct per source', () => {
    const diags = insights.noneDiagnostics(DOC);
    expect(diags.map((d) => d.line)).toEqual([63, 63, 63, 63]);
    const call = trace.gradients[0];
    for (const [i, d] of diags.entries()) {
      const source = call.sources[i + 1];
      expect(d.message).toContain(`The gradient for x${i + 1} is None: ${source.noneReason!.message}`);
    }
    expect(new Set(diags.map((d) => d.code)).size).toBe(4);
  });

  it('focuses the gradient call from its line and the op from the tape line', () => {
    expect(insights.focusForLine(DOC, 63)).toMatchObject({ gradientCall: trace.gradients[0].id, line: { file: FILE, line: 64 } });
    expect(insights.focusForLine(DOC, 61)).toEqual({ line: { file: FILE, line: 62 } });
    expect(insights.focusForLine(DOC, 49)).toBeUndefined();
  });

  it('hovers x0 with its value and gradient', () => {
    const lines: string[] = [];
    lines[54] = "x0 = tf.Variable(3.0, name='x0')";
    lines[61] = '    y = (x0**2) + (x1**2) + (x2**2) + (x3**2)';
    const text = insights.hover(DOC, lines, 61, 'x0')!;
    expect(text).toContain('**x0** = `3.0`');
    expect(text).toContain('= `6.0`');
    const y = insights.hover(DOC, lines, 63, 'y')!;
    expect(y).toContain('**y** = `36.0`'); // 9 + 9 + 9 + 9
  });
});
