# Every kind of operand an operator or tf.add-style function meets: tensors, Python floats and ints
# (both sides), bools, numpy values, lists, variables, keyword arguments, and the errors TensorFlow
# raises for bad ones. (Tapescope runs the common cases on a fast path and the rest in Python.)
import numpy as np
import tensorflow as tf

x = tf.constant([1.5, -2.0, 3.25])
y = tf.constant([0.5, 4.0, -1.0])
i = tf.constant([7, -3, 4])
j = tf.constant([2, 5, -3])

print('tensor op tensor')
for name, value in [('+', x + y), ('-', x - y), ('*', x * y), ('/', x / y), ('//', x // y),
                    ('%', x % y), ('**', y ** x), ('<', x < y), ('<=', x <= y), ('>', x > y),
                    ('>=', x >= y)]:
    print(name, value)
print('ints', i + j, i - j, i * j, i // j, i % j, i / j, i < j)
print('unary', -x, abs(x), -i, abs(i))

print('Python numbers on either side')
print(x + 1, 1 + x, x * 2.5, 2.5 * x, x - 1, 1 - x, x / 2, 2 / x, x ** 2, 2 ** x)
print(x // 2, 7 // x, x % 2, 7 % x, x < 0, 0 < x, x >= 1.5)
print(i + 1, 1 - i, i * 3, i / 2, 2 / i, i // 2, i ** 2, i % 4, i > 0)
print(x + 10 ** 15, i + 2 ** 31 - 1 - 2 ** 31)

print('bools, numpy values, lists')
b = tf.constant([True, False, True])
print(b & True, b | False, ~b)
print(x + np.float32(1.5), np.float64(2.0) * x, x + np.array([1.0, 2.0, 3.0], dtype=np.float32))
print(x + [1.0, 2.0, 3.0], [1, 2, 3] + i)

print('variables')
v = tf.Variable([1.0, 2.0, 3.0])
w = tf.Variable(2.0, name='w')
print(x + v, v + x, v * w, w * 3.0, 3.0 - w, -v, abs(v))

print('functions')
print(tf.add(x, y), tf.subtract(x, 1.0), tf.multiply(2, i), tf.divide(x, y), tf.pow(y, 2.0))
print(tf.maximum(x, y), tf.minimum(x, 0.0), tf.add(x, y, name='sum'), tf.add(x=x, y=y))
print(tf.exp(x), tf.exp(x, name='e'), tf.exp(2.0), tf.sqrt(tf.abs(x)), tf.math.negative(i))
print(tf.sin(x), tf.floor(y * 2.5), tf.math.square(i), tf.math.log(tf.constant([1.0, 2.0])))

print('gradients through operators')
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    z = x * x + 3.0 * x - x / 2.0 + 2 ** x + tf.exp(-x)
    s = tf.reduce_sum(z * v)
print(tape.gradient(z, x))
print(tape.gradient(s, [x, v]))
del tape
print(f'{x[0] * 2:.3f} {float(y[1] + 1):.1f} {int(i[0] // 2)}')

print('errors')
for label, thunk in [
    ('shapes', lambda: x + tf.constant([1.0, 2.0])),
    ('dtypes', lambda: x + i),
    ('int tensor plus float', lambda: i + 2.5),
    ('float on the left of an int tensor', lambda: 2.5 * i),
    ('int32 overflow', lambda: i + 2 ** 31),
    ('huge int', lambda: x + 10 ** 400),
    ('string', lambda: x + 'a'),
    ('None', lambda: x + None),
    ('function dtypes', lambda: tf.add(x, i)),
    ('function shapes', lambda: tf.multiply(x, tf.constant([1.0, 2.0]))),
    ('unary on strings', lambda: tf.exp(tf.constant('a'))),
    ('unary on ints', lambda: tf.exp(i)),
]:
    try:
        print(label, thunk())
    except Exception as e:
        print(label, type(e).__name__, str(e).splitlines()[0][:160])


print('how each op converts a Python value')
h = tf.constant([1.0, 2.0], dtype=tf.float16)
d = tf.constant([1.0, 2.0], dtype=tf.float64)
l = tf.constant([1, 2], dtype=tf.int64)
s = tf.constant(['a', 'b'])
vi = tf.Variable([1, 2])


class Opaque:
    def __repr__(self):
        return 'Opaque()'


class Reflects:
    def __radd__(self, other):
        return 'Reflects.__radd__'

    def __rsub__(self, other):
        return 'Reflects.__rsub__'

    def __repr__(self):
        return 'Reflects()'


def show(label, thunk):
    try:
        value = thunk()
        text = f'{value.dtype.name} {value.numpy().tolist()!r}' if isinstance(value, tf.Tensor) else repr(value)
    except Exception as e:
        text = f'{type(e).__name__}: {str(e).splitlines()[0][:170]}'
    print(f'{label:28} {text}')


cases = [
    # a float meets an int tensor: a kernel error for `+` and tf.add (the hint fails), a TypeError elsewhere
    ('i + 2.0', lambda: i + 2.0), ('2.0 + i', lambda: 2.0 + i), ('i - 2.0', lambda: i - 2.0),
    ('i * 2.5', lambda: i * 2.5), ('i / 2.0', lambda: i / 2.0), ('2.0 / i', lambda: 2.0 / i),
    ('i // 2.0', lambda: i // 2.0), ('i % 2.0', lambda: i % 2.0), ('i ** 0.5', lambda: i ** 0.5),
    ('0.5 ** i', lambda: 0.5 ** i), ('i < 2.5', lambda: i < 2.5), ('2.5 < i', lambda: 2.5 < i),
    ('i == 2.5', lambda: i == 2.5), ('i + 1.0e10', lambda: i + 1.0e10), ('i + inf', lambda: i + float('inf')),
    ('l + 2.0', lambda: l + 2.0), ('2.5 + l', lambda: 2.5 + l), ('l / 2.0', lambda: l / 2.0),
    # big ints: int32 tensors take them wrapped, floats rounded; beyond int64 (or a double) a ValueError
    ('i + 2**40', lambda: i + 2 ** 40), ('2**40 + i', lambda: 2 ** 40 + i), ('i + 2**31', lambda: i + 2 ** 31),
    ('i - (-2**31 - 1)', lambda: i - (-2 ** 31 - 1)), ('i * 2**32', lambda: i * 2 ** 32),
    ('i + (2**63 - 1)', lambda: i + (2 ** 63 - 1)), ('i > 2**40', lambda: i > 2 ** 40),
    ('i + 2**63', lambda: i + 2 ** 63), ('i + 2**70', lambda: i + 2 ** 70), ('2**70 + i', lambda: 2 ** 70 + i),
    ('l + 2**40', lambda: l + 2 ** 40), ('l + 2**70', lambda: l + 2 ** 70), ('x + 2**70', lambda: x + 2 ** 70),
    ('2**70 + x', lambda: 2 ** 70 + x), ('d + 2**70', lambda: d + 2 ** 70), ('x + 10**39', lambda: x + 10 ** 39),
    ('x + 2**1024', lambda: x + 2 ** 1024), ('x + 10**400', lambda: x + 10 ** 400),
    ('10**400 + x', lambda: 10 ** 400 + x), ('tf.add(x, 2**70)', lambda: tf.add(x, 2 ** 70)),
    ('h + 1.5', lambda: h + 1.5), ('1.5 + h', lambda: 1.5 + h), ('h + 70000', lambda: h + 70000),
    ('h + 1e10', lambda: h + 1e10), ('d + 0.1', lambda: d + 0.1), ('0.1 + d', lambda: 0.1 + d),
    # bools
    ('x + True', lambda: x + True), ('True * x', lambda: True * x), ('i * True', lambda: i * True),
    ('b * 2.0', lambda: b * 2.0), ('2.0 * b', lambda: 2.0 * b), ('b * x', lambda: b * x),
    ('x * b', lambda: x * b), ('b * b', lambda: b * b), ('True * b', lambda: True * b),
    ('b * None', lambda: b * None), ('tf.multiply(b, b)', lambda: tf.multiply(b, b)),
    ('b & 1', lambda: b & 1), ('1 & b', lambda: 1 & b), ('b ^ True', lambda: b ^ True),
    ('True ^ b', lambda: True ^ b), ('b | [True, False, False]', lambda: b | [True, False, False]),
    ('b & x', lambda: b & x), ('x & 1', lambda: x & 1), ('~x', lambda: ~x), ('b / b', lambda: b / b),
    ('-b', lambda: -b),
    # strings
    ('s + "c"', lambda: s + 'c'), ('"c" + s', lambda: 'c' + s), ('s + s', lambda: s + s),
    ('s + b"c"', lambda: s + b'c'), ('tf.add(s, "c")', lambda: tf.add(s, 'c')),
    ('tf.add("c", s)', lambda: tf.add('c', s)), ('s + 1', lambda: s + 1), ('1 + s', lambda: 1 + s),
    ('s * 2', lambda: s * 2), ('s - "c"', lambda: s - 'c'), ('s == "a"', lambda: s == 'a'),
    ('x + "a"', lambda: x + 'a'), ('"a" + x', lambda: 'a' + x), ('x - "a"', lambda: x - 'a'),
    ('x < "a"', lambda: x < 'a'), ('tf.add(x, "a")', lambda: tf.add(x, 'a')),
    ('tf.add("a", x)', lambda: tf.add('a', x)), ('s / s', lambda: s / s),
    # None, objects, lists
    ('x + None', lambda: x + None), ('None + x', lambda: None + x), ('x ** None', lambda: x ** None),
    ('x / None', lambda: x / None), ('x < None', lambda: x < None), ('x == None', lambda: x == None),
    ('x != None', lambda: x != None), ('tf.add(x, None)', lambda: tf.add(x, None)),
    ('tf.exp(None)', lambda: tf.exp(None)), ('x - Opaque()', lambda: x - Opaque()),
    ('Opaque() * x', lambda: Opaque() * x), ('tf.maximum(x, Opaque())', lambda: tf.maximum(x, Opaque())),
    ('x + Reflects()', lambda: x + Reflects()), ('i - Reflects()', lambda: i - Reflects()),
    ('tf.add(x, Reflects())', lambda: tf.add(x, Reflects())),
    ('x + [1, 2]', lambda: x + [1, 2]), ('x + [[1.0], [2.0]]', lambda: x + [[1.0], [2.0]]),
    ('i + [1.5, 2.5, 3.5]', lambda: i + [1.5, 2.5, 3.5]), ('[1.5, 2.5, 3.5] + i', lambda: [1.5, 2.5, 3.5] + i),
    ('x + (1, 2, 3)', lambda: x + (1, 2, 3)), ('x + [None, 1, 2]', lambda: x + [None, 1, 2]),
    ('x + ["a", 1, 2]', lambda: x + ['a', 1, 2]), ('x + [[1, 2], [3]]', lambda: x + [[1, 2], [3]]),
    ('x == [1, 2]', lambda: x == [1, 2]), ('x != [1, 2]', lambda: x != [1, 2]),
    ('x == i', lambda: x == i), ('v == None', lambda: v == None), ('v == [1.0, 2.0]', lambda: v == [1.0, 2.0]),
    # numpy values: cast to the tensor's dtype
    ('x + np.int64(3)', lambda: x + np.int64(3)), ('i + np.float32(3.7)', lambda: i + np.float32(3.7)),
    ('i + np.array([1.5, 2.5, 3.5])', lambda: i + np.array([1.5, 2.5, 3.5])),
    ('x + np.float64(2.0)', lambda: x + np.float64(2.0)), ('d + np.float32(0.1)', lambda: d + np.float32(0.1)),
    ('x * np.sqrt(2.0)', lambda: x * np.sqrt(2.0)), ('np.int64(3) + i', lambda: np.int64(3) + i),
    # tf functions: tf.add hints y with x's dtype; generated ops take the first tensor's dtype
    ('tf.add(1, x)', lambda: tf.add(1, x)), ('tf.add(x, 1)', lambda: tf.add(x, 1)),
    ('tf.add(i, 2.5)', lambda: tf.add(i, 2.5)), ('tf.add(2.5, i)', lambda: tf.add(2.5, i)),
    ('tf.add(2, 1.5)', lambda: tf.add(2, 1.5)), ('tf.add(1.5, 2)', lambda: tf.add(1.5, 2)),
    ('tf.add(2**40, i)', lambda: tf.add(2 ** 40, i)), ('tf.add(1, v)', lambda: tf.add(1, v)),
    ('tf.add(1, 2)', lambda: tf.add(1, 2)), ('tf.add(1, True)', lambda: tf.add(1, True)),
    ('tf.multiply(2.0, x)', lambda: tf.multiply(2.0, x)), ('tf.maximum(0, x)', lambda: tf.maximum(0, x)),
    ('tf.subtract(True, x)', lambda: tf.subtract(True, x)), ('tf.subtract(1, 2.5)', lambda: tf.subtract(1, 2.5)),
    ('tf.subtract(2.5, 1)', lambda: tf.subtract(2.5, 1)), ('tf.subtract(i, 2.5)', lambda: tf.subtract(i, 2.5)),
    ('tf.subtract(1, 2**40)', lambda: tf.subtract(1, 2 ** 40)), ('tf.subtract(2**40, 1)', lambda: tf.subtract(2 ** 40, 1)),
    ('tf.multiply(2, v)', lambda: tf.multiply(2, v)), ('tf.multiply(2.5, vi)', lambda: tf.multiply(2.5, vi)),
    ('tf.multiply(True, 2.5)', lambda: tf.multiply(True, 2.5)), ('tf.maximum(i, 2**40)', lambda: tf.maximum(i, 2 ** 40)),
    ('tf.pow(2, 0.5)', lambda: tf.pow(2, 0.5)), ('tf.pow(2.0, 3)', lambda: tf.pow(2.0, 3)),
    ('tf.pow(i, 0.5)', lambda: tf.pow(i, 0.5)), ('tf.math.floordiv(i, 2.0)', lambda: tf.math.floordiv(i, 2.0)),
    ('tf.math.floormod(7, 2.5)', lambda: tf.math.floormod(7, 2.5)), ('tf.math.floormod(2.5, 7)', lambda: tf.math.floormod(2.5, 7)),
    ('tf.less(1, 2.5)', lambda: tf.less(1, 2.5)), ('tf.less(2.5, 1)', lambda: tf.less(2.5, 1)),
    ('tf.equal(i, 2.5)', lambda: tf.equal(i, 2.5)), ('tf.logical_and(b, 1)', lambda: tf.logical_and(b, 1)),
    ('tf.add(i, 2.5, name="n")', lambda: tf.add(i, 2.5, name='n')),
    ('tf.subtract(i, 2.5, name="n")', lambda: tf.subtract(i, 2.5, name='n')),
    # division
    ('tf.divide(i, 2.0)', lambda: tf.divide(i, 2.0)), ('tf.divide(2.0, i)', lambda: tf.divide(2.0, i)),
    ('tf.divide(1, 2)', lambda: tf.divide(1, 2)), ('tf.divide(1.0, 2)', lambda: tf.divide(1.0, 2)),
    ('tf.divide(1, 2.0)', lambda: tf.divide(1, 2.0)), ('tf.divide(2, x)', lambda: tf.divide(2, x)),
    ('tf.divide(2, x, name="d")', lambda: tf.divide(2, x, name='d')), ('tf.divide(2, v)', lambda: tf.divide(2, v)),
    ('tf.truediv(2, i)', lambda: tf.truediv(2, i)), ('tf.truediv(2.0, i)', lambda: tf.truediv(2.0, i)),
    ('x / i', lambda: x / i), ('i / l', lambda: i / tf.constant([1, 2, 3], tf.int64)),
    ('i / True', lambda: i / True), ('2 / i', lambda: 2 / i), ('l / 2', lambda: l / 2),
    ('tf.math.divide_no_nan(i, 0)', lambda: tf.math.divide_no_nan(i, 0)),
    ('tf.math.divide_no_nan(1, x)', lambda: tf.math.divide_no_nan(1, x)),
    ('tf.math.divide_no_nan(i, 2.5)', lambda: tf.math.divide_no_nan(i, 2.5)),
    ('tf.math.divide_no_nan(2.5, i)', lambda: tf.math.divide_no_nan(2.5, i)),
    # variables behave as their value
    ('vi + 2.5', lambda: vi + 2.5), ('2.5 + vi', lambda: 2.5 + vi), ('vi * 2.5', lambda: vi * 2.5),
    ('v / 2', lambda: v / 2), ('i + v', lambda: i + v), ('v + vi', lambda: v + vi),
    # unary functions convert as tf.constant does
    ('tf.exp(1)', lambda: tf.exp(1)), ('tf.negative(2)', lambda: tf.negative(2)), ('tf.abs(2**40)', lambda: tf.abs(2 ** 40)),
    ('tf.abs(2**70)', lambda: tf.abs(2 ** 70)), ('tf.exp(np.float64(1.0))', lambda: tf.exp(np.float64(1.0))),
    ('tf.exp("a")', lambda: tf.exp('a')), ('tf.sqrt(4)', lambda: tf.sqrt(4)), ('tf.negative(vi)', lambda: tf.negative(vi)),
    # tf.constant and friends
    ('tf.constant(2**40)', lambda: tf.constant(2 ** 40)), ('tf.constant([1, 2**40])', lambda: tf.constant([1, 2 ** 40])),
    ('tf.constant(2**63)', lambda: tf.constant(2 ** 63)), ('tf.constant(-2**63)', lambda: tf.constant(-2 ** 63)),
    ('tf.constant(2.0, dtype=tf.int32)', lambda: tf.constant(2.0, dtype=tf.int32)),
    ('tf.constant(2**40, tf.int32)', lambda: tf.constant(2 ** 40, dtype=tf.int32)),
    ('tf.constant(2**70, tf.float32)', lambda: tf.constant(2 ** 70, dtype=tf.float32)),
    ('tf.constant(True, tf.float32)', lambda: tf.constant(True, dtype=tf.float32)),
    ('tf.constant(1, tf.bool)', lambda: tf.constant(1, dtype=tf.bool)),
    ('tf.constant("a", tf.float32)', lambda: tf.constant('a', dtype=tf.float32)),
    ('tf.constant(1.5, tf.string)', lambda: tf.constant(1.5, dtype=tf.string)),
    ('tf.constant([True, 1])', lambda: tf.constant([True, 1])), ('tf.constant([1, True])', lambda: tf.constant([1, True])),
    ('tf.constant([1.5, True])', lambda: tf.constant([1.5, True])), ('tf.constant([1, 1.5])', lambda: tf.constant([1, 1.5])),
    ('tf.constant([1.5, 10**400])', lambda: tf.constant([1.5, 10 ** 400])), ('tf.constant([1, None])', lambda: tf.constant([1, None])),
    ('tf.constant([None, "a"])', lambda: tf.constant([None, 'a'])), ('tf.constant(["a", b"b"])', lambda: tf.constant(['a', b'b'])),
    ('tf.constant(np.array([1.7, -1.7]), tf.int32)', lambda: tf.constant(np.array([1.7, -1.7]), dtype=tf.int32)),
    ('tf.constant(1.0, shape=[2], dtype=tf.int32)', lambda: tf.constant(1.0, shape=[2], dtype=tf.int32)),
    ('tf.zeros([2], tf.bool)', lambda: tf.zeros([2], tf.bool)), ('tf.ones([2], tf.bool)', lambda: tf.ones([2], tf.bool)),
    ('tf.Variable(1.5, dtype=tf.int32)', lambda: tf.Variable(1.5, dtype=tf.int32)),
    ('vi.assign([2.5, 1.0])', lambda: vi.assign([2.5, 1.0])), ('v.assign([2**70, 1])', lambda: v.assign([2 ** 70, 1]).numpy().tolist()),
    ('+x', lambda: +x),
]
for label, thunk in cases:
    show(label, thunk)
