# GradientTape rules from SEMANTICS.md beyond the reference cases: re-entering, errors, jacobian without pfor,
# custom gradients with variable inputs and captured variables, output_gradients, tape-local watching.
import numpy as np
import tensorflow as tf

def show(label, f):
  try:
    print(label, f())
  except Exception as e:
    print(label, type(e).__name__ + ':', e)

# 061 re-enter
x = tf.constant(3.0)
g = tf.GradientTape()
with g:
  g.watch(x)
  y = 2 * x
with g:
  z = 2 * y
print('reenter', g.gradient(z, x))
# 067 nested self context
t = tf.GradientTape()
with t:
  try:
    with t:
      pass
  except ValueError as e:
    print('ValueError:', e)
# 069 watch bad thing
with tf.GradientTape() as t:
  show('watch ndarray', lambda: t.watch(np.array([1.0])))
  show('watch list of float', lambda: t.watch([tf.constant(1.0), 2.0]))
# 071
t = tf.GradientTape()
def stop():
  with t.stop_recording():
    pass
show('stop never entered', stop)
show('reset not recording', lambda: t.reset())
with t:
  pass
show('reset after exit', lambda: t.reset())
# 073 jacobian pfor False
x = tf.constant([1.0, 2.0])
with tf.GradientTape() as t:
  t.watch(x)
  y = x * x
show('jacobian pfor False', lambda: t.jacobian(y, x, experimental_use_pfor=False))
with tf.GradientTape(persistent=True) as t:
  t.watch(x)
  y = x * x
print('jacobian pfor False persistent', t.jacobian(y, x, experimental_use_pfor=False))
show('batch_jacobian pfor False', lambda: tf.GradientTape().batch_jacobian(y, x, experimental_use_pfor=False))
# 075 custom gradient with variable input
v = tf.Variable(2.0)
@tf.custom_gradient
def square_custom(a):
  def grad(up):
    return up * 10.0
  return a * a, grad
with tf.GradientTape() as t:
  y = square_custom(v)
print('custom var input', t.gradient(y, v), y)
# custom gradient with variable used inside
w = tf.Variable(3.0)
@tf.custom_gradient
def uses_var(a):
  out = a * w
  def grad(up, variables=None):
    return up * w, [up * a]
  return out, grad
a = tf.constant(2.0)
with tf.GradientTape() as t:
  t.watch(a)
  y = uses_var(a)
print('custom uses var', t.gradient(y, [a, w]))
@tf.custom_gradient
def uses_var_bad(a):
  out = a * w
  def grad(up):
    return up * w
  return out, grad
with tf.GradientTape() as t:
  t.watch(a)
  show('custom var no kwarg', lambda: uses_var_bad(a))
# 077 stop_gradient zero
x = tf.constant(2.0)
with tf.GradientTape() as t:
  t.watch(x)
  y = tf.stop_gradient(x * x)
print('stop zero', t.gradient(y, x, unconnected_gradients='zero'))
# 083 int source
with tf.GradientTape() as t:
  i = tf.constant(3)
  t.watch(i)
  f = tf.cast(i, tf.float32) * 2.0
print('int source', t.gradient(f, i))
# 085 composite / dict watch
a = tf.constant(1.0); b = tf.constant(2.0)
with tf.GradientTape() as t:
  t.watch({'a': a, 'b': (b,)})
  y = a * b
print('dict watch', t.gradient(y, {'a': a, 'b': b}))
# 087 argmax None
x = tf.constant([1.0, 3.0, 2.0])
with tf.GradientTape() as t:
  t.watch(x)
  idx = tf.argmax(x)
  y = tf.cast(idx, tf.float32)
print('argmax', t.gradient(y, x))
# 089 output_gradients
x = tf.constant(3.0)
with tf.GradientTape() as t:
  t.watch(x)
  loss = x * x
print('outgrads', t.gradient([loss, x], x, output_gradients=[1.0, 2.0]))
x = tf.constant([1.0, 2.0])
with tf.GradientTape() as t:
  t.watch(x)
  y = x * 3.0
print('outgrads vec', t.gradient(y, x, output_gradients=tf.constant([10.0, 100.0])))
# 047 stop_recording watched
x = tf.constant(2.0)
with tf.GradientTape() as t:
  t.watch(x)
  with t.stop_recording():
    y = x * x
  z = x * 3.0
print('stoprec', t.gradient(y, x), t.gradient if False else '', )
# 055 repeated source
x = tf.constant(2.0)
with tf.GradientTape() as t:
  t.watch(x)
  y = x * x
print('repeated', t.gradient(y, [x, x]))
# 081 broadcasting
x = tf.constant([[1.0], [2.0]])
b = tf.constant([1.0, 2.0, 3.0])
with tf.GradientTape() as t:
  t.watch([x, b])
  y = x * b
print('bcast', t.gradient(y, [x, b]))
# 057 intermediate as source
x = tf.Variable(1.0)
with tf.GradientTape(persistent=True) as t:
  y = x * 2.0
  z = y * y
print('intermediate', t.gradient(z, y), t.gradient(z, x))
# 053 watching is tape-local
x = tf.constant(1.0)
with tf.GradientTape() as t1:
  with tf.GradientTape() as t2:
    t1.watch(x)
    y = x * x
  print('t2', t2.gradient(y, x))
print('t1', t1.gradient(y, x))
# watched variables after non-persistent gradient
v = tf.Variable(1.0)
with tf.GradientTape() as t:
  y = v * v
t.gradient(y, v)
print('watched after', [w.name for w in t.watched_variables()])
print(tf.UnconnectedGradients.ZERO, tf.UnconnectedGradients('none'))
