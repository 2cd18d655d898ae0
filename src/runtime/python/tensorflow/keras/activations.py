"""tf.keras.activations."""
import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.keras.activations')


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    if alpha != 0.0:
        return _tf.nn.leaky_relu(x, alpha)
    y = _tf.nn.relu(x)
    return y if max_value is None else _tf.minimum(y, max_value)


def sigmoid(x):
    return _tf.sigmoid(x)


def tanh(x):
    return _tf.tanh(x)


def softmax(x, axis=-1):
    return _tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return _tf.nn.log_softmax(x, axis=axis)


def linear(x):
    return x


def elu(x, alpha=1.0):
    return _tf.nn.elu(x)


def selu(x):
    return _tf.nn.selu(x)


def softplus(x):
    return _tf.nn.softplus(x)


def softsign(x):
    return _tf.nn.softsign(x)


def gelu(x, approximate=False):
    return _tf.nn.gelu(x, approximate=approximate)


def swish(x):
    return _tf.nn.silu(x)


silu = swish


def exponential(x):
    return _tf.exp(x)


_BY_NAME = {'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax, 'linear': linear, 'elu': elu,
            'selu': selu, 'softplus': softplus, 'softsign': softsign, 'gelu': gelu, 'swish': swish, 'silu': silu,
            'exponential': exponential, 'log_softmax': log_softmax}


def _engine_activation(name):
    """Keras's own activation from the engine: sigmoid/softmax outputs keep their logits for the losses."""
    from pyodide.ffi import JsException
    from tensorflow._core import EagerTensor, _b, _convert_error, _handle, _loc

    def activation(x):
        try:
            return EagerTensor(_b.kerasActivation(name, _handle(x), _loc()))
        except JsException as e:
            raise _convert_error(e) from None
    activation.__name__ = name
    return activation


def get(identifier):
    if identifier is None:
        return linear
    if isinstance(identifier, str) and identifier != 'linear':
        from tensorflow._core import _b
        if _b.kerasHasActivation(identifier):
            return _engine_activation(identifier)
    if callable(identifier):
        if identifier in (sigmoid, softmax) and _tf._core._b.kerasHasActivation(identifier.__name__):
            return _engine_activation(identifier.__name__)
        return identifier
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]
        raise ValueError(f'Unknown activation function: {identifier}. Please ensure this object is passed to the '
                         f'`custom_objects` argument.')
    raise TypeError(f'Could not interpret activation function identifier: {identifier}')


def serialize(activation):
    for name, fn in _BY_NAME.items():
        if fn is activation:
            return name
    return getattr(activation, '__name__', str(activation))
