"""Tapescope's small numpy stand-in: what TensorFlow scripts do with `.numpy()` values and with numpy.

Arrays are flat Python lists with a shape and a dtype, float32 values rounded to float32 after every
operation; printing goes through the engine's numpy 1.x formatter, so it is byte-exact. This is not
numpy: anything missing raises an error saying Tapescope does not support it yet.
"""

import array as _array
import builtins as _builtins
import math as _math
import operator as _operator
import random as _pyrandom
import struct as _struct

__version__ = '1.26.4'

_bool = _builtins.bool
_int = _builtins.int
_float = _builtins.float
_abs = _builtins.abs
_min = _builtins.min
_max = _builtins.max
_sum = _builtins.sum
_round = _builtins.round
_range = _builtins.range

pi = _math.pi
e = _math.e
inf = _math.inf
Inf = inf
infty = inf
nan = _math.nan
NaN = nan
newaxis = None


def _bridge():
    from _tapescope_engine import bridge
    return bridge


def _unsupported(api):
    return NotImplementedError(f'Tapescope does not support numpy.{api} yet (its numpy is a small stand-in).')


# ---- dtypes -----------------------------------------------------------------------------------

_KIND = {'bool': 'b', 'int8': 'i', 'int16': 'i', 'int32': 'i', 'int64': 'i', 'uint8': 'u', 'float16': 'f',
         'float32': 'f', 'float64': 'f', 'object': 'O', 'str': 'U'}
_ITEMSIZE = {'bool': 1, 'int8': 1, 'int16': 2, 'int32': 4, 'int64': 8, 'uint8': 1, 'float16': 2, 'float32': 4,
             'float64': 8, 'object': 8, 'str': 4}


class dtype:
    __slots__ = ('name',)

    def __new__(cls, spec=None, *args, **kwargs):
        name = _dtype_name(spec)
        obj = object.__new__(cls)
        obj.name = name
        return obj

    @property
    def kind(self):
        return _KIND[self.name]

    @property
    def itemsize(self):
        return _ITEMSIZE[self.name]

    @property
    def type(self):
        return _SCALAR_TYPES[self.name]

    @property
    def char(self):
        return {'float32': 'f', 'float64': 'd', 'int32': 'i', 'int64': 'l', 'bool': '?', 'float16': 'e'}.get(
            self.name, 'O')

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"dtype('{self.name}')"

    def __eq__(self, other):
        if _defers(other):
            return NotImplemented
        try:
            return _dtype_name(other) == self.name
        except TypeError:
            return False

    def __ne__(self, other):
        if _defers(other):
            return NotImplemented
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)


def _dtype_name(spec):
    if spec is None:
        return 'float64'
    if isinstance(spec, dtype):
        return spec.name
    if isinstance(spec, str):
        aliases = {'float': 'float64', 'f4': 'float32', 'f8': 'float64', 'f2': 'float16', 'i4': 'int32',
                   'i8': 'int64', 'int': 'int64', 'bool_': 'bool', '?': 'bool', 'double': 'float64',
                   'single': 'float32', 'half': 'float16', 'O': 'object', 'object_': 'object', 'U': 'str',
                   'str_': 'str'}
        name = aliases.get(spec, spec)
        if name in _KIND:
            return name
        raise TypeError(f"data type '{spec}' not understood")
    if spec is _float:
        return 'float64'
    if spec is _int:
        return 'int64'
    if spec is _bool:
        return 'bool'
    if spec is str or spec is bytes or spec is object:
        return 'object'
    name = getattr(spec, '_dtype_name', None)
    if name is not None:
        return name
    tf_name = getattr(spec, 'as_numpy_dtype', None)
    if tf_name is not None and hasattr(spec, 'is_floating'):
        return _dtype_name(spec.name)
    inner = getattr(spec, 'dtype', None)
    if isinstance(inner, dtype):
        return inner.name
    raise TypeError(f'Cannot interpret {spec!r} as a data type')


def _round_values(name, values):
    """Values stored as the dtype holds them (float32 rounding, int wrapping is not modelled)."""
    if name == 'float32':
        try:
            return list(_array.array('f', values))
        except TypeError:
            return list(_array.array('f', [_float(v) for v in values]))
    if name == 'float64':
        return [_float(v) for v in values]
    if name == 'float16':
        return [_struct.unpack('e', _struct.pack('e', _float(v)))[0] if _math.isfinite(v) and _abs(v) < 65520
                else (_float(v) if not _math.isfinite(v) else _math.copysign(inf, v)) for v in values]
    if name in ('int32', 'int64', 'int8', 'int16', 'uint8'):
        out = []
        for v in values:
            if isinstance(v, _float) and not _math.isfinite(v):
                raise ValueError('cannot convert float NaN to integer' if _math.isnan(v) else
                                 'cannot convert float infinity to integer')
            out.append(_int(v))
        return out
    if name == 'bool':
        return [_bool(v) for v in values]
    return list(values)


# ---- scalars ----------------------------------------------------------------------------------

class generic:
    """Base of numpy scalar types."""
    _dtype_name = 'float64'

    @property
    def dtype(self):
        return dtype(self._dtype_name)

    @property
    def shape(self):
        return ()

    @property
    def ndim(self):
        return 0

    @property
    def size(self):
        return 1

    def item(self):
        return _PY_TYPE[self._dtype_name](self)

    def tolist(self):
        return self.item()

    def astype(self, to):
        return _scalar(_dtype_name(to), self.item())

    def __array__(self, dtype=None, copy=None):
        return array(self.item(), dtype=self._dtype_name if dtype is None else dtype)


def _float_scalar_type(name):
    class _FloatScalar(_float, generic):
        _dtype_name = name
        __slots__ = ()

        def __new__(cls, value=0.0):
            if isinstance(value, (list, tuple, ndarray)):
                return asarray(value, dtype=name)
            v = _float(value.item() if isinstance(value, generic) else value)
            return _float.__new__(cls, _round_values(name, [v])[0])

        def __str__(self):
            if name == 'float64':
                return _float.__repr__(self)
            return _bridge().scalarStr(name, _float(self))

        __repr__ = __str__

        def __format__(self, spec):
            # numpy formats a float scalar as the Python float it holds (f'{np.float32(0.1)}' is 0.10000000149011612).
            return _float.__format__(_float(self), spec)

        def __bool__(self):
            return _float(self) != 0.0

    _FloatScalar.__name__ = name
    _FloatScalar.__qualname__ = name
    return _FloatScalar


