# From TensorFlow's "Advanced automatic differentiation" guide: custom gradients.
import tensorflow as tf

@tf.custom_gradient
def clip_gradients(y):
  def backward(dy):
    return tf.clip_by_norm(dy, 0.5)
  return y, backward

v = tf.Variable(2.0)
with tf.GradientTape() as t:
  output = clip_gradients(v * v)
print(t.gradient(output, v))  # calls "backward", which clips 4 to 2

@tf.custom_gradient
def log1pexp(x):
  e = tf.exp(x)
  def grad(dy):
    return dy * (1 - 1 / (1 + e))
  return tf.math.log(1 + e), grad

x = tf.constant([0.0, 10.0, 100.0])
with tf.GradientTape() as tape:
  tape.watch(x)
  y = log1pexp(x)
print(y, tape.gradient(y, x))

# Second order through a custom gradient.
@tf.custom_gradient
def cube(x):
  def grad(dy):
    return dy * 3.0 * x * x
  return x * x * x, grad

x = tf.constant(2.0)
with tf.GradientTape() as outer:
  outer.watch(x)
  with tf.GradientTape() as inner:
    inner.watch(x)
    y = cube(x)
  dy = inner.gradient(y, x)
print(dy, outer.gradient(dy, x))

@tf.custom_gradient
def two_in_two_out(a, b):
  def grad(da, db):
    return da + db, da - db
  return (a + b, a * b), grad

a = tf.constant(1.0); b = tf.constant(3.0)
with tf.GradientTape(persistent=True) as tape:
  tape.watch([a, b])
  s, p = two_in_two_out(a, b)
print(tape.gradient(s, [a, b]), tape.gradient([s, p], [a, b]))

# Gradient of a Jacobian norm (regularization) and hessian via nested tapes.
w = tf.Variable([[1.0, -1.0], [0.5, 2.0]])
x = tf.constant([[1.0, 2.0]])
with tf.GradientTape() as t2:
  with tf.GradientTape() as t1:
    t1.watch(x)
    y = tf.nn.tanh(x @ w)
  j = t1.batch_jacobian(y, x)
  penalty = tf.reduce_sum(j ** 2)
print(j.shape, t2.gradient(penalty, w).shape)
