"""The text IPython shows for a notebook cell's final expression (its `text/plain` output).

IPython does not use plain `repr` for everything: builtin containers that do not fit in 79
columns are broken one item per line, classes print as `module.Name`, functions with their
signature, objects without a `__repr__` of their own as `<module.Name at 0x...>`, and long
sequences are cut after 1000 items. This module reproduces those rules (the ones a TensorFlow
notebook meets); every other object is shown with its own `repr`, as IPython does.
"""

import inspect
import types

MAX_WIDTH = 79
MAX_SEQ_LENGTH = 1000
_BUILTIN_MODULES = ('builtins', '__builtin__', 'exceptions')


def display_text(value):
    return _Layout().layout(value, 0)


def _type_name(cls):
    module = getattr(cls, '__module__', None)
    name = getattr(cls, '__qualname__', None) or getattr(cls, '__name__', '?')
    if module in _BUILTIN_MODULES or module is None:
        return name
    return f'{module}.{name}'


def _function_text(func):
    name = getattr(func, '__qualname__', None) or getattr(func, '__name__', '?')
    module = getattr(func, '__module__', None)
    if module and module not in _BUILTIN_MODULES:
        name = f'{module}.{name}'
    try:
        name += str(inspect.signature(func))
    except (ValueError, TypeError):
        pass
    return f'<function {name}>'


def _sorted_if_possible(items):
    try:
        return sorted(items)
    except Exception:
        return list(items)


class _Layout:
    def __init__(self):
        self._active = set()  # ids of containers being printed (cycle detection)

    # A container is printed with IPython's container rules only when its type does not bring
    # a repr of its own (a list subclass with a custom __repr__ is shown by that __repr__).
    def _container_kind(self, value):
        cls = type(value)
        for base, kind in ((list, 'list'), (tuple, 'tuple'), (dict, 'dict'), (set, 'set'), (frozenset, 'frozenset')):
            if isinstance(value, base) and cls.__repr__ is base.__repr__:
                if base is tuple and hasattr(value, '_fields'):
                    return None  # namedtuple: its own repr
                return kind
        return None

    def _parts(self, value, kind):
        """(opening, items, closing) where items are values or (key, value) pairs for dicts."""
        if kind == 'list':
            return '[', list(value), ']'
        if kind == 'tuple':
            return '(', list(value), ',)' if len(value) == 1 else ')'
        if kind == 'dict':
            return '{', list(value.items()), '}'
        items = _sorted_if_possible(value)
        if kind == 'set':
            return '{', items, '}'
        return 'frozenset({', items, '})'

    def flat(self, value):
        return self.layout(value, 0, width=None)

    def layout(self, value, column, width=MAX_WIDTH):
        kind = self._container_kind(value)
        if kind is None:
            return self._leaf(value)
        if kind in ('set', 'frozenset') and not value:
            return 'set()' if kind == 'set' else 'frozenset()'
        if id(value) in self._active:
            return {'list': '[...]', 'tuple': '(...)', 'dict': '{...}'}.get(kind, '{...}')
        self._active.add(id(value))
        try:
            opening, items, closing = self._parts(value, kind)
            truncated = len(items) > MAX_SEQ_LENGTH
            items = items[:MAX_SEQ_LENGTH]
            flat_items = [self._item(item, kind, 0, None) for item in items]
            if truncated:
                flat_items.append('...')
            flat_text = opening + ', '.join(flat_items) + closing
            if width is None or column + len(flat_text) <= width:
                return flat_text
            inner = column + len(opening)
            broken = [self._item(item, kind, inner, width) for item in items]
            if truncated:
                broken.append('...')
            return opening + (',\n' + ' ' * inner).join(broken) + closing
        finally:
            self._active.discard(id(value))

    def _item(self, item, kind, column, width):
        if kind != 'dict':
            return self.layout(item, column, width)
        key, val = item
        key_text = self.layout(key, column, width)
        return key_text + ': ' + self.layout(val, column + len(key_text) + 2, width)

    def _leaf(self, value):
        if isinstance(value, type) and type(value).__repr__ is type.__repr__:
            return _type_name(value)
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
            return _function_text(value)
        cls = type(value)
        if getattr(cls, '__repr__', None) is object.__repr__:
            return f'<{_type_name(cls)} at 0x{id(value):x}>'
        return repr(value)
