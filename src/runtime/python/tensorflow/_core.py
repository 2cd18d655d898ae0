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
    costs ~100 ms per run); every run gets a fresh engine, bound here by `_tapescope_begin_run`.
    A bridge function looked up once stays in the instance dict for the run: each lookup through
    the JsProxy makes a new bound-method proxy (~8 us)."""

    def __init__(self):
        self._js = None

    def _bind(self, bridge):
        self.__dict__.clear()
        self._js = bridge

    def __getattr__(self, name):
        js = self.__dict__.get('_js')
        if js is None:
            raise RuntimeError('Tapescope: the engine is not bound (tensorflow used outside a run)')
        value = getattr(js, name)
        self.__dict__[name] = value
        return value


_b = _BridgeHandle()
# Bound per run: the calls on the hot path skip the handle.
_b_binary = _b_unary = _b_op = _b_opN = _b_loc = _b_read = None


def _tapescope_begin_run():
    """A new run (a new engine): rebind the bridge and forget everything tied to the previous one."""
    global _b_binary, _b_unary, _b_op, _b_opN, _b_loc, _b_read
    sys.modules.pop('_tapescope_engine', None)
    from _tapescope_engine import bridge
    _b._bind(bridge)
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
            d = self._dtype = _DTYPES[_dtype_name_of(self)]
            return d

    @property
    def shape(self):
        try:
            return self._shape
        except AttributeError:
            s = self._shape = TensorShape(_shape_tuple(self))
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


# The Python versions the fast layer replaced, by name (its tests compare both).
_fast_fallbacks = {}


def _fast_replace(fn, kind, op_type=None):
    """`fn`, or its fast version (with `fn` as its fallback) when the fast layer is on."""
    if _F is None:
        return fn
    _fast_fallbacks[fn.__name__] = fn
    slot = {fn.__name__: fn}
    _F.replace(id(slot), fn.__name__, kind, op_type, None, _builtin_doc(fn))
    return slot[fn.__name__]


def _builtin_doc(fn):
    """The docstring a builtin replacing `fn` carries: its signature in CPython's `name(...)\\n--\\n\\n`
    form first, so inspect.signature() and help() show `fn`'s parameters."""
    import inspect
    doc = inspect.getdoc(fn) or ''
    try:
        signature = str(inspect.signature(fn))
    except (TypeError, ValueError):
        return doc or None
    return f'{fn.__name__}{signature}\n--\n\n{doc}'


if _F is not None:
    _F.replace(id(globals()), '_adopt', 'adopt', None)
    _F.setTypes(to_js({'str': id(str), 'list': id(list), 'tuple': id(tuple), 'dict': id(dict), 'true': id(True),
                       'false': id(False)}, dict_converter=_js_object))


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
# TensorFlow's rules (constant_op.py and the C++ converter behind EagerTensor(value, dtype)):
# - without a dtype a value gets its own ("natural") dtype: bools bool, ints int32 (int64 when one
#   does not fit int32; beyond int64 a ValueError), floats float32, strings string; a list's first
#   element decides its kind (ints and bools may join floats, bools may join ints, nothing else mixes);
# - with a dtype the value must convert to it: ints and bools to any number dtype (an int32 takes
#   any int64 wrapped, as a cast would), floats only to float dtypes, strings only to string, bools
#   only to bool; anything else is a TypeError "Cannot convert 2.5 to EagerTensor of dtype int32";
# - numpy values keep their dtype, and are cast (C-style, like numpy's astype) to a requested one.
# Every value sent to the engine is JS-safe: ints beyond 2**53 (int64 only: the engine keeps int64
# values as doubles) travel as floats, never as a BigInt.

_FLOAT_DTYPES = frozenset(('float16', 'float32', 'float64'))
_INT_DTYPES = frozenset(('int32', 'int64'))
# TensorFlow's C++ names of the dtypes, as its conversion errors print them.
_C_NAMES = {'float16': 'half', 'float32': 'float', 'float64': 'double', 'int32': 'int32', 'int64': 'int64',
            'bool': 'bool', 'string': 'string'}
