# TensorFlow's 'Introduction to modules' guide: tf.Module composition, tf.function with an input_signature,
# variables in attribute order, tf.TensorSpec, tf.name_scope.
import tensorflow as tf

class Dense(tf.Module):
  def __init__(self, in_features, out_features, name=None):
    super().__init__(name=name)
    self.w = tf.Variable(tf.ones([in_features, out_features]) * 0.1, name='w')
    self.b = tf.Variable(tf.zeros([out_features]), name='b')
  def __call__(self, x):
    y = tf.matmul(x, self.w) + self.b
    return tf.nn.relu(y)

class SequentialModule(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.dense_1 = Dense(in_features=3, out_features=3)
    self.dense_2 = Dense(in_features=3, out_features=2)

  @tf.function(input_signature=[tf.TensorSpec(shape=[None, 3], dtype=tf.float32)])
  def __call__(self, x):
    x = self.dense_1(x)
    return self.dense_2(x)

my_model = SequentialModule(name="the_model")
print("Model results:", my_model(tf.constant([[2.0, 2.0, 2.0]])))
print("Submodules:", [m.name for m in my_model.submodules])
for var in my_model.variables:
  print(var.name, var.shape)
print(tf.TensorSpec(shape=[None, 3], dtype=tf.float32))
print(repr(tf.TensorSpec([2], tf.int32, name='x')))
with tf.name_scope('outer'):
  print(tf.constant(1.0) + 1)
with tf.name_scope("outer"):
  v = tf.Variable(1.0)
  w = tf.Variable(1.0, name="w")
  with tf.name_scope("inner"):
    u = tf.Variable(1.0, name="u")
print(v.name, w.name, u.name)
