"""The core of Tapescope's `tensorflow`: dtypes, TensorShape, EagerTensor, ResourceVariable, op calls.

Every op is one call into the TypeScript engine (`_tapescope_engine.bridge`, src/runtime/bridge.ts).
Python objects here are thin wrappers around the engine's objects (held as JsProxies in `_t` / `_v`).
Each call passes the id of the user's source location (the innermost frame in a user file), which
is cached per (code object, instruction offset), so finding it costs a short frame walk.
"""

import json
import sys
from sys import _getframe

from pyodide.ffi import JsException, to_js
from _tapescope import locations as _locations


class _BridgeHandle:
    """The current run's engine bridge. Our packages stay imported between runs (re-importing them
    costs ~100 ms per run); every run gets a fresh engine, bound here by `_tapescope_begin_run`."""
    __slots__ = ('_js',)

    def __init__(self):
        self._js = None

    def __getattr__(self, name):
        js = object.__getattribute__(self, '_js')
        if js is None:
            raise RuntimeError('Tapescope: the engine is not bound (tensorflow used outside a run)')
        return getattr(js, name)


_b = _BridgeHandle()
# Bound per run: the calls on the hot path skip the handle.
_b_binary = _b_unary = _b_op = _b_opN = _b_loc = _b_read = None


def _tapescope_begin_run():
    """A new run (a new engine): rebind the bridge and forget everything tied to the previous one."""
    global _b_binary, _b_unary, _b_op, _b_opN, _b_loc, _b_read
    sys.modules.pop('_tapescope_engine', None)
    from _tapescope_engine import bridge
    _b._js = bridge
    _b_binary = bridge.binary
    _b_unary = bridge.unary
    _b_op = bridge.op
    _b_opN = bridge.opN
    _b_loc = bridge.loc
    _b_read = bridge.read
    _loc_cache.clear()
    _variables_by_id.clear()
    if _F is not None:
        _F.beginRun()
    _install_warning_sink(bridge)


_warning_sink = None


def _install_warning_sink(bridge):
    """TensorFlow's log lines (WARNING:tensorflow:...) go through Python: they respect
    tf.get_logger().setLevel(...) and interleave with the program's own stderr writes."""
    global _warning_sink
    import logging
    from pyodide.ffi import create_proxy
    logger = logging.getLogger('tensorflow')
    logger.setLevel(logging.NOTSET)  # a new process: no level set by an earlier run

    def emit(line):
        if logger.isEnabledFor(logging.WARNING):
            sys.stderr.write(line if line.endswith('\n') else line + '\n')
    if _warning_sink is not None:
        try:
            _warning_sink.destroy()
        except Exception:
            pass
    _warning_sink = create_proxy(emit)
    bridge.setWarningSink(_warning_sink)


_loc_cache = {}
# The names of the enclosing tf.name_scope blocks: eager variables are named under them (outer/w:0).
_name_scopes = []


def _loc():
    """Id of the user's source location for the op being called (0 when there is no user frame)."""
    files = _locations._user_files
    in_user_dir = _locations._in_user_dir
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_filename in files or in_user_dir(code.co_filename):
            # Keyed by id(code): hashing a code object hashes its whole bytecode. The entry keeps the
            # code object alive and is checked with `is`, so a reused id can never match.
            entry = _loc_cache.get((id(code), frame.f_lasti))
            if entry is not None and entry[0] is code:
                return entry[1]
            d = _locations.frame_location(frame)
            found = _b_loc(d['file'], d['line'], d.get('column'), d.get('endLine'), d.get('endColumn'),
                           d.get('functionName'))
            _loc_cache[(id(code), frame.f_lasti)] = (code, found)
            return found
        frame = frame.f_back
    return 0


# ---- errors -----------------------------------------------------------------------------------

class OpError(Exception):
    """tf.errors.OpError: `str(e)` is the message, as TensorFlow prints eager op errors."""

    def __init__(self, node_def=None, op=None, message='', *args):
        super().__init__(message)
        self._node_def = node_def
        self._op = op
        self._message = message

    @property
    def message(self):
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    def __str__(self):
        return self._message


def _op_error(name, code):
    cls = type(name, (OpError,), {'error_code': code})
    cls.__module__ = 'tensorflow.python.framework.errors_impl'
    return cls


CancelledError = _op_error('CancelledError', 1)
UnknownError = _op_error('UnknownError', 2)
InvalidArgumentError = _op_error('InvalidArgumentError', 3)
DeadlineExceededError = _op_error('DeadlineExceededError', 4)
NotFoundError = _op_error('NotFoundError', 5)
AlreadyExistsError = _op_error('AlreadyExistsError', 6)
PermissionDeniedError = _op_error('PermissionDeniedError', 7)
ResourceExhaustedError = _op_error('ResourceExhaustedError', 8)
FailedPreconditionError = _op_error('FailedPreconditionError', 9)
AbortedError = _op_error('AbortedError', 10)
OutOfRangeError = _op_error('OutOfRangeError', 11)
UnimplementedError = _op_error('UnimplementedError', 12)
InternalError = _op_error('InternalError', 13)
UnavailableError = _op_error('UnavailableError', 14)
DataLossError = _op_error('DataLossError', 15)
UnauthenticatedError = _op_error('UnauthenticatedError', 16)

_PLAIN_ERRORS = {
    'ValueError': ValueError,
    'TypeError': TypeError,
    'RuntimeError': RuntimeError,
    'LookupError': LookupError,
    'IndexError': IndexError,
    'NotImplementedError': NotImplementedError,
    'AttributeError': AttributeError,
}
_OP_ERRORS = {
    'InvalidArgumentError': InvalidArgumentError,
    'ResourceExhaustedError': ResourceExhaustedError,
    'UnimplementedError': UnimplementedError,
}


