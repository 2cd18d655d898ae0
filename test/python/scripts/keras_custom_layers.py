# Custom Keras layers (the 'Custom layers' guide): add_weight in build, trainable and non-trainable weights.
import tensorflow as tf

class Linear(tf.keras.layers.Layer):
  def __init__(self, units=4):
    super().__init__()
    self.units = units
  def build(self, input_shape):
    self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer='ones', trainable=True)
    self.b = self.add_weight(shape=(self.units,), initializer='zeros', trainable=False)
  def call(self, inputs):
    return tf.matmul(inputs, self.w) + self.b

layer = Linear(2)
y = layer(tf.ones((1, 3)))
print(y)
print(len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights))
print([tuple(w.shape) for w in layer.weights])
class MyDenseLayer(tf.keras.layers.Layer):
  def __init__(self, num_outputs):
    super(MyDenseLayer, self).__init__()
    self.num_outputs = num_outputs
  def build(self, input_shape):
    self.kernel = self.add_weight(shape=[int(input_shape[-1]), self.num_outputs], initializer='ones')
  def call(self, inputs):
    return tf.matmul(inputs, self.kernel)
layer = MyDenseLayer(10)
print(layer(tf.zeros([10, 5])).shape, [tuple(v.shape) for v in layer.trainable_variables])
