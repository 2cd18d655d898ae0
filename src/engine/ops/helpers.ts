/**
 * Shared pieces for op definitions: dtype checks with TensorFlow's messages, broadcasting, and
 * `unbroadcast` (sum a gradient back to an input's shape), used by every broadcasting op's gradient.
 */
import { type DTypeName, type NumericData, dtypeKindWord, isFloat } from '../dtype';
import { getEngine } from '../engine';
import { TFError, opError } from '../errors';
import { broadcastReductionAxes, broadcastShapes, shapeText, shapesEqual } from '../shape';
import { Tensor } from '../tensor';

export function numeric(t: Tensor): NumericData {
  if (t.dtype === 'string') throw new TFError('InvalidArgumentError', 'internal: numeric data of a string tensor');
  return t.data as NumericData;
}

export function make(dtype: DTypeName, shape: number[], data: NumericData | string[]): Tensor {
  return new Tensor(dtype, shape, data);
}

/** TensorFlow refuses to mix dtypes: `cannot compute AddV2 as input #1(zero-based) ...`. */
export function checkSameDType(type: string, inputs: Tensor[]): DTypeName {
  const dtype = inputs[0].dtype;
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i].dtype !== dtype) {
      throw new TFError(
        'InvalidArgumentError',
        `cannot compute ${type} as input #${i}(zero-based) was expected to be a ${dtypeKindWord(dtype)} tensor but is a ${dtypeKindWord(inputs[i].dtype)} tensor [Op:${type}] name: `,
      );
    }
  }
  return dtype;
}

const ALLOWED_NAMES: Record<DTypeName, string> = {
  float16: 'half',
  float32: 'float',
  float64: 'double',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
  string: 'string',
};

/** `Value for attr 'T' of int32 is not in the list of allowed values: ...` for float-only ops. */
export function checkFloat(type: string, t: Tensor): void {
  if (isFloat(t.dtype)) return;
  throw new TFError(
    'InvalidArgumentError',
    `Value for attr 'T' of ${ALLOWED_NAMES[t.dtype]} is not in the list of allowed values: bfloat16, half, float, double, complex64, complex128\n\t; NodeDef: {{node ${type}}}; Op<name=${type}; signature=x:T -> y:T; attr=T:type,allowed=[DT_BFLOAT16, DT_HALF, DT_FLOAT, DT_DOUBLE, DT_COMPLEX64, DT_COMPLEX128]> [Op:${type}] name: `,
  );
}

export function checkNumeric(type: string, t: Tensor): void {
  if (t.dtype === 'string' || t.dtype === 'bool') {
    throw new TFError('InvalidArgumentError', `Value for attr 'T' of ${ALLOWED_NAMES[t.dtype]} is not in the list of allowed values [Op:${type}] name: `);
  }
}

/** The broadcast shape of a∘b: `a.shape` itself when the shapes are equal (shapes are never written). */
export function broadcastOrThrow(type: string, a: Tensor, b: Tensor): number[] {
  if (shapesEqual(a.shape, b.shape)) return a.shape;
  const out = broadcastShapes(a.shape, b.shape);
  if (!out) throw opError(type, `Incompatible shapes: ${shapeText(a.shape)} vs. ${shapeText(b.shape)}`);
  return out;
}

/** Sums a gradient over the axes along which `like` was broadcast, back to `like`'s shape. */
export function unbroadcast(grad: Tensor, like: Tensor): Tensor {
  if (shapesEqual(grad.shape, like.shape)) return grad;
  const engine = getEngine();
  const axes = broadcastReductionAxes(like.shape, grad.shape);
  let g = grad;
  if (axes.length > 0) g = engine.run1('Sum', [g], { axis: axes, keepdims: false });
  if (!shapesEqual(g.shape, like.shape)) g = engine.run1('Reshape', [g], { shape: like.shape.slice() });
  return g;
}

/** A scalar constant of the given dtype (used inside gradient functions). */
export function scalarLike(value: number, like: Tensor): Tensor {
  return getEngine().scalar(value, like.dtype);
}
