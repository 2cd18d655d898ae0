"""TensorFlow's op functions (tf.add, tf.reduce_sum, tf.nn.softmax, ...), each one engine op where
TensorFlow has one, or the same composition of ops TensorFlow's Python wrapper uses."""

import builtins
import sys

from pyodide.ffi import JsException

from tensorflow import nest
from tensorflow._core import (
    EagerTensor, IndexedSlices, _fast_function, _fast_replace, _fast_unary, Tensor, TensorShape, Variable, _as_int_list, _b, _binop, _const, _convert_error,
    _divide_no_nan_operands, _divide_operands, _dtype_name, _handle, _hinted_operands, _loc, _matmul, _op, _opN,
    _slice, _to_tensor, _unop, as_dtype, float32, int32, unsupported,
)

_builtin_bool = builtins.bool
_builtin_abs = builtins.abs
_builtin_max = builtins.max
_builtin_min = builtins.min
_builtin_round = builtins.round
_builtin_range = builtins.range
_builtin_print = builtins.print


# ---- creation ---------------------------------------------------------------------------------

def constant(value, dtype=None, shape=None, name='Const'):
    if isinstance(value, (Tensor, Variable)):
        t = _to_tensor(value)
        if dtype is not None and as_dtype(dtype) != t.dtype:
            t = cast(t, dtype)
        if shape is not None:
            t = reshape(t, shape)
        return t
    user_name = None if name == 'Const' else name
    return _const(value, dtype=dtype, shape=shape, name=user_name, loc=_loc())


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    if isinstance(value, IndexedSlices):
        return value._dense
    if dtype is None and dtype_hint is not None and not isinstance(value, (Tensor, Variable)):
        try:
            return _to_tensor(value, dtype_hint)
        except (TypeError, ValueError):
            return _to_tensor(value)
    return _to_tensor(value, dtype)


def is_tensor(x):
    return isinstance(x, (Tensor, Variable, IndexedSlices))


def identity(input, name=None):
    return _unop('Identity', input)


def stop_gradient(input, name=None):
    return _unop('StopGradient', input)


def cast(x, dtype, name=None):
    target = _dtype_name(dtype)
    x = _to_tensor(x) if isinstance(x, (Tensor, Variable)) else _const(x, loc=_loc())
    if x.dtype.name == target:
        return x
    return _op('Cast', {'dtype': target}, x)


def zeros(shape, dtype=float32, name=None):
    kind = _dtype_name(dtype)
    zero = False if kind == 'bool' else '' if kind == 'string' else 0
    return _const(zero, dtype=dtype, shape=_as_int_list(shape), loc=_loc())


def ones(shape, dtype=float32, name=None):
    return _const(True if _dtype_name(dtype) == 'bool' else 1, dtype=dtype, shape=_as_int_list(shape), loc=_loc())


def zeros_like(input, dtype=None, name=None):
    t = _unop('ZerosLike', input)
    return t if dtype is None else cast(t, dtype)


def ones_like(input, dtype=None, name=None):
    t = _unop('OnesLike', input)
    return t if dtype is None else cast(t, dtype)


def fill(dims, value, name=None):
    return _op('Fill', {'shape': _as_int_list(dims)}, value)


def range(start, limit=None, delta=1, dtype=None, name='range'):  # noqa: A001 - tf.range
    if limit is None:
        start, limit = 0, start
    values = [start, limit, delta]
    values = [float(v) if isinstance(v, (Tensor, Variable)) and v.dtype.is_floating else
              int(v) if isinstance(v, (Tensor, Variable)) else v for v in values]
    if dtype is None:
        dtype = 'float32' if any(isinstance(v, float) for v in values) else 'int32'
    return _op('Range', {'start': values[0], 'limit': values[1], 'delta': values[2], 'dtype': _dtype_name(dtype)})


def linspace(start, stop, num, name=None, axis=0):
    start = _to_tensor(start, float32) if not isinstance(start, (Tensor, Variable)) else start
    stop = _to_tensor(stop, start.dtype) if not isinstance(stop, (Tensor, Variable)) else stop
    return _op('LinSpace', {'num': int(num)}, start, stop)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=float32, name=None):
    n = int(num_rows)
    m = n if num_columns is None else int(num_columns)
    values = [[1 if i == j else 0 for j in _builtin_range(m)] for i in _builtin_range(n)]
    return _const(values, dtype=dtype, loc=_loc())


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    attrs = {'depth': int(depth)}
    if on_value is not None:
        attrs['on_value'] = float(on_value)
    if off_value is not None:
        attrs['off_value'] = float(off_value)
    if axis is not None:
        attrs['axis'] = int(axis)
    attrs['dtype'] = _dtype_name(dtype) or 'float32'
    return _op('OneHot', attrs, _to_tensor(indices, None))


