"""tf.keras.utils."""
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.keras.utils')


def set_random_seed(seed):
    import random
    import numpy
    import tensorflow
    random.seed(seed)
    numpy.random.seed(seed)
    tensorflow.random.set_seed(seed)
