"""tf.keras.optimizers: SGD (momentum, nesterov), Adam, RMSprop, Adagrad — Keras 2.11+ update rules.

Updates are variable assigns (not recorded on any tape), as TensorFlow's resource apply ops.
"""
import sys as _sys

import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.keras.optimizers')


class Optimizer:
    def __init__(self, learning_rate=0.001, name='Optimizer', clipnorm=None, clipvalue=None, global_clipnorm=None,
                 **kwargs):
        self.name = name
        self._learning_rate = learning_rate
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = _tf.Variable(0, name='iteration', trainable=False, dtype='int64')
        self._slots = {}

    @property
    def learning_rate(self):
        lr = self._learning_rate
        if callable(lr):
            return lr(self.iterations)
        return lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = value

    lr = learning_rate

    def _lr(self, dtype):
        lr = self.learning_rate
        if isinstance(lr, _tf.Variable):
            lr = lr.value()
        return _tf.cast(lr, dtype) if isinstance(lr, _tf.Tensor) else _tf.constant(float(lr), dtype=dtype)

    def _slot(self, var, name):
        key = (id(var), name)
        slot = self._slots.get(key)
        if slot is None:
            base = var.name[:-2] if var.name.endswith(':0') else var.name
            slot = _tf.Variable(_tf.zeros(var.shape, dtype=var.dtype), name=f'{self.name}/{base}/{name}',
                                trainable=False)
            self._slots[key] = slot
        return slot

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs):
        pairs = list(grads_and_vars)
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            raise ValueError(f'No gradients provided for any variable: {[v.name for _, v in pairs]}.')
        missing = [v.name for g, v in pairs if g is None]
        if missing:
            print(f'WARNING:tensorflow:Gradients do not exist for variables {missing} when minimizing the loss. If '
                  f"you're using `model.compile()`, did you forget to provide a `loss` argument?", file=_sys.stderr)
        grads = [_tf.convert_to_tensor(g) for g, _ in kept]
        if self.global_clipnorm is not None:
            grads, _ = _tf.clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipnorm is not None:
            grads = [_tf.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.clipvalue is not None:
            grads = [_tf.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        for g, (_, v) in zip(grads, kept):
            self._update(v, g)
        self.iterations.assign_add(1)
        return self.iterations

    def minimize(self, loss, var_list, tape=None):
        if tape is None:
            if not callable(loss):
                raise ValueError('`tape` is required when a `Tensor` loss is passed.')
            with _tf.GradientTape() as tape:
                value = loss()
            loss = value
        if callable(var_list):
            var_list = var_list()
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def _update(self, var, grad):
        raise NotImplementedError

    def get_config(self):
        return {'name': self.name, 'learning_rate': self._learning_rate}

    def variables(self):
        return [self.iterations] + list(self._slots.values())


class _EngineOptimizer(Optimizer):
    """SGD / Adam computed by the engine's Keras subset (Keras 3's update ops, slots and names)."""
    _kind = None

    def __init__(self, options, name):
        import json
        from tensorflow._core import _b, _loc
        spec = {k: v for k, v in options.items() if v is not None}
        if name is not None:
            spec['name'] = name
        self._opt = _b.kerasOptimizer(self._kind, json.dumps(spec), _loc())

    @property
    def name(self):
        return self._opt.name

    @property
    def iterations(self):
        from tensorflow._core import _variable_wrapper
        return _variable_wrapper(self._opt.iterations)

    @property
    def learning_rate(self):
        # A variable, as in Keras (optimizer.learning_rate.assign(...), float(...), .numpy() work).
        from tensorflow._core import _b, _variable_wrapper
        return _variable_wrapper(_b.kerasOptimizerVariables(self._opt).to_py(depth=1)[1])

    @learning_rate.setter
    def learning_rate(self, value):
        from tensorflow._core import _b
        _b.kerasSetLearningRate(self._opt, float(value))

    lr = learning_rate

    @property
    def variables(self):
        from tensorflow._core import _b, _variable_wrapper
        return [_variable_wrapper(v) for v in _b.kerasOptimizerVariables(self._opt).to_py(depth=1)]

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False, **kwargs):
        from pyodide.ffi import JsException, to_js
        from tensorflow._core import _b, _convert_error, _loc, _variable_wrapper
        pairs = list(grads_and_vars)
        loc = _loc()
        grads = [None if g is None else _tf.convert_to_tensor(g)._t for g, _ in pairs]
        variables = [v._v for _, v in pairs]
        try:
            return _variable_wrapper(_b.kerasApplyGradients(self._opt, to_js(grads), to_js(variables), loc))
        except JsException as e:
            raise _convert_error(e) from None

    def apply(self, grads, trainable_variables=None):
        return self.apply_gradients(zip(grads, trainable_variables))

    def minimize(self, loss, var_list, tape=None):
        return Optimizer.minimize(self, loss, var_list, tape)


def _engine_backed(learning_rate, kwargs):
    return isinstance(learning_rate, (int, float)) and not any(
        kwargs.get(k) is not None for k in ('clipnorm', 'clipvalue', 'global_clipnorm'))


class SGD(Optimizer):
    def __new__(cls, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        if cls is SGD and _engine_backed(learning_rate, kwargs):
            return _EngineSGD(learning_rate, momentum, nesterov, name)
        return object.__new__(cls)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name='SGD', **kwargs):
        name = name or 'SGD'
        super().__init__(learning_rate, name, **kwargs)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _update(self, var, grad):
        lr = self._lr(var.dtype)
        if self.momentum == 0.0:
            var.assign_sub(grad * lr)
            return
        m = self._slot(var, 'momentum')
        momentum = _tf.constant(self.momentum, dtype=var.dtype)
        m.assign(-grad * lr + m.value() * momentum)
        if self.nesterov:
            var.assign_add(-grad * lr + m.value() * momentum)
        else:
            var.assign_add(m.value())


class _EngineSGD(_EngineOptimizer):
    _kind = 'SGD'

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None):
        super().__init__({'learningRate': float(learning_rate), 'momentum': float(momentum),
                          'nesterov': bool(nesterov)}, name)


