"""Keras's per-process unique layer names (dense, dense_1, ...), counted by the engine per run."""
from tensorflow._core import _b


def unique_name(prefix):
    return _b.kerasUniqueName(prefix)


def reset():
    return None


def snake_case(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0 and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append('_')
        out.append(ch.lower())
    return ''.join(out)
