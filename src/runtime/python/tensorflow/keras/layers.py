"""tf.keras.layers: Layer, Dense, Flatten, Activation, Dropout, InputLayer (Keras 2 names)."""
import tensorflow as _tf
from tensorflow._core import Tensor, Variable, _op
from tensorflow._module import Module
from tensorflow._unsupported import missing_attribute as _missing
from tensorflow.keras import _naming, activations, initializers

__getattr__ = _missing('tensorflow.keras.layers')

# Names of the layers being built/called, outermost first: Keras 2's name scopes for variables.
_scope_stack = []


class InputSpec:
    def __init__(self, shape=None, dtype='float32'):
        self.shape = shape
        self.dtype = dtype


class KerasTensor:
    """What keras.Input returns: a symbolic input (only its shape is used, by Sequential)."""

    def __init__(self, shape, dtype='float32', name=None):
        self.shape = _tf.TensorShape(shape)
        self.dtype = _tf.as_dtype(dtype or 'float32')
        self.name = name

    def __repr__(self):
        return f"<KerasTensor shape={tuple(self.shape)}, dtype={self.dtype.name}, name={self.name}>"


def Input(shape=None, batch_size=None, name=None, dtype=None, **kwargs):
    shape = tuple(shape) if shape is not None else ()
    return KerasTensor((batch_size,) + shape, dtype=dtype, name=name or _naming.unique_name('input'))


class Layer(Module):
    """Base Keras layer: builds on the first call, tracks weights and sub-layers in creation order."""

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, input_shape=None, input_dim=None,
                 batch_input_shape=None, **kwargs):
        object.__setattr__(self, '_tracked', [])
        self._name = name or _naming.unique_name(_naming.snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._own_weights = []
        self.built = False
        self._dtype_name = 'float32' if dtype is None else _tf.as_dtype(dtype).name
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (None,) + tuple(input_shape)
        else:
            self._batch_input_shape = None

    def __setattr__(self, name, value):
        tracked = self.__dict__.get('_tracked')
        if tracked is not None and not name.startswith('_tracked'):
            for item in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(item, (Layer, Variable)) and not any(item is t for t in tracked):
                    tracked.append(item)
        object.__setattr__(self, name, value)

    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype_name

    @property
    def compute_dtype(self):
        return self._dtype_name

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    def _all_weights(self):
        out = []
        seen = set()

        def add(v):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for v in self._own_weights:
            add(v)
        for item in self._tracked:
            if isinstance(item, Variable):
                add(item)
        for item in self._tracked:
            if isinstance(item, Layer):
                for v in item._all_weights():
                    add(v)
        return out

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return [v for v in self._all_weights() if v.trainable and self._sublayer_trainable(v)]

    def _sublayer_trainable(self, v):
        for item in self._tracked:
            if isinstance(item, Layer) and not item.trainable and any(v is w for w in item._all_weights()):
                return False
        return True

    @property
    def non_trainable_weights(self):
        trainable = self.trainable_weights
        return [v for v in self._all_weights() if not any(v is t for t in trainable)]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def layers(self):
        return [item for item in self._tracked if isinstance(item, Layer)]

    @property
    def submodules(self):
        return tuple(self.layers)

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                   constraint=None, **kwargs):
        # Keras 3 takes the shape first: add_weight((3, 4), ...) as well as Keras 2's add_weight('w', shape=...).
        if isinstance(name, (tuple, list)) and shape is None:
            name, shape = kwargs.pop('name', None), name
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = _tf.as_dtype(dtype or self._dtype_name)
        if initializer is None:
            initializer = 'glorot_uniform' if dtype.is_floating else 'zeros'
        init = initializers.get(initializer)
        value = init(shape, dtype=dtype)
        # Created inside the layer's name scope (see _maybe_build/__call__): `dense/kernel:0`, and
        # `sequential/dense/kernel:0` for a layer first built while its model is being called.
        if _scope_stack[-1:] != [self._name]:
            with _tf.name_scope(self._name):
                variable = _tf.Variable(value, name=name or 'Variable',
                                        trainable=True if trainable is None else bool(trainable), dtype=dtype)
        else:
            variable = _tf.Variable(value, name=name or 'Variable',
                                    trainable=True if trainable is None else bool(trainable), dtype=dtype)
        self._own_weights.append(variable)
        return variable

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _convert_input(self, x):
        if isinstance(x, Variable):
            x = x.value()
        if not isinstance(x, Tensor):
            x = _tf.convert_to_tensor(x)
        # Keras autocasts floating inputs to the layer's compute dtype.
        if x.dtype.is_floating and x.dtype.name != self._dtype_name:
            x = _tf.cast(x, self._dtype_name)
        return x

    def _maybe_build(self, input_shape):
        if not self.built:
            _scope_stack.append(self._name)
            try:
                with _tf.name_scope(self._name):
                    self.build(input_shape)
            finally:
                _scope_stack.pop()
            self.built = True

    def __call__(self, inputs, *args, **kwargs):
        inputs = _tf.nest.map_structure(self._convert_input, inputs)
        shapes = _tf.nest.map_structure(lambda t: t.shape, inputs)
        self._maybe_build(shapes if isinstance(inputs, (list, tuple, dict)) else inputs.shape)
        _scope_stack.append(self._name)
        with _tf.name_scope(self._name):
            try:
                return self.call(inputs, *args, **kwargs)
            finally:
                _scope_stack.pop()

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        for v, w in zip(self.weights, weights):
            v.assign(w)

    def count_params(self):
        return sum(v.shape.num_elements() for v in self.weights)

    def get_config(self):
        return {'name': self._name, 'trainable': self._trainable}

    def __repr__(self):
        return f'<{type(self).__module__}.{type(self).__name__} object at 0x{id(self):x}>'


