# tf.nest: dicts flatten in sorted key order and pack back in their own order; tuples stay tuples.
import collections
import tensorflow as tf

s = {'b': [1, 2], 'a': (3, {'z': 4, 'y': 5})}
print(tf.nest.flatten(s))
print(tf.nest.pack_sequence_as(s, list('ABCDE')))
print(tf.nest.map_structure(lambda v: v * 10, s))
print(tf.nest.map_structure(lambda a, b: a + b, (1, [2, 3]), (10, [20, 30])))
Point = collections.namedtuple('Point', ['x', 'y'])
print(tf.nest.flatten(Point(1, [2, 3])), tf.nest.pack_sequence_as(Point(0, [0, 0]), [7, 8, 9]))
print(tf.nest.flatten(None), tf.nest.flatten(5), tf.nest.is_nested([1]), tf.nest.is_nested(tf.constant(1)))
try:
  tf.nest.assert_same_structure([1, 2], [1, [2]])
except ValueError as e:
  print('ValueError')
try:
  tf.nest.pack_sequence_as([1, 2], [1])
except ValueError as e:
  print('ValueError', e)
x = tf.constant(1.0)
y = tf.constant(2.0)
with tf.GradientTape() as tape:
  tape.watch([x, y])
  out = {'sum': x + y, 'prod': (x * y,)}
grads = tape.gradient(out, {'y': y, 'x': x})
print(list(grads), tf.nest.map_structure(lambda g: float(g), grads))
