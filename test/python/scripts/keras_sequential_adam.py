# A Keras Sequential model trained with Adam and a custom GradientTape loop, as in TensorFlow's
# "Writing a training loop from scratch" guide, with deterministic initializers.
import numpy as np
import tensorflow as tf

x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
y = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=np.float32)

model = tf.keras.Sequential([
    tf.keras.layers.Dense(3, activation='tanh', kernel_initializer=tf.keras.initializers.Constant(0.5),
                          bias_initializer='zeros'),
    tf.keras.layers.Dense(1, activation='sigmoid', kernel_initializer='ones'),
])
optimizer = tf.keras.optimizers.Adam(learning_rate=0.05)
loss_fn = tf.keras.losses.BinaryCrossentropy()

for step in range(5):
  with tf.GradientTape() as tape:
    logits = model(x, training=True)
    loss_value = loss_fn(y, logits)
  grads = tape.gradient(loss_value, model.trainable_weights)
  optimizer.apply_gradients(zip(grads, model.trainable_weights))
  print(f'step {step}: loss = {float(loss_value):.6f}')

for v in model.trainable_variables:
  print(v.name, tuple(v.shape), np.round(v.numpy(), 4).tolist())
print('iterations:', int(optimizer.iterations.numpy()))

mse = tf.keras.losses.MeanSquaredError()
print(f'{mse(y, model(x)).numpy():.5f}')
sgd = tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
w = tf.Variable([1.0, -2.0])
for _ in range(3):
  with tf.GradientTape() as tape:
    l = tf.reduce_sum(w * w)
  sgd.apply_gradients([(tape.gradient(l, w), w)])
print(w.numpy())