# ---- elementwise math -------------------------------------------------------------------------

# Each with TensorFlow's operand rule (see _core: tf.add and tf.truediv hint y with x's dtype, the
# generated ops convert Python values to the dtype of the first tensor exactly).
add = _fast_function('AddV2', 'add', _hinted_operands)


subtract = _fast_function('Sub', 'subtract')


multiply = _fast_function('Mul', 'multiply')


divide = _fast_function('TrueDiv', 'divide', _divide_operands, takes_name=True)


truediv = _fast_function('TrueDiv', 'truediv', _hinted_operands)


def realdiv(x, y, name=None):
    return _binop('RealDiv', x, y)


def floordiv(x, y, name=None):
    return _binop('FloorDiv', x, y)


def floormod(x, y, name=None):
    return _binop('FloorMod', x, y)


mod = floormod


pow = _fast_function('Pow', 'pow')


maximum = _fast_function('Maximum', 'maximum')


minimum = _fast_function('Minimum', 'minimum')


def squared_difference(x, y, name=None):
    return _binop('SquaredDifference', x, y)


def divide_no_nan(x, y, name=None):
    return _binop('DivNoNan', x, y, _divide_no_nan_operands)


def equal(x, y, name=None):
    return _binop('Equal', x, y)


def not_equal(x, y, name=None):
    return _binop('NotEqual', x, y)


def less(x, y, name=None):
    return _binop('Less', x, y)


def less_equal(x, y, name=None):
    return _binop('LessEqual', x, y)


def greater(x, y, name=None):
    return _binop('Greater', x, y)


def greater_equal(x, y, name=None):
    return _binop('GreaterEqual', x, y)


def logical_and(x, y, name=None):
    return _binop('LogicalAnd', x, y)


def logical_or(x, y, name=None):
    return _binop('LogicalOr', x, y)


def logical_not(x, name=None):
    return _unop('LogicalNot', x)


def _unary(op_type, doc_name):
    return _fast_unary(op_type, doc_name)


abs = _unary('Abs', 'abs')  # noqa: A001 - tf.abs
negative = _unary('Neg', 'negative')
sign = _unary('Sign', 'sign')
square = _unary('Square', 'square')
sqrt = _unary('Sqrt', 'sqrt')
rsqrt = _unary('Rsqrt', 'rsqrt')
exp = _unary('Exp', 'exp')
expm1 = _unary('Expm1', 'expm1')
log = _unary('Log', 'log')
log1p = _unary('Log1p', 'log1p')
reciprocal = _unary('Reciprocal', 'reciprocal')
sin = _unary('Sin', 'sin')
cos = _unary('Cos', 'cos')
tan = _unary('Tan', 'tan')
tanh = _unary('Tanh', 'tanh')
sigmoid = _unary('Sigmoid', 'sigmoid')
softplus = _unary('Softplus', 'softplus')
softsign = _unary('Softsign', 'softsign')
erf = _unary('Erf', 'erf')
erfc = _unary('Erfc', 'erfc')
floor = _unary('Floor', 'floor')
ceil = _unary('Ceil', 'ceil')
round = _unary('Round', 'round')  # noqa: A001 - tf.round
is_finite = _unary('IsFinite', 'is_finite')
is_nan = _unary('IsNan', 'is_nan')
is_inf = _unary('IsInf', 'is_inf')
asin = _unary('Asin', 'asin')
acos = _unary('Acos', 'acos')
atan = _unary('Atan', 'atan')
sinh = _unary('Sinh', 'sinh')
cosh = _unary('Cosh', 'cosh')


def relu(features, name=None):
    return _unop('Relu', features)


def relu6(features, name=None):
    return _unop('Relu6', features)


def elu(features, name=None):
    return _unop('Elu', features)


def selu(features, name=None):
    return _unop('Selu', features)


# One tensor argument, no keywords: the fast layer runs them (the defs above keep TensorFlow's
# parameter names for every other call).
relu = _fast_replace(relu, 'unaryFunction', 'Relu')
relu6 = _fast_replace(relu6, 'unaryFunction', 'Relu6')
elu = _fast_replace(elu, 'unaryFunction', 'Elu')
selu = _fast_replace(selu, 'unaryFunction', 'Selu')


