"""tf.keras.metrics: Mean, Sum and the accuracy metrics (state kept in float32 variables, as Keras)."""
import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing
from tensorflow.keras import _naming

__getattr__ = _missing('tensorflow.keras.metrics')


class Metric:
    def __init__(self, name=None, dtype='float32'):
        self.name = name or _naming.unique_name(_naming.snake_case(type(self).__name__))
        self.dtype = dtype
        self._total = _tf.Variable(0.0, name=f'{self.name}/total', trainable=False)
        self._count = _tf.Variable(0.0, name=f'{self.name}/count', trainable=False)

    def _values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, *args, sample_weight=None):
        values = _tf.cast(self._values(*args), 'float32')
        if sample_weight is not None:
            raise NotImplementedError('Tapescope does not support sample_weight in metrics yet.')
        self._total.assign_add(_tf.reduce_sum(values))
        self._count.assign_add(_tf.cast(_tf.size(values), 'float32'))

    def result(self):
        return _tf.math.divide_no_nan(self._total.value(), self._count.value())

    def reset_state(self):
        self._total.assign(0.0)
        self._count.assign(0.0)

    reset_states = reset_state

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    @property
    def variables(self):
        return [self._total, self._count]


class Mean(Metric):
    def _values(self, values):
        return _tf.convert_to_tensor(values)


class Sum(Mean):
    def result(self):
        return self._total.value()


class Accuracy(Metric):
    def _values(self, y_true, y_pred):
        y_pred = _tf.convert_to_tensor(y_pred)
        return _tf.cast(_tf.equal(_tf.cast(y_true, y_pred.dtype), y_pred), 'float32')


class BinaryAccuracy(Metric):
    def __init__(self, name='binary_accuracy', dtype='float32', threshold=0.5):
        super().__init__(name, dtype)
        self.threshold = threshold

    def _values(self, y_true, y_pred):
        y_pred = _tf.convert_to_tensor(y_pred)
        predicted = _tf.cast(y_pred > self.threshold, y_pred.dtype)
        return _tf.reduce_mean(_tf.cast(_tf.equal(_tf.cast(y_true, y_pred.dtype), predicted), 'float32'), axis=-1)


class CategoricalAccuracy(Metric):
    def _values(self, y_true, y_pred):
        return _tf.cast(_tf.equal(_tf.argmax(y_true, axis=-1), _tf.argmax(y_pred, axis=-1)), 'float32')


class SparseCategoricalAccuracy(Metric):
    def _values(self, y_true, y_pred):
        y_true = _tf.convert_to_tensor(y_true)
        if y_true.ndim == _tf.convert_to_tensor(y_pred).ndim:
            y_true = _tf.squeeze(y_true, axis=[-1])
        predicted = _tf.argmax(y_pred, axis=-1)
        return _tf.cast(_tf.equal(_tf.cast(y_true, 'int64'), predicted), 'float32')
