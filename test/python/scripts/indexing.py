# Indexing tensors as TensorFlow does: ints, tensors, lists (an index tuple), boolean masks, newaxis; errors.
import tensorflow as tf
x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
for bad in ([0, 1], 1.5, x > 2):
  try:
    x[bad]
  except TypeError as e:
    print(e)
try:
  len(tf.constant(1.0))
except TypeError as e:
  print(e)
try:
  float(x)
except TypeError as e:
  print(e)
for i in tf.range(2):
  print(x[i], x[i, tf.constant(1)])
print(x[tf.newaxis, ..., 1])
x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
print(x[[0, 1]])
print(x[x > 2])
y = tf.constant([5.0, 6.0, 7.0])

with tf.GradientTape() as tape:
  tape.watch(x)
  s = tf.reduce_sum(x[x > 2] ** 2) + tf.reduce_sum(x[:, 1])
print(tf.convert_to_tensor(tape.gradient(s, x)))
v = tf.Variable([1.0, 2.0, 3.0])
with tf.GradientTape() as tape:
  y = v[1] * v[-1]
print(tape.gradient(y, v))