_INT32_MIN, _INT32_MAX = -2 ** 31, 2 ** 31 - 1
_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1
# Python ints beyond this would reach JavaScript as BigInt (or lose digits as a number).
_JS_SAFE = 2 ** 53 - 1
_OUT_OF_RANGE_INT = "Can't convert Python sequence with out-of-range integer to Tensor."
_OUT_OF_RANGE_DOUBLE = "Can't convert Python sequence with a value out of range for a double-precision float."
_MIXED_TYPES = "Can't convert Python sequence with mixed types to Tensor."


def _unsupported_value(v):
    return ValueError(f'Attempt to convert a value ({v!r}) with an unsupported type ({type(v)}) to a Tensor.')


def _cannot_convert(source, dtype_name):
    return TypeError(f'Cannot convert {source!r} to EagerTensor of dtype {_C_NAMES.get(dtype_name, dtype_name)}')


def _flatten_value(value):
    """Flat list and shape of a (nested) Python/numpy value, and the numpy dtype name of a numpy value (else
    None); ValueError when ragged."""
    import numpy
    if isinstance(value, (Tensor, Variable)):
        value = value.numpy()
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


def _value_kind(v):
    if isinstance(v, _builtin_bool):
        return 'bool'
    if isinstance(v, int):
        return 'int'
    if isinstance(v, float):
        return 'float'
    if isinstance(v, (str, bytes)):
        return 'string'
    if isinstance(v, complex):
        raise unsupported('the dtype tf.complex128')
    return None


def _js_int64(v):
    return v if -_JS_SAFE <= v <= _JS_SAFE else float(v)


def _wrap_int32(v):
    return ((v - _INT32_MIN) & 0xFFFFFFFF) + _INT32_MIN


def _as_floats(flat):
    try:
        return [float(v) for v in flat]
    except OverflowError:
        raise ValueError(_OUT_OF_RANGE_DOUBLE) from None


def _natural(flat):
    """(dtype name, values) of flat Python values converted without a dtype, as TensorFlow does."""
    kind = None
    small = True  # every int fits int32
    for v in flat:
        k = _value_kind(v)
        if kind is None:
            if k is None:
                raise _unsupported_value(v)
            kind = k
        elif k != kind:
            if kind == 'int' and k == 'float':
                kind = 'float'
            elif not ((kind == 'float' and k == 'int') or (k == 'bool' and kind in ('int', 'float'))):
                raise ValueError(_MIXED_TYPES)
        if kind == 'int' and k == 'int' and not _INT32_MIN <= v <= _INT32_MAX:
            if not _INT64_MIN <= v <= _INT64_MAX:
                raise ValueError(_OUT_OF_RANGE_INT)
            small = False
    if kind is None:
        return 'float32', []
    if kind == 'float':
        return 'float32', _as_floats(flat)
    if kind == 'int':
        return ('int32', [int(v) for v in flat]) if small else ('int64', [_js_int64(int(v)) for v in flat])
    if kind == 'string':
        return 'string', [v.decode('utf-8', 'replace') if isinstance(v, bytes) else v for v in flat]
    return 'bool', flat


def _exact(flat, dtype_name):
    """Flat Python values converted to `dtype_name` when they all take it (None when one does not)."""
    if dtype_name in _FLOAT_DTYPES:
        out = []
        for v in flat:
            if not isinstance(v, (int, float)):  # bools are ints
                return None
            try:
                out.append(float(v))
            except OverflowError:
                return None
        return out
    if dtype_name in _INT_DTYPES:
        out = []
        for v in flat:
            if not isinstance(v, int) or not _INT64_MIN <= v <= _INT64_MAX:
                return None
            v = int(v)
            out.append(_wrap_int32(v) if dtype_name == 'int32' else _js_int64(v))
        return out
    if dtype_name == 'bool':
        return flat if all(isinstance(v, _builtin_bool) for v in flat) else None
    if dtype_name == 'string':
        if not all(isinstance(v, (str, bytes)) for v in flat):
            return None
        return [v.decode('utf-8', 'replace') if isinstance(v, bytes) else v for v in flat]
    return None


def _values_as(flat, dtype_name, source):
    """Flat Python values converted to `dtype_name` (`source` is the value, for the error text)."""
    out = _exact(flat, dtype_name)
    if out is not None:
        return out
    as_dtype(dtype_name)  # an unsupported dtype says so
    if any(isinstance(v, complex) for v in flat):
        raise _cannot_convert(source, dtype_name)
    natural, values = _natural(flat)  # raises the ValueError of values no dtype takes
    if dtype_name in _FLOAT_DTYPES and natural in _FLOAT_DTYPES:
        return values
    raise _cannot_convert(source, dtype_name)