def _convert_error(error):
    """The Python exception for an engine error (a JsException around a TFError)."""
    try:
        kind = error.pythonType
        message = error.message
    except Exception:  # not a TFError: an internal failure, keep it as it is
        return error
    if kind in _OP_ERRORS:
        return _OP_ERRORS[kind](None, None, message)
    cls = _PLAIN_ERRORS.get(kind)
    if cls is None:
        return error
    return cls(message)


def unsupported(api):
    return NotImplementedError(f'Tapescope does not support {api} yet.')


# ---- dtypes -----------------------------------------------------------------------------------

class DType:
    __slots__ = ('_name',)

    def __init__(self, name):
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def base_dtype(self):
        return self

    @property
    def is_floating(self):
        return self._name in ('float16', 'float32', 'float64')

    @property
    def is_integer(self):
        return self._name in ('int32', 'int64')

    @property
    def is_bool(self):
        return self._name == 'bool'

    @property
    def is_complex(self):
        return False

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def as_numpy_dtype(self):
        import numpy
        return getattr(numpy, 'bool_' if self._name == 'bool' else 'object_' if self._name == 'string' else self._name)

    @property
    def size(self):
        return {'float16': 2, 'float32': 4, 'float64': 8, 'int32': 4, 'int64': 8, 'bool': 1}.get(self._name, 8)

    @property
    def min(self):
        import numpy
        return numpy.finfo(self._name).min if self.is_floating else numpy.iinfo(self._name).min

    @property
    def max(self):
        import numpy
        return numpy.finfo(self._name).max if self.is_floating else numpy.iinfo(self._name).max

    def __repr__(self):
        return f'tf.{self._name}'

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __eq__(self, other):
        if isinstance(other, DType):
            return other._name == self._name
        try:
            return as_dtype(other)._name == self._name
        except (TypeError, ValueError):
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._name)

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType('float16')
half = float16
float32 = DType('float32')
float64 = DType('float64')
double = float64
int32 = DType('int32')
int64 = DType('int64')
bool = DType('bool')  # noqa: A001 - tf.bool
string = DType('string')
_DTYPES = {d.name: d for d in (float16, float32, float64, int32, int64, bool, string)}
_builtin_bool = __builtins__['bool'] if isinstance(__builtins__, dict) else __builtins__.bool


def as_dtype(value):
    """tf.as_dtype: a DType from a DType, a name, a numpy dtype or scalar type."""
    if isinstance(value, DType):
        return value
    if value is None:
        raise TypeError('Cannot convert None to a DType.')
    name = getattr(value, 'name', None) if not isinstance(value, str) else value
    if value is float:
        name = 'float64'
    elif value is int:
        name = 'int64'
    elif value is _builtin_bool:
        name = 'bool'
    elif value is str or value is bytes:
        name = 'string'
    if isinstance(value, type) and name is None:
        name = getattr(value, '_dtype_name', None) or value.__name__
    if name == 'bool_':
        name = 'bool'
    if name in ('object', 'object_', 'str', 'bytes'):
        name = 'string'
    if name in _DTYPES:
        return _DTYPES[name]
    if name in ('bfloat16', 'complex64', 'complex128', 'int8', 'int16', 'uint8', 'uint16', 'uint32', 'uint64',
                'qint8', 'resource', 'variant'):
        raise unsupported(f'the dtype tf.{name}')
    raise TypeError(f'Cannot convert the argument `type_value`: {value!r} to a TensorFlow DType.')


def _dtype_name(dtype):
    return None if dtype is None else as_dtype(dtype)._name


# ---- TensorShape ------------------------------------------------------------------------------

class TensorShape:
    __slots__ = ('_dims',)

    def __init__(self, dims):
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, int):
            self._dims = (dims,)
        else:
            self._dims = tuple(None if d is None else int(d) for d in dims)

    @property
    def rank(self):
        return None if self._dims is None else len(self._dims)

    ndims = rank

    @property
    def dims(self):
        return None if self._dims is None else list(self._dims)

    def as_list(self):
        if self._dims is None:
            raise ValueError('as_list() is not defined on an unknown TensorShape.')
        return list(self._dims)

    def num_elements(self):
        if self._dims is None or None in self._dims:
            return None
        n = 1
        for d in self._dims:
            n *= d
        return n

    def is_fully_defined(self):
        return self._dims is not None and None not in self._dims

    def is_compatible_with(self, other):
        other = TensorShape(other)
        if self._dims is None or other._dims is None:
            return True
        return len(self._dims) == len(other._dims) and all(
            a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f'Shapes {self} and {TensorShape(other)} are incompatible')

    def concatenate(self, other):
        other = TensorShape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return TensorShape(other).concatenate(self)

    def __len__(self):
        if self._dims is None:
            raise ValueError('Cannot take the length of shape with unknown rank.')
        return len(self._dims)

    def __iter__(self):
        if self._dims is None:
            raise ValueError('Cannot iterate over a shape with unknown rank.')
        return iter(self._dims)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

    def __bool__(self):
        return self._dims is not None

    def __eq__(self, other):
        try:
            other = TensorShape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self._dims)

    def __str__(self):
        if self._dims is None:
            return '<unknown>'
        parts = ['None' if d is None else str(d) for d in self._dims]
        return f'({parts[0]},)' if len(parts) == 1 else '(' + ', '.join(parts) + ')'

    def __repr__(self):
        if self._dims is None:
            return 'TensorShape(None)'
        return 'TensorShape([' + ', '.join('None' if d is None else str(d) for d in self._dims) + '])'


