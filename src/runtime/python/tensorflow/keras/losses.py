"""tf.keras.losses (Keras 2 formulas; reduction 'sum_over_batch_size' by default)."""
import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.keras.losses')
_EPSILON = 1e-7


def _prepare(y_true, y_pred):
    y_pred = _tf.convert_to_tensor(y_pred)
    if not isinstance(y_true, _tf.Tensor) or y_true.dtype != y_pred.dtype:
        y_true = _tf.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return _tf.reduce_mean(_tf.math.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return _tf.reduce_mean(_tf.abs(y_pred - y_true), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per = _tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = _tf.clip_by_value(y_pred, _EPSILON, 1.0 - _EPSILON)
        per = -(y_true * _tf.math.log(p + _EPSILON) + (1.0 - y_true) * _tf.math.log(1.0 - p + _EPSILON))
    return _tf.reduce_mean(per, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        classes = y_pred.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    if from_logits:
        return _tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / _tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _tf.clip_by_value(p, _EPSILON, 1.0 - _EPSILON)
    return -_tf.reduce_sum(y_true * _tf.math.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    y_pred = _tf.convert_to_tensor(y_pred)
    labels = _tf.cast(y_true, 'int32') if not (isinstance(y_true, _tf.Tensor) and y_true.dtype.is_integer) else y_true
    if labels.ndim == y_pred.ndim:
        labels = _tf.squeeze(labels, axis=[-1])
    logits = y_pred
    if not from_logits:
        logits = _tf.math.log(_tf.clip_by_value(y_pred, _EPSILON, 1.0 - _EPSILON))
    return _tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class Loss:
    def __init__(self, reduction='sum_over_batch_size', name=None):
        self.reduction = 'sum_over_batch_size' if reduction in ('auto', None) else reduction
        self.name = name

    def _per_sample(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self._per_sample(y_true, y_pred)
        if sample_weight is not None:
            losses = losses * _tf.cast(sample_weight, losses.dtype)
        if self.reduction == 'none':
            return losses
        total = _tf.reduce_sum(losses)
        if self.reduction == 'sum':
            return total
        count = losses.shape.num_elements()
        return _tf.math.divide_no_nan(total, _tf.cast(count, losses.dtype))


class _EngineLoss(Loss):
    """A loss computed by the engine's Keras subset (the reductions and dtypes Keras 3 uses)."""
    _kind = None

    def __init__(self, reduction='sum_over_batch_size', name=None, **options):
        super().__init__(reduction, name)
        import json
        from tensorflow._core import _b
        spec = {'reduction': self.reduction}
        if name is not None:
            spec['name'] = name
        spec.update({k: v for k, v in options.items() if v is not None})
        self._loss = _b.kerasLoss(self._kind, json.dumps(spec))
        self.name = self._loss.name

    def __call__(self, y_true, y_pred, sample_weight=None):
        from pyodide.ffi import JsException
        from tensorflow._core import EagerTensor, _b, _convert_error, _handle, _loc
        loc = _loc()
        try:
            return EagerTensor(_b.kerasLossCall(self._loss, _handle(y_true), _handle(y_pred),
                                                None if sample_weight is None else _handle(sample_weight), loc))
        except JsException as e:
            raise _convert_error(e) from None


class MeanSquaredError(_EngineLoss):
    _kind = 'MeanSquaredError'

    def __init__(self, reduction='sum_over_batch_size', name=None):
        super().__init__(reduction, name)


class BinaryCrossentropy(_EngineLoss):
    _kind = 'BinaryCrossentropy'

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction='sum_over_batch_size', name=None):
        super().__init__(reduction, name, fromLogits=bool(from_logits), labelSmoothing=float(label_smoothing),
                         axis=int(axis))


class CategoricalCrossentropy(_EngineLoss):
    _kind = 'CategoricalCrossentropy'

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction='sum_over_batch_size', name=None):
        super().__init__(reduction, name, fromLogits=bool(from_logits), labelSmoothing=float(label_smoothing),
                         axis=int(axis))


class SparseCategoricalCrossentropy(_EngineLoss):
    _kind = 'SparseCategoricalCrossentropy'

    def __init__(self, from_logits=False, ignore_class=None, reduction='sum_over_batch_size', name=None):
        if ignore_class is not None:
            raise NotImplementedError('Tapescope does not support SparseCategoricalCrossentropy(ignore_class=...) yet.')
        super().__init__(reduction, name, fromLogits=bool(from_logits))


class MeanAbsoluteError(Loss):
    def __init__(self, reduction='sum_over_batch_size', name='mean_absolute_error'):
        super().__init__(reduction, name)

    def _per_sample(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


_BY_NAME = {'mse': MeanSquaredError, 'mean_squared_error': MeanSquaredError, 'mae': MeanAbsoluteError,
            'mean_absolute_error': MeanAbsoluteError, 'binary_crossentropy': BinaryCrossentropy,
            'categorical_crossentropy': CategoricalCrossentropy,
            'sparse_categorical_crossentropy': SparseCategoricalCrossentropy}


def get(identifier):
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        raise ValueError(f'Unknown loss function: {identifier}')
    return identifier