def _cast_numpy(flat, source, target):
    """numpy's C-style cast of an array's values to a supported dtype (what TensorFlow does to numpy values)."""
    if source in ('object', 'str'):
        return _values_as(flat, target, flat)
    if target in _FLOAT_DTYPES:
        return [float(v) for v in flat]
    if target == 'bool':
        return [_builtin_bool(v) for v in flat]
    if target in _INT_DTYPES:
        out = []
        for v in flat:
            try:
                v = int(v)
            except (ValueError, OverflowError):  # nan, inf: numpy gives the most negative integer
                v = _INT64_MIN
            out.append(_wrap_int32(v) if target == 'int32' else _js_int64(((v - _INT64_MIN) & (2 ** 64 - 1)) + _INT64_MIN))
        return out
    raise _cannot_convert(flat if len(flat) != 1 else flat[0], target)


def _convert(value, want):
    """(values, shape, dtype name) of a Python / numpy value converted as TensorFlow converts it, to the
    dtype `want` (a name) or to its own."""
    flat, shape, source = _flatten_value(value)
    if source is not None and source not in ('object', 'str'):
        target = want or as_dtype(source)._name
        if source == target:
            return (flat if target != 'int64' else [_js_int64(int(v)) for v in flat]), shape, target
        return _cast_numpy(flat, source, target), shape, target
    if want is None:
        dtype_name, values = _natural(flat)
        return values, shape, dtype_name
    return _values_as(flat, want, value), shape, want


# Typed-array codes for handing numpy data to the engine in one copy (int64 travels as float64,
# which is how the engine stores it).
_ARRAY_CODES = {'float32': 'f', 'float16': 'f', 'float64': 'd', 'int32': 'i', 'int64': 'd', 'bool': 'B'}


def _const_from_ndarray(value, want, name, loc):
    """An ndarray of a numeric dtype kept (or widened) as it is: its data go to the engine as one typed array."""
    source = value._dtype
    target = want or source
    if source not in _ARRAY_CODES or not (
            source == target or (source in _FLOAT_DTYPES and target in _FLOAT_DTYPES)
            or (source == 'int32' and target == 'int64')):
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
    flat, value_shape, dtype_name = _convert(value, want)
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


# ---- operands of binary ops: TensorFlow's rules ------------------------------------------------
# Which dtype a Python value takes depends on the op (tensorflow/python/ops/math_ops.py,
# framework/override_binary_operator.py and the eager op execution):
# - generated ops (tf.subtract, tf.maximum, `x - y`, `x < y`, ...): the dtype T of the first tensor or
#   variable, else the own dtype of the first value; every other value must convert to T exactly
#   (`i - 2.5` is a TypeError);
# - tf.add, `x + y`, tf.truediv, `x / y`: x as it is, y converted with x's dtype as a hint: when it
#   does not take it, its own dtype (`i + 2.5` then fails in the kernel: InvalidArgumentError);
# - reflected operators (`2.5 - x`): the value must convert to the tensor's dtype exactly;
# - `x * y` with a bool tensor multiplies as int32 and casts back (the bridge's MulOperator);
#   `x / y` wants one dtype, ints divide as float64 (the bridge's TrueDiv).
# Plain Python numbers that already are exact in the other operand's dtype go to the bridge as they
# are (the engine makes them that dtype); everything else becomes a constant here.

def _tensorish(v):
    """A Tensor or Variable as it is, the tensor of an IndexedSlices (or of an object with
    `_tapescope_tensor_`), or None for a Python / numpy value."""
    if isinstance(v, (Tensor, Variable)):
        return v
    conv = getattr(type(v), '_tapescope_tensor_', None)
    return conv(v) if conv is not None else None


def _handle_of(t):
    return t._t if isinstance(t, Tensor) else t._v


