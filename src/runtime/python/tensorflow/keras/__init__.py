"""tf.keras (a Keras 2 subset: Keras 2 names like `dense/kernel:0`, as tf.keras before TF 2.16)."""
from tensorflow.keras import activations, initializers, layers, losses, metrics, optimizers, models, backend, utils  # noqa: F401
from tensorflow.keras.layers import Input, Layer  # noqa: F401
from tensorflow.keras.models import Model, Sequential  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__version__ = '2.15.0'
__getattr__ = _missing('tensorflow.keras')
