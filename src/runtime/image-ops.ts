/**
 * tf.image ops the Python package needs that the engine does not have. They follow the engine's
 * op contract (src/engine/engine.ts) and are registered when the bridge is loaded.
 *
 * AdjustContrastv2 has no registered gradient in TensorFlow: a tape that differentiates through it
 * raises `LookupError: gradient registry has no entry for: AdjustContrastv2` (the guide's example).
 */
import { type Tensor, TFError, registerOp } from '../engine/index';
import { make, numeric } from '../engine/ops/helpers';

registerOp({
  type: 'AdjustContrastv2',
  forward: ([images, factor]: Tensor[]) => {
    if (images.rank < 3) {
      throw new TFError('InvalidArgumentError', `input must be at least 3-D, got shape[${images.shape.join(',')}] [Op:AdjustContrastv2] name: `);
    }
    if (factor.size !== 1) {
      throw new TFError('InvalidArgumentError', `contrast_factor must be scalar: [${factor.shape.join(',')}] [Op:AdjustContrastv2] name: `);
    }
    const [height, width, channels] = images.shape.slice(-3);
    const batches = images.size / (height * width * channels);
    const x = numeric(images);
    const k = Number(numeric(factor)[0]);
    const out = new Float32Array(images.size);
    for (let b = 0; b < batches; b++) {
      const base = b * height * width * channels;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        // float32 accumulation, as the kernel sums in float.
        for (let p = 0; p < height * width; p++) sum = Math.fround(sum + x[base + p * channels + c]);
        const mean = Math.fround(sum / (height * width));
        for (let p = 0; p < height * width; p++) {
          const i = base + p * channels + c;
          out[i] = Math.fround(Math.fround(Math.fround(x[i] - mean) * k) + mean);
        }
      }
    }
    return [make(images.dtype, images.shape.slice(), out)];
  },
  noGradient: 'missing',
});