def _scalar_as(value, dtype_name):
    """A Python scalar the bridge can take as it is for an operand of `dtype_name` (the engine converts it to
    that dtype exactly as TensorFlow would), else None."""
    kind = type(value)
    if kind is float:
        return value if dtype_name in _FLOAT_DTYPES else None
    if kind is int:
        if dtype_name == 'int32':
            return value if _INT32_MIN <= value <= _INT32_MAX else None
        if dtype_name in _FLOAT_DTYPES or dtype_name == 'int64':
            return value if -_JS_SAFE <= value <= _JS_SAFE else None
        return None
    if kind is _builtin_bool:
        if dtype_name == 'bool':
            return value
        return int(value) if dtype_name in _FLOAT_DTYPES or dtype_name in _INT_DTYPES else None
    if kind is str and dtype_name == 'string':
        return value
    return None


def _strict_operand(value, dtype_name, loc):
    """convert_to_tensor(value, dtype): an operand of exactly `dtype_name` (TensorFlow's TypeError / ValueError)."""
    s = _scalar_as(value, dtype_name)
    if s is not None:
        return s
    return _const(value, dtype_name, loc=loc)._t


def _hinted_operand(value, dtype_name, loc):
    """convert_to_tensor(value, dtype_hint=...): that dtype when the value converts to it, else its own."""
    s = _scalar_as(value, dtype_name)
    if s is not None:
        return s
    try:
        return _const(value, dtype_name, loc=loc)._t
    except (TypeError, ValueError):
        return _const(value, None, loc=loc)._t


def _generated_operands(x, y, loc):
    """Operands of a generated op: dtype T of the first tensor (else of the first value), values converted to T."""
    tx = _tensorish(x)
    ty = _tensorish(y)
    if tx is not None:
        return _handle_of(tx), (_handle_of(ty) if ty is not None else _strict_operand(y, tx.dtype._name, loc))
    if ty is not None:
        return _strict_operand(x, ty.dtype._name, loc), _handle_of(ty)
    cx = _const(x, None, loc=loc)
    return cx._t, _strict_operand(y, cx.dtype._name, loc)


def _hinted_operands(x, y, loc):
    """tf.add / tf.truediv: x converted as it is, y with x's dtype as a hint."""
    tx = _tensorish(x)
    if tx is None:
        tx = _const(x, None, loc=loc)
    ty = _tensorish(y)
    return _handle_of(tx), (_handle_of(ty) if ty is not None else _hinted_operand(y, tx.dtype._name, loc))


def _multiply_operands(x, y, loc):
    """`x * y`: with a bool tensor on either side both are cast to int32 (the value as it converts on its own)."""
    tx = _tensorish(x)
    ty = _tensorish(y)
    if (tx is not None and tx.dtype is bool) or (ty is not None and ty.dtype is bool):
        return (_handle_of(tx) if tx is not None else _const(x, None, loc=loc)._t,
                _handle_of(ty) if ty is not None else _const(y, None, loc=loc)._t)
    return _generated_operands(x, y, loc)


def _divide_operands(x, y, loc, name=None):
    """tf.divide: a non-tensor x takes y's dtype exactly, then `x / y` (with a name: tf.truediv's rule)."""
    if name is None and _tensorish(x) is None:
        ty = _tensorish(y)
        x = _const(x, None if ty is None else ty.dtype, loc=loc)
    return _hinted_operands(x, y, loc)


def _divide_no_nan_operands(x, y, loc):
    """tf.math.divide_no_nan: a value x beside a tensor y takes y's dtype exactly, else tf.truediv's rule."""
    if _tensorish(x) is None:
        ty = _tensorish(y)
        if ty is not None:
            return _strict_operand(x, ty.dtype._name, loc), _handle_of(ty)
    return _hinted_operands(x, y, loc)


def _run_binary(op_type, a, b, loc):
    try:
        return EagerTensor(_b_binary(op_type, a, b, loc))
    except JsException as e:
        raise _convert_error(e) from None


def _binop(op_type, x, y, rule=_generated_operands):
    """A binary op called from user code (tf.subtract, tf.equal, ...): operands by `rule`, one bridge call."""
    loc = _loc()
    a, b = rule(x, y, loc)
    return _run_binary(op_type, a, b, loc)


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


def _shape_tuple(tensor):
    return tuple(tensor._t.shape)


def _dtype_name_of(tensor):
    return tensor._t.dtype


# The generic op path and a tensor's shape and dtype, on the fast layer when it is on.
_op = _fast_replace(_op, 'op')
_opN = _fast_replace(_opN, 'opN')
_shape_tuple = _fast_replace(_shape_tuple, 'shape')
_dtype_name_of = _fast_replace(_dtype_name_of, 'dtypeName')


