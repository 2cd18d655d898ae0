"""tf.nn."""
from tensorflow._ops import (  # noqa: F401
    elu, gelu, l2_loss, leaky_relu, log_softmax, relu, relu6, selu, sigmoid, sigmoid_cross_entropy_with_logits,
    silu, softmax, softmax_cross_entropy_with_logits, softplus, softsign, sparse_softmax_cross_entropy_with_logits,
    swish, tanh,
)
from tensorflow.math import l2_normalize  # noqa: F401
from tensorflow._ops import bias_add, dropout, moments  # noqa: F401
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.nn')
