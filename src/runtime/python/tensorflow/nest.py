"""tf.nest: lists, tuples (named too) and dicts are structure, everything else is a leaf.

Dicts are flattened in sorted key order and packed back in the dict's own key order; tuples stay
tuples, lists stay lists (tensorflow/python/util/nest.py).
"""

import collections.abc as _abc


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, '_fields')


def is_nested(structure):
    return isinstance(structure, (list, tuple, dict)) or isinstance(structure, _abc.Mapping)


is_sequence = is_nested


def _sorted_keys(mapping):
    try:
        return sorted(mapping)
    except TypeError as e:
        raise TypeError('nest only supports dicts with sortable keys.') from e


def _children(structure):
    if isinstance(structure, _abc.Mapping):
        return [structure[k] for k in _sorted_keys(structure)]
    return list(structure)


def flatten(structure, expand_composites=False):
    if structure is None:
        return [None]
    out = []

    def walk(s):
        if is_nested(s):
            for child in _children(s):
                walk(child)
        else:
            out.append(s)
    walk(structure)
    return out


def _rebuild(structure, children):
    if isinstance(structure, _abc.Mapping):
        by_key = dict(zip(_sorted_keys(structure), children))
        result = {k: by_key[k] for k in structure}
        if type(structure) is dict:
            return result
        try:
            return type(structure)(result)
        except TypeError:
            return result
    if _is_namedtuple(structure):
        return type(structure)(*children)
    if isinstance(structure, tuple):
        return tuple(children)
    if isinstance(structure, list):
        return list(children)
    return type(structure)(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f'Structure is a scalar but len(flat_sequence) == {len(flat_sequence)} > 1')
        return flat_sequence[0]
    position = [0]

    def pack(s):
        if is_nested(s):
            return _rebuild(s, [pack(child) for child in _children(s)])
        value = flat_sequence[position[0]]
        position[0] += 1
        return value
    leaves = len(flatten(structure))
    if leaves != len(flat_sequence):
        raise ValueError(
            f'Could not pack sequence. Structure had {leaves} atoms, but flat_sequence had '
            f'{len(flat_sequence)} items.  Structure: {structure}, flat_sequence: {flat_sequence}.')
    return pack(structure)


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    def same(a, b):
        if is_nested(a) != is_nested(b):
            raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                             f'{nest1}\n\nSecond structure: {nest2}')
        if not is_nested(a):
            return
        if check_types and type(a) is not type(b) and not (isinstance(a, _abc.Mapping) and isinstance(b, _abc.Mapping)):
            raise TypeError(f"The two structures don't have the same sequence type. Input structure has type "
                            f"{type(a)!r}, while shallow structure has type {type(b)!r}.")
        ca, cb = _children(a), _children(b)
        if len(ca) != len(cb):
            raise ValueError(f"The two structures don't have the same number of elements.\n\nFirst structure: "
                             f'{nest1}\n\nSecond structure: {nest2}')
        if isinstance(a, _abc.Mapping) and _sorted_keys(a) != _sorted_keys(b):
            raise ValueError("The two dictionaries don't have the same set of keys.")
        for x, y in zip(ca, cb):
            same(x, y)
    same(nest1, nest2)


def map_structure(func, *structure, **kwargs):
    if not structure:
        raise ValueError('Must provide at least one structure')
    check_types = kwargs.pop('check_types', True)
    kwargs.pop('expand_composites', None)
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*args) for args in zip(*flats)])


def map_structure_with_paths(func, *structure, **kwargs):
    paths = _paths(structure[0])
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func('/'.join(str(p) for p in path), *args)
                                           for path, args in zip(paths, zip(*flats))])


def _paths(structure, prefix=()):
    if not is_nested(structure):
        return [prefix]
    out = []
    if isinstance(structure, _abc.Mapping):
        for k in _sorted_keys(structure):
            out.extend(_paths(structure[k], prefix + (k,)))
    else:
        for i, child in enumerate(structure):
            out.extend(_paths(child, prefix + (i,)))
    return out


def flatten_with_joined_string_paths(structure, separator='/', expand_composites=False):
    return [(separator.join(str(p) for p in path), leaf) for path, leaf in zip(_paths(structure), flatten(structure))]


def flatten_with_tuple_paths(structure, expand_composites=False):
    return list(zip(_paths(structure), flatten(structure)))
