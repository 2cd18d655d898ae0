"""Generates grad_reference.json with real TensorFlow: gradients (tape.gradient of the summed target
with respect to every input) at the points where TensorFlow's conventions matter (kinks, ties,
zeros, infinities), for composites, and second order through nested tapes.
Run: /work/tfenv-cache/bin/python test/engine/tf-reference/grad_reference.py
The TypeScript side (test/engine/ops-grad-reference.test.ts) defines the same functions by name."""
import json
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

W3 = [1., 2., 3.]


def d(f):
    """The first derivative as a scalar function: sum_i sum(grad_i * (i + 1.5)), by a nested tape."""
    def g(*xs):
        with tf.GradientTape() as t:
            for x in xs:
                t.watch(x)
            y = f(*xs)
        grads = t.gradient(y, list(xs))
        return tf.add_n([tf.reduce_sum(tf.convert_to_tensor(gi) * (i + 1.5)) for i, gi in enumerate(grads) if gi is not None])
    return g


inf = float('inf')
CASES = {
    'relu at 0': (tf.nn.relu, [[-1., 0., 1.]]),
    'abs at 0': (tf.abs, [[-1., 0., 2.]]),
    'sign': (tf.sign, [[-1., 0., 2.]]),
    'relu6 at 0 and 6': (tf.nn.relu6, [[0., 3., 6., 7.]]),
    'leaky_relu at 0': (tf.nn.leaky_relu, [[-1., 0., 1.]]),
    'elu at 0': (tf.nn.elu, [[-1., 0., 1.]]),
    'reduce_max ties': (tf.reduce_max, [[1., 3., 3.]]),
    'reduce_min ties axis 1': (lambda x: tf.reduce_min(x, axis=1), [[[1., 1.], [2., 0.]]]),
    'maximum ties': (tf.maximum, [[1., 2.], [1., 1.]]),
    'minimum ties broadcast': (tf.minimum, [[1., 2., 0.], [1.]]),
    'clip_by_value at bounds': (lambda x: tf.clip_by_value(x, 1., 2.), [[0., 1., 1.5, 2., 3.]]),
    'sqrt at 0': (tf.sqrt, [[0., 4.]]),
    'norm at zero': (tf.norm, [[0., 0.]]),
    'norm inf ties': (lambda x: tf.norm(x, ord=inf), [[-2., 2., 1.]]),
    'pow zero base': (tf.pow, [[0., 2.], [2., 3.]]),
    'pow zero to zero': (tf.pow, [0., 0.]),
    'pow negative base': (tf.pow, [[-2.], [3.]]),
    'divide_no_nan zero divisor': (tf.math.divide_no_nan, [[1., 2.], [0., 4.]]),
    'reduce_prod one zero': (tf.reduce_prod, [[2., 0., 3.]]),
    'reduce_prod two zeros': (tf.reduce_prod, [[2., 0., 0.]]),
    'reduce_prod with nan': (lambda x: tf.reduce_prod(x, axis=1), [[[float('nan')], [2.]]]),
    'reduce_prod nan among others': (tf.reduce_prod, [[float('nan'), 2., 3.]]),
    'reduce_prod inf and zero': (lambda x: tf.reduce_prod(x, axis=0), [[[float('inf'), 2.], [0., 3.]]]),
    'reduce_prod axes keepdims': (lambda x: tf.reduce_prod(x, axis=[0, 2], keepdims=True), [tf.reshape(tf.range(1., 13.), [2, 3, 2])]),
    'cumprod exclusive reverse': (lambda x: tf.math.cumprod(x, exclusive=True, reverse=True) * W3, [[2., 0., 3.]]),
    'cumprod': (lambda x: tf.math.cumprod(x) * W3, [[2., -1., 3.]]),
    'reduce_logsumexp with -inf': (tf.reduce_logsumexp, [[-inf, 0., 1.]]),
    'softplus large': (tf.nn.softplus, [[100., -100., 0.]]),
    'sigmoid large': (tf.sigmoid, [[100., -100., 0.]]),
    'floormod': (tf.math.floormod, [[5.5, -5.5], [2., 2.]]),
    'cast float64 to float32': (lambda x: tf.cast(x, tf.float32) * 3., [tf.constant([1.5], tf.float64)]),
    'integer source is None': (lambda x, y: tf.cast(x, tf.float32) * y, [tf.constant([1, 2]), [1., 2.]]),
    'softmax weighted': (lambda x: tf.nn.softmax(x) * W3, [[0.5, -1., 2.]]),
    'log_softmax weighted': (lambda x: tf.nn.log_softmax(x) * W3, [[0.5, -1., 2.]]),
    'sigmoid_cross_entropy': (lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), [[1., 0., 0.5], [-2., 0., 3.]]),
    'softmax_cross_entropy labels not normalised': (lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x), [[[0.2, 0.7, 0.4]], [[0.5, -1., 2.]]]),
    'sparse_softmax_cross_entropy': (lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([2, 0]), logits=x), [[[0.5, -1., 2.], [1., 1., 1.]]]),
    'l2_loss': (tf.nn.l2_loss, [[1., -2.]]),
    'gelu': (tf.nn.gelu, [[-1.5, 0., 0.7]]),
    'gelu approximate': (lambda x: tf.nn.gelu(x, approximate=True), [[-1.5, 0., 0.7]]),
    'reduce_std': (tf.math.reduce_std, [[1., 2., 4.]]),
    'linspace': (lambda a, b: tf.linspace(a, b, 5) * [1., 2., 3., 4., 5.], [0.5, 2.]),
    'gather repeated': (lambda x: tf.gather(x, [2, 0, 2]) * W3, [[1., 2., 3.]]),
    'gather batch_dims': (lambda x: tf.gather(x, tf.constant([[2, 0, 2], [1, 1, 0]]), axis=2, batch_dims=1) * tf.reshape(tf.range(12.), [2, 2, 3]), [tf.reshape(tf.range(12.), [2, 2, 3])]),
    'gather axis 1': (lambda x: tf.gather(x, [1, 1], axis=1), [[[1., 2.], [3., 4.]]]),
    'getitem': (lambda x: x[1, ::-2] * [1., 2.], [[[1., 2., 3.], [4., 5., 6.]]]),
    'getitem newaxis ellipsis': (lambda x: x[..., tf.newaxis, 1:] * 2., [[[1., 2., 3.], [4., 5., 6.]]]),
    'cumsum exclusive reverse': (lambda x: tf.cumsum(x, exclusive=True, reverse=True) * W3, [[1., 2., 3.]]),
    'einsum matmul': (lambda a, b: tf.einsum('ij,jk->ik', a, b), [[[1., 2.], [3., 4.]], [[0.5], [-1.]]]),
    'einsum three operands': (lambda a, b, c: tf.einsum('ij,jk,k->i', a, b, c), [[[1., 2.], [3., 4.]], [[0.5, 1.], [-1., 2.]], [3., -2.]]),
    'einsum ellipsis broadcast': (lambda a, b: tf.einsum('...ij,...jk->...ik', a, b) * tf.reshape(tf.range(12.), [2, 2, 3]), [tf.reshape(tf.range(8.), [2, 2, 2]), tf.reshape(tf.range(6.), [1, 2, 3])]),
    'einsum batch diagonal bxby->bxy': (lambda a: tf.einsum('bxby->bxy', a) * tf.reshape(tf.range(8.), [2, 2, 2]), [tf.reshape(tf.range(16.), [2, 2, 2, 2])]),
    'einsum diagonal': (lambda a: tf.einsum('ii->i', a) * [1., 2.], [[[1., 2.], [3., 4.]]]),
    'tile': (lambda x: tf.tile(x, [2, 3]) * tf.reshape(tf.range(12.), [2, 6]), [[[1., 2.]]]),
    'concat and split': (lambda a, b: tf.split(tf.concat([a, b], 0), [1, 2])[1] * [2., 3.], [[1.], [2., 3.]]),
    'where': (lambda a, b: tf.where([True, False], a, b), [[1., 2.], [3., 4.]]),
    'relu6 then sqrt at 0 (NaN, mask multiplied)': (lambda x: tf.sqrt(tf.nn.relu6(x)), [[0., 4.]]),
    'relu then sqrt at 0': (lambda x: tf.sqrt(tf.nn.relu(x)), [[0., 4.]]),
    'sqrt of negative masked off by minimum': (lambda x: tf.minimum(tf.sqrt(x), 1.), [tf.constant([-0.25, 4.], tf.float64)]),
    'rsqrt masked off by maximum': (lambda x: tf.maximum(tf.math.rsqrt(x), 10.), [[0., 4.]]),
    'leaky_relu float64 gradient': (tf.nn.leaky_relu, [tf.constant([-1., 2.], tf.float64)]),
    'second order tanh': (d(tf.tanh), [[0.3, -1.2]]),
    'second order sigmoid': (d(tf.sigmoid), [[0.3, -1.2]]),
    'second order softplus': (d(tf.nn.softplus), [[0.3, -1.2]]),
    'second order pow': (d(tf.pow), [[1.5, 2.], [2., 0.5]]),
    'second order softmax': (d(lambda x: tf.nn.softmax(x) * W3), [[0.5, -1., 2.]]),
    'second order softmax_cross_entropy': (d(lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)), [[[0.2, 0.3, 0.5]], [[0.5, -1., 2.]]]),
    'second order sparse_softmax_cross_entropy': (d(lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([2]), logits=x)), [[[0.5, -1., 2.]]]),
    'second order reduce_logsumexp': (d(tf.reduce_logsumexp), [[0.5, -1., 2.]]),
    'second order gelu': (d(tf.nn.gelu), [[-1.5, 0.7]]),
    'second order norm': (d(tf.norm), [[3., -4.]]),
    'second order einsum': (d(lambda a, b: tf.einsum('ij,jk->ik', a, b) ** 2), [[[1., 2.], [3., 4.]], [[0.5], [-1.]]]),
    'second order getitem': (d(lambda x: x[::-1] ** 3), [[1., 2., 3.]]),
    'second order gather': (d(lambda x: tf.gather(x, [0, 0, 1]) ** 2), [[1., 2.]]),
    'second order matmul': (d(lambda a, b: tf.matmul(a, b) ** 2), [[[1., 2.]], [[3.], [4.]]]),
}


def encode(t):
    if t is None:
        return None
    if isinstance(t, tf.IndexedSlices):
        t = tf.convert_to_tensor(t)
    a = np.asarray(t.numpy())
    values = [None if np.isnan(v) else (('inf' if v > 0 else '-inf') if np.isinf(v) else float(v)) for v in a.reshape(-1).tolist()]
    return {'dtype': t.dtype.name, 'shape': list(a.shape), 'values': values}


out = {}
for name, (fn, values) in CASES.items():
    xs = [v if isinstance(v, tf.Tensor) else tf.constant(v, tf.float32) for v in values]
    with tf.GradientTape(persistent=True) as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    out[name] = [encode(g) for g in tape.gradient(y, xs)]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'grad_reference.json')
with open(path, 'w') as f:
    json.dump({'tensorflow': tf.__version__, 'cases': out}, f, indent=1, sort_keys=True)
    f.write('\n')
print(f'wrote {len(out)} cases to {path}', file=sys.stderr)