def leaky_relu(features, alpha=0.2, name=None):
    return _op('LeakyRelu', {'alpha': float(alpha)}, features)


def gelu(features, approximate=False, name=None):
    x = _to_tensor(features)
    if approximate:
        coeff = 0.044715
        inner = 0.7978845608028654 * (x + coeff * pow(x, 3))
        return 0.5 * x * (1.0 + tanh(inner))
    return 0.5 * x * (1.0 + erf(x / 1.4142135623730951))


def silu(features, beta=1.0):
    x = _to_tensor(features)
    return x * sigmoid(beta * x) if beta != 1.0 else x * sigmoid(x)


swish = silu


def add_n(inputs, name=None):
    inputs = [_to_tensor(x) for x in inputs]
    if len(inputs) == 1:
        return inputs[0]
    return _op('AddN', None, *inputs)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    t = _to_tensor(t)
    return minimum(maximum(t, clip_value_min), clip_value_max)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    # TensorFlow's formulation: max(x, 0) - x * z + log(1 + exp(-abs(x))).
    logits = _to_tensor(logits)
    labels = _to_tensor(labels, logits.dtype)
    zeros_ = zeros_like(logits)
    cond = greater_equal(logits, zeros_)
    relu_logits = where(cond, logits, zeros_)
    neg_abs_logits = where(cond, -logits, logits)
    return add(relu_logits - logits * labels, log1p(exp(neg_abs_logits)))


def softmax(logits, axis=None, name=None):
    return _op('Softmax', None if axis is None else {'axis': int(axis)}, logits)


def log_softmax(logits, axis=None, name=None):
    return _op('LogSoftmax', None if axis is None else {'axis': int(axis)}, logits)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    return _opN('SoftmaxCrossEntropyWithLogits', {'axis': int(axis)} if axis != -1 else None,
                _to_tensor(logits), _to_tensor(labels, _to_tensor(logits).dtype))[0]


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    return _opN('SparseSoftmaxCrossEntropyWithLogits', None, _to_tensor(logits), _to_tensor(labels))[0]


def l2_loss(t, name=None):
    return _op('L2Loss', None, t)


# ---- reductions -------------------------------------------------------------------------------

def _axis(axis):
    if axis is None:
        return None
    if isinstance(axis, (Tensor, Variable)):
        axis = axis.numpy().tolist()
    if isinstance(axis, (list, tuple)):
        return [int(a) for a in axis]
    return int(axis)


def _reduction(op_type, name_):
    def fn(input_tensor, axis=None, keepdims=False, name=None):
        return _op(op_type, {'axis': _axis(axis), 'keepdims': _builtin_bool(keepdims)}, input_tensor)
    fn.__name__ = name_
    return _fast_replace(fn, 'reduction', op_type)