def _matmul(a, b, transpose_a=False, transpose_b=False):
    a = _to_tensor(a)
    # A variable of the same dtype goes to the op as it is (the op reads it, as convert_to_tensor
    # would, one Python round trip less: `x @ w` is the heart of most training steps).
    if not (isinstance(b, Variable) and b.dtype == a.dtype):
        b = _to_tensor(b, a.dtype)
    kind = 'BatchMatMulV2' if a.ndim > 2 or b.ndim > 2 else 'MatMul'
    if a.ndim < 2 or b.ndim < 2:
        bad = a if a.ndim < 2 else b
        raise InvalidArgumentError(
            None, None,
            f'{{{{function_node __wrapped__{kind}_device_/job:localhost/replica:0/task:0/device:CPU:0}}}} '
            f'In[0] and In[1] has different ndims: {a.shape} vs. {b.shape} [Op:{kind}] name: ')
    return _op(kind, {'transpose_a': transpose_a, 'transpose_b': transpose_b}, a, b)


# ---- operators --------------------------------------------------------------------------------

# name: (op type, operand rule of `tensor OP value`); the reflected `value OP tensor` converts the
# value to the tensor's dtype exactly. The bridge's MulOperator is Mul with `*`'s bool rule.
_OPERATORS = {
    'add': ('AddV2', _hinted_operands), 'sub': ('Sub', _generated_operands),
    'mul': ('MulOperator', _multiply_operands), 'truediv': ('TrueDiv', _hinted_operands),
    'floordiv': ('FloorDiv', _generated_operands), 'mod': ('FloorMod', _generated_operands),
    'pow': ('Pow', _generated_operands),
    'lt': ('Less', _generated_operands), 'le': ('LessEqual', _generated_operands),
    'gt': ('Greater', _generated_operands), 'ge': ('GreaterEqual', _generated_operands),
}
# Operators TensorFlow defines through override_binary_operator_helper: when converting the other
# operand fails (TypeError / ValueError), its reflected method gets a chance.
_RETRIED = frozenset(('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'and', 'or', 'xor'))


def _reflected_operand(value, tensor, loc):
    """The left operand of `value OP tensor`: the value converted to the tensor's dtype exactly."""
    dtype_name = tensor.dtype._name
    other = _tensorish(value)
    if other is None:
        return _strict_operand(value, dtype_name, loc)
    if other.dtype._name != dtype_name:
        raise ValueError(f'x: Tensor conversion requested dtype {dtype_name} for Tensor with dtype '
                         f'{other.dtype._name}: {other!r}')
    return _handle_of(other)


def _with_reflected_retry(name, x, y, compute):
    """TensorFlow's binary_op_wrapper: when `compute()` fails with a TypeError or ValueError and y's type has
    `__r<name>__`, that decides (the first error stands if it fails or returns NotImplemented)."""
    try:
        return compute()
    except (TypeError, ValueError) as e:
        error = e
    reflected = getattr(type(y), f'__r{name}__', None)
    if reflected is not None:
        try:
            out = reflected(y, x)
        except (TypeError, ValueError):
            out = NotImplemented
        if out is not NotImplemented:
            return out
    raise error


def _operator_slow(name, op_type, rule, x, y, reflected):
    """`x OP y` (x a tensor or variable) for any other operand, by TensorFlow's rules."""
    loc = _loc()
    if reflected:
        return _run_binary(op_type, _reflected_operand(y, x, loc), _handle_of(x), loc)

    def compute():
        a, b = rule(x, y, loc)
        return _run_binary(op_type, a, b, loc)
    if name in _RETRIED:
        return _with_reflected_retry(name, x, y, compute)
    return compute()


def _fast_binary(name, reflected):
    """An operator method with the whole hot path in one frame: a tensor / variable operand or a Python number
    exact in this tensor's dtype, the cached location of the user's line, one bridge call."""
    op_type, rule = _OPERATORS[name]

    def method(self, other):
        kind = type(other)
        if kind is EagerTensor:
            h = other._t
        elif kind is float or kind is int:
            h = _scalar_as(other, self.dtype._name)
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
                    error = _convert_error(e)
                if reflected or name not in _RETRIED or not isinstance(error, (TypeError, ValueError)):
                    raise error
        return _operator_slow(name, op_type, rule, self, other, reflected)
    method.__name__ = method.__qualname__ = f'__r{name}__' if reflected else f'__{name}__'
    return method


def _fast_function(op_type, name, rule=_generated_operands, takes_name=False):
    """tf.add & co.: the same one-frame hot path as the operators when both operands are tensors; other
    operands by `rule` (given the call's `name` too when `takes_name`)."""
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
        loc = _loc()
        a, b = rule(x, y, loc, name) if takes_name else rule(x, y, loc)
        return _run_binary(op_type, a, b, loc)
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


_BITWISE_ALLOWED = 'int8, int16, int32, int64, uint8, uint16, uint32, uint64'
_BITWISE_SIGNATURES = {'BitwiseAnd': 'x:T, y:T -> z:T', 'BitwiseOr': 'x:T, y:T -> z:T',
                       'BitwiseXor': 'x:T, y:T -> z:T', 'Invert': 'x:T -> y:T'}


def _bitwise(op_type, dtype):
    """The bitwise ops `&`, `|`, `^`, `~` run on integer tensors: not in the engine yet; TensorFlow's error for
    the other dtypes."""
    if dtype._name in _INT_DTYPES:
        return unsupported(f'bitwise operators on integer tensors ({op_type})')
    commutative = '; is_commutative=true' if op_type != 'Invert' else ''
    return InvalidArgumentError(
        None, None,
        f"Value for attr 'T' of {_C_NAMES.get(dtype._name, dtype._name)} is not in the list of allowed values: "
        f"{_BITWISE_ALLOWED}\n\t; NodeDef: {{{{node {op_type}}}}}; Op<name={op_type}; "
        f"signature={_BITWISE_SIGNATURES[op_type]}; attr=T:type,allowed=[DT_INT8, DT_INT16, DT_INT32, DT_INT64, "
        f"DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64]{commutative}> [Op:{op_type}] name: ")


def _logical(name, x, y, loc):
    """`x & y`, `x | y`, `x ^ y` with x a tensor: logical ops for bools (y converted to bool exactly)."""
    a, b = _generated_operands(x, y, loc)
    if x.dtype is not bool:
        raise _bitwise({'and': 'BitwiseAnd', 'or': 'BitwiseOr', 'xor': 'BitwiseXor'}[name], x.dtype)
    if name == 'and':
        return _run_binary('LogicalAnd', a, b, loc)
    if name == 'or':
        return _run_binary('LogicalOr', a, b, loc)
    # tf.math.logical_xor: (x | y) & ~(x & y)
    either = _run_binary('LogicalOr', a, b, loc)
    both = _run_binary('LogicalAnd', a, b, loc)
    return _run_binary('LogicalAnd', either._t, _unop('LogicalNot', both)._t, loc)


def _equality(op_type, x, y):
    """`==` / `!=`: Equal / NotEqual with incompatible_shape_error=False (a scalar False / True when the shapes
    do not broadcast); conversion errors are raised."""
    loc = _loc()
    a, b = _generated_operands(x, y, loc)
    try:
        return _run_binary(op_type, a, b, loc)
    except InvalidArgumentError as e:
        if 'Incompatible shapes' not in str(e):
            raise
    return _const(op_type == 'NotEqual', loc=loc)


def _install_operators(cls):
    for name in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow'):
        setattr(cls, f'__{name}__', _fast_binary(name, False))
        setattr(cls, f'__r{name}__', _fast_binary(name, True))
    for name in ('lt', 'le', 'gt', 'ge'):
        setattr(cls, f'__{name}__', _fast_binary(name, False))

    def matmul(self, other):
        return _matmul(self, other)

    def rmatmul(self, other):
        return _matmul(_to_tensor(other, self.dtype), self)

    def neg(self):
        return _unop('Neg', self)

    def absolute(self):
        return _unop('Abs', self)

    def invert(self):
        if self.dtype is not bool:
            raise _bitwise('Invert', self.dtype)
        return _unop('LogicalNot', self)

    def logical(name):
        def forward(self, other):
            return _with_reflected_retry(name, self, other, lambda: _logical(name, self, other, _loc()))

        def reflected(self, other):
            loc = _loc()
            left = _tensorish(other)
            if left is None:
                left = _const(other, self.dtype, loc=loc)
            else:
                _reflected_operand(left, self, loc)  # the dtype must be the same
            return _logical(name, left, self, loc)
        forward.__name__ = f'__{name}__'
        reflected.__name__ = f'__r{name}__'
        return forward, reflected

    for name in ('and', 'or', 'xor'):
        forward, reflected = logical(name)
        setattr(cls, f'__{name}__', forward)
        setattr(cls, f'__r{name}__', reflected)

    cls.__matmul__ = matmul
    cls.__rmatmul__ = rmatmul
    cls.__neg__ = neg
    cls.__abs__ = absolute
    cls.__invert__ = invert


def _tensor_eq(self, other):
    # TensorFlow 2: `==` is elementwise when the shapes are compatible, else False; `tensor == None` is False.
    if other is None:
        return False
    return _equality('Equal', self, other)


def _tensor_ne(self, other):
    if other is None:
        return True
    return _equality('NotEqual', self, other)


def _unary_plus(self):
    raise TypeError("bad operand type for unary +: 'tensorflow.python.framework.ops.EagerTensor'")


_install_operators(Tensor)
Tensor.__eq__ = _tensor_eq
Tensor.__ne__ = _tensor_ne
Tensor.__pos__ = _unary_plus


def _install_fast_operators(cls):
    """`cls`'s operators as fast-layer method descriptors (called with no Python frame)."""
    specs = [(f'__{name}__', 'binary', op) for name, op in _FAST_OPERATORS]
    specs += [(f'__r{name}__', 'rbinary', op) for name, op in _FAST_OPERATORS[:7]]
    specs += [('__neg__', 'unaryMethod', 'Neg'), ('__abs__', 'unaryMethod', 'Abs'), ('__matmul__', 'matmulMethod', None)]
    methods = {name: getattr(cls, name) for name, _, _ in specs}
    for name, kind, op in specs:
        _F.replace(id(methods), name, kind, op, id(cls))
        setattr(cls, name, methods[name])
    if cls is not EagerTensor:
        return
    # The engine tensor of an EagerTensor goes when Python frees it: by a hook on the type's
    # tp_free when the layer could place one, else by a (slower) finalizer.
    if _F.finalizerReason() is not None:
        release = {}
        _F.replace(id(release), '__del__', 'release', None)
        EagerTensor.__del__ = release['__del__']


_FAST_OPERATORS = tuple((name, _OPERATORS[name][0]) for name in (
    'add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'lt', 'le', 'gt', 'ge'))
if _F is not None:
    _install_fast_operators(EagerTensor)
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
        _adopt_variable(self, self._v)
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
        else:
            handle = _strict_operand(value, self.dtype._name, loc)
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

    # ResourceVariable: Equal / NotEqual with incompatible_shape_error=False, and no special case for None.
    def __eq__(self, other):
        return _equality('Equal', self, other)

    def __ne__(self, other):
        return _equality('NotEqual', self, other)

    def ref(self):
        return _Reference(self)

    experimental_ref = ref

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


_install_operators(Variable)


def _adopt_variable(variable, handle):
    """Registers a variable with the fast layer (replaced by it when it is on), so operators and ops
    take it as an operand without a Python detour."""


def _install_fast_variables():
    _F.replace(id(globals()), '_adopt_variable', 'adoptVariable', None)
    for cls in (ResourceVariable, _UnreadVariable):
        _F.variableType(to_js({'object': id(cls), 'basicSize': cls.__basicsize__, 'flags': cls.__flags__,
                               'base': id(cls.__base__)}, dict_converter=_js_object))
    _install_fast_operators(ResourceVariable)


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


class ResourceVariable(Variable):
    pass


class _UnreadVariable(ResourceVariable):
    """What assign() returns in eager mode: the same variable, printed as 'UnreadVariable'."""

    def __new__(cls, variable):
        return object.__new__(cls)

    def __init__(self, variable):
        self._v = variable._v
        _adopt_variable(self, self._v)
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
        _adopt_variable(found, handle)
        found._constraint = None
        found._shape = None
        found._dtype = None
        _variables_by_id[handle.id] = found
    return found


if _F is not None:
    _install_fast_variables()


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