def _int_scalar_type(name):
    class _IntScalar(_int, generic):
        _dtype_name = name
        __slots__ = ()

        def __new__(cls, value=0):
            if isinstance(value, (list, tuple, ndarray)):
                return asarray(value, dtype=name)
            return _int.__new__(cls, _int(value))

        def __str__(self):
            return _int.__repr__(self)

        __repr__ = __str__

        def __format__(self, spec):
            return _int.__format__(_int(self), spec)

    _IntScalar.__name__ = name
    _IntScalar.__qualname__ = name
    return _IntScalar


def _install_scalar_arithmetic(cls):
    """numpy scalar arithmetic: results keep numpy's dtype rules (Python scalars are 'weak', as in numpy 2)."""
    binary = {'add': _operator.add, 'sub': _operator.sub, 'mul': _operator.mul, 'floordiv': None, 'mod': None,
              'pow': None, 'truediv': None}

    def make(name):
        def forward(self, other):
            if not isinstance(other, (_int, _float, _bool, generic, ndarray)) or _defers(other):
                return NotImplemented
            return _SCALAR_OPS[name](self, other)

        def reflected(self, other):
            if not isinstance(other, (_int, _float, _bool, generic, ndarray)):
                return NotImplemented
            return _SCALAR_OPS[name](other, self)
        return forward, reflected

    for name in binary:
        forward, reflected = make(name)
        setattr(cls, f'__{name}__', forward)
        setattr(cls, f'__r{name}__', reflected)
    cls.__neg__ = lambda self: _unary(_operator.neg, self)
    cls.__abs__ = lambda self: _unary(_abs, self)
    cls.__pos__ = lambda self: self
    return cls


float16 = _float_scalar_type('float16')
float32 = _float_scalar_type('float32')
float64 = _float_scalar_type('float64')
int8 = _int_scalar_type('int8')
int16 = _int_scalar_type('int16')
int32 = _int_scalar_type('int32')
int64 = _int_scalar_type('int64')
uint8 = _int_scalar_type('uint8')
for _cls in (float16, float32, float64, int8, int16, int32, int64, uint8):
    _install_scalar_arithmetic(_cls)
half = float16
single = float32
double = float64
float_ = float64
int_ = int64
intc = int32
floating = _float
integer = _int
number = (generic,)


class bool_(generic):
    _dtype_name = 'bool'
    __slots__ = ('_value',)

    def __init__(self, value=False):
        self._value = _bool(value)

    def __bool__(self):
        return self._value

    def __eq__(self, other):
        return bool_(self._value == _bool(other))

    def __hash__(self):
        return hash(self._value)

    def __str__(self):
        return 'True' if self._value else 'False'

    __repr__ = __str__

    def __int__(self):
        return _int(self._value)

    def __index__(self):
        return _int(self._value)

    def __invert__(self):
        return bool_(not self._value)

    def __and__(self, other):
        return bool_(self._value and _bool(other))

    def __or__(self, other):
        return bool_(self._value or _bool(other))

    def item(self):
        return self._value


class object_(generic):
    _dtype_name = 'object'


bytes_ = bytes
str_ = str

_SCALAR_TYPES = {'float16': float16, 'float32': float32, 'float64': float64, 'int8': int8, 'int16': int16,
                 'int32': int32, 'int64': int64, 'uint8': uint8, 'bool': bool_, 'object': object_}
_PY_TYPE = {'float16': _float, 'float32': _float, 'float64': _float, 'int8': _int, 'int16': _int, 'int32': _int,
            'int64': _int, 'uint8': _int, 'bool': _bool, 'object': lambda v: v}


def _scalar(name, value):
    if name == 'object' or name == 'str':
        return value
    return _SCALAR_TYPES[name](value)


# ---- arrays -----------------------------------------------------------------------------------

def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _strides(shape):
    strides = [1] * len(shape)
    for i in _range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    return strides


