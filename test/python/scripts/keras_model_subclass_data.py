# A subclassed tf.keras.Model trained with a tf.function train step, Keras metrics and tf.data, in the style
# of TensorFlow's 'TensorFlow 2 quickstart for experts' (deterministic initializers).
import numpy as np
import tensorflow as tf

class MyModel(tf.keras.Model):
  def __init__(self):
    super().__init__()
    self.d1 = tf.keras.layers.Dense(4, activation='relu', kernel_initializer='ones')
    self.d2 = tf.keras.layers.Dense(2, kernel_initializer='ones')
  def call(self, x, training=False):
    return self.d2(self.d1(x))

model = MyModel()
x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
labels = tf.constant([0, 1])
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
opt = tf.keras.optimizers.Adam()
train_loss = tf.keras.metrics.Mean(name='train_loss')
train_acc = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')

@tf.function
def train_step(x, y):
  with tf.GradientTape() as tape:
    logits = model(x, training=True)
    loss = loss_object(y, logits)
  grads = tape.gradient(loss, model.trainable_variables)
  opt.apply_gradients(zip(grads, model.trainable_variables))
  train_loss(loss)
  train_acc(y, logits)
  return loss

for i in range(3):
  print(f'loss {train_step(x, labels):.5f}')
print([v.name for v in model.trainable_variables])
preds = tf.argmax(model(x), axis=1)
acc = tf.reduce_mean(tf.cast(tf.equal(preds, tf.cast(labels, tf.int64)), tf.float32))
print('acc', acc.numpy())
ds = tf.data.Dataset.from_tensor_slices((x, labels)).batch(1)
for bx, by in ds:
  print(bx.shape, by.numpy())
print(f'Loss: {train_loss.result():.5f}, Accuracy: {train_acc.result() * 100:.2f}')
train_loss.reset_state()
print(train_loss.result())
for e in tf.data.Dataset.range(5).map(lambda v: v * 2).filter(lambda v: v > 2).take(2):
  print(e)
print(list(tf.data.Dataset.from_tensor_slices({'a': [1, 2, 3], 'b': [4., 5., 6.]}).batch(2).as_numpy_iterator()))
print(len(tf.data.Dataset.from_tensor_slices(tf.zeros([10, 3])).batch(4)))