# ---- tensors ----------------------------------------------------------------------------------

class Tensor:
    """tf.Tensor. Eager tensors are `EagerTensor` instances (its subclass)."""
    __slots__ = ('_tp', '_shape', '_dtype', '__weakref__')

    @property
    def _t(self):
        """The engine's tensor (a JsProxy). Tensors made by the fast layer (src/runtime/fast-ops.ts)
        have none until Python first needs it."""
        try:
            return self._tp
        except AttributeError:
            handle = self._tp = _F.handleOf(id(self))
            return handle

    # numpy must defer to us for `ndarray op tensor` (and tensors are not hashable by value).
    __array_priority__ = 100

    # `_dtype` / `_shape` are filled on first use: most tensors never need them in Python.
    @property
    def dtype(self):
        try:
            return self._dtype
        except AttributeError:
            d = self._dtype = _DTYPES[self._t.dtype]
            return d

    @property
    def shape(self):
        try:
            return self._shape
        except AttributeError:
            s = self._shape = TensorShape(tuple(self._t.shape))
            return s

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return len(self.shape._dims)

    @property
    def name(self):
        raise AttributeError('Tensor.name is undefined when eager execution is enabled.')

    @property
    def device(self):
        return '/job:localhost/replica:0/task:0/device:CPU:0'

    @property
    def graph(self):
        raise AttributeError('Tensor.graph is undefined when eager execution is enabled.')

    def numpy(self):
        import numpy
        return numpy._from_engine(self._t)

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        import numpy
        return numpy.asarray(arr, dtype=dtype)

    def __str__(self):
        return _b.tensorStr(self._t)

    def __repr__(self):
        return _b.tensorRepr(self._t)

    def __format__(self, spec):
        # EagerTensor.__format__ formats its numpy value (so f'{t}' is not str(t)).
        return format(self.numpy(), spec)

    def __len__(self):
        dims = self.shape._dims
        if not dims:
            raise TypeError('Scalar tensor has no `len()`')
        return dims[0]

    def __iter__(self):
        dims = self.shape._dims
        if not dims:
            raise TypeError('Cannot iterate over a scalar tensor.')
        return iter(unstack(self))

    def __bool__(self):
        if self.shape._dims and self.shape.num_elements() != 1:
            raise ValueError('The truth value of an array with more than one element is ambiguous. '
                             'Use a.any() or a.all()')
        return _builtin_bool(self.numpy())

    def __float__(self):
        return float(self.numpy())

    def __int__(self):
        return int(self.numpy())

    def __index__(self):
        if not self.dtype.is_integer:
            raise TypeError('Only integer scalar tensors can be used as an index.')
        return int(self.numpy())

    def __hash__(self):
        raise TypeError('Tensor is unhashable. Instead, use tensor.ref() as the key.')

    def ref(self):
        return _Reference(self)

    def experimental_ref(self):
        return _Reference(self)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __getitem__(self, key):
        return _slice(self, key)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return NotImplemented

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f'Tensor\'s shape {self.shape} is not compatible with supplied shape {TensorShape(shape)}.')

    def eval(self, *args, **kwargs):
        raise NotImplementedError('eval is not supported when eager execution is enabled, is .numpy() what you '
                                  'want?')

    def cpu(self):
        return self

    def gpu(self, *args):
        return self


class EagerTensor(Tensor):
    __slots__ = ()

    def __init__(self, handle):
        self._tp = handle
        _adopt(self, handle)


def _adopt(tensor, handle):
    """Registers a tensor made in Python with the fast layer (replaced by it when it is on)."""


# ---- the fast layer ---------------------------------------------------------------------------
# src/runtime/fast-ops.ts replaces the hot-path callables below (operators, tf.add & co.) with
# builtins written in JavaScript that call the engine directly; each keeps the Python version as
# its fallback for every case it does not handle. Without the worker (or if its start-up checks
# fail) nothing is replaced and the Python versions run.

def _fast_raise_pending():
    error = _F.takePendingError()
    converted = _convert_error(error)
    if converted is error:
        raise RuntimeError(f'Tapescope internal error in an op: {error}')
    raise converted from None


def _fast_is_user_code(code):
    filename = code.co_filename
    return 1 if filename in _locations._user_files or _locations._in_user_dir(filename) else 0


def _fast_location_id(frame):
    d = _locations.frame_location(frame)
    return _b_loc(d['file'], d['line'], d.get('column'), d.get('endLine'), d.get('endColumn'), d.get('functionName'))


def _fast_setup():
    try:
        import _tapescope_fast
    except ImportError:
        return None
    probe = _tapescope_fast.probe
    float_object = 1.5
    hooks = {'raise_pending': _fast_raise_pending, 'is_user_code': _fast_is_user_code,
             'location_id': _fast_location_id}
    ok = _tapescope_fast.setup(to_js({
        'tensorType': id(EagerTensor), 'tensorBase': id(Tensor), 'basicSize': EagerTensor.__basicsize__,
        'flags': EagerTensor.__flags__, 'none': id(None), 'floatType': id(float), 'intType': id(int),
        'floatObject': id(float_object), 'jsProxy': id(probe), 'hooks': id(hooks)}, dict_converter=_js_object))
    return _tapescope_fast if ok else None


def _js_object(entries):
    from js import Object
    return Object.fromEntries(entries)


_F = _fast_setup()


def _fast_replace(fn, kind, op_type=None):
    """`fn`, or its fast version (with `fn` as its fallback) when the fast layer is on."""
    if _F is None:
        return fn
    slot = {fn.__name__: fn}
    _F.replace(id(slot), fn.__name__, kind, op_type)
    return slot[fn.__name__]


if _F is not None:
    _F.replace(id(globals()), '_adopt', 'adopt', None)


