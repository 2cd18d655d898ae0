# tf.image.adjust_contrast values (float32 kernel arithmetic) and its missing gradient.
import tensorflow as tf
print(tf.image.adjust_contrast(tf.reshape(tf.range(12.) / 7.0, [2, 2, 3]), 1.7))
print(tf.image.adjust_contrast(tf.reshape(tf.range(24.), [2, 1, 4, 3]), 0.5))
v = tf.Variable(tf.ones([1, 2, 3]))
with tf.GradientTape() as tape:
  out = tf.image.adjust_contrast(v, 2.0)
try:
  tape.gradient(out, v)
except LookupError as e:
  print(type(e).__name__, e)
