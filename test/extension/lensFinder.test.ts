import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blankCommentsAndStrings, findLensSites, mentionsGradientTape } from '../../src/extension/lensFinder';

const root = join(__dirname, '..', '..');

describe('findLensSites', () => {
  it('finds every gradient call and tape block of the seed script, on the right lines', () => {
    const source = readFileSync(join(root, 'examples', 'gradient_tape_basics.py'), 'utf8');
    const lines = source.split('\n');
    const sites = findLensSites(source);
    const gradientLines = sites.filter((s) => s.kind === 'gradient').map((s) => s.line + 1);
    const recordLines = sites.filter((s) => s.kind === 'record').map((s) => s.line + 1);
    // Independent oracle: every non-comment line that calls tape.gradient / opens a GradientTape.
    const expectedGradient = lines
      .map((l, i) => (!l.trimStart().startsWith('#') && /tape\.gradient\(/.test(l) ? i + 1 : 0))
      .filter(Boolean);
    const expectedRecord = lines
      .map((l, i) => (/^\s*with tf\.GradientTape\(/.test(l) ? i + 1 : 0))
      .filter(Boolean);
    expect(gradientLines).toEqual(expectedGradient);
    expect(recordLines).toEqual(expectedRecord);
    // The In[14] call the e2e test clicks.
    expect(lines[63]).toContain('tape.gradient(y,[x0,x1,x2,x3,x4])');
    expect(gradientLines).toContain(64);
    // The comment on line 12 mentions GradientTape.gradient( but is not a call.
    expect(gradientLines).not.toContain(12);
  });

  it('reports method, receiver and column', () => {
    const src = [
      'with tf.GradientTape(persistent=True) as outer:',
      '    with tf.GradientTape() as inner:',
      '        y = x * x',
      '    dy = inner.gradient(y, x)',
      'd2 = outer.jacobian(dy, x)',
      'bj = self.tape.batch_jacobian(y, x)',
    ].join('\n');
    expect(findLensSites(src)).toEqual([
      { kind: 'record', line: 0, character: 8, tapeName: 'outer' },
      { kind: 'record', line: 1, character: 12, tapeName: 'inner' },
      { kind: 'gradient', method: 'gradient', line: 3, character: 9, receiver: 'inner' },
      { kind: 'gradient', method: 'jacobian', line: 4, character: 5, receiver: 'outer' },
      { kind: 'gradient', method: 'batch_jacobian', line: 5, character: 5, receiver: 'self.tape' },
    ]);
  });

  it('ignores comments, one-line and triple-quoted strings, and non-tape receivers', () => {
    const src = [
      '# g = tape.gradient(y, x)',
      's = "tape.gradient(y, x)"',
      '"""',
      'with tf.GradientTape() as t:',
      '    t.gradient(a, b)',
      '"""',
      "r = r'\\' tape.gradient(y, x)'", // raw string: \' does not end it
      'n = np.gradient([1, 2, 4])',
      'ok = tape.gradient(y, x)  # tape.jacobian(',
      'grads = tf.gradients(y, x)',
      'opt.apply_gradients(zip(g, v))',
    ].join('\n');
    const sites = findLensSites(src);
    expect(sites).toEqual([{ kind: 'gradient', method: 'gradient', line: 8, character: 5, receiver: 'tape' }]);
  });

  it('handles several tapes on one with line and a call split over lines', () => {
    const src = 'with tf.GradientTape() as t1, tf.GradientTape() as t2:\n  pass\ng = t1.gradient(\n    y, x)\n';
    const sites = findLensSites(src);
    expect(sites.map((s) => [s.kind, s.line])).toEqual([
      ['record', 0],
      ['record', 0],
      ['gradient', 2],
    ]);
    expect(sites[0]).toMatchObject({ tapeName: 't1' });
    expect(sites[1]).toMatchObject({ tapeName: 't2' });
  });

  it('keeps positions when blanking', () => {
    const src = 'a = "x#y"  # c\nb = 1\n';
    const blanked = blankCommentsAndStrings(src);
    expect(blanked.length).toBe(src.length);
    expect(blanked.split('\n').map((l) => l.length)).toEqual(src.split('\n').map((l) => l.length));
    expect(blanked).toBe('a = "   "     \nb = 1\n');
  });

  it('mentionsGradientTape looks at code only', () => {
    expect(mentionsGradientTape('import tensorflow as tf\nwith tf.GradientTape() as t: pass')).toBe(true);
    expect(mentionsGradientTape('# tf.GradientTape\nprint("GradientTape")')).toBe(false);
  });
});