class _Reference:
    __slots__ = ('_obj',)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __eq__(self, other):
        return isinstance(other, _Reference) and other._obj is self._obj

    def __hash__(self):
        return id(self._obj)


def _wrap(handle):
    return EagerTensor(handle)


# ---- converting Python values -------------------------------------------------------------

def _flatten_value(value):
    """Flat list and shape of a (nested) Python/numpy value; ValueError when ragged."""
    import numpy
    if isinstance(value, numpy.ndarray):
        return list(value._data), tuple(value._shape), value.dtype.name
    if isinstance(value, numpy.generic):
        return [value.item()], (), value.dtype.name
    if not isinstance(value, (list, tuple)):
        return [value], (), None
    shape = []
    probe = value
    while isinstance(probe, (list, tuple, numpy.ndarray, Tensor)):
        if isinstance(probe, (numpy.ndarray, Tensor)):
            shape.extend(probe.shape)
            break
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    flat = []
    depth_limit = len(shape)

    def walk(v, depth):
        if isinstance(v, Tensor):
            v = v.numpy()
        if isinstance(v, numpy.ndarray):
            if tuple(v.shape) != tuple(shape[depth:]):
                raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
            flat.extend(v._data)
            return
        if depth == depth_limit:
            if isinstance(v, (list, tuple)):
                raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
            flat.append(v.item() if isinstance(v, numpy.generic) else v)
            return
        if not isinstance(v, (list, tuple)) or len(v) != shape[depth]:
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
        for e in v:
            walk(e, depth + 1)

    walk(value, 0)
    return flat, tuple(shape), None


def _infer_dtype(flat):
    if not flat:
        return 'float32'
    if all(isinstance(v, _builtin_bool) for v in flat):
        return 'bool'
    if any(isinstance(v, (str, bytes)) for v in flat):
        return 'string'
    if all(isinstance(v, int) for v in flat):
        return 'int32'
    return 'float32'


def _check_values(flat, dtype_name, source):
    if dtype_name in ('int32', 'int64'):
        for v in flat:
            if isinstance(v, float) and not v.is_integer():
                raise TypeError(f'Cannot convert {source!r} to EagerTensor of dtype {dtype_name}')
    if dtype_name == 'string':
        return [v.decode('utf-8', 'replace') if isinstance(v, bytes) else v for v in flat]
    if dtype_name != 'string':
        for v in flat:
            if isinstance(v, (str, bytes)):
                raise ValueError(f"could not convert string to float: {v!r}") if dtype_name and dtype_name.startswith(
                    'float') else TypeError(f'Cannot convert {source!r} to EagerTensor of dtype {dtype_name}')
    return flat


# Typed-array codes for handing numpy data to the engine in one copy (int64 travels as float64,
# which is how the engine stores it).
_ARRAY_CODES = {'float32': 'f', 'float16': 'f', 'float64': 'd', 'int32': 'i', 'int64': 'd', 'bool': 'B'}
_KINDS = {'float32': 'f', 'float16': 'f', 'float64': 'f', 'int32': 'i', 'int64': 'i', 'bool': 'b'}


def _const_from_ndarray(value, want, name, loc):
    """An ndarray of a numeric dtype: its data go to the engine as one typed array (no per-element work)."""
    source = value._dtype
    target = want or source
    if _KINDS.get(source) is None or _KINDS.get(source) != _KINDS.get(target):
        return None
    import array
    data = array.array(_ARRAY_CODES[target], value._data)
    try:
        return EagerTensor(_b.constant(to_js(data), to_js(list(value._shape)), target, name, loc))
    except JsException as e:
        raise _convert_error(e) from None


def _const(value, dtype=None, shape=None, name=None, loc=0):
    """tf.constant for Python / numpy values (tensors handled by the callers)."""
    want = _dtype_name(dtype)
    if shape is None and type(value).__name__ == 'ndarray' and hasattr(value, '_data'):
        fast = _const_from_ndarray(value, want, name, loc)
        if fast is not None:
            return fast
    flat, value_shape, value_dtype = _flatten_value(value)
    dtype_name = want or value_dtype or _infer_dtype(flat)
    if value_dtype == 'float64' and want is None:
        dtype_name = 'float64'
    if value_dtype is not None and value_dtype.startswith('int') and want is None:
        dtype_name = value_dtype
    flat = _check_values(flat, dtype_name, value)
    if dtype_name == 'bool':
        flat = [_builtin_bool(v) for v in flat]
    elif dtype_name != 'string':
        flat = [float(v) if not isinstance(v, int) else v for v in flat]
    try:
        if shape is None and not value_shape and len(flat) == 1:
            return EagerTensor(_b.scalar(flat[0], dtype_name, name, loc))
        target_shape = value_shape if shape is None else tuple(int(d) for d in _as_int_list(shape))
        return EagerTensor(_b.constant(to_js(flat), to_js(list(target_shape)), dtype_name, name, loc))
    except JsException as e:
        raise _convert_error(e) from None


def _as_int_list(shape):
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if isinstance(shape, Tensor):
        return [int(v) for v in shape.numpy().tolist()] if shape.shape._dims else [int(shape)]
    if isinstance(shape, int):
        return [shape]
    return [int(d) for d in shape]


def _handle(x, dtype_hint=None):
    """What the bridge accepts for an operand: engine objects, or Python scalars."""
    if isinstance(x, Tensor):
        return x._t
    if isinstance(x, Variable):
        return x._v
    # Python values get TensorFlow's inferred dtype here (5 is int32), not the engine's default.
    return _to_tensor(x, dtype_hint)._t


