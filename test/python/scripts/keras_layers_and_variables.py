# Keras layer details: Input + Sequential, layer names, input checks with Keras's messages, use_bias=False;
# in-place operators on variables (TensorFlow refuses them).
import tensorflow as tf
v = tf.Variable(1.0)
v2 = v
try:
  v += 1
except RuntimeError as e:
  print(e)
v = v + 1
print(type(v).__name__, v2.numpy(), v is v2)
model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(2, kernel_initializer='ones', name='hidden'), tf.keras.layers.Dense(1, kernel_initializer='ones')])
print(len(model.trainable_variables), [tuple(w.shape) for w in model.weights], model.layers[0].name, len(model.layers))
print(model(tf.ones([1, 3])))
d = tf.keras.layers.Dense(2)
try:
  d(tf.ones([3]))
except ValueError as e:
  print('ValueError', e)
layer = tf.keras.layers.Dense(3, kernel_initializer='ones', use_bias=False)
print(layer(tf.constant([[1.0, 2.0]])), layer.bias, [w.shape.as_list() for w in layer.trainable_weights])
print(layer.kernel.shape, layer.built, layer.units)
opt = tf.keras.optimizers.Adam(0.01)
print(float(opt.learning_rate), opt.learning_rate.numpy())
opt.learning_rate = 0.5
print(float(opt.learning_rate))
opt.learning_rate.assign(0.25)
print(opt.learning_rate.numpy(), opt.iterations.numpy())
