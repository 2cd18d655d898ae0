"""numpy.random stand-in: seeded and reproducible (values differ from real numpy's)."""
import math as _math
import random as _pyrandom

import numpy as _np

_rng = _pyrandom.Random(0)


def seed(seed=None):
    _rng.seed(seed)


def _shape(size):
    if size is None:
        return None
    return (size,) if isinstance(size, int) else tuple(size)


def _fill(size, draw, dtype='float64'):
    shape = _shape(size)
    if shape is None:
        return _np._scalar(dtype, draw()) if dtype != 'float64' else float(draw())
    n = 1
    for d in shape:
        n *= d
    return _np.ndarray._make(_np._round_values(dtype, [draw() for _ in range(n)]), shape, dtype)


def rand(*shape):
    return _fill(shape if shape else None, _rng.random)


def randn(*shape):
    return _fill(shape if shape else None, lambda: _rng.gauss(0.0, 1.0))


def random(size=None):
    return _fill(size, _rng.random)


random_sample = random


def normal(loc=0.0, scale=1.0, size=None):
    return _fill(size, lambda: _rng.gauss(float(loc), float(scale)))


def standard_normal(size=None):
    return _fill(size, lambda: _rng.gauss(0.0, 1.0))


def uniform(low=0.0, high=1.0, size=None):
    return _fill(size, lambda: float(low) + (float(high) - float(low)) * _rng.random())


def randint(low, high=None, size=None, dtype='int64'):
    if high is None:
        low, high = 0, low
    return _fill(size, lambda: _rng.randrange(int(low), int(high)), 'int64')


def choice(a, size=None, replace=True, p=None):
    population = list(range(a)) if isinstance(a, int) else list(_np.asarray(a)._data)
    if p is not None:
        raise _np._unsupported('random.choice with p')
    if size is None:
        return _rng.choice(population)
    shape = _shape(size)
    n = 1
    for d in shape:
        n *= d
    picked = [_rng.choice(population) for _ in range(n)] if replace else _rng.sample(population, n)
    return _np.array(picked).reshape(shape)


def permutation(x):
    items = list(range(x)) if isinstance(x, int) else list(_np.asarray(x))
    _rng.shuffle(items)
    return _np.array(items)


def shuffle(x):
    if isinstance(x, list):
        _rng.shuffle(x)
        return None
    order = list(range(len(x)))
    _rng.shuffle(order)
    rows = [x[i] for i in order]
    shuffled = _np.array(rows, dtype=x.dtype)
    x._data = shuffled._data


class Generator:
    def __init__(self, seed_value=None):
        self._rng = _pyrandom.Random(seed_value)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return _fill(size, lambda: self._rng.gauss(float(loc), float(scale)))

    def standard_normal(self, size=None, dtype='float64'):
        return _fill(size, lambda: self._rng.gauss(0.0, 1.0), _np._dtype_name(dtype))

    def random(self, size=None, dtype='float64'):
        return _fill(size, self._rng.random, _np._dtype_name(dtype))

    def uniform(self, low=0.0, high=1.0, size=None):
        return _fill(size, lambda: float(low) + (float(high) - float(low)) * self._rng.random())

    def integers(self, low, high=None, size=None):
        if high is None:
            low, high = 0, low
        return _fill(size, lambda: self._rng.randrange(int(low), int(high)), 'int64')


def default_rng(seed=None):
    return Generator(seed)


def __getattr__(name):
    if name.startswith('__'):
        raise AttributeError(f"module 'numpy.random' has no attribute {name!r}")
    raise AttributeError(f"module 'numpy.random' has no attribute {name!r}: Tapescope does not support "
                         f'numpy.random.{name} yet')


def _tapescope_begin_run():
    """Every run starts from the same state, as a fresh process of ours would."""
    _rng.seed(0)
