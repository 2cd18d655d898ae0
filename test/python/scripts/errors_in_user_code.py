# TensorFlow's exception types and messages for common mistakes.
import tensorflow as tf

a = tf.constant([[1.0, 2.0]])
b = tf.constant([[1.0, 2.0]])
try:
  tf.matmul(a, b)
except tf.errors.InvalidArgumentError as e:
  print(type(e).__name__, isinstance(e, tf.errors.OpError))
  print(e)
try:
  tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])
except tf.errors.InvalidArgumentError as e:
  print(type(e).__name__, e)
try:
  tf.constant(1.0) + tf.constant(1)
except tf.errors.InvalidArgumentError as e:
  print(type(e).__name__, e)
try:
  tf.constant([1, 2]) * 0.5
except TypeError as e:
  print(type(e).__name__, e)
try:
  tf.reshape(tf.range(6), [4, 2])
except tf.errors.InvalidArgumentError as e:
  print(type(e).__name__, e)
x = tf.Variable(1.0)
try:
  with tf.GradientTape() as tape:
    tape.watch(3.0)
except ValueError as e:
  print(type(e).__name__, e)
try:
  x.assign([1.0, 2.0])
except ValueError as e:
  print(type(e).__name__, e)
try:
  tf.constant([[1.0], [2.0, 3.0]])
except ValueError as e:
  print(type(e).__name__, e)
