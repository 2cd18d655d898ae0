"""`matplotlib.pyplot` stand-in: importable; every plotting function raises NotImplementedError."""

from matplotlib import _unsupported

rcParams = {}


def __getattr__(name):
    if name.startswith('__'):
        raise AttributeError(f"module 'matplotlib.pyplot' has no attribute '{name}'")
    return _unsupported(f'matplotlib.pyplot.{name}')
