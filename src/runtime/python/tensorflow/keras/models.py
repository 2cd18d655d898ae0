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

    def fit(self, *args, **kwargs):
        raise NotImplementedError('Tapescope does not support Model.fit yet: write the training loop with '
                                  'tf.GradientTape and optimizer.apply_gradients (Tapescope then shows every tape).')

    def evaluate(self, *args, **kwargs):
        raise NotImplementedError('Tapescope does not support Model.evaluate yet.')

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


def load_model(*args, **kwargs):
    raise NotImplementedError('Tapescope does not support loading models yet.')