class Adam(Optimizer):
    def __new__(cls, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name=None,
                **kwargs):
        if cls is Adam and _engine_backed(learning_rate, kwargs):
            return _EngineAdam(learning_rate, beta_1, beta_2, epsilon, amsgrad, name)
        return object.__new__(cls)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name='Adam',
                 **kwargs):
        name = name or 'Adam'
        super().__init__(learning_rate, name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _update(self, var, grad):
        dtype = var.dtype
        lr = self._lr(dtype)
        step = _tf.cast(self.iterations.value() + 1, dtype)
        beta_1 = _tf.constant(self.beta_1, dtype=dtype)
        beta_2 = _tf.constant(self.beta_2, dtype=dtype)
        beta_1_power = _tf.pow(beta_1, step)
        beta_2_power = _tf.pow(beta_2, step)
        m = self._slot(var, 'm')
        v = self._slot(var, 'v')
        alpha = lr * _tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((grad - m.value()) * (1 - beta_1))
        v.assign_add((_tf.square(grad) - v.value()) * (1 - beta_2))
        v_hat = v.value()
        if self.amsgrad:
            v_max = self._slot(var, 'vhat')
            v_max.assign(_tf.maximum(v_max.value(), v.value()))
            v_hat = v_max.value()
        var.assign_sub((m.value() * alpha) / (_tf.sqrt(v_hat) + self.epsilon))


class _EngineAdam(_EngineOptimizer):
    _kind = 'Adam'

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, name=None):
        super().__init__({'learningRate': float(learning_rate), 'beta1': float(beta_1), 'beta2': float(beta_2),
                          'epsilon': float(epsilon), 'amsgrad': bool(amsgrad)}, name)


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, name='RMSprop',
                 **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _update(self, var, grad):
        lr = self._lr(var.dtype)
        velocity = self._slot(var, 'velocity')
        rho = self.rho
        velocity.assign(rho * velocity.value() + (1 - rho) * _tf.square(grad))
        denominator = velocity.value()
        if self.centered:
            average = self._slot(var, 'average_gradient')
            average.assign(rho * average.value() + (1 - rho) * grad)
            denominator = velocity.value() - _tf.square(average.value())
        increment = lr * grad * _tf.math.rsqrt(denominator + self.epsilon)
        if self.momentum > 0:
            m = self._slot(var, 'momentum')
            m.assign(self.momentum * m.value() + increment)
            var.assign_sub(m.value())
        else:
            var.assign_sub(increment)


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name='Adagrad', **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _update(self, var, grad):
        lr = self._lr(var.dtype)
        key = (id(var), 'accumulator')
        if key not in self._slots:
            base = var.name[:-2] if var.name.endswith(':0') else var.name
            self._slots[key] = _tf.Variable(_tf.fill(var.shape.as_list(), _tf.constant(
                self.initial_accumulator_value, dtype=var.dtype)), name=f'{self.name}/{base}/accumulator',
                trainable=False)
        acc = self._slots[key]
        acc.assign_add(_tf.square(grad))
        var.assign_sub(lr * grad / _tf.sqrt(acc.value() + self.epsilon))


_BY_NAME = {'sgd': SGD, 'adam': Adam, 'rmsprop': RMSprop, 'adagrad': Adagrad}


def get(identifier):
    if isinstance(identifier, str):
        if identifier.lower() in _BY_NAME:
            return _BY_NAME[identifier.lower()]()
        raise ValueError(f'Could not interpret optimizer identifier: {identifier}')
    return identifier


class schedules:  # noqa: N801 - tf.keras.optimizers.schedules namespace
    class ExponentialDecay:
        def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
            self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
            self.decay_rate, self.staircase = decay_rate, staircase

        def __call__(self, step):
            p = _tf.cast(step, 'float32') / self.decay_steps
            if self.staircase:
                p = _tf.floor(p)
            return self.initial_learning_rate * _tf.pow(_tf.constant(self.decay_rate, dtype='float32'), p)


class legacy:  # noqa: N801 - tf.keras.optimizers.legacy namespace
    SGD = SGD
    Adam = Adam
    RMSprop = RMSprop
    Adagrad = Adagrad