def _to_tensor(x, dtype=None, loc=None):
    """convert_to_tensor: tensors pass through, variables are read, Python values become constants."""
    if isinstance(x, Tensor):
        if dtype is not None and as_dtype(dtype) != x.dtype:
            raise ValueError(f'Tensor conversion requested dtype {as_dtype(dtype).name} for Tensor with dtype '
                             f'{x.dtype.name}: {x!r}')
        return x
    if isinstance(x, Variable):
        return x._read(_loc() if loc is None else loc)
    if isinstance(x, IndexedSlices):
        return x._dense
    conv = getattr(x, '_tapescope_tensor_', None)
    if conv is not None:
        return conv()
    return _const(x, dtype=dtype, loc=_loc() if loc is None else loc)


def _call_binary(op_type, a, b):
    try:
        return EagerTensor(_b_binary(op_type, a, b, _loc()))
    except JsException as e:
        raise _convert_error(e) from None


def _binary_operands(x, y):
    """Handles for both sides of a binary op: a non-tensor side takes the tensor side's dtype."""
    if isinstance(x, (Tensor, Variable)):
        hx = x._t if isinstance(x, Tensor) else x._v
        if isinstance(y, (Tensor, Variable)):
            return hx, (y._t if isinstance(y, Tensor) else y._v)
        if type(y) is float or type(y) is int:
            return hx, y
        return hx, _to_tensor(y, x.dtype if not isinstance(y, _NUMPY_SCALAR_TYPES()) else x.dtype)._t
    hy = y._t if isinstance(y, Tensor) else y._v
    if type(x) is float or type(x) is int:
        return x, hy
    return _to_tensor(x, y.dtype)._t, hy


_numpy_scalar_types = None


def _NUMPY_SCALAR_TYPES():
    global _numpy_scalar_types
    if _numpy_scalar_types is None:
        import numpy
        _numpy_scalar_types = (numpy.generic,)
    return _numpy_scalar_types


def _binop(op_type, x, y):
    """A binary op called from user code (operators, tf.add...): the hot path, kept to one frame lookup."""
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        a = x._t
        b = y._t
    else:
        if not isinstance(x, (Tensor, Variable)) and not isinstance(y, (Tensor, Variable)):
            x = _to_tensor(x)
        a, b = _binary_operands(x, y)
    # The user's frame is two up (operator method or tf function, then the user's line); else walk.
    frame = _getframe(2)
    code = frame.f_code
    if code.co_filename in _locations._user_files:
        entry = _loc_cache.get((id(code), frame.f_lasti))
        loc = entry[1] if entry is not None and entry[0] is code else _loc()
    else:
        loc = _loc()
    try:
        return EagerTensor(_b_binary(op_type, a, b, loc))
    except JsException as e:
        raise _convert_error(e) from None


def _unop(op_type, x):
    try:
        return EagerTensor(_b_unary(op_type, _handle(x), _loc()))
    except JsException as e:
        raise _convert_error(e) from None


def _op(op_type, attrs, *inputs):
    """Any engine op with attributes; inputs converted with convert_to_tensor."""
    handles = [_handle(x) for x in inputs]
    try:
        return EagerTensor(_b_op(op_type, json.dumps(attrs) if attrs else None, _loc(), *handles))
    except JsException as e:
        raise _convert_error(e) from None


def _opN(op_type, attrs, *inputs):
    handles = [_handle(x) for x in inputs]
    try:
        outs = _b_opN(op_type, json.dumps(attrs) if attrs else None, _loc(), *handles)
    except JsException as e:
        raise _convert_error(e) from None
    return [EagerTensor(t) for t in outs]


def _matmul(a, b, transpose_a=False, transpose_b=False):
    a = _to_tensor(a)
    b = _to_tensor(b, a.dtype)
    kind = 'BatchMatMulV2' if a.ndim > 2 or b.ndim > 2 else 'MatMul'
    if a.ndim < 2 or b.ndim < 2:
        bad = a if a.ndim < 2 else b
        raise InvalidArgumentError(
            None, None,
            f'{{{{function_node __wrapped__{kind}_device_/job:localhost/replica:0/task:0/device:CPU:0}}}} '
            f'In[0] and In[1] has different ndims: {a.shape} vs. {b.shape} [Op:{kind}] name: ')
    return _op(kind, {'transpose_a': transpose_a, 'transpose_b': transpose_b}, a, b)


def _fast_binary(op_type, reflected):
    """An operator method with the whole hot path in one frame: tensor/variable/Python-number operands,
    the cached location of the user's line, one bridge call."""
    def method(self, other):
        kind = type(other)
        if kind is EagerTensor:
            h = other._t
        elif kind is float or (kind is int and -_MAX_SAFE_INT <= other <= _MAX_SAFE_INT):
            h = other
        elif kind is ResourceVariable:
            h = other._v
        else:
            h = None
        if h is not None:
            frame = _getframe(1)
            code = frame.f_code
            entry = _loc_cache.get((id(code), frame.f_lasti))
            if entry is not None and entry[0] is code:
                mine = self._t if type(self) is EagerTensor else self._v
                try:
                    return EagerTensor(_b_binary(op_type, h, mine, entry[1]) if reflected
                                       else _b_binary(op_type, mine, h, entry[1]))
                except JsException as e:
                    raise _convert_error(e) from None
        return _binop_at(op_type, other, self) if reflected else _binop_at(op_type, self, other)
    return method


# Python ints beyond this would reach JavaScript as BigInt: they take the slow path (and its errors).
_MAX_SAFE_INT = 2 ** 53 - 1


