/**
 * The fast layer (src/runtime/fast-ops.ts): tensor operators, tf.add & co. and tf.exp & co. as
 * CPython builtins written in JavaScript, in the real worker bundle. What it must keep: the same
 * results, errors and source locations as the Python path, and no engine tensor held after Python
 * let go of it. (Its speed is measured by `npm run bench:runtime`, not here.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, TapescopeRuntime } from '../../src/runtime/index';
import type { OpRecord, Trace } from '../../src/trace/types';
import { type TestBundles, buildTestBundles } from './bundles';

/**
 * Python for the tests that hold the fast layer to the Python versions it replaced: `compare` runs
 * both (their printed text, or exception type and text), counts, and prints what differs;
 * `report()` prints the count since the last report and the differences so far.
 */
const COMPARE = [
  'def text(thunk):',
  '    try:',
  '        return str(thunk())',
  '    except Exception as e:',
  "        return f'{type(e).__name__}: {e}'",
  'compared = differences = 0',
  'def compare(label, fast, slow):',
  '    global compared, differences',
  '    compared += 1',
  '    fast_text, slow_text = text(fast), text(slow)',
  '    if fast_text != slow_text:',
  '        differences += 1',
  "        print('differs:', label, '|', fast_text, '|', slow_text)",
  'def report():',
  '    global compared',
  "    print(compared, 'compared,', differences, 'differ')",
  '    compared = 0',
];

let bundles: TestBundles;
let runtime: TapescopeRuntime;
let workDir: string;

beforeAll(async () => {
  bundles = await buildTestBundles();
  workDir = mkdtempSync(join(tmpdir(), 'tapescope-fast-'));
  runtime = new TapescopeRuntime({ workerPath: bundles.worker });
}, 120_000);

