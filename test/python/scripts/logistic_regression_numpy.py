# Logistic and softmax regression with GradientTape, numpy interop, printing of large tensors and
# variables, float64 variables, nested targets (TF-tutorial style; values rounded where TF's Eigen kernels
# round sigmoid/tanh differently by one ulp).
import numpy as np
import tensorflow as tf

# Logistic regression on a tiny deterministic dataset, TF-tutorial style.
X = np.array([[0.5, 1.0], [1.5, -0.5], [-1.0, 0.3], [2.0, 2.0], [-0.7, -1.2]], dtype=np.float32)
Y = np.array([1, 0, 1, 1, 0], dtype=np.float32)
w = tf.Variable(tf.zeros([2, 1]), name='weights')
b = tf.Variable(0.0, name='bias')

def predict(x):
  return tf.sigmoid(tf.squeeze(tf.matmul(x, w), axis=1) + b)

def loss_fn(y, p):
  return tf.reduce_mean(tf.keras.losses.binary_crossentropy(y[:, None], p[:, None]))

lr = 0.5
for step in range(4):
  with tf.GradientTape() as tape:
    p = predict(X)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=tf.squeeze(X @ w, 1) + b))
  dw, db = tape.gradient(loss, [w, b])
  w.assign_sub(lr * dw)
  b.assign_sub(lr * db)
  acc = tf.reduce_mean(tf.cast(tf.equal(tf.cast(p > 0.5, tf.float32), Y), tf.float32))
  print(f'step {step} loss={loss.numpy():.6f} acc={acc.numpy():.2f}')
print(np.round(w.numpy().ravel(), 5), np.round(b.numpy(), 5))
print(np.round(np.mean(p), 5), np.round(p.numpy(), 3), np.array(w).shape, f'{float(loss):.6f}', [round(v, 5) for v in p.numpy().tolist()[:2]])

# softmax classification with one_hot labels
logits = tf.constant([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
labels = tf.one_hot([0, 1], depth=3)
with tf.GradientTape() as tape:
  tape.watch(logits)
  xent = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
  total = tf.reduce_sum(xent)
print(xent)
print(tape.gradient(total, logits))
print(tf.nn.softmax(logits), np.round(tf.math.reduce_logsumexp(logits, axis=1).numpy(), 5))
print(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=logits))
big = tf.reshape(tf.range(2000, dtype=tf.float32), [40, 50]) / 7.0
print(big)
print(tf.Variable(tf.ones([3, 3]) * 0.5, name='m'))
v64 = tf.Variable([1.0, 2.0], dtype=tf.float64)
with tf.GradientTape() as tape:
  y = tf.reduce_sum(v64 ** 3)
print(tape.gradient(y, v64), v64.dtype)
x = tf.Variable(3.0)
with tf.GradientTape() as tape:
  y = tf.where(x > 2.0, x ** 2, x)
print(tape.gradient(y, x))
with tf.GradientTape() as tape:
  ys = {'a': x * 2.0, 'b': [x ** 2, tf.exp(x / 3.0)]}
print(tape.gradient(ys, x))
print(tf.math.reduce_std(tf.constant([1.0, 2.0, 3.0, 4.0])), tf.math.reduce_variance(tf.constant([[1.0, 2.0], [3.0, 5.0]]), axis=0))
print(tf.norm(tf.constant([3.0, 4.0])), tf.clip_by_value(tf.constant([-2.0, 0.5, 3.0]), -1.0, 1.0))
print(tf.linalg.matmul(tf.eye(2), tf.constant([[1.0, 2.0], [3.0, 4.0]])), tf.linalg.norm(tf.ones([2, 2])))
print(tf.math.argmax([1, 5, 2]).numpy(), tf.size(big).numpy(), tf.shape(big), tf.rank(big))
