# Keras compile/fit/evaluate/predict on a full batch (verbose=0), deterministic initializers.
import numpy as np
import tensorflow as tf
x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
y = np.array([[0.0], [1.0], [1.0], [1.0]], dtype=np.float32)
model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation='sigmoid', kernel_initializer='zeros')])
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=1.0), loss='binary_crossentropy', metrics=['accuracy'])
history = model.fit(x, y, epochs=3, verbose=0)
print({k: [round(v, 5) for v in vs] for k, vs in history.history.items()})
print([round(v, 5) for v in model.evaluate(x, y, verbose=0)])
print(np.round(model.predict(x, verbose=0), 4))
