"""tf.GradientTape, tf.UnconnectedGradients and tf.custom_gradient on top of the engine's tape.

The engine does the work (watching, recording, the backward pass, the reasons for None); this
module does what TensorFlow's Python layer does: tf.nest flattening and packing, argument checks
with TensorFlow's messages, and the source labels used in the None reasons (`x2`, `grad['w']`).
"""

import enum
import functools
import sys
import types

from pyodide.ffi import JsException, JsProxy, create_proxy, to_js

from _tapescope import locations as _locations
from tensorflow import nest
from tensorflow._core import (
    EagerTensor, Tensor, Variable, IndexedSlices, _b, _convert_error, _loc, _to_tensor, _variable_wrapper,
    _wrap_gradient,
)

_NON_PERSISTENT_TWICE = 'A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)'


class UnconnectedGradients(enum.Enum):
    NONE = 'none'
    ZERO = 'zero'


def _unconnected_mode(value):
    try:
        return UnconnectedGradients(value).value
    except ValueError:
        raise ValueError(f'Unknown value for unconnected_gradients: {value!r}') from None


def _differentiable_handle(x):
    if isinstance(x, Tensor):
        return x._t
    if isinstance(x, Variable):
        return x._v
    if isinstance(x, IndexedSlices):
        return x._dense._t
    return _to_tensor(x)._t


# ---- source labels (for the None reasons) ------------------------------------------------------

_LABEL_CONTAINER_LIMIT = 64
# Values that cannot hold a tensor worth naming: modules, functions and classes (`tf`'s namespace
# alone has hundreds of entries), scalars, and JsProxies (every attribute lookup on one crosses into
# JavaScript).
_NOT_CONTAINERS = (Tensor, Variable, type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
                   types.MethodType, str, bytes, int, float, complex, bool, type(None), types.FrameType, JsProxy)


def _labels_in_frame(frame, wanted=None):
    """id(object) -> how the user's code names it: `x0`, `grad['w']`, `layer.kernel`, `params[1]`.

    The first name found wins: a plain name in the locals, then the globals, then an item or
    attribute of a container there. With `wanted` (a set of ids), the search stops once all of them
    are named (a gradient call wants its sources' names only; the search runs at every call)."""
    names = {}
    missing = set(wanted) if wanted is not None else None

    def note(obj, label):
        if isinstance(obj, (Tensor, Variable)) and id(obj) not in names:
            names[id(obj)] = label
            if missing is not None:
                missing.discard(id(obj))

    scopes = [frame.f_locals]
    if frame.f_globals is not frame.f_locals:
        scopes.append(frame.f_globals)
    for scope in scopes:
        try:
            items = list(scope.items())
        except Exception:
            continue
        for name, value in items:
            if name.startswith('__'):
                continue
            if isinstance(value, (Tensor, Variable)):
                note(value, name)
    for scope in scopes:
        if missing is not None and not missing:
            return names
        try:
            items = list(scope.items())
        except Exception:
            continue
        for name, value in items:
            if missing is not None and not missing:
                return names
            if name.startswith('__') or isinstance(value, _NOT_CONTAINERS):
                continue
            if isinstance(value, dict) and len(value) <= _LABEL_CONTAINER_LIMIT:
                for key, item in value.items():
                    note(item, f'{name}[{key!r}]')
            elif isinstance(value, (list, tuple)) and len(value) <= _LABEL_CONTAINER_LIMIT:
                for index, item in enumerate(value):
                    note(item, f'{name}[{index}]')
            else:
                attrs = getattr(value, '__dict__', None)
                if isinstance(attrs, dict) and not callable(value) or _is_layer(value):
                    for attr, item in list((attrs or {}).items()):
                        if not attr.startswith('__'):
                            note(item, f'{name}.{attr.lstrip("_")}' if attr.lstrip('_') else f'{name}.{attr}')
    return names


def _is_layer(value):
    return hasattr(value, 'trainable_variables') and hasattr(value, '__dict__')


def _source_labels(flat_sources):
    frame = _locations.user_frame(sys._getframe(2))
    if frame is None:
        return [None] * len(flat_sources)
    try:
        names = _labels_in_frame(frame, {id(s) for s in flat_sources})
    except Exception:
        return [None] * len(flat_sources)
    return [names.get(id(s)) for s in flat_sources]


