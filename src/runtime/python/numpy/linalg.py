"""numpy.linalg stand-in: norm only."""
import math as _math

import numpy as _np


def norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, 'fro') or axis is not None:
        raise _np._unsupported('linalg.norm with ord or axis')
    arr = _np.asarray(x)
    return _np.float64(_math.sqrt(sum(float(v) * float(v) for v in arr._data)))


def __getattr__(name):
    if name.startswith('__'):
        raise AttributeError(f"module 'numpy.linalg' has no attribute {name!r}")
    raise AttributeError(f"module 'numpy.linalg' has no attribute {name!r}: Tapescope does not support "
                         f'numpy.linalg.{name} yet')
