"""tf.dtypes."""
from tensorflow._core import (  # noqa: F401
    DType, as_dtype, bool, double, float16, float32, float64, half, int32, int64, string,
)
from tensorflow._ops import cast  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.dtypes')
