"""tf.debugging."""
from tensorflow._ops import assert_equal, check_numerics  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.debugging')


def set_log_device_placement(enabled):
    return None
