"""tf.keras.Model and tf.keras.Sequential (training loops are written with tf.GradientTape)."""
import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing
from tensorflow.keras import layers as _layers
from tensorflow.keras.layers import InputLayer, KerasTensor, Layer

__getattr__ = _missing('tensorflow.keras.models')


class Model(Layer):
    def __init__(self, *args, **kwargs):
        if args or 'inputs' in kwargs or 'outputs' in kwargs:
            raise NotImplementedError('Tapescope does not support the Keras functional API (Model(inputs, '
                                      'outputs)) yet; subclass tf.keras.Model or use tf.keras.Sequential.')
        super().__init__(**kwargs)
        self.optimizer = None
        self.loss = None

    def compile(self, optimizer='rmsprop', loss=None, metrics=None, **kwargs):
        from tensorflow.keras import losses, optimizers
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss) if loss is not None else None
        self.compiled_metrics = metrics

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose='auto', callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, **kwargs):
        """Keras's fit, as a plain GradientTape loop (each step's tape is recorded like a hand-written one).

        Batches are shuffled reproducibly (not in TensorFlow's order); the progress lines keep Keras 3's
        non-interactive layout, with real timings.
        """
        import time
        if self.optimizer is None or self.loss is None:
            raise RuntimeError('You must call `compile()` before using the model.')
        if callbacks or validation_split or class_weight is not None or sample_weight is not None or \
                steps_per_epoch is not None:
            raise NotImplementedError('Tapescope does not support Model.fit callbacks, validation_split, class or '
                                      'sample weights or steps_per_epoch yet.')
        x = _tf.convert_to_tensor(x)
        y = _tf.convert_to_tensor(y)
        n = x.shape[0]
        batch_size = int(batch_size or 32)
        steps = -(-n // batch_size)
        history = History()
        import random as _random
        order_rng = _random.Random(1337)
        for epoch in range(initial_epoch, epochs):
            started = time.perf_counter()
            order = list(range(n))
            if shuffle:
                order_rng.shuffle(order)
            trackers = self._fresh_trackers()
            for step in range(steps):
                index = _tf.constant(order[step * batch_size:(step + 1) * batch_size], dtype='int32')
                bx, by = _tf.gather(x, index), _tf.gather(y, index)
                with _tf.GradientTape() as tape:
                    pred = self(bx, training=True)
                    loss = self.loss(by, pred)
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                self._update_trackers(trackers, loss, by, pred, int(bx.shape[0]))
            logs = {name: float(tracker.result()) for name, tracker in trackers}
            if validation_data is not None:
                values = self.evaluate(*validation_data[:2], batch_size=batch_size, verbose=0, return_dict=True)
                logs.update({f'val_{k}': v for k, v in values.items()})
            # Keras 3 keeps the history's keys in sorted order ('accuracy' before 'loss').
            for key in sorted(logs):
                history.history.setdefault(key, []).append(logs[key])
            history.epoch.append(epoch)
            if verbose not in (0, False):
                elapsed = time.perf_counter() - started
                print(f'Epoch {epoch + 1}/{epochs}')
                metrics = ' - '.join(f'{k}: {v:.4f}' for k, v in logs.items())
                print(f'{steps}/{steps} - {round(elapsed)}s - {round(elapsed * 1000 / steps)}ms/step - {metrics}')
        return history

    def _fresh_trackers(self):
        from tensorflow.keras import metrics as _metrics
        trackers = [('loss', _metrics.Mean(name='loss'))]
        for metric in self.compiled_metrics or []:
            name = metric if isinstance(metric, str) else getattr(metric, 'name', 'metric')
            trackers.append((name, metric if not isinstance(metric, str) else _metrics.Mean(name=name)))
        return trackers

    def _update_trackers(self, trackers, loss, y, pred, batch):
        from tensorflow.keras import metrics as _metrics
        for name, tracker in trackers:
            if name == 'loss':
                tracker._total.assign_add(_tf.cast(loss, 'float32') * float(batch))
                tracker._count.assign_add(float(batch))
            elif name in ('accuracy', 'acc'):
                tracker.update_state(_accuracy_values(y, pred))
            elif name in ('mae', 'mean_absolute_error'):
                tracker.update_state(_tf.reduce_mean(_tf.abs(_tf.cast(y, pred.dtype) - pred), axis=-1))
            elif name in ('mse', 'mean_squared_error'):
                tracker.update_state(_tf.reduce_mean(_tf.square(_tf.cast(y, pred.dtype) - pred), axis=-1))
            elif isinstance(tracker, _metrics.Metric):
                tracker.update_state(y, pred)
            else:
                raise NotImplementedError(f'Tapescope does not support the metric {name!r} in fit yet.')

    def evaluate(self, x=None, y=None, batch_size=None, verbose='auto', return_dict=False, **kwargs):
        x = _tf.convert_to_tensor(x)
        y = _tf.convert_to_tensor(y)
        n = x.shape[0]
        batch_size = int(batch_size or 32)
        trackers = self._fresh_trackers()
        for start in range(0, n, batch_size):
            bx, by = x[start:start + batch_size], y[start:start + batch_size]
            pred = self(bx, training=False)
            self._update_trackers(trackers, self.loss(by, pred), by, pred, int(bx.shape[0]))
        logs = {name: float(tracker.result()) for name, tracker in trackers}
        if verbose not in (0, False):
            steps = -(-n // batch_size)
            print(f'{steps}/{steps} - ' + ' - '.join(f'{k}: {v:.4f}' for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose='auto', steps=None, callbacks=None):
        return self(x, training=False).numpy()

    def summary(self, *args, **kwargs):
        raise NotImplementedError('Tapescope does not support Model.summary yet.')

    def save(self, *args, **kwargs):
        raise NotImplementedError('Tapescope does not support saving models yet.')

    def call(self, inputs, training=None):
        raise NotImplementedError('Model.call must be implemented by the subclass.')

    def __call__(self, inputs, *args, **kwargs):
        call_kwargs = dict(kwargs)
        import inspect
        try:
            parameters = inspect.signature(self.call).parameters
        except (TypeError, ValueError):
            parameters = {}
        if 'training' in call_kwargs and 'training' not in parameters and not any(
                p.kind == p.VAR_KEYWORD for p in parameters.values()):
            call_kwargs.pop('training')
        return super().__call__(inputs, *args, **call_kwargs)


class Sequential(Model):
    def __init__(self, layers=None, name=None, **kwargs):
        Layer.__init__(self, name=name, **kwargs)
        self.optimizer = None
        self.loss = None
        self._seq_layers = []
        self._input_shape = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        if isinstance(layer, KerasTensor):
            self._input_shape = layer.shape
            return
        if isinstance(layer, InputLayer):
            self._input_shape = _tf.TensorShape(layer._batch_input_shape)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f'The added layer must be an instance of class Layer. Received: layer={layer} of type '
                            f'{type(layer)}.')
        if not self._seq_layers and self._input_shape is None and layer._batch_input_shape is not None:
            self._input_shape = _tf.TensorShape(layer._batch_input_shape)
        self._seq_layers.append(layer)
        self.__dict__['_tracked'].append(layer)
        if self._input_shape is not None:
            self._build_known()

    def _build_known(self):
        # With a known input shape Keras builds each layer right away (outside the model's name scope).
        shape = self._input_shape
        for layer in self._seq_layers:
            if not layer.built:
                layer._maybe_build(shape)
            shape = _tf.TensorShape(self._output_shape(layer, shape))
        self.built = True

    @staticmethod
    def _output_shape(layer, shape):
        dims = list(shape)
        if isinstance(layer, _layers.Dense):
            return dims[:-1] + [layer.units]
        if isinstance(layer, _layers.Flatten):
            size = 1
            for d in dims[1:]:
                size = None if d is None or size is None else size * d
            return [dims[0], size]
        return dims

    @property
    def layers(self):
        return list(self._seq_layers)

    def pop(self):
        layer = self._seq_layers.pop()
        self.__dict__['_tracked'].remove(layer)

    def build(self, input_shape=None):
        self.built = True

    def call(self, inputs, training=None, mask=None):
        x = inputs
        import inspect
        for layer in self._seq_layers:
            try:
                takes_training = 'training' in inspect.signature(layer.call).parameters
            except (TypeError, ValueError):
                takes_training = False
            x = layer(x, training=training) if takes_training and training is not None else layer(x)
        return x


def _accuracy_values(y, pred):
    """Keras's 'accuracy': binary for one output unit, sparse or one-hot categorical otherwise."""
    if pred.shape[-1] == 1:
        return _tf.cast(_tf.equal(_tf.cast(y, pred.dtype), _tf.cast(pred > 0.5, pred.dtype)), 'float32')
    if y.ndim == pred.ndim and y.shape[-1] == pred.shape[-1]:
        return _tf.cast(_tf.equal(_tf.argmax(y, axis=-1), _tf.argmax(pred, axis=-1)), 'float32')
    labels = _tf.reshape(_tf.cast(y, 'int64'), [-1])
    return _tf.cast(_tf.equal(labels, _tf.argmax(pred, axis=-1)), 'float32')


class History:
    def __init__(self):
        self.history = {}
        self.epoch = []


def load_model(*args, **kwargs):
    raise NotImplementedError('Tapescope does not support loading models yet.')