reduce_sum = _reduction('Sum', 'reduce_sum')
reduce_mean = _reduction('Mean', 'reduce_mean')
reduce_prod = _reduction('Prod', 'reduce_prod')
reduce_max = _reduction('Max', 'reduce_max')
reduce_min = _reduction('Min', 'reduce_min')


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    # TensorFlow's Any op, as the max of the values as integers (booleans have no gradient anyway).
    as_int = cast(input_tensor, 'int32')
    return cast(reduce_max(as_int, axis=axis, keepdims=keepdims), 'bool')


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    as_int = cast(input_tensor, 'int32')
    return cast(reduce_min(as_int, axis=axis, keepdims=keepdims), 'bool')


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    x = _to_tensor(input_tensor)
    raw_max = reduce_max(x, axis=axis, keepdims=True)
    my_max = stop_gradient(where(is_finite(raw_max), raw_max, zeros_like(raw_max)))
    result = log(reduce_sum(exp(x - my_max), axis=axis, keepdims=True)) + my_max
    if not keepdims:
        result = reshape(result, _reduced_shape(x.shape.as_list(), _axis(axis)))
    return result


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    x = _to_tensor(input_tensor)
    mean = reduce_mean(x, axis=axis, keepdims=True)
    return reduce_mean(square(x - stop_gradient(mean) * 0 - mean), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def _reduced_shape(shape, axis):
    if axis is None:
        return []
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = [a % len(shape) for a in axes]
    return [d for i, d in enumerate(shape) if i not in axes]


def argmax(input, axis=None, output_type='int64', name=None):
    return _op('ArgMax', {'axis': 0 if axis is None else int(axis), 'output_type': _dtype_name(output_type)}, input)


def argmin(input, axis=None, output_type='int64', name=None):
    return _op('ArgMin', {'axis': 0 if axis is None else int(axis), 'output_type': _dtype_name(output_type)}, input)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    return _op('Cumsum', {'axis': int(axis), 'exclusive': _builtin_bool(exclusive), 'reverse': _builtin_bool(reverse)}, x)


def norm(tensor, ord='euclidean', axis=None, keepdims=None, name=None):
    x = _to_tensor(tensor)
    keep = _builtin_bool(keepdims)
    if ord in ('euclidean', 2, 2.0, 'fro') or ord is None:
        return sqrt(reduce_sum(x * x, axis=_axis(axis), keepdims=keep))
    if ord in (1, 1.0):
        return reduce_sum(abs(x), axis=_axis(axis), keepdims=keep)
    if ord == float('inf'):
        return reduce_max(abs(x), axis=_axis(axis), keepdims=keep)
    raise unsupported(f'tf.norm with ord={ord!r}')


def global_norm(t_list, name=None):
    squares = [reduce_sum(square(_to_tensor(t))) for t in t_list if t is not None]
    return sqrt(add_n(squares))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    # TensorFlow: t * clip_norm / maximum(l2norm, clip_norm), with l2norm from a safe sqrt.
    t = _to_tensor(t)
    l2sum = reduce_sum(t * t, axis=_axis(axes), keepdims=True)
    pred = greater(l2sum, 0.0)
    l2sum_safe = where(pred, l2sum, ones_like(l2sum))
    l2norm = where(pred, sqrt(l2sum_safe), l2sum)
    intermediate = t * clip_norm
    return identity(intermediate / maximum(l2norm, clip_norm))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    t_list = list(t_list)
    dense = [None if t is None else _to_tensor(t) for t in t_list]
    norm_ = global_norm(dense) if use_norm is None else _to_tensor(use_norm)
    clip = _to_tensor(clip_norm, norm_.dtype) if not isinstance(clip_norm, (Tensor, Variable)) else clip_norm
    scale = clip * minimum(1.0 / norm_, _to_tensor(1.0, norm_.dtype) / clip)
    clipped = [None if t is None else identity(t * scale) for t in dense]
    return clipped, norm_


# ---- shapes and layout ------------------------------------------------------------------------

def reshape(tensor, shape, name=None):
    return _op('Reshape', {'shape': _as_int_list(shape)}, tensor)


def transpose(a, perm=None, conjugate=False, name='transpose'):
    return _op('Transpose', None if perm is None else {'perm': [int(p) for p in perm]}, a)


def expand_dims(input, axis, name=None):
    return _op('ExpandDims', {'axis': int(axis)}, input)


def squeeze(input, axis=None, name=None):
    if axis is not None and not isinstance(axis, (list, tuple)):
        axis = [axis]
    return _op('Squeeze', None if axis is None else {'axis': [int(a) for a in axis]}, input)


def stack(values, axis=0, name='stack'):
    values = [_to_tensor(v) for v in values]
    return _op('Pack', {'axis': int(axis)}, *values)


def concat(values, axis, name='concat'):
    values = [_to_tensor(v) for v in values]
    if len(values) == 1:
        return identity(values[0])
    return _op('ConcatV2', {'axis': int(axis)}, *values)


def unstack(value, num=None, axis=0, name='unstack'):
    return _opN('Unpack', {'axis': int(axis)}, value)


def split(value, num_or_size_splits, axis=0, num=None, name='split'):
    if isinstance(num_or_size_splits, int):
        return _opN('Split', {'axis': int(axis), 'num_split': num_or_size_splits}, value)
    return _opN('SplitV', {'axis': int(axis), 'size_splits': [int(s) for s in num_or_size_splits]}, value)


def tile(input, multiples, name=None):
    return _op('Tile', {'multiples': _as_int_list(multiples)}, input)


def broadcast_to(input, shape, name=None):
    return _op('BroadcastTo', {'shape': _as_int_list(shape)}, input)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    attrs = {'axis': 0 if axis is None else int(axis)}
    if batch_dims:
        attrs['batch_dims'] = int(batch_dims)
    indices = indices if isinstance(indices, (Tensor, Variable)) else _const(indices, loc=_loc())
    return _op('GatherV2', attrs, params, indices)


def where(condition, x=None, y=None, name=None):
    if x is None and y is None:
        raise unsupported('tf.where with only a condition')
    cond = condition if isinstance(condition, (Tensor, Variable)) else _const(condition, dtype='bool', loc=_loc())
    if isinstance(x, (Tensor, Variable)):
        xt = _to_tensor(x)
        yt = _to_tensor(y, xt.dtype) if not isinstance(y, (Tensor, Variable)) else _to_tensor(y)
    elif isinstance(y, (Tensor, Variable)):
        yt = _to_tensor(y)
        xt = _to_tensor(x, yt.dtype)
    else:
        xt = _to_tensor(x)
        yt = _to_tensor(y, xt.dtype)
    return _op('SelectV2', None, cond, xt, yt)


def einsum(equation, *inputs, **kwargs):
    return _op('Einsum', {'equation': equation}, *[_to_tensor(x) for x in inputs])


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, a_is_sparse=False,
           b_is_sparse=False, output_type=None, grad_a=False, grad_b=False, name=None):
    return _matmul(a, b, transpose_a or adjoint_a, transpose_b or adjoint_b)


