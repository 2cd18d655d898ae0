# Gradient clipping by value, by norm and by global norm, before an optimizer step.
import tensorflow as tf

w = tf.Variable([[3.0, -4.0], [1.0, 2.0]], name='w')
b = tf.Variable([10.0, -10.0], name='b')
x = tf.constant([[1.0, 1.0]])
with tf.GradientTape() as tape:
  y = x @ w + b
  loss = tf.reduce_sum(y ** 2)
grads = tape.gradient(loss, [w, b])
print(grads[0])
print(grads[1])

clipped, global_norm = tf.clip_by_global_norm(grads, 5.0)
print(f'global norm: {global_norm:.4f}')
for g in clipped:
  print(g.numpy())
print(tf.clip_by_norm(grads[1], 1.0))
print(tf.clip_by_value(grads[0], -10.0, 10.0))
print(tf.linalg.global_norm(clipped) if hasattr(tf.linalg, 'global_norm') else tf.norm(tf.concat([tf.reshape(g, [-1]) for g in clipped], 0)))

opt = tf.keras.optimizers.SGD(learning_rate=0.01)
opt.apply_gradients(zip(clipped, [w, b]))
print(w.numpy())
print(b.numpy())
