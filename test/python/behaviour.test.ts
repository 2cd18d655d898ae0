/**
 * What our Python `tensorflow` package adds around the engine, checked through the real runtime:
 * source locations on every op and tape event, source labels in the None reasons, TensorFlow's
 * exception classes with the user's line in the traceback, and clear errors for what is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceLocation } from '../../src/trace/types';
import { type PythonHarness, createHarness } from './harness';

let harness: PythonHarness;

beforeAll(async () => {
  harness = await createHarness();
}, 120_000);

afterAll(async () => {
  await harness?.dispose();
});

describe('source locations', () => {
  it('every op, tape and tape event carries the user call: file, line, columns, function', async () => {
    const source = [
      'import tensorflow as tf',
      '',
      'def loss_of(w):',
      '    return tf.reduce_sum(w * w)',
      '',
      'w = tf.Variable([1.0, 2.0], name="w")',
      'with tf.GradientTape() as tape:',
      '    loss = loss_of(w) + 1.0',
      'g = tape.gradient(loss, w)',
      '',
    ].join('\n');
    const result = await harness.runSource('locations.py', source);
    expect(result.status).toBe('ok');
    const trace = result.trace;
    expect(trace).toBeDefined();
    if (!trace) return;
    const file = trace.program?.file as string;
    expect(file).toMatch(/locations\.py$/);
    const forward = trace.ops.filter((op) => op.gradientCall === undefined);
    const byType = (type: string) => forward.find((op) => op.type === type);
    // `w * w` on line 4, columns 26-30 (1-based; endColumn is exclusive), inside loss_of.
    expect(byType('Mul')?.loc).toEqual<SourceLocation>({ file, line: 4, column: 26, endLine: 4, endColumn: 31, functionName: 'loss_of' });
    expect(byType('Sum')?.loc).toMatchObject({ file, line: 4, column: 12, functionName: 'loss_of' });
    expect(byType('AddV2')?.loc).toMatchObject({ file, line: 8, column: 12, endColumn: 28, functionName: '<module>' });
    // The variable read is located where the variable is used.
    expect(byType('ReadVariableOp')?.loc).toMatchObject({ line: 4, functionName: 'loss_of' });
    expect(trace.tapes[0].loc).toMatchObject({ file, line: 7, column: 6 });
    expect(trace.tapeEvents.find((event) => event.kind === 'enter')?.loc).toMatchObject({ line: 7 });
    expect(trace.gradients[0].loc).toMatchObject({ line: 9, column: 5, endColumn: 27 });
    expect(trace.variables[0].name).toBe('w:0');
    // Every forward op of the program has a location in the user's file.
    for (const op of forward) expect(op.loc?.file).toBe(file);
  }, 60_000);
});

describe('source labels for the None reasons', () => {
  it('names each source as the user does: locals, dict entries, layer attributes', async () => {
    const source = [
      'import tensorflow as tf',
      'x0 = tf.Variable(3.0, name="x0")',
      'x3 = tf.constant(3.0)',
      'params = {"w": tf.Variable(1.0), "b": tf.Variable(2.0, trainable=False)}',
      'layer = tf.keras.layers.Dense(1)',
      'with tf.GradientTape() as tape:',
      '    y = x0 ** 2 + x3 * params["w"] + layer(tf.ones([1, 2]))',
      'grads = tape.gradient(y, [x0, x3, params["b"], layer.kernel])',
      'print([g is None for g in grads])',
      '',
    ].join('\n');
    const result = await harness.runSource('labels.py', source);
    expect(result.stdout).toBe('[False, True, True, False]\n');
    const call = result.trace?.gradients[0];
    expect(call?.sources.map((s) => s.label)).toEqual(['x0', 'x3', "params['b']", 'layer.kernel']);
    expect(call?.structure).toBe("[x0, x3, params['b'], layer.kernel]");
    expect(call?.sources[1].noneReason?.message).toBe('x3 is a tf.Tensor, not a tf.Variable: the tape does not watch tensors automatically');
    expect(call?.sources[2].noneReason?.code).toBe('not-trainable');
  }, 60_000);
});

describe('errors', () => {
  it("raises TensorFlow's class and text, with a traceback of the user's frames only", async () => {
    const source = ['import tensorflow as tf', '', 'def model(x, w):', '    return tf.matmul(x, w)', '', 'a = tf.constant([[1.0, 2.0]])', 'model(a, a)', ''].join('\n');
    const result = await harness.runSource('matmul_error.py', source);
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('InvalidArgumentError');
    expect(result.error?.loc).toMatchObject({ line: 4 });
    const lines = result.stderr.replace(/\n+$/, '').split('\n');
    expect(lines.at(-1)).toBe(
      'tensorflow.python.framework.errors_impl.InvalidArgumentError: {{function_node __wrapped__MatMul_device_/job:localhost/replica:0/task:0/device:CPU:0}} Matrix size-incompatible: In[0]: [1,2], In[1]: [1,2] [Op:MatMul] name: ',
    );
    expect(result.stderr).toContain('line 7, in <module>');
    expect(result.stderr).toContain('line 4, in model');
    expect(result.stderr).not.toMatch(/tapescope\/python|_core\.py|_ops\.py/);
  }, 60_000);

  it('engine errors are catchable as the Python classes TensorFlow uses', async () => {
    const source = [
      'import tensorflow as tf',
      'checks = []',
      'try:',
      '    tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])',
      'except tf.errors.OpError as e:',
      '    checks.append(isinstance(e, tf.errors.InvalidArgumentError))',
      'try:',
      '    tf.constant(1.0) + tf.constant(1)',
      'except tf.errors.InvalidArgumentError as e:',
      '    checks.append("cannot compute AddV2" in str(e))',
      'x = tf.constant(1.0)',
      'with tf.GradientTape() as g:',
      '    g.watch(x)',
      '    y = x * x',
      'g.gradient(y, x)',
      'try:',
      '    g.gradient(y, x)',
      'except RuntimeError as e:',
      '    checks.append(str(e).startswith("A non-persistent GradientTape"))',
      'try:',
      '    g.watch(3.0)',
      'except ValueError as e:',
      '    checks.append(str(e) == "Passed in object 3.0 of type \'float\', not tf.Tensor or tf.Variable or ExtensionType.")',
      'print(checks)',
      '',
    ].join('\n');
    const result = await harness.runSource('catch.py', source);
    expect(result.stdout).toBe('[True, True, True, True]\n');
  }, 60_000);

  it('missing APIs say that Tapescope does not support them, never a silent result', async () => {
    const result = await harness.runSource('missing.py', 'import tensorflow as tf\ntf.signal.fft(tf.constant([1.0]))\n');
    expect(result.error?.type).toBe('AttributeError');
    expect(result.error?.message).toBe("module 'tensorflow' has no attribute 'signal': Tapescope does not support tf.signal yet");
    const numpyMissing = await harness.runSource('missing_np.py', 'import numpy as np\nnp.fft.fft([1.0])\n');
    expect(numpyMissing.error?.message).toContain('Tapescope does not support numpy.fft yet');
    const summary = await harness.runSource(
      'summary.py',
      'import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm.build((None, 2))\nm.summary()\n',
    );
    expect(summary.error?.type).toBe('NotImplementedError');
    expect(summary.error?.message).toContain('Tapescope does not support Model.summary yet');
  }, 60_000);
});

describe('tf.print and tf.function', () => {
  it('tf.print writes to stderr by default, and to stdout with output_stream=sys.stdout', async () => {
    const source = [
      'import sys',
      'import tensorflow as tf',
      '@tf.function',
      'def f(x):',
      '    tf.print("inside", x)',
      '    return x * 2',
      'print(f(tf.constant([1.0, 2.5])))',
      'tf.print(tf.range(10), output_stream=sys.stdout)',
      '',
    ].join('\n');
    const result = await harness.runSource('tfprint.py', source);
    expect(result.stderr).toBe('inside [1 2.5]\n');
    expect(result.stdout).toBe('tf.Tensor([2. 5.], shape=(2,), dtype=float32)\n[0 1 2 ... 7 8 9]\n');
    // The function body ran eagerly: its Mul is in the trace, located inside f.
    expect(result.trace?.ops.find((op) => op.type === 'Mul')?.loc?.functionName).toBe('f');
  }, 60_000);
});

describe('warm packages, fresh state', () => {
  it('a run sees tensorflow as a fresh process would, although the package stays imported', async () => {
    const first = await harness.runSource(
      'state_a.py',
      ['import tensorflow as tf', 'tf.leftover = 1', 'with tf.name_scope("scope"):', '    layer = tf.keras.layers.Dense(1)', '    layer(tf.ones([1, 2]))', 'print(layer.kernel.name)', ''].join('\n'),
    );
    expect(first.stdout).toBe('scope/dense/kernel:0\n');
    const second = await harness.runSource(
      'state_b.py',
      ['import tensorflow as tf', 'import keras.layers', 'layer = keras.layers.Dense(1)', 'layer(tf.ones([1, 2]))', 'print(hasattr(tf, "leftover"), layer.kernel.name, tf.Variable(1.0).name)', ''].join('\n'),
    );
    expect(second.stdout).toBe('False dense/kernel:0 Variable:0\n');
    expect(second.trace?.variables.map((v) => v.name)).toEqual(['dense/kernel:0', 'dense/bias:0', 'Variable:0']);
  }, 60_000);
});

describe("TensorFlow's logger", () => {
  it('tf.get_logger().setLevel("ERROR") silences the WARNING lines; the next run logs again', async () => {
    const source = [
      'import sys',
      'import tensorflow as tf',
      'x = tf.constant(1)',
      'with tf.GradientTape() as t:',
      '    t.watch(x)',
      'print("between", file=sys.stderr)',
      'tf.get_logger().setLevel("ERROR")',
      'with tf.GradientTape() as t:',
      '    t.watch(x)',
      '',
    ].join('\n');
    const warning = 'WARNING:tensorflow:The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32\n';
    const first = await harness.runSource('logger.py', source);
    expect(first.stderr).toBe(`${warning}between\n`);
    const second = await harness.runSource('logger.py', source);
    expect(second.stderr).toBe(`${warning}between\n`);
  }, 60_000);
});