class ndarray:
    __slots__ = ('_data', '_shape', '_dtype')
    __array_priority__ = 0

    def __init__(self, shape, dtype_=None, buffer=None):
        shape = (shape,) if isinstance(shape, _int) else tuple(shape)
        self._shape = shape
        self._dtype = _dtype_name(dtype_)
        self._data = list(buffer) if buffer is not None else [0.0] * _size(shape)

    @classmethod
    def _make(cls, data, shape, name):
        obj = object.__new__(cls)
        obj._data = data
        obj._shape = tuple(shape)
        obj._dtype = name
        return obj

    # properties
    @property
    def shape(self):
        return self._shape

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return len(self._data)

    @property
    def dtype(self):
        return dtype(self._dtype)

    @property
    def itemsize(self):
        return _ITEMSIZE[self._dtype]

    @property
    def nbytes(self):
        return self.itemsize * self.size

    @property
    def T(self):
        return self.transpose()

    @property
    def flat(self):
        return iter(self.flatten())

    # conversions
    def tolist(self):
        py = _PY_TYPE[self._dtype]
        if not self._shape:
            return py(self._data[0])

        def build(level, offset):
            n = self._shape[level]
            stride = _size(self._shape[level + 1:])
            if level == len(self._shape) - 1:
                return [py(self._data[offset + i]) for i in _range(n)]
            return [build(level + 1, offset + i * stride) for i in _range(n)]
        return build(0, 0)

    def item(self, *args):
        if args:
            index = args[0] if len(args) == 1 else args
            if isinstance(index, tuple):
                flat = _sum(i * s for i, s in zip(index, _strides(self._shape)))
            else:
                flat = index
            return _PY_TYPE[self._dtype](self._data[flat])
        if len(self._data) != 1:
            raise ValueError('can only convert an array of size 1 to a Python scalar')
        return _PY_TYPE[self._dtype](self._data[0])

    def astype(self, to, copy=True):
        name = _dtype_name(to)
        return ndarray._make(_round_values(name, self._data), self._shape, name)

    def copy(self):
        return ndarray._make(list(self._data), self._shape, self._dtype)

    def reshape(self, *shape, order='C'):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = list(shape)
        if -1 in shape:
            known = _size([d for d in shape if d != -1])
            shape[shape.index(-1)] = len(self._data) // known if known else 0
        if _size(shape) != len(self._data):
            raise ValueError(f'cannot reshape array of size {len(self._data)} into shape {tuple(shape)}')
        return ndarray._make(self._data, shape, self._dtype)

    def flatten(self):
        return ndarray._make(list(self._data), (len(self._data),), self._dtype)

    ravel = flatten

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        rank = len(self._shape)
        if not axes:
            axes = tuple(_range(rank - 1, -1, -1))
        new_shape = [self._shape[a] for a in axes]
        old_strides = _strides(self._shape)
        data = []
        for index in _indices(new_shape):
            data.append(self._data[_sum(index[i] * old_strides[axes[i]] for i in _range(rank))])
        return ndarray._make(data, new_shape, self._dtype)

    def squeeze(self, axis=None):
        return squeeze(self, axis)

    def __array__(self, dtype=None, copy=None):
        return self if dtype is None else self.astype(dtype)

    # printing
    def __str__(self):
        return _bridge().numpyStr(self._dtype_for_print(), list(self._shape), self._print_data())

    def __repr__(self):
        return _bridge().numpyRepr(self._dtype_for_print(), list(self._shape), self._print_data())

    def _dtype_for_print(self):
        return 'string' if self._dtype in ('object', 'str') else self._dtype

    def _print_data(self):
        from pyodide.ffi import to_js
        if self._dtype in ('object', 'str'):
            return to_js([v.decode('utf-8', 'replace') if isinstance(v, bytes) else str(v) for v in self._data])
        if self._dtype == 'bool':
            return to_js([1 if v else 0 for v in self._data])
        return to_js([_float(v) for v in self._data])

    def __format__(self, spec):
        if not spec:
            return str(self)
        if self._shape:
            raise TypeError('unsupported format string passed to numpy.ndarray.__format__')
        return format(_scalar(self._dtype, self._data[0]), spec)

    # sequence protocol
    def __len__(self):
        if not self._shape:
            raise TypeError('len() of unsized object')
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError('iteration over a 0-d array')
        for i in _range(self._shape[0]):
            yield self[i]

    def __getitem__(self, key):
        return _getitem(self, key)

    def __setitem__(self, key, value):
        _setitem(self, key, value)

    def __bool__(self):
        if len(self._data) != 1:
            raise ValueError('The truth value of an array with more than one element is ambiguous. '
                             'Use a.any() or a.all()')
        return _bool(self._data[0])

    def __float__(self):
        if len(self._data) != 1:
            raise TypeError('only 0-dimensional arrays can be converted to Python scalars')
        return _float(self.item())

    def __int__(self):
        if len(self._data) != 1:
            raise TypeError('only 0-dimensional arrays can be converted to Python scalars')
        return _int(self.item())

    def __index__(self):
        if self._dtype not in ('int32', 'int64', 'int8', 'int16', 'uint8'):
            raise TypeError('only integer scalar arrays can be converted to a scalar index')
        return _int(self.item())

    __hash__ = None

    # reductions
    def sum(self, axis=None, keepdims=False, dtype=None):
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return amax(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return amin(self, axis=axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        return prod(self, axis=axis, keepdims=keepdims)

    def std(self, axis=None, keepdims=False):
        return std(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims=False):
        return var(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None):
        return argmax(self, axis)

    def argmin(self, axis=None):
        return argmin(self, axis)

    def any(self, axis=None):
        return any(self, axis)

    def all(self, axis=None):
        return all(self, axis)

    def dot(self, other):
        return dot(self, other)

    def round(self, decimals=0):
        return round(self, decimals)

    def clip(self, a_min=None, a_max=None):
        return clip(self, a_min, a_max)

    def fill(self, value):
        self._data = _round_values(self._dtype, [value] * len(self._data))

    # arithmetic (an operand with a higher __array_priority__, e.g. a tf.Tensor, handles the operation)
    def __add__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_operator.add, self, other)

    def __radd__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_operator.add, other, self)

    def __sub__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_operator.sub, self, other)

    def __rsub__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_operator.sub, other, self)

    def __mul__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_operator.mul, self, other)

    def __rmul__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_operator.mul, other, self)

    def __truediv__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_true_divide, self, other, true_division=True)

    def __rtruediv__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_true_divide, other, self, true_division=True)

    def __floordiv__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_floor_divide, self, other)

    def __rfloordiv__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_floor_divide, other, self)

    def __mod__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_mod, self, other)

    def __rmod__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_mod, other, self)

    def __pow__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_power, self, other)

    def __rpow__(self, other):
        if _defers(other):
            return NotImplemented
        return _binary(_power, other, self)

    def __matmul__(self, other):
        if _defers(other):
            return NotImplemented
        return matmul(self, other)

    def __rmatmul__(self, other):
        if _defers(other):
            return NotImplemented
        return matmul(other, self)

    def __neg__(self):
        return _unary(_operator.neg, self)

    def __pos__(self):
        return self.copy()

    def __abs__(self):
        return _unary(_abs, self)

    def __invert__(self):
        if self._dtype == 'bool':
            return ndarray._make([not v for v in self._data], self._shape, 'bool')
        return _unary(_operator.invert, self)

    def __eq__(self, other):
        return _compare(_operator.eq, self, other)

    def __ne__(self, other):
        return _compare(_operator.ne, self, other)

    def __lt__(self, other):
        if _defers(other):
            return NotImplemented
        return _compare(_operator.lt, self, other)

    def __le__(self, other):
        if _defers(other):
            return NotImplemented
        return _compare(_operator.le, self, other)

    def __gt__(self, other):
        if _defers(other):
            return NotImplemented
        return _compare(_operator.gt, self, other)

    def __ge__(self, other):
        if _defers(other):
            return NotImplemented
        return _compare(_operator.ge, self, other)

    def __and__(self, other):
        return _compare(lambda a, b: _bool(a) and _bool(b), self, other)

    def __or__(self, other):
        return _compare(lambda a, b: _bool(a) or _bool(b), self, other)

    __rand__ = __and__
    __ror__ = __or__


