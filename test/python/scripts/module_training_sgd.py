# A tf.Module trained with a hand-written SGD loop, in the style of TensorFlow's
# "Introduction to modules" / "Basic training loops" tutorials (deterministic data).
import tensorflow as tf


class LinearModel(tf.Module):
  def __init__(self, name=None):
    super().__init__(name=name)
    self.w = tf.Variable(5.0, name='w')
    self.b = tf.Variable(0.0, name='b')

  def __call__(self, x):
    return self.w * x + self.b


def loss_fn(target_y, predicted_y):
  return tf.reduce_mean(tf.square(target_y - predicted_y))


x = tf.linspace(-2.0, 2.0, 21)
y = x * 3.0 + 2.0 + tf.sin(5.0 * x) * 0.1

model = LinearModel(name='linear')
print(model.name, [v.name for v in model.trainable_variables])
print(f'initial loss: {loss_fn(y, model(x)):.6f}')

learning_rate = 0.1
for epoch in range(10):
  with tf.GradientTape() as tape:
    current_loss = loss_fn(y, model(x))
  dw, db = tape.gradient(current_loss, [model.w, model.b])
  model.w.assign_sub(learning_rate * dw)
  model.b.assign_sub(learning_rate * db)
  print(f'Epoch {epoch:2d}: W={model.w.numpy():.5f} b={model.b.numpy():.5f}, loss={current_loss:.6f}')

print(model.w)
print(len(model.variables), type(model.trainable_variables).__name__)


class MLP(tf.Module):
  def __init__(self):
    super().__init__()
    self.w1 = tf.Variable([[0.5, -0.2], [0.1, 0.3]], name='w1')
    self.b1 = tf.Variable([0.0, 0.1], name='b1')
    self.w2 = tf.Variable([[1.0], [-1.0]], name='w2')

  @tf.function
  def __call__(self, x):
    h = tf.nn.relu(x @ self.w1 + self.b1)
    return h @ self.w2


mlp = MLP()
xs = tf.constant([[1.0, 2.0], [3.0, -1.0]])
with tf.GradientTape() as tape:
  out = mlp(xs)
  loss = tf.reduce_sum(out ** 2)
grads = tape.gradient(loss, mlp.trainable_variables)
for v, g in zip(mlp.trainable_variables, grads):
  print(v.name, g.numpy().tolist())
print([v.name for v in tape.watched_variables()])
