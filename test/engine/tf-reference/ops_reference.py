"""Generates ops_reference.json with real TensorFlow: for each named case, the result's dtype, shape
and values (float32 values as the exact doubles they hold), or the exception type and message.
Run: /work/tfenv-cache/bin/python test/engine/tf-reference/ops_reference.py (or .tfenv/bin/python).
The TypeScript side (test/engine/ops-tf-reference.test.ts) runs the same cases by name."""
import json
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

x = tf.constant([[1., 2., 3.], [4., 5., 6.]])
i32 = lambda v: tf.constant(v, tf.int32)  # noqa: E731

CASES = {
    # ---- dtype rules and errors of the existing elementwise ops ----
    'add float+int32': lambda: tf.constant(1.) + tf.constant(1),
    'mul double*float': lambda: tf.multiply(tf.constant(1., tf.float64), tf.constant(1.)),
    'add int64+int32': lambda: tf.constant(1, tf.int64) + tf.constant(1),
    'add bool': lambda: tf.constant(True) + tf.constant(False),
    'add string': lambda: tf.constant('a') + tf.constant('b'),
    'mul string': lambda: tf.constant('a') * tf.constant('b'),
    'neg bool': lambda: -tf.constant(True),
    'abs bool': lambda: tf.abs(tf.constant(True)),
    'square bool': lambda: tf.square(tf.constant(True)),
    'sum bool': lambda: tf.reduce_sum(tf.constant([True, True])),
    'sum string': lambda: tf.reduce_sum(tf.constant(['a'])),
    'less string': lambda: tf.less(tf.constant('a'), tf.constant('b')),
    'less bool': lambda: tf.less(tf.constant(True), tf.constant(False)),
    'equal string': lambda: tf.equal(tf.constant('a'), tf.constant('a')),
    'equal bool': lambda: tf.equal(tf.constant(True), tf.constant(False)),
    'logical_and': lambda: tf.logical_and(tf.constant([True, True]), tf.constant([True, False])),
    'sqrt int32': lambda: tf.sqrt(i32(4)),
    'exp int32': lambda: tf.exp(i32(4)),
    'sigmoid int32': lambda: tf.sigmoid(i32(1)),
    'softplus int32': lambda: tf.nn.softplus(i32(1)),
    'matmul bool': lambda: tf.matmul(tf.constant([[True]]), tf.constant([[True]])),
    'matmul float@int32': lambda: tf.matmul(x, i32([[1], [2], [3]])),
    'matmul int32': lambda: tf.matmul(i32([[1, 2]]), i32([[3], [4]])),
    'abs int32': lambda: tf.abs(i32([-1, 2])),
    'square int32': lambda: tf.square(i32([-1, 2])),
    'relu int32': lambda: tf.nn.relu(i32([-1, 2])),
    'sign int32': lambda: tf.sign(i32([-3, 0, 2])),
    'maximum int32': lambda: tf.maximum(i32([2, 5]), i32([3, 1])),
    'pow int32': lambda: i32(2) ** i32(3),
    'pow int32 negative exponent': lambda: i32(2) ** i32(-1),
    'mean int32 truncates': lambda: tf.reduce_mean(i32([1, 2])),
    'mean int32 negative': lambda: tf.reduce_mean(i32([-1, -2])),
    'truediv int32': lambda: i32([7, -7]) / i32([2, 2]),
    'truediv int64': lambda: tf.math.truediv(tf.constant([7], tf.int64), tf.constant([2], tf.int64)),
    'truediv mixed': lambda: tf.math.truediv(tf.constant(1.), i32(1)),
    'floordiv int32': lambda: i32([7, -7, -7, 7]) // i32([2, 2, -2, -2]),
    'floormod int32': lambda: i32([7, -7, -7, 7]) % i32([2, 2, -2, -2]),
    'floordiv float32': lambda: tf.constant([-7.5, 7.5]) // tf.constant([2., -2.]),
    'floormod float32': lambda: tf.constant([-7.5, 7.5, 7., -7.]) % tf.constant([2., -2., -2., 2.]),
    'floordiv int32 by zero': lambda: i32([7]) // i32([0]),
    'floormod int32 by zero': lambda: i32([7]) % i32([0]),
    'floordiv mixed': lambda: tf.math.floordiv(tf.constant(-7.5), i32(2)),
    'mod alias': lambda: tf.math.mod(i32([-7, 7]), i32([3, -3])),
    'divide_no_nan float32': lambda: tf.math.divide_no_nan(tf.constant([1., 2.]), tf.constant([0., 2.])),
    'divide_no_nan int32': lambda: tf.math.divide_no_nan(i32([1]), i32([0])),
    'divide_no_nan mixed': lambda: tf.math.divide_no_nan(tf.constant(1.), i32(1)),
    'cast string': lambda: tf.cast(tf.constant('1'), tf.float32),
    'cast to bool': lambda: tf.cast(tf.constant([0.5, 0., -1.]), tf.bool),
    'cast to int32 truncates': lambda: tf.cast(tf.constant([-1.7, 2.7]), tf.int32),
    'flush to zero: exp(-100)': lambda: tf.exp(tf.constant([-100., 1.])),
    'flush to zero: sigmoid(-100)': lambda: tf.sigmoid(tf.constant([-100.])),
    'flush to zero: float64 product': lambda: tf.constant([1e-200], tf.float64) * tf.constant([1e-120], tf.float64),
    'flush to zero: softmax': lambda: tf.nn.softmax(tf.constant([0., -100., -120.])),
    # ---- new ops: values ----
    'argmax default axis': lambda: tf.argmax(x),
    'argmax axis 1': lambda: tf.argmax(x, axis=1),
    'argmin int32 output': lambda: tf.argmin(x, axis=1, output_type=tf.int32),
    'argmax bool': lambda: tf.argmax(tf.constant([False, True])),
    'argmax nan ignored': lambda: tf.argmax(tf.constant([1., float('nan'), 3.])),
    'argmin ties first': lambda: tf.argmin(tf.constant([2., 1., 1.])),
    'cumsum int32 exclusive reverse': lambda: tf.cumsum(i32([1, 2, 3]), exclusive=True, reverse=True),
    'cumsum axis 1 reverse': lambda: tf.cumsum(i32([[1, 2], [3, 4]]), axis=1, reverse=True),
    'cumsum float32': lambda: tf.cumsum(tf.constant([0.1, 0.2, 0.3, 0.4])),
    'range int': lambda: tf.range(5),
    'range start limit delta': lambda: tf.range(2, 8, 3),
    'range float': lambda: tf.range(1., 5.5, 0.5),
    'range mixed': lambda: tf.range(1, 5, 0.5),
    'range float64': lambda: tf.range(5, dtype=tf.float64),
    'range 0.1 steps': lambda: tf.range(0., 3., 0.1),
    'range negative delta': lambda: tf.range(5, 1, -2),
    'linspace float32': lambda: tf.linspace(0.3, 1.7, 7),
    'linspace int gives float64': lambda: tf.linspace(0, 1, 5),
    'one_hot': lambda: tf.one_hot([0, 2, -1, 5], 3),
    'one_hot axis 0': lambda: tf.one_hot([0, 2], 3, axis=0),
    'one_hot int on/off': lambda: tf.one_hot([0, 2], 3, on_value=5, off_value=-1),
    'one_hot float64': lambda: tf.one_hot([1], 2, dtype=tf.float64),
    'eye': lambda: tf.eye(3),
    'eye rectangular': lambda: tf.eye(2, 3),
    'eye batch': lambda: tf.eye(2, batch_shape=[2]),
    'norm default': lambda: tf.norm(x),
    'norm inf axis 1': lambda: tf.norm(x, ord=float('inf'), axis=1),
    'norm 1 keepdims': lambda: tf.norm(x, ord=1, axis=0, keepdims=True),
    'norm ord 3': lambda: tf.norm(x, ord=3),
    'norm matrix 1': lambda: tf.norm(x, ord=1, axis=[0, 1]),
    'norm matrix inf': lambda: tf.norm(x, ord=float('inf'), axis=[0, 1]),
    'norm fro': lambda: tf.norm(x, ord='fro', axis=[0, 1]),
    'reduce_logsumexp axis 1': lambda: tf.reduce_logsumexp(x, axis=1),
    'reduce_logsumexp all keepdims': lambda: tf.reduce_logsumexp(x, keepdims=True),
    'reduce_logsumexp large': lambda: tf.reduce_logsumexp(tf.constant([1000., 1000.])),
    'reduce_variance axis 0': lambda: tf.math.reduce_variance(x, axis=0),
    'reduce_std keepdims': lambda: tf.math.reduce_std(x, axis=1, keepdims=True),
    'clip_by_value': lambda: tf.clip_by_value(x, 2, 4.5),
    'clip_by_value int32': lambda: tf.clip_by_value(i32([1, 5]), 2, 4),
    'clip_by_value shape error': lambda: tf.clip_by_value(x, tf.constant([1., 2.]), 3.),
    'leaky_relu': lambda: tf.nn.leaky_relu(tf.constant([-3., -0.5, 0., 2.])),
    'leaky_relu int32 to float32': lambda: tf.nn.leaky_relu(i32([1, -2])),
    'leaky_relu alpha': lambda: tf.nn.leaky_relu(tf.constant([-3., 2.]), alpha=0.5),
    'gelu': lambda: tf.nn.gelu(x),
    'gelu approximate': lambda: tf.nn.gelu(tf.constant([-1.5, -0.2, 0.3, 2.]), approximate=True),
    'softmax': lambda: tf.nn.softmax(x),
    'softmax axis 0': lambda: tf.nn.softmax(x, axis=0),
    'log_softmax axis 0': lambda: tf.nn.log_softmax(x, axis=0),
    'log_softmax': lambda: tf.nn.log_softmax(tf.constant([0.5, -1., 2.5, 0.])),
    'softmax float64': lambda: tf.nn.softmax(tf.constant([0.1, 0.2, 0.7], tf.float64)),
    'sigmoid_cross_entropy_with_logits': lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1., 0., 0.5]), logits=tf.constant([-2., 0.5, 3.])),
    'sigmoid_cross_entropy shape error': lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1., 0.]), logits=tf.constant([1., 2., 3.])),
    'softmax_cross_entropy_with_logits': lambda: tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant([[0., 1., 0.], [0.3, 0.3, 0.4]]), logits=x),
    'softmax_cross_entropy int labels': lambda: tf.nn.softmax_cross_entropy_with_logits(labels=i32([[0, 1, 0], [1, 0, 0]]), logits=x),
    'softmax_cross_entropy rank 3': lambda: tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant([[[0., 1.]], [[1., 0.]]]), logits=tf.constant([[[0.5, 1.5]], [[2., -1.]]])),
    'softmax_cross_entropy shape error': lambda: tf.nn.softmax_cross_entropy_with_logits(labels=tf.constant([[0., 1.]]), logits=x),
    'sparse_softmax_cross_entropy': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([2, 0]), logits=x),
    'sparse_softmax_cross_entropy rank 3': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([[1], [0]]), logits=tf.constant([[[0.5, 1.5]], [[2., -1.]]])),
    'sparse label out of range': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([0, 3]), logits=x),
    'sparse label negative': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([0, -1]), logits=x),
    'sparse labels shape': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([0]), logits=x),
    'sparse labels rank': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=i32([[0]]), logits=x),
    'sparse float labels': lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0., 1.]), logits=x),
    'l2_loss': lambda: tf.nn.l2_loss(x),
    'l2_loss int32': lambda: tf.nn.l2_loss(i32([1, 2])),
    'softsign': lambda: tf.math.softsign(tf.constant([-3., 0., 0.5])),
    'softsign int32': lambda: tf.math.softsign(i32(1)),
    'log_sigmoid': lambda: tf.math.log_sigmoid(tf.constant([-3., 0., 0.5, 20.])),
    'erfc': lambda: tf.math.erfc(tf.constant([-1., 0., 0.5, 3.])),
    'is_finite': lambda: tf.math.is_finite(tf.constant([1., float('inf'), float('nan')])),
    'softmax int32': lambda: tf.nn.softmax(i32([1, 2])),
    'reduce_logsumexp int32': lambda: tf.reduce_logsumexp(i32([1, 2])),
    'reduce_variance int32': lambda: tf.math.reduce_variance(i32([1, 2])),
    # ---- array ops ----
    'concat axis 1': lambda: tf.concat([x, x], 1),
    'concat negative axis': lambda: tf.concat([x, x], -2),
    'concat strings': lambda: tf.concat([tf.constant(['a']), tf.constant(['b'])], 0),
    'concat rank mismatch': lambda: tf.concat([x, tf.constant([1., 2.])], 0),
    'concat shape mismatch': lambda: tf.concat([x, tf.constant([[1., 2.]])], 0),
    'concat bad axis': lambda: tf.concat([x, x], 2),
    'concat dtype mismatch': lambda: tf.concat([x, i32([[1, 2, 3]])], 0),
    'concat scalars': lambda: tf.concat([tf.constant(1.), tf.constant(2.)], 0),
    'split equal': lambda: tf.split(x, 3, axis=1)[2],
    'split sizes with -1': lambda: tf.split(x, [1, -1], axis=1)[1],
    'split uneven': lambda: tf.split(x, 2, axis=1),
    'split sizes mismatch': lambda: tf.split(x, [1, 1], axis=1),
    'split sizes too large': lambda: tf.split(x, [1, 1, 2], axis=1),
    'split zero': lambda: tf.split(x, 0),
    'split bad axis': lambda: tf.split(x, 2, axis=3),
    'tile': lambda: tf.tile(x, [2, 1]),
    'tile bool': lambda: tf.tile(tf.constant([True]), [3]),
    'tile wrong length': lambda: tf.tile(x, [1]),
    'tile negative': lambda: tf.tile(x, [1, -1]),
    'gather rows repeated': lambda: tf.gather(x, [1, 0, 1]),
    'gather axis 1': lambda: tf.gather(x, [2, 0], axis=1),
    'gather 2-D indices': lambda: tf.gather(x, [[0, 1], [1, 1]]),
    'gather strings': lambda: tf.gather(tf.constant(['a', 'b']), [1, 1]),
    'gather out of range': lambda: tf.gather(x, [0, 5]),
    'gather negative index': lambda: tf.gather(x, [-1]),
    'gather axis 1 out of range': lambda: tf.gather(x, [3], axis=1),
    'gather float indices': lambda: tf.gather(x, tf.constant([0.])),
    'gather axis too large': lambda: tf.gather(tf.constant([1., 2.]), [0], axis=1),
    'gather axis too negative': lambda: tf.gather(x, [1], axis=-3),
    'one_hot float indices': lambda: tf.one_hot([0.], 3),
    'one_hot bad axis': lambda: tf.one_hot([1], 3, axis=3),
    'range zero delta': lambda: tf.range(1, 5, 0),
    'range wrong direction': lambda: tf.range(5, 1),
    'range wrong direction negative': lambda: tf.range(1, 5, -1),
    'argmax bad axis': lambda: tf.argmax(x, axis=2),
    'cumsum bad axis': lambda: tf.cumsum(x, axis=2),
    'expand_dims bad axis': lambda: tf.expand_dims(x, 3),
    'squeeze non-1 dim': lambda: tf.squeeze(x, 0),
    'norm bad vector ord': lambda: tf.norm(x, ord=-1),
    'norm bad matrix ord': lambda: tf.norm(x, ord=3, axis=[0, 1]),
    'norm repeated axes': lambda: tf.norm(x, axis=[0, 0]),
    'norm fro on vector': lambda: tf.norm(x, ord='fro'),
    'einsum matmul': lambda: tf.einsum('ij,jk->ik', x, tf.transpose(x)),
    'einsum implicit': lambda: tf.einsum('ij,jk', x, tf.transpose(x)),
    'einsum trace': lambda: tf.einsum('ii', tf.constant([[1., 2.], [3., 4.]])),
    'einsum diagonal': lambda: tf.einsum('ii->i', tf.constant([[1., 2.], [3., 4.]])),
    'einsum transpose': lambda: tf.einsum('ij->ji', x),
    'einsum outer': lambda: tf.einsum('i,j->ij', tf.constant([1., 2.]), tf.constant([3., 4., 5.])),
    'einsum batch diag bxby->bxy': lambda: tf.einsum('bxby->bxy', tf.reshape(tf.range(16.), [2, 2, 2, 2])),
    'einsum ellipsis broadcast': lambda: tf.einsum('...ij,...jk->...ik', tf.reshape(tf.range(8.), [2, 2, 2]), tf.ones([1, 2, 3])),
    'einsum ellipsis widths': lambda: tf.einsum('...ij,jk->...ik', tf.reshape(tf.range(8.), [2, 2, 1, 2]), tf.ones([2, 3])),
    'einsum ellipsis mismatch': lambda: tf.einsum('...ij,...jk->...ik', tf.ones([2, 1, 2]), tf.ones([3, 2, 1])),
    'einsum int32': lambda: tf.einsum('i,i->', i32([1, 2]), i32([3, 4])),
    'einsum dimension mismatch': lambda: tf.einsum('ij,jk->ik', x, x),
    'einsum repeated output': lambda: tf.einsum('i->ii', tf.constant([1., 2.])),
    'einsum operand count': lambda: tf.einsum('ij,jk->ik', x),
    'einsum dtype mismatch': lambda: tf.einsum('ij,jk->ik', x, i32([[1], [2], [3]])),
    # ---- slicing ----
    'getitem int, reversed slice': lambda: x[1, ::-1],
    'getitem ellipsis newaxis int': lambda: x[..., tf.newaxis, 1],
    'getitem negative ints': lambda: x[-1, -2],
    'getitem empty slice': lambda: x[1:1],
    'getitem step 2 from end': lambda: x[:, -1::-2],
    'getitem newaxis first': lambda: x[tf.newaxis, :, 1:],
    'getitem clamped bounds': lambda: x[-10:10, 5:],
    'getitem index out of bounds': lambda: x[5],
    'getitem column out of bounds': lambda: x[:, 3],
    'getitem negative out of bounds': lambda: x[-3],
    'getitem zero step': lambda: x[::0],
    'getitem too many indices': lambda: x[1, 1, 1],
    'strided_slice masks': lambda: tf.strided_slice(x, [-1, -1], [0, -3], [1, 2], begin_mask=0, end_mask=2, shrink_axis_mask=1),
}


def encode(t):
    if isinstance(t, (list, tuple)):
        return {'list': [encode(e) for e in t]}
    a = np.asarray(t.numpy())
    if t.dtype == tf.string:
        values = [v.decode() for v in a.reshape(-1).tolist()]
    elif t.dtype == tf.bool:
        values = [bool(v) for v in a.reshape(-1).tolist()]
    else:
        values = [None if np.isnan(v) else (str(v) if np.isinf(v) else float(v) if t.dtype.is_floating else int(v))
                  for v in a.reshape(-1).tolist()]
    return {'dtype': t.dtype.name, 'shape': list(a.shape), 'values': values}


out = {}
for name, fn in CASES.items():
    try:
        out[name] = encode(fn())
    except Exception as e:  # noqa: BLE001 - the exception is the reference
        out[name] = {'error': type(e).__name__, 'message': str(e)}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ops_reference.json')
with open(path, 'w') as f:
    json.dump({'tensorflow': tf.__version__, 'cases': out}, f, indent=1, sort_keys=True)
    f.write('\n')
print(f'wrote {len(out)} cases to {path}', file=sys.stderr)