def _defers(other):
    """numpy defers to operands of higher __array_priority__ that are not numpy objects (tf.Tensor)."""
    return getattr(other, '__array_priority__', 0) > 0 and not isinstance(other, (ndarray, generic))


def _indices(shape):
    if not shape:
        yield ()
        return
    if 0 in shape:
        return
    index = [0] * len(shape)
    while True:
        yield tuple(index)
        i = len(shape) - 1
        while i >= 0:
            index[i] += 1
            if index[i] < shape[i]:
                break
            index[i] = 0
            i -= 1
        if i < 0:
            return


def _from_engine(handle):
    """The value `.numpy()` returns for an engine tensor: a numpy scalar or an ndarray."""
    name = handle.dtype
    shape = list(handle.shape)
    data = handle.data
    if name == 'string':
        values = [s.encode('utf-8') for s in data.to_py()]
        name = 'object'
    else:
        values = data.to_memoryview().tolist()
        if name == 'bool':
            values = [v != 0 for v in values]
        elif name in ('int32', 'int64'):
            values = [_int(v) for v in values]
    if not shape:
        return values[0] if name == 'object' else _scalar(name, values[0])
    return ndarray._make(values, shape, name)


# ---- conversion -------------------------------------------------------------------------------

def _is_tensorlike(x):
    return hasattr(x, '__array__') and not isinstance(x, (ndarray, generic))


def _nested(value):
    """(flat, shape, inferred dtype name) of a Python / numpy / tensor value."""
    if isinstance(value, ndarray):
        return list(value._data), value._shape, value._dtype
    if isinstance(value, generic):
        return [value.item()], (), value._dtype_name
    if _is_tensorlike(value):
        return _nested(value.__array__())
    if isinstance(value, (list, tuple)):
        if not value:
            return [], (0,), None
        parts = [_nested(v) for v in value]
        shape0 = parts[0][1]
        for p in parts:
            if p[1] != shape0:
                raise ValueError('setting an array element with a sequence. The requested array has an '
                                 'inhomogeneous shape after 1 dimensions.')
        flat = []
        for p in parts:
            flat.extend(p[0])
        kinds = [p[2] for p in parts]
        return flat, (len(value),) + tuple(shape0), _promote_many(kinds)
    if isinstance(value, _bool):
        return [value], (), 'bool'
    if isinstance(value, _int):
        return [value], (), 'int64'
    if isinstance(value, _float):
        return [value], (), 'float64'
    if isinstance(value, (str, bytes)):
        return [value], (), 'object'
    raise _unsupported(f'array() of {type(value).__name__}')


def _promote_many(names):
    names = [n for n in names if n is not None]
    if not names:
        return 'float64'
    result = names[0]
    for n in names[1:]:
        result = _promote(result, n)
    return result


_ORDER = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64', 'object']


def _promote(a, b):
    if a == b:
        return a
    if 'object' in (a, b):
        return 'object'
    ka, kb = _KIND[a], _KIND[b]
    if ka == 'f' and kb == 'f':
        return a if _ORDER.index(a) > _ORDER.index(b) else b
    if ka == 'f' or kb == 'f':
        f, i = (a, b) if ka == 'f' else (b, a)
        if i == 'bool' or i in ('int8', 'uint8'):
            return f
        if i == 'int16':
            return f if f != 'float16' else 'float32'
        return 'float64'
    return a if _ORDER.index(a) > _ORDER.index(b) else b


def array(object, dtype=None, copy=True, ndmin=0):
    flat, shape, inferred = _nested(object)
    name = _dtype_name(dtype) if dtype is not None else (inferred or 'float64')
    arr = ndarray._make(_round_values(name, flat), shape, name)
    while arr.ndim < ndmin:
        arr = arr.reshape((1,) + arr._shape)
    return arr


def asarray(a, dtype=None, order=None):
    if isinstance(a, ndarray) and (dtype is None or _dtype_name(dtype) == a._dtype):
        return a
    return array(a, dtype=dtype)


asanyarray = asarray


def _as_array(x):
    return x if isinstance(x, ndarray) else array(x)


def _operand(x):
    """An operand with its dtype; Python scalars are 'weak' (take the array's kind, numpy 1.x value casting)."""
    if isinstance(x, ndarray):
        return x, False
    if isinstance(x, generic):
        return array(x.item(), dtype=x._dtype_name), False
    if isinstance(x, (_bool, _int, _float)):
        return array(x), True
    if _is_tensorlike(x):
        return x.__array__(), False
    return array(x), False


def _result_dtype(a, a_weak, b, b_weak):
    if a_weak and not b_weak:
        return _weak_promote(b._dtype, a._dtype, a._data[0])
    if b_weak and not a_weak:
        return _weak_promote(a._dtype, b._dtype, b._data[0])
    if a_weak and b_weak:
        return _promote(a._dtype, b._dtype)
    # numpy 1.x value-based casting: a 0-d array acts like a scalar against an n-d array.
    if not a._shape and b._shape:
        return _weak_promote(b._dtype, a._dtype, a._data[0])
    if not b._shape and a._shape:
        return _weak_promote(a._dtype, b._dtype, b._data[0])
    return _promote(a._dtype, b._dtype)


def _weak_promote(strong, weak, value):
    ks, kw = _KIND.get(strong, 'O'), _KIND.get(weak, 'O')
    if ks == kw or (ks == 'f' and kw in ('i', 'b', 'u')) or (ks in ('i', 'u') and kw == 'b'):
        return strong
    if ks in ('i', 'u', 'b') and kw == 'f':
        return 'float64' if ks != 'b' else 'float64'
    if ks == 'b' and kw in ('i', 'u'):
        return 'int64'
    return _promote(strong, weak)


