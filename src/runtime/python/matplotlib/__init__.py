"""A stand-in for matplotlib: Tapescope draws tapes, not plots.

`import matplotlib` and `import matplotlib.pyplot as plt` work so that notebooks written for
TensorFlow import cleanly; any plotting call raises NotImplementedError naming the call, never a
silent no-op.
"""

__version__ = '0.0-tapescope'
rcParams = {}


def use(backend, force=True):
    """Selecting a backend is accepted (there is nothing to select)."""


def get_backend():
    return 'agg'


def _unsupported(qualified_name):
    def unsupported(*args, **kwargs):
        raise NotImplementedError(
            f'{qualified_name}() is not supported by Tapescope yet: Tapescope runs TensorFlow code '
            f'to draw its tapes and has no plotting. Remove the call or guard it.')
    unsupported.__name__ = qualified_name.rsplit('.', 1)[-1]
    unsupported.__qualname__ = qualified_name
    return unsupported


def __getattr__(name):
    if name.startswith('__'):
        raise AttributeError(f"module 'matplotlib' has no attribute '{name}'")
    return _unsupported(f'matplotlib.{name}')