def _fast_function(op_type, name):
    """tf.add & co.: the same one-frame hot path as the operators when both operands are tensors."""
    def fn(x, y, name=None):
        if type(x) is EagerTensor and type(y) is EagerTensor:
            frame = _getframe(1)
            code = frame.f_code
            entry = _loc_cache.get((id(code), frame.f_lasti))
            if entry is not None and entry[0] is code:
                try:
                    return EagerTensor(_b_binary(op_type, x._t, y._t, entry[1]))
                except JsException as e:
                    raise _convert_error(e) from None
        return _binop(op_type, x, y)
    fn.__name__ = fn.__qualname__ = name
    return _fast_replace(fn, 'binaryFunction', op_type)


def _fast_unary(op_type, name):
    """tf.exp & co.: one frame from the user's line to the bridge when the argument is a tensor."""
    def fn(x, name=None):
        if type(x) is EagerTensor:
            frame = _getframe(1)
            code = frame.f_code
            entry = _loc_cache.get((id(code), frame.f_lasti))
            if entry is not None and entry[0] is code:
                try:
                    return EagerTensor(_b_unary(op_type, x._t, entry[1]))
                except JsException as e:
                    raise _convert_error(e) from None
        return _unop(op_type, x)
    fn.__name__ = fn.__qualname__ = name
    return _fast_replace(fn, 'unaryFunction', op_type)


def _binop_at(op_type, x, y):
    """_binop for operator methods (one frame less between the user's line and here)."""
    return _binop(op_type, x, y)



def _install_operators(cls):
    def binary(op_type):
        return _fast_binary(op_type, False), _fast_binary(op_type, True)

    for name, op_type in (('add', 'AddV2'), ('sub', 'Sub'), ('mul', 'Mul'), ('truediv', 'TrueDiv'),
                          ('floordiv', 'FloorDiv'), ('mod', 'FloorMod'), ('pow', 'Pow')):
        forward, reflected = binary(op_type)
        setattr(cls, f'__{name}__', forward)
        setattr(cls, f'__r{name}__', reflected)
    for name, op_type in (('lt', 'Less'), ('le', 'LessEqual'), ('gt', 'Greater'), ('ge', 'GreaterEqual')):
        setattr(cls, f'__{name}__', binary(op_type)[0])

    def matmul(self, other):
        return _matmul(self, other)

    def rmatmul(self, other):
        return _matmul(_to_tensor(other, self.dtype), self)

    def neg(self):
        return _unop('Neg', self)

    def absolute(self):
        return _unop('Abs', self)

    def pos(self):
        return _to_tensor(self)

    def invert(self):
        return _unop('LogicalNot', self)

    def and_(self, other):
        return _binop('LogicalAnd', self, other)

    def or_(self, other):
        return _binop('LogicalOr', self, other)

    def eq(self, other):
        # TensorFlow 2: `==` is elementwise when the shapes are compatible, else False.
        if other is None:
            return False
        try:
            return _binop('Equal', self, other)
        except (InvalidArgumentError, ValueError, TypeError):
            return False

    def ne(self, other):
        if other is None:
            return True
        try:
            return _binop('NotEqual', self, other)
        except (InvalidArgumentError, ValueError, TypeError):
            return True

    cls.__matmul__ = matmul
    cls.__rmatmul__ = rmatmul
    cls.__neg__ = neg
    cls.__abs__ = absolute
    cls.__pos__ = pos
    cls.__invert__ = invert
    cls.__and__ = and_
    cls.__rand__ = and_
    cls.__or__ = or_
    cls.__ror__ = or_
    cls.__eq__ = eq
    cls.__ne__ = ne


_install_operators(Tensor)


def _install_fast_operators():
    """EagerTensor's operators as fast-layer method descriptors (called with no Python frame)."""
    specs = [(f'__{name}__', 'binary', op) for name, op in _FAST_OPERATORS]
    specs += [(f'__r{name}__', 'rbinary', op) for name, op in _FAST_OPERATORS[:7]]
    specs += [('__neg__', 'unaryMethod', 'Neg'), ('__abs__', 'unaryMethod', 'Abs')]
    methods = {name: getattr(EagerTensor, name) for name, _, _ in specs}
    for name, kind, op in specs:
        _F.replace(id(methods), name, kind, op)
        setattr(EagerTensor, name, methods[name])
    # The engine tensor of an EagerTensor goes when Python frees it: by a hook on the type's
    # tp_free when the layer could place one, else by a (slower) finalizer.
    if _F.finalizerReason() is not None:
        release = {}
        _F.replace(id(release), '__del__', 'release', None)
        EagerTensor.__del__ = release['__del__']


_FAST_OPERATORS = (('add', 'AddV2'), ('sub', 'Sub'), ('mul', 'Mul'), ('truediv', 'TrueDiv'),
                   ('floordiv', 'FloorDiv'), ('mod', 'FloorMod'), ('pow', 'Pow'),
                   ('lt', 'Less'), ('le', 'LessEqual'), ('gt', 'Greater'), ('ge', 'GreaterEqual'))
if _F is not None:
    _install_fast_operators()
Tensor.__hash__ = None


def _tensor_hash(self):
    raise TypeError('Tensor is unhashable. Instead, use tensor.ref() as the key.')


Tensor.__hash__ = _tensor_hash


# ---- slicing ----------------------------------------------------------------------------------

newaxis = None


