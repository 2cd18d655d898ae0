"""tf.math."""
from tensorflow._ops import (  # noqa: F401
    abs, add, add_n, argmax, argmin, ceil, cos, cumsum, divide, divide_no_nan, equal, erf, erfc, exp, expm1, floor,
    floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan, less, less_equal, log, log1p, logical_and,
    logical_not, logical_or, maximum, minimum, mod, multiply, negative, not_equal, pow, realdiv, reciprocal,
    reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_std,
    reduce_sum, reduce_variance, round, rsqrt, sigmoid, sign, sin, softplus, sqrt, square, squared_difference,
    subtract, tan, tanh, truediv, asin, acos, atan, sinh, cosh, softsign,
)
from tensorflow._ops import norm as _norm
from tensorflow._ops import reduce_euclidean_norm  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.math')


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    from tensorflow._ops import _to_tensor
    x = _to_tensor(x)
    square_sum = reduce_sum(square(x), axis=axis, keepdims=True)
    return x * rsqrt(maximum(square_sum, epsilon))
