"""Keras 2's per-process unique layer names: dense, dense_1, dense_2, ..."""
_counts = {}


def unique_name(prefix):
    count = _counts.get(prefix, 0)
    _counts[prefix] = count + 1
    return prefix if count == 0 else f'{prefix}_{count}'


def reset():
    _counts.clear()


def snake_case(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0 and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append('_')
        out.append(ch.lower())
    return ''.join(out)
