"""tf.keras.initializers (values from tf.random, reproducible with tf.random.set_seed)."""
import math as _math

import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.keras.initializers')


def _fans(shape):
    shape = list(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError

    def get_config(self):
        return {}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return _tf.zeros(shape, dtype=dtype or 'float32')


class Ones(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return _tf.ones(shape, dtype=dtype or 'float32')


class Constant(Initializer):
    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        return _tf.constant(self.value, dtype=dtype or 'float32', shape=shape)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, **kwargs):
        return _tf.random.normal(shape, self.mean, self.stddev, dtype=dtype or 'float32', seed=self.seed)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None, **kwargs):
        return _tf.random.uniform(shape, self.minval, self.maxval, dtype=dtype or 'float32', seed=self.seed)


class TruncatedNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, **kwargs):
        return _tf.random.truncated_normal(shape, self.mean, self.stddev, dtype=dtype or 'float32', seed=self.seed)


class VarianceScaling(Initializer):
    def __init__(self, scale=1.0, mode='fan_in', distribution='truncated_normal', seed=None):
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None, **kwargs):
        fan_in, fan_out = _fans(shape)
        n = {'fan_in': fan_in, 'fan_out': fan_out}.get(self.mode, (fan_in + fan_out) / 2.0)
        scale = self.scale / max(1.0, n)
        dtype = dtype or 'float32'
        if self.distribution == 'uniform':
            limit = _math.sqrt(3.0 * scale)
            return _tf.random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)
        if self.distribution == 'untruncated_normal':
            return _tf.random.normal(shape, 0.0, _math.sqrt(scale), dtype=dtype, seed=self.seed)
        stddev = _math.sqrt(scale) / 0.87962566103423978
        return _tf.random.truncated_normal(shape, 0.0, stddev, dtype=dtype, seed=self.seed)


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, 'fan_avg', 'uniform', seed)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, 'fan_avg', 'truncated_normal', seed)


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, 'fan_in', 'truncated_normal', seed)


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, 'fan_in', 'uniform', seed)


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, 'fan_in', 'truncated_normal', seed)


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, 'fan_in', 'uniform', seed)


zeros = Zeros
ones = Ones
constant = Constant
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal

_BY_NAME = {'zeros': Zeros, 'ones': Ones, 'glorot_uniform': GlorotUniform, 'glorot_normal': GlorotNormal,
            'he_normal': HeNormal, 'he_uniform': HeUniform, 'lecun_normal': LecunNormal,
            'lecun_uniform': LecunUniform, 'random_normal': RandomNormal, 'random_uniform': RandomUniform,
            'truncated_normal': TruncatedNormal}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else ''.join(
            ('_' + c.lower()) if c.isupper() else c for c in identifier).lstrip('_')
        if key in _BY_NAME:
            return _BY_NAME[key]()
        raise ValueError(f'Unknown initializer: {identifier}. Please ensure this object is passed to the '
                         f'`custom_objects` argument.')
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret initializer identifier: {identifier}')
