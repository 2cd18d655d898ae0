/**
 * BiasAdd and its gradient BiasAddGrad: what Keras's Dense runs to add its bias (Keras 3's
 * `ops.add(x, bias)` on TensorFlow dispatches a rank-1 right operand to tf.nn.bias_add), so the
 * trace shows the op TensorFlow shows.
 */
import { backend } from '../backend';
import { getEngine, registerOp } from '../engine';
import { hasOp } from './nn';
import { opError } from '../errors';
import { broadcastOrThrow, checkNumeric, checkSameDType, make, numeric, unbroadcast } from '../ops/helpers';
import type { Tensor } from '../tensor';

const run = (type: string, inputs: Tensor[], attrs?: Record<string, unknown>): Tensor => getEngine().run1(type, inputs, attrs);

registerOp({
  type: 'BiasAdd',
  forward: (inputs) => {
    const [value, bias] = inputs;
    const dtype = checkSameDType('BiasAdd', inputs);
    checkNumeric('BiasAdd', value);
    if (value.rank < 2) throw opError('BiasAdd', `Input tensor must be at least 2D: [${value.shape.join(',')}]`);
    if (bias.rank !== 1) throw opError('BiasAdd', `Biases must be 1D: [${bias.shape.join(',')}]`);
    const channels = value.shape[value.rank - 1];
    if (bias.shape[0] !== channels) {
      throw opError('BiasAdd', `Must provide as many biases as the last dimension of the input tensor: [${bias.shape.join(',')}] vs. [${value.shape.join(',')}]`);
    }
    return [make(dtype, value.shape.slice(), backend().binary('add', numeric(value), value.shape, numeric(bias), bias.shape, value.shape, dtype))];
  },
  grad: ({ upstream: [dy], needed }) => [needed[0] ? dy : null, needed[1] ? run('BiasAddGrad', [dy]) : null],
});

registerOp({
  type: 'BiasAddGrad',
  // Sum over every axis but the channel (last) axis, row after row in the dtype's accumulator
  // (float32 for float32 and half, as TensorFlow's kernel): its results match TensorFlow's bit for bit.
  forward: ([dy]) => {
    const channels = dy.shape[dy.rank - 1];
    const input = numeric(dy);
    const acc = dy.dtype === 'float64' ? new Float64Array(channels) : new Float32Array(channels);
    for (let offset = 0; offset < input.length; offset += channels) {
      for (let c = 0; c < channels; c++) acc[c] += input[offset + c];
    }
    const out = dy.dtype === 'float16' ? backend().unary((v) => v, acc, 'float16') : acc;
    return [make(dy.dtype, [channels], out)];
  },
  // TensorFlow's _BiasAddGradGrad: the upstream, broadcast back over the summed axes.
  grad: ({ upstream: [g], inputs: [dy] }) => {
    const ones = dy.shape.map((d, i) => (i === dy.rank - 1 ? d : 1));
    return [run('BroadcastTo', [run('Reshape', [g], { shape: ones })], { shape: dy.shape.slice() })];
  },
});

/** x / y, or 0 where y == 0: Keras's divide_no_nan for the 'sum_over_batch_size' mean. */
// Registered here only when the core ops did not already (both follow TensorFlow's kernel).
if (!hasOp('DivNoNan')) registerOp({
  type: 'DivNoNan',
  forward: (inputs) => {
    const [a, b] = inputs;
    const dtype = checkSameDType('DivNoNan', inputs);
    const shape = broadcastOrThrow('DivNoNan', a, b);
    return [make(dtype, shape, backend().binaryFn((x, y) => (y === 0 ? 0 : x / y), numeric(a), a.shape, numeric(b), b.shape, shape, dtype))];
  },
  // TensorFlow's _DivNoNanGrad.
  grad: ({ upstream: [dy], inputs: [a, b], needed }) => [
    needed[0] ? unbroadcast(run('DivNoNan', [dy, b]), a) : null,
    needed[1] ? unbroadcast(run('Mul', [dy, run('DivNoNan', [run('DivNoNan', [run('Neg', [a]), b]), b])]), b) : null,
  ],
});
