"""`import keras`: the same Keras subset as `tf.keras` (also `import keras.layers`, `from keras.optimizers import Adam`)."""
import sys as _sys

from tensorflow.keras import *  # noqa: F401,F403
from tensorflow.keras import (  # noqa: F401
    activations, backend, initializers, layers, losses, metrics, models, optimizers, utils,
)
from tensorflow.keras import Input, Layer, Model, Sequential  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

for _name in ('activations', 'backend', 'initializers', 'layers', 'losses', 'metrics', 'models', 'optimizers',
              'utils'):
    _sys.modules[f'keras.{_name}'] = _sys.modules[f'tensorflow.keras.{_name}']
del _name

__getattr__ = _missing('keras')
