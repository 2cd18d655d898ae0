"""tf.random: reproducible with tf.random.set_seed (values need not equal TensorFlow's)."""
from pyodide.ffi import JsException, to_js

from tensorflow._core import EagerTensor, Tensor, Variable, _as_int_list, _b, _convert_error, _dtype_name, _loc
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.random')


def _operand(x):
    if isinstance(x, Tensor):
        return x._t
    if isinstance(x, Variable):
        return x._v
    return float(x)


def _random(kind, shape, a, b, dtype, seed):
    try:
        return EagerTensor(_b.random(kind, to_js(_as_int_list(shape)), _operand(a), None if b is None else _operand(b),
                                     _dtype_name(dtype) or 'float32', None if seed is None else int(seed), _loc()))
    except JsException as e:
        raise _convert_error(e) from None


def normal(shape, mean=0.0, stddev=1.0, dtype='float32', seed=None, name=None):
    return _random('normal', shape, mean, stddev, dtype, seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype='float32', seed=None, name=None):
    return _random('truncated_normal', shape, mean, stddev, dtype, seed)


def uniform(shape, minval=0, maxval=None, dtype='float32', seed=None, name=None):
    name_ = _dtype_name(dtype) or 'float32'
    if name_.startswith('int'):
        return _random('uniform', shape, int(minval), None if maxval is None else int(maxval), dtype, seed)
    return _random('uniform', shape, minval, maxval, dtype, seed)


def set_seed(seed):
    _b.setSeed(None if seed is None else int(seed))


def shuffle(value, seed=None, name=None):
    raise NotImplementedError('Tapescope does not support tf.random.shuffle yet.')
