"""tf.linalg."""
from tensorflow._ops import diag, diag_part, einsum, eye, matmul, matvec, norm, trace, transpose  # noqa: F401
from tensorflow.math import l2_normalize  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.linalg')
