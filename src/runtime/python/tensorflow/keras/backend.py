"""tf.keras.backend (the parts tutorials touch)."""
from tensorflow.keras import _naming
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.keras.backend')
_floatx = 'float32'


def floatx():
    return _floatx


def set_floatx(value):
    global _floatx
    _floatx = value


def epsilon():
    return 1e-7


def clear_session():
    _naming.reset()
