"""Keras's per-process unique layer names (dense, dense_1, ...), counted by the engine per run."""
from tensorflow._core import _b
from tensorflow._module import _camel_to_snake as snake_case  # one CamelCase -> snake_case rule


def unique_name(prefix):
    return _b.kerasUniqueName(prefix)


def reset():
    return None
