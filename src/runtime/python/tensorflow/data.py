"""tf.data: an eager, in-order Dataset (from_tensor_slices, batch, map, shuffle, repeat, take...).

Elements are ordinary tensors; iterating runs the pipeline in Python. `shuffle` is reproducible
with its seed (or tf.random.set_seed) but its order differs from TensorFlow's.
"""
import random as _random

import tensorflow as _tf
from tensorflow._unsupported import missing_attribute as _missing

__getattr__ = _missing('tensorflow.data')
AUTOTUNE = -1


class experimental:  # noqa: N801 - tf.data.experimental namespace
    AUTOTUNE = -1

    @staticmethod
    def cardinality(dataset):
        return dataset.cardinality()


def _flatten(structure):
    """tf.data's structures: tuples and dicts nest; a list is one value (converted to a tensor)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack(structure, flat):
    position = [0]

    def pack(s):
        if isinstance(s, dict):
            values = {key: pack(s[key]) for key in sorted(s)}
            return {key: values[key] for key in s}
        if isinstance(s, tuple):
            items = [pack(item) for item in s]
            return type(s)(*items) if hasattr(s, '_fields') else tuple(items)
        value = flat[position[0]]
        position[0] += 1
        return value
    return pack(structure)


def _rows(component):
    t = _tf.convert_to_tensor(component)
    if t.ndim == 0:
        raise ValueError('Unbatching a tensor is only supported for rank >= 1')
    return _tf.unstack(t)


class Dataset:
    def __init__(self, factory, length=None):
        self._factory = factory
        self._length = length

    def __iter__(self):
        return iter(self._factory())

    def __len__(self):
        if self._length is None or self._length < 0:
            raise TypeError('The dataset length is unknown.')
        return self._length

    def cardinality(self):
        return _tf.constant(-2 if self._length is None else self._length, dtype='int64')

    # ---- sources ------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        flat = _flatten(tensors)
        columns = [_rows(c) for c in flat]
        n = len(columns[0]) if columns else 0
        for c in columns:
            if len(c) != n:
                raise ValueError('Dimensions of all components should be equal.')
        elements = [_pack(tensors, [c[i] for c in columns]) for i in range(n)]
        return Dataset(lambda: iter(elements), n)

    @staticmethod
    def from_tensors(tensors, name=None):
        element = _pack(tensors, [_tf.convert_to_tensor(t) for t in _flatten(tensors)])
        return Dataset(lambda: iter([element]), 1)

    @staticmethod
    def range(*args, output_type='int64', name=None):
        values = list(range(*args))
        return Dataset(lambda: (_tf.constant(v, dtype=output_type) for v in values), len(values))

    @staticmethod
    def zip(*datasets, name=None):
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, list, dict)):
            datasets = datasets[0]
        flat = _flatten(datasets)
        lengths = [d._length for d in flat if d._length is not None]

        def gen():
            for items in zip(*flat):
                yield _pack(datasets, list(items))
        return Dataset(gen, min(lengths) if lengths else None)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        def gen():
            for item in generator(*(args or ())):
                yield _pack(item, [_tf.convert_to_tensor(t) for t in _flatten(item)])
        return Dataset(gen)

    # ---- transformations ----------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        batch_size = int(batch_size)

        def gen():
            chunk = []
            for element in self:
                chunk.append(element)
                if len(chunk) == batch_size:
                    yield _stack(chunk)
                    chunk = []
            if chunk and not drop_remainder:
                yield _stack(chunk)
        length = None
        if self._length is not None:
            length = self._length // batch_size if drop_remainder else -(-self._length // batch_size)
        return Dataset(gen, length)

    def unbatch(self, name=None):
        def gen():
            for element in self:
                flat = [_rows(c) for c in _flatten(element)]
                for i in range(len(flat[0])):
                    yield _pack(element, [c[i] for c in flat])
        return Dataset(gen)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        def gen():
            for element in self:
                yield map_func(*element) if isinstance(element, tuple) else map_func(element)
        return Dataset(gen, self._length)

    def filter(self, predicate, name=None):
        def gen():
            for element in self:
                keep = predicate(*element) if isinstance(element, tuple) else predicate(element)
                if bool(keep):
                    yield element
        return Dataset(gen)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        state = {'epoch': 0}

        def gen():
            rng = _random.Random((seed if seed is not None else 0x5eed) + (state['epoch'] if reshuffle_each_iteration
                                                                            else 0))
            state['epoch'] += 1
            buffer = []
            for element in self:
                buffer.append(element)
                if len(buffer) >= buffer_size:
                    yield buffer.pop(rng.randrange(len(buffer)))
            while buffer:
                yield buffer.pop(rng.randrange(len(buffer)))
        return Dataset(gen, self._length)

    def repeat(self, count=None, name=None):
        def gen():
            n = 0
            while count is None or count < 0 or n < count:
                yield from self
                n += 1
        length = None if count is None or count < 0 or self._length is None else self._length * count
        return Dataset(gen, length)

    def take(self, count, name=None):
        def gen():
            if count < 0:
                yield from self
                return
            for i, element in enumerate(self):
                if i >= count:
                    return
                yield element
        length = self._length if count < 0 else (count if self._length is None else min(count, self._length))
        return Dataset(gen, length)

    def skip(self, count, name=None):
        def gen():
            for i, element in enumerate(self):
                if i >= count:
                    yield element
        return Dataset(gen, None if self._length is None else max(0, self._length - count))

    def enumerate(self, start=0, name=None):
        def gen():
            for i, element in enumerate(self, start):
                yield (_tf.constant(i, dtype='int64'), element)
        return Dataset(gen, self._length)

    def concatenate(self, dataset, name=None):
        def gen():
            yield from self
            yield from dataset
        both = None if self._length is None or dataset._length is None else self._length + dataset._length
        return Dataset(gen, both)

    def prefetch(self, buffer_size, name=None):
        return self

    def cache(self, filename='', name=None):
        return self

    def as_numpy_iterator(self):
        for element in self:
            yield _pack(element, [t.numpy() for t in _flatten(element)])

    def take_while(self, predicate, name=None):
        def gen():
            for element in self:
                if not bool(predicate(element)):
                    return
                yield element
        return Dataset(gen)


def _stack(elements):
    flat = [_flatten(e) for e in elements]
    columns = [_tf.stack([row[i] for row in flat]) for i in range(len(flat[0]))]
    return _pack(elements[0], columns)
