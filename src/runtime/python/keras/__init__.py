"""`import keras`: the same Keras subset as `tf.keras`."""
from tensorflow.keras import *  # noqa: F401,F403
from tensorflow.keras import activations, backend, initializers, layers, losses, metrics, models, optimizers, utils  # noqa: F401
from tensorflow.keras import Input, Layer, Model, Sequential  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('keras')