def _broadcast_shape(s1, s2):
    out = []
    for i in _range(1, _max(len(s1), len(s2)) + 1):
        a = s1[-i] if i <= len(s1) else 1
        b = s2[-i] if i <= len(s2) else 1
        if a != b and a != 1 and b != 1:
            raise ValueError(f'operands could not be broadcast together with shapes {_shape_text(s1)} '
                             f'{_shape_text(s2)} ')
        out.append(_max(a, b) if a != 1 and b != 1 else a * b if (a == 1 or b == 1) else a)
    return tuple(reversed(out))


def _shape_text(shape):
    return '(' + ','.join(str(d) for d in shape) + (',)' if len(shape) == 1 else ')')


def _broadcast_data(arr, shape):
    if arr._shape == tuple(shape):
        return arr._data
    if len(arr._data) == 1:
        return arr._data * _size(shape)
    rank = len(shape)
    padded = (1,) * (rank - len(arr._shape)) + tuple(arr._shape)
    strides = _strides(padded)
    strides = [0 if padded[i] == 1 else strides[i] for i in _range(rank)]
    data = arr._data
    return [data[_sum(index[i] * strides[i] for i in _range(rank))] for index in _indices(shape)]


def _binary(fn, x, y, true_division=False):
    a, a_weak = _operand(x)
    b, b_weak = _operand(y)
    name = _result_dtype(a, a_weak, b, b_weak)
    if true_division and _KIND.get(name) in ('i', 'u', 'b'):
        name = 'float64'
    if fn is _power and _KIND.get(name) in ('i', 'u'):
        pass
    shape = _broadcast_shape(a._shape, b._shape)
    da, db = _broadcast_data(a, shape), _broadcast_data(b, shape)
    values = list(map(fn, da, db))
    result = ndarray._make(_round_values(name, values), shape, name)
    if not shape and not isinstance(x, ndarray) and not isinstance(y, ndarray):
        return _scalar(name, result._data[0])
    return result


def _compare(fn, x, y):
    a, _ = _operand(x)
    b, _ = _operand(y)
    shape = _broadcast_shape(a._shape, b._shape)
    values = [_bool(fn(p, q)) for p, q in zip(_broadcast_data(a, shape), _broadcast_data(b, shape))]
    if not shape and not isinstance(x, ndarray) and not isinstance(y, ndarray):
        return bool_(values[0])
    return ndarray._make(values, shape, 'bool')


def _unary(fn, x, float_result=False):
    a, weak = _operand(x)
    name = a._dtype
    if float_result and _KIND.get(name) != 'f':
        name = 'float64'
    values = [fn(_float(v) if float_result else v) for v in a._data]
    result = ndarray._make(_round_values(name, values), a._shape, name)
    if not isinstance(x, ndarray):
        return _scalar(name, result._data[0])
    return result