class InputLayer(Layer):
    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, input_shape=input_shape)


class Dense(Layer):
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if kernel_regularizer is not None or bias_regularizer is not None or activity_regularizer is not None:
            raise NotImplementedError('Tapescope does not support Dense regularizers yet.')
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        last_dim = _tf.TensorShape(input_shape)[-1]
        if last_dim is None:
            raise ValueError('The last dimension of the inputs to a Dense layer should be defined. Found None. '
                             f'Full input shape received: {_tf.TensorShape(input_shape)}')
        self.kernel = self.add_weight('kernel', shape=[last_dim, self.units], initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight('bias', shape=[self.units], initializer=self.bias_initializer)
        self.built = True

    def _check_input(self, inputs):
        # Keras's input_spec check (min_ndim=2, axis -1 fixed once built), with its messages.
        prefix = f"Input 0 with name 'None' of layer '{self._name}' is incompatible with the layer:"
        shape = tuple(inputs.shape.as_list())
        if len(shape) < 2:
            raise ValueError(f'{prefix} expected min_ndim=2, found ndim={len(shape)}. Full shape received: {shape}')
        if self.kernel is not None and shape[-1] != self.kernel.shape[0]:
            raise ValueError(f'{prefix} expected axis -1 of input shape to have value {self.kernel.shape[0]}, but '
                             f'received input with shape {shape}')

    def __call__(self, inputs, *args, **kwargs):
        inputs = self._convert_input(inputs)
        self._check_input(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs):
        rank = inputs.ndim
        if rank == 2:
            outputs = _tf.matmul(inputs, self.kernel)
        elif rank > 2:
            shape = inputs.shape.as_list()
            flat = _tf.reshape(inputs, [-1, shape[-1]])
            outputs = _tf.reshape(_tf.matmul(flat, self.kernel), shape[:-1] + [self.units])
        else:
            outputs = _tf.squeeze(_tf.matmul(_tf.reshape(inputs, [1, -1]), self.kernel), axis=[0])
        if self.use_bias:
            outputs = _op('BiasAdd', None, outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs


class Flatten(Layer):
    def call(self, inputs):
        shape = inputs.shape.as_list()
        size = 1
        for d in shape[1:]:
            size *= d
        return _tf.reshape(inputs, [shape[0], size])


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)


class ReLU(Layer):
    def call(self, inputs):
        return _tf.nn.relu(inputs)


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return _tf.nn.softmax(inputs, axis=self.axis)


class Dropout(Layer):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        keep = 1.0 - self.rate
        mask = _tf.cast(_tf.random.uniform(inputs.shape, seed=self.seed) < keep, inputs.dtype)
        return inputs * mask / keep


class Lambda(Layer):
    def __init__(self, function, **kwargs):
        super().__init__(**kwargs)
        self.function = function

    def call(self, inputs):
        return self.function(inputs)


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        return _tf.reshape(inputs, (inputs.shape[0],) + self.target_shape)


def _tapescope_begin_run():
    _scope_stack.clear()


for _cls, _path in ((Layer, 'keras.src.layers.layer'), (Dense, 'keras.src.layers.core.dense'),
                    (InputLayer, 'keras.src.layers.core.input_layer'), (Flatten, 'keras.src.layers.reshaping.flatten'),
                    (Activation, 'keras.src.layers.activations.activation'), (Dropout, 'keras.src.layers.regularization.dropout')):
    _cls.__module__ = _path
del _cls, _path
