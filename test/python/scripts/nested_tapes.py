# Higher-order gradients with nested tapes, a Hessian with jacobian, and batch_jacobian.
import tensorflow as tf

x = tf.Variable(1.5)
with tf.GradientTape() as t2:
  with tf.GradientTape() as t1:
    y = x * x * x
  dy_dx = t1.gradient(y, x)
d2y_dx2 = t2.gradient(dy_dx, x)
print('dy_dx:', dy_dx.numpy())
print('d2y_dx2:', d2y_dx2.numpy())

x = tf.constant([1.0, 2.0, 3.0])
with tf.GradientTape() as outer:
  outer.watch(x)
  with tf.GradientTape() as inner:
    inner.watch(x)
    y = tf.reduce_sum(tf.sin(x) * x)
  g = inner.gradient(y, x)
h = outer.jacobian(g, x)
print(g)
print(h)

w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
with tf.GradientTape(persistent=True) as tape:
  z = tf.matmul(w, w)
  s = tf.reduce_sum(z)
print(tape.gradient(s, w))
print(tape.jacobian(z, w).shape)
del tape

x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
with tf.GradientTape() as tape:
  tape.watch(x)
  y = tf.nn.softmax(x)
print(tape.batch_jacobian(y, x).shape)
with tf.GradientTape() as tape:
  tape.watch(x)
  y = tf.nn.log_softmax(x) * tf.constant([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
print(tape.gradient(y, x))
