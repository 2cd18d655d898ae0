# tf.nn.moments / bias_add / dropout and tf.math.reduce_euclidean_norm, with a gradient through moments.
import tensorflow as tf
x = tf.constant([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])
m, v = tf.nn.moments(x, axes=[0])
print(m, v)
print([t.shape for t in tf.nn.moments(x, axes=1, keepdims=True)])
print(tf.nn.bias_add(x, tf.constant([1.0, 0.0, -1.0])))
print(tf.math.reduce_euclidean_norm(x, axis=1))
with tf.GradientTape() as t:
  t.watch(x)
  m, v = tf.nn.moments(x, axes=[0, 1])
print(t.gradient(v, x))
print(tf.nn.dropout(x, 0.0), tf.nn.dropout(x, 0.5).shape)