matmul = _fast_replace(matmul, 'matmul')


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    return squeeze(matmul(a, expand_dims(b, -1), transpose_a=transpose_a or adjoint_a), axis=[-1])


def tensordot(a, b, axes, name=None):
    raise unsupported('tf.tensordot')


def shape(input, out_type=None, name=None):
    t = input if isinstance(input, TensorShape) else _to_tensor(input).shape
    return _const(t.as_list(), dtype=out_type or int32, loc=_loc())


def size(input, out_type=None, name=None):
    return _const(_to_tensor(input).shape.num_elements(), dtype=out_type or int32, loc=_loc())


def rank(input, name=None):
    return _const(_to_tensor(input).ndim, dtype=int32, loc=_loc())


def diag(diagonal, name='diag'):
    return _op('MatrixDiagV3', None, diagonal)


def diag_part(input, name='diag_part', k=0, padding_value=0, align='RIGHT_LEFT'):
    return _op('MatrixDiagPartV3', None, input)


def trace(x, name=None):
    return reduce_sum(diag_part(x), axis=-1)


# ---- printing and checks ----------------------------------------------------------------------

def _tf_print_element(value, dtype):
    if dtype in ('float32', 'float16'):
        text = '%.6g' % value
        import struct
        if struct.unpack('f', struct.pack('f', float(text)))[0] != value:
            text = '%.9g' % value
        return text
    if dtype == 'float64':
        text = '%.15g' % value
        if float(text) != value:
            text = '%.17g' % value
        return text
    if dtype == 'bool':
        return '1' if value else '0'
    return str(value)


def _tf_print_text(t, summarize):
    """TensorFlow's C++ tensor summary (what tf.print shows): `[1 2 3]`, `[[1 2]\n [3 4]]`, `...`."""
    arr = t.numpy()
    import numpy
    if not isinstance(arr, numpy.ndarray):
        value = arr.item() if hasattr(arr, 'item') else arr
        if t.dtype.name == 'string':
            return value.decode() if isinstance(value, bytes) else str(value)
        return _tf_print_element(value, t.dtype.name)
    dims = list(arr.shape)
    flat = list(arr._data)
    dtype = t.dtype.name
    limit = summarize if summarize is not None and summarize >= 0 else None

    def fmt(v):
        if dtype == 'string':
            return v.decode() if isinstance(v, bytes) else str(v)
        return _tf_print_element(v, dtype)

    def render(level, offset):
        n = dims[level]
        stride = 1
        for d in dims[level + 1:]:
            stride *= d
        if limit is not None and n > 2 * limit:
            indices = list(_builtin_range(limit)) + [None] + list(_builtin_range(n - limit, n))
        else:
            indices = list(_builtin_range(n))
        if level == len(dims) - 1:
            parts = ['...' if i is None else fmt(flat[offset + i]) for i in indices]
            return '[' + ' '.join(parts) + ']'
        parts = ['...' if i is None else render(level + 1, offset + i * stride) for i in indices]
        sep = '\n' * (len(dims) - level - 1) + ' ' * (level + 1)
        return '[' + sep.join(parts) + ']'

    if 0 in dims:
        return '[]'
    return render(0, 0)


