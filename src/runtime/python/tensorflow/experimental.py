"""tf.experimental (nothing of it is supported yet)."""
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.experimental')
