"""Tapescope's `tensorflow`: TensorFlow's eager API on Tapescope's TypeScript autodiff engine.

Every op runs in the engine (one call each) and is recorded, with the user's source line, in the
trace the Tapescope views draw. What is not implemented raises an error that says so.
"""

__version__ = '2.21.0'
VERSION = __version__
__tapescope__ = True

from tensorflow._core import (  # noqa: F401
    DType, EagerTensor, IndexedSlices, Tensor, TensorShape, TensorSpec, Variable, as_dtype, bool, double, float16,
    float32,
    float64, half, int32, int64, newaxis, string,
)
from tensorflow._tape import GradientTape, UnconnectedGradients, custom_gradient, recompute_grad  # noqa: F401
from tensorflow._ops import (  # noqa: F401
    abs, add, add_n, argmax, argmin, broadcast_to, cast, clip_by_global_norm, clip_by_norm, clip_by_value, concat,
    constant, convert_to_tensor, cos, cumsum, einsum, equal, exp, expand_dims, eye, fill, floor, function, gather,
    greater, greater_equal, identity, is_tensor, less, less_equal, linspace, log, logical_and, logical_not,
    logical_or, matmul, maximum, minimum, multiply, negative, norm, not_equal, one_hot, ones, ones_like, pow, print,
    range, rank, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
    reduce_sum, reshape, round, shape, sigmoid, sign, sin, size, split, sqrt, square, squeeze, stack, stop_gradient,
    subtract, tan, tanh, tensordot, tile, transpose, truediv, unstack, where, zeros, zeros_like, divide, floordiv,
    realdiv, squared_difference, ceil, rsqrt, exp as _exp_alias,
)
from tensorflow import nest  # noqa: F401,E402
from tensorflow import math, nn, linalg, random, errors, config, debugging, dtypes, experimental  # noqa: E402,F401
from tensorflow import keras  # noqa: E402,F401
from tensorflow import data, image  # noqa: E402,F401
from tensorflow._module import Module, name_scope  # noqa: E402,F401
from tensorflow._unsupported import missing_attribute as _missing  # noqa: E402

del _exp_alias


def get_logger():
    """TensorFlow's Python logger: setLevel('ERROR') silences the WARNING:tensorflow lines."""
    import logging
    return logging.getLogger('tensorflow')


class autograph:  # noqa: N801 - tf.autograph namespace
    @staticmethod
    def set_verbosity(level, alsologtostdout=False):
        return None

    @staticmethod
    def experimental_do_not_convert(func=None):
        return func if func is not None else (lambda f: f)


class compat:  # noqa: N801 - tf.compat (only what TF2 scripts use to quiet logging)
    class v1:  # noqa: N801
        class logging:  # noqa: N801
            DEBUG, INFO, WARN, ERROR, FATAL = 10, 20, 30, 40, 50

            @staticmethod
            def set_verbosity(level):
                get_logger().setLevel(level)

        @staticmethod
        def enable_eager_execution(*args, **kwargs):
            return None

        def __getattr__(self, name):
            raise AttributeError(f'Tapescope does not support tf.compat.v1.{name} yet')


def executing_eagerly():
    return True


def get_static_value(tensor, partial=False):
    return tensor.numpy() if isinstance(tensor, (Tensor, Variable)) else tensor


def ensure_shape(x, shape, name=None):
    x = convert_to_tensor(x)
    if not x.shape.is_compatible_with(TensorShape(shape)):
        from tensorflow._core import InvalidArgumentError
        raise InvalidArgumentError(None, None, f'Shape of tensor {x.shape} is not compatible with expected shape '
                                   f'{TensorShape(shape)}.')
    return x


def no_gradient(op_type):
    return None


NotDifferentiable = no_gradient
__getattr__ = _missing('tensorflow')
