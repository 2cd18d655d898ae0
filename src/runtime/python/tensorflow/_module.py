"""tf.Module and tf.name_scope."""

from tensorflow._core import Variable, _b, _name_scopes


class name_scope:  # noqa: N801 - TensorFlow's spelling
    """Groups the ops run inside it under `name` in the trace (TensorFlow's name scopes)."""

    def __init__(self, name, *args, **kwargs):
        self._name = name.rstrip('/') if isinstance(name, str) else str(name)

    @property
    def name(self):
        return self._name

    def __enter__(self):
        _b.pushScope(self._name)
        _name_scopes.append(self._name)
        return '/'.join(_name_scopes) + '/'

    def __exit__(self, typ, value, traceback):
        _b.popScope()
        if _name_scopes:
            _name_scopes.pop()
        return False


def _camel_to_snake(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0 and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append('_')
        out.append(ch.lower())
    return ''.join(out)


class Module:
    """tf.Module: collects the variables held in its attributes (sorted by attribute name, as TensorFlow)."""

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        self._name = name
        self._scope_name = name

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        return name_scope(self._name)

    def _flatten(self, predicate, recursive=True):
        found = []
        seen = set()

        def visit(value, depth):
            if id(value) in seen:
                return
            if predicate(value):
                seen.add(id(value))
                found.append(value)
                if isinstance(value, Module) and recursive:
                    visit_module(value)
                return
            if isinstance(value, Module):
                seen.add(id(value))
                if recursive:
                    visit_module(value)
                return
            if isinstance(value, dict):
                for key in sorted(value, key=str):
                    visit(value[key], depth + 1)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    visit(item, depth + 1)

        def visit_module(module):
            attrs = vars(module)
            for key in sorted(attrs):
                if key.startswith('_tapescope') or key in ('_self_setattr_tracking',):
                    continue
                visit(attrs[key], 0)

        seen.add(id(self))
        visit_module(self)
        return tuple(found)

    @property
    def variables(self):
        return self._flatten(lambda v: isinstance(v, Variable))

    @property
    def trainable_variables(self):
        return self._flatten(lambda v: isinstance(v, Variable) and v.trainable)

    @property
    def non_trainable_variables(self):
        return self._flatten(lambda v: isinstance(v, Variable) and not v.trainable)

    @property
    def submodules(self):
        return self._flatten(lambda v: isinstance(v, Module))

    @classmethod
    def with_name_scope(cls, method):
        return method


Module.__module__ = 'tensorflow.python.module.module'


def _tapescope_begin_run():
    _name_scopes.clear()