def _true_divide(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return nan
        return _math.copysign(inf, a) * _math.copysign(1.0, b)


def _floor_divide(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return 0 if isinstance(a, _int) else nan


def _mod(a, b):
    try:
        return a % b
    except ZeroDivisionError:
        return 0 if isinstance(a, _int) else nan


def _power(a, b):
    try:
        result = a ** b
    except ZeroDivisionError:
        return inf
    except OverflowError:
        return inf
    if isinstance(result, complex):
        return nan
    return result


def _safe(fn):
    def apply(v):
        try:
            return fn(v)
        except ValueError:
            return nan
        except OverflowError:
            return inf
    return apply


def _log(v):
    if v == 0:
        return -inf
    if v < 0 or v != v:
        return nan
    return _math.log(v)


def _exp(v):
    try:
        return _math.exp(v)
    except OverflowError:
        return inf


def _ufunc(fn, name, float_result=True):
    def ufunc(x, *args, **kwargs):
        return _unary(fn, x, float_result=float_result)
    ufunc.__name__ = name
    return ufunc


exp = _ufunc(_exp, 'exp')
log = _ufunc(_log, 'log')
log2 = _ufunc(lambda v: _log(v) / _math.log(2) if v > 0 else _log(v), 'log2')
log10 = _ufunc(lambda v: _log(v) / _math.log(10) if v > 0 else _log(v), 'log10')
log1p = _ufunc(_safe(_math.log1p), 'log1p')
expm1 = _ufunc(_safe(_math.expm1), 'expm1')
sqrt = _ufunc(lambda v: _math.sqrt(v) if v >= 0 else nan, 'sqrt')
sin = _ufunc(_math.sin, 'sin')
cos = _ufunc(_math.cos, 'cos')
tan = _ufunc(_math.tan, 'tan')
tanh = _ufunc(_math.tanh, 'tanh')
arctan = _ufunc(_math.atan, 'arctan')
floor = _ufunc(_math.floor, 'floor')
ceil = _ufunc(_math.ceil, 'ceil')
abs = _ufunc(_abs, 'abs', float_result=False)  # noqa: A001 - numpy.abs
absolute = abs
negative = _ufunc(_operator.neg, 'negative', float_result=False)
square = _ufunc(lambda v: v * v, 'square', float_result=False)
sign = _ufunc(lambda v: (v > 0) - (v < 0) if v == v else nan, 'sign', float_result=False)
isnan = _ufunc(lambda v: v != v, 'isnan', float_result=False)


def _bool_ufunc(fn, name):
    def ufunc(x):
        a, _ = _operand(x)
        values = [_bool(fn(_float(v))) for v in a._data]
        if not isinstance(x, ndarray):
            return bool_(values[0])
        return ndarray._make(values, a._shape, 'bool')
    ufunc.__name__ = name
    return ufunc


isnan = _bool_ufunc(lambda v: v != v, 'isnan')
isinf = _bool_ufunc(lambda v: v in (inf, -inf), 'isinf')
isfinite = _bool_ufunc(lambda v: v == v and v not in (inf, -inf), 'isfinite')


def add(x, y):
    return _binary(_operator.add, x, y)


def subtract(x, y):
    return _binary(_operator.sub, x, y)


def multiply(x, y):
    return _binary(_operator.mul, x, y)


def divide(x, y):
    return _binary(_true_divide, x, y, true_division=True)


true_divide = divide


def power(x, y):
    return _binary(_power, x, y)


def maximum(x, y):
    return _binary(lambda a, b: a if a != a or a >= b else b, x, y)


def minimum(x, y):
    return _binary(lambda a, b: a if a != a or a <= b else b, x, y)


def clip(a, a_min, a_max, out=None):
    result = _as_array(a) if isinstance(a, ndarray) else a
    if a_min is not None:
        result = maximum(result, a_min)
    if a_max is not None:
        result = minimum(result, a_max)
    return result


def round(a, decimals=0, out=None):  # noqa: A001 - numpy.round
    return _unary(lambda v: _round(v, decimals) if isinstance(v, _float) else v, a)


around = round


def where(condition, x=None, y=None):
    if x is None and y is None:
        c = _as_array(condition)
        return tuple(array([index[d] for index, v in zip(_indices(c._shape), c._data) if v], dtype='int64')
                     for d in _range(c.ndim))
    c, _ = _operand(condition)
    a, a_weak = _operand(x)
    b, b_weak = _operand(y)
    name = _result_dtype(a, a_weak, b, b_weak)
    shape = _broadcast_shape(_broadcast_shape(c._shape, a._shape), b._shape)
    values = [p if _bool(k) else q for k, p, q in zip(_broadcast_data(c, shape), _broadcast_data(a, shape),
                                                       _broadcast_data(b, shape))]
    return ndarray._make(_round_values(name, values), shape, name)


# ---- reductions -------------------------------------------------------------------------------

def _reduce(a, axis, keepdims, combine, result_dtype=None, finish=None):
    arr = _as_array(a)
    name = result_dtype(arr._dtype) if result_dtype else arr._dtype
    if axis is None:
        value = combine(arr._data)
        if finish:
            value = finish(value, len(arr._data))
        if keepdims:
            return ndarray._make(_round_values(name, [value]), (1,) * arr.ndim, name)
        return _scalar(name, _round_values(name, [value])[0])
    axes = [axis] if isinstance(axis, _int) else list(axis)
    axes = sorted(ax % arr.ndim for ax in axes)
    out_shape = [d for i, d in enumerate(arr._shape) if i not in axes]
    keep_shape = [1 if i in axes else d for i, d in enumerate(arr._shape)]
    groups = {}
    strides = _strides(arr._shape)
    for index in _indices(arr._shape):
        key = tuple(index[i] for i in _range(arr.ndim) if i not in axes)
        groups.setdefault(key, []).append(arr._data[_sum(i * s for i, s in zip(index, strides))])
    values = []
    count = _size([arr._shape[ax] for ax in axes])
    for key in _indices(out_shape):
        value = combine(groups.get(key, []))
        values.append(finish(value, count) if finish else value)
    return ndarray._make(_round_values(name, values), keep_shape if keepdims else out_shape, name)


def _sum_dtype(name):
    return 'int64' if name in ('bool', 'int8', 'int16', 'int32', 'uint8') else name


def sum(a, axis=None, dtype=None, keepdims=False, out=None):  # noqa: A001 - numpy.sum
    if isinstance(a, (list, tuple)) and a and not isinstance(a[0], (list, tuple, ndarray)) and axis is None:
        a = array(a)
    return _reduce(a, axis, keepdims, lambda v: _math.fsum(v) if v and isinstance(v[0], _float) else _sum(v),
                   _sum_dtype)


def prod(a, axis=None, dtype=None, keepdims=False):
    return _reduce(a, axis, keepdims, _math.prod, _sum_dtype)


def mean(a, axis=None, dtype=None, keepdims=False):
    def mean_dtype(name):
        return name if _KIND.get(name) == 'f' else 'float64'
    return _reduce(a, axis, keepdims, lambda v: _math.fsum(_float(x) for x in v),
                   mean_dtype, lambda total, n: total / n if n else nan)


def var(a, axis=None, dtype=None, keepdims=False, ddof=0):
    arr = _as_array(a)
    m = mean(arr, axis=axis, keepdims=True)
    d = arr - m
    return _reduce(d * d, axis, keepdims, lambda v: _math.fsum(_float(x) for x in v),
                   lambda n: n if _KIND.get(n) == 'f' else 'float64',
                   lambda total, n: total / (n - ddof) if n - ddof > 0 else nan)


def std(a, axis=None, dtype=None, keepdims=False, ddof=0):
    return sqrt(var(a, axis=axis, keepdims=keepdims, ddof=ddof))


def amax(a, axis=None, keepdims=False):
    return _reduce(a, axis, keepdims, lambda v: nan if _builtins.any(x != x for x in v) else _max(v))


def amin(a, axis=None, keepdims=False):
    return _reduce(a, axis, keepdims, lambda v: nan if _builtins.any(x != x for x in v) else _min(v))


max = amax  # noqa: A001 - numpy.max
min = amin  # noqa: A001 - numpy.min


def any(a, axis=None):  # noqa: A001 - numpy.any
    return _reduce(a, axis, False, lambda v: _builtins.any(_bool(x) for x in v), lambda n: 'bool')


def all(a, axis=None):  # noqa: A001 - numpy.all
    return _reduce(a, axis, False, lambda v: _builtins.all(_bool(x) for x in v), lambda n: 'bool')


def argmax(a, axis=None):
    arr = _as_array(a)
    if axis is None:
        return int64(_max(_range(len(arr._data)), key=lambda i: (arr._data[i], -i)))
    raise _unsupported('argmax with axis')


def argmin(a, axis=None):
    arr = _as_array(a)
    if axis is None:
        return int64(_min(_range(len(arr._data)), key=lambda i: (arr._data[i], i)))
    raise _unsupported('argmin with axis')


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _bool(all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    def close(x, y):
        x, y = _float(x), _float(y)
        if x != x or y != y:
            return equal_nan and x != x and y != y
        if x == y:
            return True
        return _abs(x - y) <= atol + rtol * _abs(y)
    return _compare(close, a, b)


def array_equal(a1, a2, equal_nan=False):
    a, b = _as_array(a1), _as_array(a2)
    return a._shape == b._shape and _builtins.all(x == y for x, y in zip(a._data, b._data))


# ---- creation and layout ----------------------------------------------------------------------

def _shape_arg(shape):
    if isinstance(shape, _int):
        return (shape,)
    return tuple(_int(d) for d in shape)


def zeros(shape, dtype=float, order='C'):
    shape = _shape_arg(shape)
    name = _dtype_name(dtype)
    return ndarray._make(_round_values(name, [0] * _size(shape)), shape, name)


def ones(shape, dtype=float, order='C'):
    shape = _shape_arg(shape)
    name = _dtype_name(dtype)
    return ndarray._make(_round_values(name, [1] * _size(shape)), shape, name)


def empty(shape, dtype=float, order='C'):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    shape = _shape_arg(shape)
    name = _dtype_name(dtype) if dtype is not None else _nested(fill_value)[2]
    return ndarray._make(_round_values(name, [fill_value] * _size(shape)), shape, name)


def zeros_like(a, dtype=None):
    arr = _as_array(a)
    return zeros(arr._shape, dtype or arr._dtype)


def ones_like(a, dtype=None):
    arr = _as_array(a)
    return ones(arr._shape, dtype or arr._dtype)


def full_like(a, fill_value, dtype=None):
    arr = _as_array(a)
    return full(arr._shape, fill_value, dtype or arr._dtype)


def eye(N, M=None, k=0, dtype=float):
    M = N if M is None else M
    return array([[1 if j - i == k else 0 for j in _range(M)] for i in _range(N)], dtype=dtype)


identity = eye


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    values = []
    n = _max(0, _math.ceil((stop - start) / step))
    for i in _range(n):
        values.append(start + i * step)
    inferred = 'float64' if _builtins.any(isinstance(v, _float) for v in (start, stop, step)) else 'int64'
    name = _dtype_name(dtype) if dtype is not None else inferred
    return ndarray._make(_round_values(name, values), (len(values),), name)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    num = _int(num)
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else nan
    values = [start + i * step for i in _range(num)]
    if endpoint and num > 1:
        values[-1] = stop
    name = _dtype_name(dtype) if dtype is not None else 'float64'
    result = ndarray._make(_round_values(name, values), (num,), name)
    return (result, step) if retstep else result


def reshape(a, newshape, order='C'):
    return _as_array(a).reshape(newshape)


def transpose(a, axes=None):
    return _as_array(a).transpose(*(axes or ()))


def squeeze(a, axis=None):
    arr = _as_array(a)
    if axis is None:
        shape = [d for d in arr._shape if d != 1]
    else:
        axes = [axis] if isinstance(axis, _int) else list(axis)
        axes = [ax % arr.ndim for ax in axes]
        shape = [d for i, d in enumerate(arr._shape) if i not in axes]
    return ndarray._make(arr._data, shape, arr._dtype)


def expand_dims(a, axis):
    arr = _as_array(a)
    shape = list(arr._shape)
    axis = axis if axis >= 0 else axis + len(shape) + 1
    shape.insert(axis, 1)
    return ndarray._make(arr._data, shape, arr._dtype)


def concatenate(arrays, axis=0):
    arrays = [_as_array(a) for a in arrays]
    if axis is None:
        arrays = [a.flatten() for a in arrays]
        axis = 0
    axis = axis % arrays[0].ndim
    name = _promote_many([a._dtype for a in arrays])
    outer = _size(arrays[0]._shape[:axis])
    data = []
    for o in _range(outer):
        for a in arrays:
            inner = _size(a._shape[axis:])
            data.extend(a._data[o * inner:(o + 1) * inner])
    shape = list(arrays[0]._shape)
    shape[axis] = _sum(a._shape[axis] for a in arrays)
    return ndarray._make(_round_values(name, data), shape, name)


def stack(arrays, axis=0):
    arrays = [expand_dims(_as_array(a), axis) for a in arrays]
    return concatenate(arrays, axis=axis)


def vstack(tup):
    arrays = [_as_array(a) for a in tup]
    arrays = [a.reshape(1, -1) if a.ndim == 1 else a for a in arrays]
    return concatenate(arrays, axis=0)


def hstack(tup):
    arrays = [_as_array(a) for a in tup]
    return concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1)


def dot(a, b):
    a, b = _as_array(a), _as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim == 1 and b.ndim == 1:
        name = _promote(a._dtype, b._dtype)
        return _scalar(name, _round_values(name, [_sum(x * y for x, y in zip(a._data, b._data))])[0])
    return matmul(a, b)


def matmul(a, b):
    a, b = _as_array(a), _as_array(b)
    squeeze_a = a.ndim == 1
    squeeze_b = b.ndim == 1
    if squeeze_a:
        a = a.reshape(1, -1)
    if squeeze_b:
        b = b.reshape(-1, 1)
    if a.ndim != 2 or b.ndim != 2:
        raise _unsupported('matmul of arrays with more than 2 dimensions')
    n, k = a._shape
    k2, m = b._shape
    if k != k2:
        raise ValueError(f'matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature '
                         f'(n?,k),(k,m?)->(n?,m?) (size {k2} is different from {k})')
    name = _promote(a._dtype, b._dtype)
    data = []
    for i in _range(n):
        row = a._data[i * k:(i + 1) * k]
        for j in _range(m):
            data.append(_sum(row[t] * b._data[t * m + j] for t in _range(k)))
    result = ndarray._make(_round_values(name, data), (n, m), name)
    if squeeze_a and squeeze_b:
        return _scalar(name, result._data[0])
    if squeeze_a:
        return result.reshape(m)
    if squeeze_b:
        return result.reshape(n)
    return result


def outer(a, b):
    a, b = _as_array(a).flatten(), _as_array(b).flatten()
    return matmul(a.reshape(-1, 1), b.reshape(1, -1))


def shape(a):
    return _as_array(a)._shape


def ndim(a):
    return _as_array(a).ndim


def size(a):
    return _as_array(a).size


def copy(a):
    return _as_array(a).copy()


def tile(a, reps):
    raise _unsupported('tile')


def cumsum(a, axis=None):
    arr = _as_array(a).flatten() if axis is None else _as_array(a)
    if axis is not None and arr.ndim != 1:
        raise _unsupported('cumsum with axis on arrays of rank > 1')
    total = 0
    values = []
    for v in arr._data:
        total += v
        values.append(total)
    name = _sum_dtype(arr._dtype)
    return ndarray._make(_round_values(name, values), (len(values),), name)


def _getitem(arr, key):
    if isinstance(key, ndarray) and key._dtype == 'bool':
        return ndarray._make([v for v, k in zip(arr._data, _broadcast_data(key, arr._shape)) if k],
                             (_sum(1 for k in key._data if k),), arr._dtype)
    if isinstance(key, (list, ndarray)):
        idx = _as_array(key)
        parts = [arr[_int(i)] for i in idx._data]
        return stack(parts) if parts and isinstance(parts[0], ndarray) else array(parts, dtype=arr._dtype)
    if not isinstance(key, tuple):
        key = (key,)
    if Ellipsis in key:
        i = key.index(Ellipsis)
        fill = arr.ndim - (len(key) - 1 - key.count(None))
        key = key[:i] + (slice(None),) * fill + key[i + 1:]
    shape = list(arr._shape)
    strides = _strides(shape)
    # Per output axis: (list of source positions, keep axis?)
    axis_positions = []
    dim = 0
    for k in key:
        if k is None:
            axis_positions.append(([0], True, None))
            continue
        if dim >= len(shape):
            raise IndexError(f'too many indices for array: array is {len(shape)}-dimensional, but {len(key)} '
                             f'were indexed')
        n = shape[dim]
        if isinstance(k, slice):
            axis_positions.append((list(_range(*k.indices(n))), True, dim))
        else:
            i = _int(k)
            if i < -n or i >= n:
                raise IndexError(f'index {i} is out of bounds for axis {dim} with size {n}')
            axis_positions.append(([i % n], False, dim))
        dim += 1
    while dim < len(shape):
        axis_positions.append((list(_range(shape[dim])), True, dim))
        dim += 1
    out_shape = [len(p) for p, keep, _ in axis_positions if keep]
    data = []

    def walk(level, offset):
        if level == len(axis_positions):
            data.append(arr._data[offset])
            return
        positions, _, src_dim = axis_positions[level]
        for p in positions:
            walk(level + 1, offset + (p * strides[src_dim] if src_dim is not None else 0))
    walk(0, 0)
    if not out_shape:
        return _scalar(arr._dtype, data[0])
    return ndarray._make(data, out_shape, arr._dtype)


def _setitem(arr, key, value):
    index = arange(arr.size).reshape(arr._shape)
    targets = index[key]
    positions = [targets] if not isinstance(targets, ndarray) else targets._data
    values = _broadcast_data(_as_array(value), (len(positions),)) if isinstance(targets, ndarray) else \
        [_as_array(value)._data[0]]
    if isinstance(targets, ndarray) and _as_array(value)._shape not in ((), (1,)):
        values = _broadcast_data(_as_array(value), targets._shape)
    rounded = _round_values(arr._dtype, values)
    for p, v in zip(positions, rounded):
        arr._data[_int(p)] = v


# ---- misc -------------------------------------------------------------------------------------

class finfo:
    def __init__(self, dtype_):
        name = _dtype_name(dtype_)
        self.dtype = dtype(name)
        self.bits = _ITEMSIZE[name] * 8
        if name == 'float32':
            self.eps = float32(1.1920929e-07)
            self.max = float32(3.4028235e38)
            self.tiny = float32(1.1754944e-38)
        elif name == 'float16':
            self.eps = float16(0.000977)
            self.max = float16(65504.0)
            self.tiny = float16(6.104e-05)
        else:
            self.eps = float64(2.220446049250313e-16)
            self.max = float64(1.7976931348623157e308)
            self.tiny = float64(2.2250738585072014e-308)
        self.min = -self.max
        self.smallest_normal = self.tiny


class iinfo:
    def __init__(self, dtype_):
        name = _dtype_name(dtype_)
        self.dtype = dtype(name)
        self.bits = _ITEMSIZE[name] * 8
        self.max = 2 ** (self.bits - 1) - 1
        self.min = -2 ** (self.bits - 1)


def set_printoptions(*args, **kwargs):
    if args or _builtins.any(k not in ('suppress',) or v not in (False, None) for k, v in kwargs.items()):
        raise _unsupported('set_printoptions (printing uses numpy 1.x defaults)')


def get_printoptions():
    return {'precision': 8, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 75, 'suppress': False,
            'nanstr': 'nan', 'infstr': 'inf', 'sign': '-', 'floatmode': 'maxprec', 'legacy': False}


def isscalar(element):
    return isinstance(element, (generic, _int, _float, _bool, str, bytes))


def result_type(*arrays_and_dtypes):
    return dtype(_promote_many([_dtype_name(a) if not isinstance(a, ndarray) else a._dtype
                                for a in arrays_and_dtypes]))


_SCALAR_OPS = {
    'add': lambda a, b: _binary(_operator.add, a, b),
    'sub': lambda a, b: _binary(_operator.sub, a, b),
    'mul': lambda a, b: _binary(_operator.mul, a, b),
    'truediv': lambda a, b: _binary(_true_divide, a, b, true_division=True),
    'floordiv': lambda a, b: _binary(_floor_divide, a, b),
    'mod': lambda a, b: _binary(_mod, a, b),
    'pow': lambda a, b: _binary(_power, a, b),
}

from numpy import random  # noqa: E402,F401
from numpy import linalg  # noqa: E402,F401


def __getattr__(name):
    if name.startswith('__') and name.endswith('__'):
        raise AttributeError(f"module 'numpy' has no attribute {name!r}")
    raise AttributeError(f"module 'numpy' has no attribute {name!r}: Tapescope does not support numpy.{name} yet "
                         f'(its numpy is a small stand-in)')