def _slice(tensor, key):
    """`tensor[key]` as tf.strided_slice: ints, slices, Ellipsis, tf.newaxis, negative indices."""
    if isinstance(key, Tensor) and key.dtype.is_bool:
        return _boolean_mask(tensor, key)
    # As TensorFlow's _slice_helper: a list is the index tuple itself (x[[0, 1]] is x[0, 1]).
    if not isinstance(key, (tuple, list)):
        key = (key,)
    key = tuple(key)
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, slice) or _is_int_scalar(k):
            continue
        if isinstance(k, int) or (hasattr(k, '__index__') and not isinstance(k, (Tensor, float))):
            continue
        raise TypeError('Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar '
                        f'tf.int32/tf.int64 tensors are valid indices, got {k!r}')
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for i, k in enumerate(key):
        bit = 1 << i
        if k is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= bit
        elif k is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= bit
        elif isinstance(k, slice):
            step = 1 if k.step is None else int(k.step)
            if step == 0:
                raise ValueError('slice step cannot be zero')
            begin.append(0 if k.start is None else int(k.start))
            end.append(0 if k.stop is None else int(k.stop))
            strides.append(step)
            if k.start is None:
                begin_mask |= bit
            if k.stop is None:
                end_mask |= bit
        else:
            index = int(k)
            begin.append(index)
            end.append(index + 1)
            strides.append(1)
            shrink_axis_mask |= bit
    return _op('StridedSlice', {
        'begin': begin, 'end': end, 'strides': strides, 'begin_mask': begin_mask, 'end_mask': end_mask,
        'ellipsis_mask': ellipsis_mask, 'new_axis_mask': new_axis_mask, 'shrink_axis_mask': shrink_axis_mask,
    }, tensor)


def _boolean_mask(tensor, mask):
    """`x[mask]` (tf.boolean_mask): gathers the rows of x, flattened over the mask's dims, where mask is True."""
    dims = tensor.shape.as_list()
    k = mask.ndim
    if mask.shape.as_list() != dims[:k]:
        raise ValueError(f'Shapes {tensor.shape[:k]} and {mask.shape} are incompatible')
    flat = mask.numpy().reshape(-1).tolist() if k else [bool(mask)]
    positions = [i for i, keep in enumerate(flat) if keep]
    size = 1
    for d in dims[:k]:
        size *= d
    rows = _op('Reshape', {'shape': [size] + dims[k:]}, tensor)
    return _op('GatherV2', {'axis': 0}, rows, _const(positions, dtype='int32', shape=[len(positions)], loc=_loc()))


def _is_int_scalar(k):
    return isinstance(k, Tensor) and k.dtype.is_integer and k.ndim == 0


def unstack(value, num=None, axis=0, name='unstack'):
    return _opN('Unpack', {'axis': axis}, value)


# ---- variables --------------------------------------------------------------------------------

# engine variable id -> Python wrapper, so watched_variables() returns the user's own objects.
_variables_by_id = {}