afterAll(async () => {
  await runtime?.dispose();
  bundles?.remove();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function run(name: string, source: string, trace = false): Promise<RunResult & { file: string }> {
  const file = join(workDir, name);
  writeFileSync(file, source);
  const result = await runtime.run({ file, trace });
  return { ...result, file };
}

describe('the fast layer', () => {
  it('is on in the worker: operators are method descriptors, tf.add a builtin, tensors freed by the tp_free hook', async () => {
    const result = await run(
      'status.py',
      [
        'import _tapescope_fast as fast',
        'import tensorflow as tf',
        'from tensorflow._core import EagerTensor',
        'print(fast.disabledReason(), fast.finalizerReason())',
        "print(type(EagerTensor.__dict__['__add__']).__name__, type(EagerTensor.__dict__['__rmul__']).__name__)",
        'print(type(tf.add).__name__, type(tf.exp).__name__, tf.add.__name__, tf.exp.__name__)',
        "print('__del__' in EagerTensor.__dict__)",
        'import inspect',
        'print(inspect.signature(tf.add), inspect.signature(tf.reduce_sum), inspect.signature(tf.nn.relu))',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'None None\nmethod_descriptor method_descriptor\nbuiltin_function_or_method builtin_function_or_method add exp\nFalse\n' +
        '(x, y, name=None) (input_tensor, axis=None, keepdims=False, name=None) (features, name=None)\n',
    );
  });

  it('releases the engine tensor of every EagerTensor Python frees, however it was made', async () => {
    const result = await run(
      'release.py',
      [
        'import gc',
        'import _tapescope_fast as fast',
        'import tensorflow as tf',
        'x = tf.constant([1.0, 2.0, 3.0])',
        'gc.collect()',
        'base = fast.liveTensors()',
        'peak = 0',
        'kept = []',
        'for i in range(3000):',
        '    a = x * 2.0 + i              # operators (made by the fast layer)',
        '    b = tf.exp(-a)               # tf.exp (fast layer) and unary minus',
        '    c = tf.reshape(b, [3, 1])    # an op of the Python path (adopted by the fast layer)',
        '    d = tf.add(c, 1.0)           # a Python number in tf.add: the Python fallback',
        '    if i % 1000 == 0:',
        '        kept.append(d)',
        '    peak = max(peak, fast.liveTensors() - base)',
        'del a, b, c, d',
        'print(peak <= 12, fast.liveTensors() - base)',
        'kept.clear()',
        'print(fast.liveTensors() - base)',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    // During the loop only this iteration's tensors (and the kept ones) are alive; at the end, the kept 3.
    expect(result.stdout).toBe('True 3\n0\n');
  });

  it('holds no entry for instances of subclasses (their tp_free is their own): none left behind for the next object at the address', async () => {
    const result = await run(
      'subclasses.py',
      [
        'import gc',
        'import _tapescope_fast as fast',
        'import tensorflow as tf',
        'from tensorflow._core import EagerTensor, ResourceVariable',
        'class Labelled(EagerTensor):',
        '    """A user\'s tensor subclass (made after the tp_free hook was placed on EagerTensor)."""',
        'class MyVariable(ResourceVariable):',
        '    pass',
        'hundred = tf.constant([100.0])',
        'gc.collect()',
        'base = fast.liveTensors()',
        'tensors = [Labelled(hundred._t) for _ in range(20000)]',
        'print(tensors[0] + 1.0, -tensors[1], tf.add(tensors[2], hundred), MyVariable([2.0]) * 2.0)',
        'del tensors',
        'gc.collect()',
        'print(fast.liveTensors() - base)',
        '# Their memory goes to other objects: a variable at the address of a freed Labelled is itself.',
        'variables = [tf.Variable([1.0]) for _ in range(3000)]',
        'print(sum(1 for v in variables if str(v + 0.0) != str(tf.constant([1.0]))), \'wrong\')',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'tf.Tensor([101.], shape=(1,), dtype=float32) tf.Tensor([-100.], shape=(1,), dtype=float32) tf.Tensor([200.], shape=(1,), dtype=float32) tf.Tensor([4.], shape=(1,), dtype=float32)\n0\n0 wrong\n',
    );
  });

  it('gives the results of the Python path, operand kind by operand kind', async () => {
    // Each expression is computed by the fast layer, then by the Python versions it replaced (the
    // fallbacks, reached by calling the methods of the Tensor base class and the package's
    // functions directly); both printed texts must be the same.
    const result = await run(
      'same.py',
      [
        'import numpy as np',
        'import tensorflow as tf',
        'from tensorflow._core import Tensor',
        'x = tf.constant([1.5, -2.0, 3.25])',
        'y = tf.constant([0.5, 4.0, -1.0])',
        'i = tf.constant([7, -3, 4])',
        'h = tf.constant([1.0, 2.5, -4.0], dtype=tf.float16)',
        'l = tf.constant([5, -6, 2 ** 40], dtype=tf.int64)',
        'v = tf.Variable([1.0, 2.0, 3.0])',
        'k = tf.Variable([3, 4, -5])',
        'u = v.assign_add([0.5, 0.5, 0.5])  # an _UnreadVariable',
        "operators = ['add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'lt', 'le', 'gt', 'ge']",
        "reflected = ['add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow']",
        'pairs = [(x, y), (x, 2.5), (x, 3), (x, -2 ** 40), (i, 3), (i, -2 ** 31 + 1), (i, 2 ** 31), (i, 2.0),',
        '         (h, 0.1), (h, 70000), (l, 2 ** 50), (l, 1.5), (x, True), (x, v), (x, np.float32(2.0)), (x, [1.0, 2.0, 3.0]),',
        '         (v, x), (v, 2.5), (v, v), (k, 2), (k, i), (u, x), (x, u), (v, 1.5), (k, 2.5),',
        '         (x, i), (i, x), (v, i), (k, x), (x, tf.constant([1.0, 2.0])), (h, x)]',
        ...COMPARE,
        'python_version = lambda a: Tensor if isinstance(a, Tensor) else tf.Variable',
        'for a, b in pairs:',
        '    for name in operators:',
        "        compare((name, repr(b)), lambda: getattr(type(a), f'__{name}__')(a, b), lambda: getattr(python_version(a), f'__{name}__')(a, b))",
        '    for name in reflected:',
        "        compare(('r' + name, repr(b)), lambda: getattr(type(a), f'__r{name}__')(a, b), lambda: getattr(python_version(a), f'__r{name}__')(a, b))",
        'for a in (x, i, h, tf.constant([True, False]), v, k, u):',
        "    for name in ('neg', 'abs'):",
        "        compare(name, lambda: getattr(type(a), f'__{name}__')(a), lambda: getattr(python_version(a), f'__{name}__')(a))",
        'report()',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${31 * 18 + 14} compared, 0 differ\n`);
  });

  it('passes a method call it does not handle to the fallback as it came (extra arguments, keywords)', async () => {
    // The operator descriptors handle `x.__op__(y)` / `x.__op__()`; any other call shape must behave
    // as the Python method they replaced (not drop arguments, not refuse keywords it accepts).
    const result = await run(
      'call-shapes.py',
      [
        'import tensorflow as tf',
        'from tensorflow._core import Tensor',
        'x = tf.constant([1.5, -2.0, 3.25])',
        'v = tf.Variable([1.0, 2.0, 3.0])',
        ...COMPARE,
        'for a, base in ((x, Tensor), (v, tf.Variable)):',
        '    shapes = [',
        "        ('__neg__', (1,), {}), ('__abs__', (), {'y': 1}), ('__add__', (), {'other': x}), ('__add__', (x, x), {}),",
        "        ('__radd__', (), {'other': 2.0}), ('__sub__', (), {}), ('__pow__', (2.0, 3), {}), ('__lt__', (x,), {'z': 0}),",
        "        ('__matmul__', (x, x), {}), ('__matmul__', (), {'other': x}),",
        '    ]',
        '    for name, args, kwargs in shapes:',
        '        compare((type(a).__name__, name, args, kwargs), lambda: getattr(type(a), name)(a, *args, **kwargs),',
        '                lambda: getattr(base, name)(a, *args, **kwargs))',
        "print(text(lambda: pow(x, 2.0, 3)) == text(lambda: Tensor.__pow__(x, 2.0, 3)))",
        "print(differences, 'differ')",
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('True\n0 differ\n');
  });

  it('works with objects above 2 GiB in the wasm heap (addresses that arrive from C as negative numbers)', async () => {
    // Its own worker: the heap grown past 2 GiB stays that size for the worker's life.
    const big = new TapescopeRuntime({ workerPath: bundles.worker });
    try {
      const file = join(workDir, 'high-addresses.py');
      writeFileSync(
        file,
        [
          'import _tapescope_fast as fast',
          'import tensorflow as tf',
          'ballast = [bytearray(1 << 30), bytearray(1 << 30)]',
          '# Small objects of an EagerTensor\'s size until the allocator hands out addresses above 2 GiB.',
          'filler = [None]',
          'while id(filler[-1]) < 2 ** 31:',
          '    filler.append((0, 0, len(filler)))',
          'base = fast.liveTensors()',
          'x = tf.constant([1.0, 2.0, 3.0])  # made in Python (adopted)',
          'v = tf.Variable([1.0, 1.0, 1.0])',
          'kept = [x * 2.0]  # made by the fast layer',
          'while id(kept[-1]) < 2 ** 31 and len(kept) < 100000:',
          '    kept.append(x * 2.0)',
          'y = kept.pop()',
          'print(id(x) >= 2 ** 31, id(v) >= 2 ** 31, id(y) >= 2 ** 31)',
          'def show(t):',
          "    return str(t).replace('\\n', ' ')",
          'z = tf.exp(y - y) + x',
          'print(show(z), z.shape, z.dtype, show(tf.reshape(x, [1, 3]) @ tf.reshape(y, [3, 1])))',
          'print(show(v + x), show(tf.reduce_sum(v * y, axis=0)), show(-v), show(y + y), show(y * v))',
          'del y, z, kept',
          'for i in range(1000):',
          '    w = x * float(i) + x',
          'del w',
          'print(fast.liveTensors() - base)',
          '',
        ].join('\n'),
      );
      const result = await big.run({ file, trace: true });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(
        [
          'True True True',
          "tf.Tensor([2. 3. 4.], shape=(3,), dtype=float32) (3,) <dtype: 'float32'> tf.Tensor([[28.]], shape=(1, 1), dtype=float32)",
          'tf.Tensor([2. 3. 4.], shape=(3,), dtype=float32) tf.Tensor(12.0, shape=(), dtype=float32) tf.Tensor([-1. -1. -1.], shape=(3,), dtype=float32) ' +
            'tf.Tensor([ 4.  8. 12.], shape=(3,), dtype=float32) tf.Tensor([2. 4. 6.], shape=(3,), dtype=float32)',
          '1', // x
          '',
        ].join('\n'),
      );
    } finally {
      await big.dispose();
    }
  });

  it('runs any op with its attributes as the Python path does (and a shape and dtype without a proxy)', async () => {
    const result = await run(
      'generic.py',
      [
        'import tensorflow as tf',
        'from tensorflow import _core',
        'from tensorflow._core import Tensor',
        'x = tf.constant([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]])',
        'v = tf.Variable([[1.0], [2.0], [3.0]])',
        'i = tf.constant([2, 0, 1])',
        'calls = [',
        "    ('Sum', {'axis': [0], 'keepdims': True}, (x,)),",
        "    ('Sum', {'axis': (0, 1), 'keepdims': False}, (x,)),",
        "    ('Mean', {'axis': None, 'keepdims': False}, (x,)),",
        "    ('Max', {'axis': [-1], 'keepdims': False}, (x,)),",
        "    ('Reshape', {'shape': [3, 2]}, (x,)),",
        "    ('Transpose', {'perm': (1, 0)}, (x,)),",
        "    ('MatMul', {'transpose_a': False, 'transpose_b': False}, (x, v)),",
        "    ('MatMul', {'transpose_a': True, 'transpose_b': False}, (x, x)),",
        "    ('Cast', {'dtype': 'int32'}, (x,)),",
        "    ('GatherV2', {'axis': 1}, (x, i)),",
        "    ('Identity', None, (v,)),",
        "    ('Identity', {}, (x,)),",
        "    ('Sum', {'axis': [5], 'keepdims': False}, (x,)),",
        "    ('NoSuchOp', None, (x,)),",
        "    ('Sum', {'axis': [0], 'keepdims': True, 'extra': {'nested': [1, 2.5, None, 'a']}}, (x,)),",
        "    ('Reshape', {'shape': [2 ** 60]}, (x,)),",
        "    ('Sum', {'axis': [0], 'keepdims': 1}, (x, x)),",
        ']',
        ...COMPARE,
        'for op_type, attrs, inputs in calls:',
        "    compare((op_type, attrs), lambda: _core._op(op_type, attrs, *inputs), lambda: _core._fast_fallbacks['_op'](op_type, attrs, *inputs))",
        "split = lambda f: [str(t) for t in f('Unpack', {'axis': 0, 'num': 2}, x)]",
        "print(split(_core._opN) == split(_core._fast_fallbacks['_opN']), type(_core._opN('Unpack', {'axis': 1, 'num': 3}, x)).__name__)",
        'report()',
        '# tf.reduce_* and tf.matmul bind their arguments on the fast layer; x @ y is a descriptor.',
        'b3 = tf.constant([[[1.0, 2.0], [3.0, 4.0]]])',
        'xi = tf.constant([[1, 2], [3, 4]])',
        'reductions = [((x,), {}), ((x, 0), {}), ((x,), {"axis": 1}), ((x, [0, 1], True), {}), ((x,), {"axis": (1,), "keepdims": True}),',
        '              ((x,), {"keepdims": 1}), ((x, 5), {}), ((v,), {}), ((x,), {"axis": None, "name": "s"}), ((x,), {"reduction_indices": 0}),',
        '              ((x, tf.constant(1)), {}), (([1.0, 2.0],), {}), ((x, True), {}), ((x, 0, False, "n", 9), {})]',
        "for fn in ('reduce_sum', 'reduce_mean', 'reduce_max'):",
        '    for args, kwargs in reductions:',
        '        compare((fn, args, kwargs), lambda: getattr(tf, fn)(*args, **kwargs), lambda: _core._fast_fallbacks[fn](*args, **kwargs))',
        'matmuls = [((x, v), {}), ((x, x), {"transpose_b": True}), ((x, x), {"adjoint_a": True}), ((v, v), {"transpose_a": True}),',
        '           ((b3, b3), {}), ((b3, x[:, :2]), {}), ((x, i), {}), ((x, xi), {}), ((xi, xi), {}), ((x, x), {}), ((i, i), {}),',
        '           ((x, v), {"transpose_a": 1}), ((x, v), {"output_type": tf.float32}), ((x, [[1.0], [2.0], [3.0]]), {}),',
        '           ((x, v), {"name": "mm"}), ((x,), {"b": v})]',
        'for args, kwargs in matmuls:',
        "    compare(('matmul', kwargs), lambda: tf.matmul(*args, **kwargs), lambda: _core._fast_fallbacks['matmul'](*args, **kwargs))",
        '    if len(args) == 2 and not kwargs:',
        "        compare('@', lambda: type(args[0]).__matmul__(*args), lambda: (Tensor if isinstance(args[0], Tensor) else tf.Variable).__matmul__(*args))",
        'report()',
        'y = x * 2.0',
        "print(_core._shape_tuple(y), _core._fast_fallbacks['_shape_tuple'](y), _core._dtype_name_of(y), y.shape, y.dtype)",
        "print(type(_core._op).__name__, type(_core._shape_tuple).__name__)",
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'True list\n17 compared, 0 differ\n67 compared, 0 differ\n(2, 3) (2, 3) float32 (2, 3) <dtype: \'float32\'>\nbuiltin_function_or_method builtin_function_or_method\n',
    );
  });

  it('raises the engine error at the user line, as a TensorFlow exception', async () => {
    const result = await run(
      'error.py',
      ['import tensorflow as tf', 'x = tf.constant([1.0, 2.0])', 'y = tf.constant([1.0, 2.0, 3.0])', 'def f(a, b):', '    return a * b', 'print(f(x, y))', ''].join('\n'),
    );
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('InvalidArgumentError');
    expect(result.error?.message).toContain('Incompatible shapes: [2] vs. [3] [Op:Mul]');
    expect(result.error?.loc).toMatchObject({ file: result.file, line: 5 });
    expect(result.stderr).toContain(`File "${result.file}", line 6, in <module>`);
    expect(result.stderr).toContain(`File "${result.file}", line 5, in f`);
  });

  it('records the user call of each op: operators, tf.add and tf.exp, called straight from user code or through the package', async () => {
    const result = await run(
      'locations.py',
      [
        'import tensorflow as tf',
        'x = tf.constant(2.0)',
        'def twice(t):',
        '    return t + t',
        'for k in range(2):',
        '    a = x * 3.0',
        '    b = tf.add(a, x)',
        '    c = tf.exp(b - 8.0)',
        '    d = twice(c)',
        'layer = tf.keras.layers.Dense(1, activation=twice, kernel_initializer="ones")',
        'e = layer(tf.constant([[1.0]]))',
        '',
      ].join('\n'),
      true,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe('ok');
    const trace = result.trace as Trace;
    const user = trace.ops.filter((op: OpRecord) => op.loc?.file === result.file);
    const at = (type: string) => user.filter((op) => op.type === type).map((op) => [op.loc?.line, op.loc?.column, op.loc?.endColumn, op.loc?.functionName]);
    // Columns are 1-based, [column, endColumn) spanning the call expression (Python's co_positions + 1).
    expect(at('Mul')).toEqual([
      [6, 9, 16, '<module>'],
      [6, 9, 16, '<module>'],
    ]);
    expect(at('Sub')).toEqual([
      [8, 16, 23, '<module>'],
      [8, 16, 23, '<module>'],
    ]);
    expect(at('Exp')).toEqual([
      [8, 9, 24, '<module>'],
      [8, 9, 24, '<module>'],
    ]);
    // tf.add's AddV2 on line 7, twice's on line 4: from the loop and from inside the Keras layer.
    const adds = at('AddV2');
    expect(adds.filter(([line]) => line === 7)).toEqual([
      [7, 9, 21, '<module>'],
      [7, 9, 21, '<module>'],
    ]);
    expect(adds.filter(([line]) => line === 4)).toEqual([
      [4, 12, 17, 'twice'],
      [4, 12, 17, 'twice'],
      [4, 12, 17, 'twice'],
    ]);
  });
});