def print(*inputs, **kwargs):  # noqa: A001 - tf.print
    output_stream = kwargs.pop('output_stream', None)
    summarize = kwargs.pop('summarize', 3)
    sep = kwargs.pop('sep', ' ')
    end = kwargs.pop('end', '\n')
    kwargs.pop('name', None)
    if kwargs:
        raise ValueError(f'Unrecognized keyword arguments for tf.print: {kwargs}')
    parts = []
    for value in inputs:
        parts.append(_print_text(value, summarize))
    text = sep.join(parts) + end
    stream = sys.stderr if output_stream is None else output_stream
    if isinstance(stream, str):
        if stream.startswith('file://'):
            with open(stream[len('file://'):], 'a') as f:
                f.write(text)
            return None
        raise unsupported(f'tf.print(output_stream={stream!r})')
    stream.write(text)
    return None


def _print_text(value, summarize):
    if isinstance(value, (Tensor, Variable)):
        return _tf_print_text(_to_tensor(value) if isinstance(value, Tensor) else value._peek(), summarize)
    if isinstance(value, dict):
        return '{' + ', '.join(f'{_print_text(k, summarize)}: {_print_text(v, summarize)}'
                               for k, v in value.items()) + '}'
    if isinstance(value, list):
        return '[' + ', '.join(_print_text(v, summarize) for v in value) + ']'
    if isinstance(value, tuple):
        return '(' + ', '.join(_print_text(v, summarize) for v in value) + (',)' if len(value) == 1 else ')')
    return str(value)


def check_numerics(tensor, message, name=None):
    t = _to_tensor(tensor)
    if not t.dtype.is_floating:
        raise TypeError(f"Value for attr 'T' of {t.dtype.name} is not in the list of allowed values: bfloat16, half, "
                        f'float, double')
    arr = t.numpy()
    import numpy
    values = list(arr._data) if isinstance(arr, numpy.ndarray) else [float(arr)]
    import math as _math
    has_nan = any(_math.isnan(v) for v in values)
    has_inf = any(_math.isinf(v) for v in values)
    if has_nan or has_inf:
        what = 'NaN, Inf' if has_nan and has_inf else 'NaN' if has_nan else 'Inf'
        from tensorflow._core import InvalidArgumentError
        raise InvalidArgumentError(None, None, f'{message} : Tensor had {what} values [Op:CheckNumerics] name: ')
    return identity(t)


def assert_equal(x, y, message=None, summarize=None, name=None):
    if not _builtin_bool(reduce_all(equal(x, y))):
        from tensorflow._core import InvalidArgumentError
        raise InvalidArgumentError(None, None, message or 'Condition x == y did not hold.')


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None):
    """@tf.function: Tapescope runs the function eagerly (as with tf.config.run_functions_eagerly(True))."""
    if func is None:
        return lambda f: function(f)
    import functools

    @functools.wraps(func)
    def eager(*args, **kwargs):
        return func(*args, **kwargs)
    eager.python_function = func
    eager.get_concrete_function = lambda *a, **k: eager
    return eager


def bias_add(value, bias, data_format=None, name=None):
    if data_format not in (None, 'NHWC', 'N...C'):
        raise unsupported(f'tf.nn.bias_add(data_format={data_format!r})')
    return _op('BiasAdd', None, value, bias)


def moments(x, axes, shift=None, keepdims=False, name=None):
    # TensorFlow: mean, then the mean of squared differences from a stop_gradient'ed mean.
    x = _to_tensor(x)
    mean = reduce_mean(x, axis=_axis(axes), keepdims=True)
    variance = reduce_mean(squared_difference(x, stop_gradient(mean)), axis=_axis(axes), keepdims=True)
    if not keepdims:
        mean = squeeze(mean, axis=_axis(axes) if isinstance(_axis(axes), list) else [_axis(axes)])
        variance = squeeze(variance, axis=_axis(axes) if isinstance(_axis(axes), list) else [_axis(axes)])
    return mean, variance


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """tf.nn.dropout: keeps each element with probability 1 - rate, scaled by 1 / (1 - rate)."""
    x = _to_tensor(x)
    if not 0 <= rate < 1:
        raise ValueError(f'rate must be a scalar tensor or a float in the range [0, 1), got {rate}')
    if rate == 0:
        return x
    from tensorflow import random as _random
    keep = cast(less(_random.uniform(x.shape.as_list(), seed=seed, dtype=x.dtype), 1.0 - rate), x.dtype)
    return x * (1.0 / (1.0 - rate)) * keep


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    x = _to_tensor(input_tensor)
    return sqrt(reduce_sum(x * x, axis=_axis(axis), keepdims=keepdims))