class Variable:
    """tf.Variable; instances are ResourceVariable, as in TensorFlow 2."""

    __array_priority__ = 100

    def __new__(cls, *args, **kwargs):
        if cls is Variable:
            cls = ResourceVariable
        return object.__new__(cls)

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None, name=None,
                 variable_def=None, dtype=None, import_scope=None, constraint=None, synchronization=None,
                 aggregation=None, shape=None, experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError('The `initial_value` arg (`None`) must be specified as a `Tensor` or a `callable`.')
        if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
            initial_value = initial_value()
        loc = _loc()
        if trainable is None:
            trainable = True
        want = _dtype_name(dtype)
        if isinstance(initial_value, Tensor):
            init = initial_value._t
        elif isinstance(initial_value, Variable):
            init = initial_value._v
        else:
            init = _const(initial_value, dtype=dtype, loc=loc)._t
        if _name_scopes:
            name = '/'.join(_name_scopes) + '/' + (name or 'Variable')
        try:
            self._v = _b.variable(init, name, _builtin_bool(trainable), want, loc)
        except JsException as e:
            raise _convert_error(e) from None
        self._constraint = constraint
        self._shape = None
        self._dtype = None
        _variables_by_id[self._v.id] = self

    def _read(self, loc):
        try:
            return EagerTensor(_b_read(self._v, loc))
        except JsException as e:
            raise _convert_error(e) from None

    def value(self):
        return self._read(_loc())

    def read_value(self):
        return self._read(_loc())

    def _peek(self):
        return EagerTensor(_b.peek(self._v))

    def numpy(self):
        return self._peek().numpy()

    def __array__(self, dtype=None, copy=None):
        return self._peek().__array__(dtype)

    @property
    def name(self):
        return self._v.name

    @property
    def trainable(self):
        return _builtin_bool(self._v.trainable)

    @property
    def dtype(self):
        d = self._dtype
        if d is None:
            d = self._dtype = _DTYPES[self._v.dtype]
        return d

    @property
    def shape(self):
        s = self._shape
        if s is None:
            s = self._shape = TensorShape(tuple(self._v.shape))
        return s

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return len(self.shape._dims)

    @property
    def device(self):
        return '/job:localhost/replica:0/task:0/device:CPU:0'

    @property
    def constraint(self):
        return self._constraint

    @property
    def handle(self):
        return self

    @property
    def initial_value(self):
        raise unsupported('Variable.initial_value')

    def _assign(self, value, mode, read_value):
        loc = _loc()
        if isinstance(value, Tensor):
            handle = value._t
        elif isinstance(value, Variable):
            handle = value._v
        elif type(value) is float or type(value) is int:
            handle = value
        else:
            handle = _const(value, dtype=self.dtype, loc=loc)._t
        try:
            _b.assign(self._v, handle, mode, loc)
        except JsException as e:
            raise _convert_error(e) from None
        return _UnreadVariable(self) if read_value else None

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return self._assign(value, 'assign', read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._assign(delta, 'assign_add', read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._assign(delta, 'assign_sub', read_value)

    def __repr__(self):
        return _b.variableRepr(self._v)

    __str__ = __repr__

    def __format__(self, spec):
        # TensorFlow's variables have no __format__ of their own: only the empty spec works.
        if not spec:
            return str(self)
        raise TypeError(f'unsupported format string passed to {type(self).__name__}.__format__')

    def __bool__(self):
        return _builtin_bool(self._peek())

    def __float__(self):
        return float(self._peek())

    def __int__(self):
        return int(self._peek())

    def __index__(self):
        return self._peek().__index__()

    def __len__(self):
        return len(self._peek())

    def __iter__(self):
        return iter(self.value())

    def __getitem__(self, key):
        return _slice(self.value(), key)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        if other is None:
            return False
        return self.value() == other

    def __ne__(self, other):
        if other is None:
            return True
        return self.value() != other

    def ref(self):
        return _Reference(self)

    experimental_ref = ref

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


_install_operators(Variable)


def _no_inplace(symbol, advice, out):
    def method(self, unused_other):
        raise RuntimeError(f'`{symbol}` with `tf.Variable`s is not supported. Use `{advice}` to modify the variable, '
                           f'or `{out}` if you need to get a new output Tensor.')
    return method


# TensorFlow's ResourceVariable refuses in-place operators (its texts, including `variable * value` for -=).
Variable.__iadd__ = _no_inplace('variable += value', 'variable.assign_add(value)', 'out = variable + value')
Variable.__isub__ = _no_inplace('variable -= value', 'variable.assign_sub(value)', 'out = variable * value')
Variable.__imul__ = _no_inplace('var *= value', 'var.assign(var * value)', 'out = var * value')
Variable.__itruediv__ = _no_inplace('var /= value', 'var.assign(var / value)', 'out = var / value')
Variable.__ipow__ = _no_inplace('var **= value', 'var.assign(var ** value)', 'out = var ** value')
Variable.__hash__ = lambda self: id(self)


def _variable_eq(self, other):
    if other is None:
        return False
    return _binop('Equal', self, other)


class ResourceVariable(Variable):
    pass


class _UnreadVariable(ResourceVariable):
    """What assign() returns in eager mode: the same variable, printed as 'UnreadVariable'."""

    def __new__(cls, variable):
        return object.__new__(cls)

    def __init__(self, variable):
        self._v = variable._v
        self._constraint = None
        self._shape = variable._shape
        self._dtype = variable._dtype

    @property
    def name(self):
        return 'UnreadVariable'

    def __repr__(self):
        return _b.variableRepr(self._v).replace(f"'{self._v.name}'", "'UnreadVariable'", 1)

    __str__ = __repr__


def _variable_wrapper(handle):
    found = _variables_by_id.get(handle.id)
    if found is None:
        found = object.__new__(ResourceVariable)
        found._v = handle
        found._constraint = None
        found._shape = None
        found._dtype = None
        _variables_by_id[handle.id] = found
    return found


# ---- IndexedSlices ----------------------------------------------------------------------------

class IndexedSlices:
    """A sparse gradient (tf.gather's). Tapescope keeps its dense value; tf.convert_to_tensor gives it."""

    def __init__(self, values=None, indices=None, dense_shape=None, _dense=None):
        if _dense is None:
            raise unsupported('constructing tf.IndexedSlices directly')
        self._dense = _dense

    @property
    def dense_shape(self):
        return _const(self._dense.shape.as_list(), dtype=int32)

    @property
    def shape(self):
        return self._dense.shape

    @property
    def dtype(self):
        return self._dense.dtype

    @property
    def values(self):
        raise unsupported('IndexedSlices.values (use tf.convert_to_tensor(slices) for the dense gradient)')

    @property
    def indices(self):
        raise unsupported('IndexedSlices.indices (use tf.convert_to_tensor(slices) for the dense gradient)')

    def _tapescope_tensor_(self):
        return self._dense

    def numpy(self):
        return self._dense.numpy()

    def __repr__(self):
        return (f'IndexedSlices(indices=<dense>, values={self._dense!r}, '
                f'dense_shape={self._dense.shape.as_list()})')

    def __neg__(self):
        return -self._dense

    def __mul__(self, other):
        return self._dense * other

    __rmul__ = __mul__


def _wrap_gradient(handle):
    if handle is None:
        return None
    t = EagerTensor(handle)
    if getattr(handle, 'fromIndexedSlices', False):
        return IndexedSlices(_dense=t)
    return t


# Where TensorFlow defines these classes: `print(type(x))` shows the same text as TensorFlow.
for _cls, _module_name in ((Tensor, 'tensorflow.python.framework.tensor'),
                           (EagerTensor, 'tensorflow.python.framework.ops'),
                           (Variable, 'tensorflow.python.ops.variables'),
                           (ResourceVariable, 'tensorflow.python.ops.resource_variable_ops'),
                           (_UnreadVariable, 'tensorflow.python.ops.resource_variable_ops'),
                           (TensorShape, 'tensorflow.python.framework.tensor_shape'),
                           (DType, 'tensorflow.python.framework.dtypes'),
                           (IndexedSlices, 'tensorflow.python.framework.indexed_slices'),
                           (OpError, 'tensorflow.python.framework.errors_impl')):
    _cls.__module__ = _module_name
del _cls, _module_name


class TensorSpec:
    """tf.TensorSpec: a shape and dtype (tf.function's input_signature)."""

    def __init__(self, shape, dtype=float32, name=None):
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, spec_or_tensor):
        return (as_dtype(spec_or_tensor.dtype) == self.dtype
                and self.shape.is_compatible_with(spec_or_tensor.shape))

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and other.shape == self.shape and other.dtype == self.dtype
                and other.name == self.name)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self):
        return f'TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})'


TensorSpec.__module__ = 'tensorflow.python.framework.tensor'