def _structure_text(sources, labels):
    # The labels follow tf.nest's (sorted-key) order; the text follows the user's order.
    order = {}
    for index, leaf in enumerate(nest.flatten(sources)):
        order.setdefault(id(leaf), labels[index])

    def text_in_user_order(s):
        if isinstance(s, dict):
            return '{' + ', '.join(f'{k!r}: {text_in_user_order(s[k])}' for k in s) + '}'
        if isinstance(s, tuple):
            inner = ', '.join(text_in_user_order(x) for x in s)
            return f'({inner},)' if len(s) == 1 else f'({inner})'
        if isinstance(s, list):
            return '[' + ', '.join(text_in_user_order(x) for x in s) + ']'
        return order.get(id(s)) or '?'

    return text_in_user_order(sources)


def _results(js_array):
    return [_wrap_gradient(g) for g in js_array.to_py(depth=1)]


# ---- the tape ---------------------------------------------------------------------------------

class GradientTape:
    """Records operations for automatic differentiation (tf.GradientTape)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._tape = _b.tapeNew(self._persistent, self._watch_accessed_variables, _loc())

    def __enter__(self):
        try:
            _b.tapeEnter(self._tape, _loc())
        except JsException as e:
            raise _convert_error(e) from None
        return self

    def __exit__(self, typ, value, traceback):
        try:
            _b.tapeExit(self._tape, _loc())
        except JsException as e:
            raise _convert_error(e) from None
        return False

    def watch(self, tensor):
        loc = _loc()
        for t in nest.flatten(tensor):
            if isinstance(t, Tensor):
                handle = t._t
            elif isinstance(t, Variable):
                handle = t._v
            else:
                raise ValueError(f'Passed in object {t} of type {type(t).__name__!r}, not tf.Tensor or tf.Variable '
                                 f'or ExtensionType.')
            try:
                _b.tapeWatch(self._tape, handle, loc)
            except JsException as e:
                raise _convert_error(e) from None

    def stop_recording(self):
        return _StopRecording(self)

    def reset(self):
        try:
            _b.tapeReset(self._tape, _loc())
        except JsException as e:
            raise _convert_error(e) from None

    def watched_variables(self):
        return tuple(_variable_wrapper(v) for v in _b.tapeWatchedVariables(self._tape).to_py(depth=1))

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients=UnconnectedGradients.NONE):
        loc = _loc()
        if target is None:
            if _b.tapeConsumed(self._tape):
                raise RuntimeError(_NON_PERSISTENT_TWICE)
            raise TypeError('Argument `target` should be a list or nested structure of Tensors, Variables or '
                            'CompositeTensors to be differentiated, but received None.')
        mode = _unconnected_mode(unconnected_gradients)
        flat_targets = [_differentiable_handle(t) for t in nest.flatten(target)]
        flat_sources = nest.flatten(sources)
        source_handles = []
        for s in flat_sources:
            if isinstance(s, Tensor):
                source_handles.append(s._t)
            elif isinstance(s, Variable):
                source_handles.append(s._v)
            else:
                raise ValueError(f'Passed in object {s} of type {type(s).__name__!r}, not tf.Tensor or tf.Variable or '
                                 f'ExtensionType.')
        out_grads = None
        if output_gradients is not None:
            out_grads = to_js([None if g is None else _to_tensor(g, loc=loc)._t
                               for g in nest.flatten(output_gradients)])
        labels = _source_labels(flat_sources)
        structure = _structure_text(sources, labels)
        try:
            grads = _b.gradient(self._tape, to_js(flat_targets), to_js(source_handles), out_grads, mode,
                                to_js(labels), structure, loc)
        except JsException as e:
            raise _convert_error(e) from None
        return nest.pack_sequence_as(sources, _results(grads))

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE, parallel_iterations=None,
                 experimental_use_pfor=True):
        loc = _loc()
        mode = _unconnected_mode(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        try:
            result = _b.jacobian(self._tape, _differentiable_handle(target),
                                 to_js([_differentiable_handle(s) for s in flat_sources]), mode,
                                 bool(experimental_use_pfor), loc)
        except JsException as e:
            raise _convert_error(e) from None
        return nest.pack_sequence_as(sources, _results(result))

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        loc = _loc()
        if _b.tapeConsumed(self._tape):
            # TensorFlow's batch_jacobian spells its copy of this message without the space.
            raise RuntimeError('A non-persistent GradientTape can only be used tocompute one set of gradients (or '
                               'jacobians)')
        mode = _unconnected_mode(unconnected_gradients)
        try:
            result = _b.batchJacobian(self._tape, _differentiable_handle(target), _differentiable_handle(source),
                                      mode, bool(experimental_use_pfor), loc)
        except JsException as e:
            raise _convert_error(e) from None
        return EagerTensor(result)


class _StopRecording:
    """`with tape.stop_recording():` (also usable more than once, like TensorFlow's generator CM)."""

    def __init__(self, tape):
        self._tape = tape
        self._end = None

    def __enter__(self):
        try:
            self._end = _b.tapeStopRecording(self._tape._tape, _loc())
        except JsException as e:
            raise _convert_error(e) from None
        return None

    def __exit__(self, typ, value, traceback):
        end, self._end = self._end, None
        if end is not None:
            try:
                end()
            except JsException as e:
                raise _convert_error(e) from None
        return False


# ---- custom_gradient --------------------------------------------------------------------------

def custom_gradient(f=None):
    """tf.custom_gradient: `f(*x)` returns `(y, grad_fn)`; the tape uses `grad_fn` for y's gradient."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        loc = _loc()
        # TensorFlow converts the inputs first: a Variable argument is read here, so the tape watches it.
        args = [(_to_tensor(a, loc=loc) if isinstance(a, (Tensor, Variable)) else a) for a in args]
        watcher = _b.variableWatcherBegin()
        try:
            result, grad_fn = f(*args, **kwargs)
        finally:
            seen = _b.variableWatcherEnd(watcher).to_py(depth=1)
        variables = [_variable_wrapper(v) for v in seen]
        if variables and not _accepts_variables(grad_fn):
            raise TypeError("@tf.custom_gradient grad_fn must accept keyword argument 'variables', since function "
                            f'uses variables: {variables}')
        inputs = [a for a in nest.flatten(args) if isinstance(a, Tensor)]
        flat_result = [_to_tensor(r, loc=loc) for r in nest.flatten(result)]

        def backward(*upstream):
            upstream = [EagerTensor(u) for u in upstream]
            if variables:
                input_grads, variable_grads = grad_fn(*upstream, variables=variables)
                variable_grads = list(nest.flatten(variable_grads))
                if len(variable_grads) != len(variables):
                    raise ValueError('Must return gradient for each variable from @custom_gradient grad_fn.')
            else:
                input_grads, variable_grads = grad_fn(*upstream), []
            flat = list(input_grads) if isinstance(input_grads, (list, tuple)) else [input_grads]
            if len(flat) != len(inputs):
                raise ValueError(
                    f'custom_gradient function expected to return {len(inputs)} gradients, but returned '
                    f'{len(flat)} instead.')
            return to_js([None if g is None else _to_tensor(g)._t for g in flat + variable_grads])

        proxy = create_proxy(backward)
        _keep_alive.append(proxy)
        try:
            outs = _b.customGradient(getattr(f, '__name__', 'CustomGradient'),
                                     to_js([t._t for t in inputs] + [v._v for v in variables]),
                                     to_js([t._t for t in flat_result]), proxy, loc)
        except JsException as e:
            raise _convert_error(e) from None
        wrapped = [EagerTensor(t) for t in outs.to_py(depth=1)]
        return nest.pack_sequence_as(result, wrapped)

    return decorated


def _accepts_variables(fn):
    import inspect
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return 'variables' in parameters or any(p.kind == p.VAR_KEYWORD for p in parameters.values())


# Gradient functions stay callable from JavaScript for the whole run (a tape may use them late).
_keep_alive = []


def recompute_grad(f):
    return f


def _tapescope_begin_run():
    """A new run: the previous run's gradient functions are no longer reachable from any tape."""
    for proxy in _keep_alive:
        try:
            proxy.destroy()
        except Exception:
            pass
    _keep_alive.clear()


GradientTape.__module__ = 'tensorflow.python.eager.backprop'
UnconnectedGradients.__module__ = 'tensorflow.python.ops.unconnected_gradients'
