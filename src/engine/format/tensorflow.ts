// TensorFlow's text around numpy's: `str`/`repr` of EagerTensor and ResourceVariable, TensorShape, DType
// (tensorflow/python/framework/ops.py numpy_text/value_text, resource_variable_ops.py, tensor_shape.py,
// dtypes.py). See docs/tf-semantics.md section 11.

import type { DTypeName } from '../../trace/types';
import { type ElementData, formatNumpyRepr, formatNumpyStr } from './arrayprint';

/** TF puts a newline before a multi-line numpy text so the array starts in column 0. */
function numpyText(text: string): string {
  return text.includes('\n') ? '\n' + text : text;
}

/** A TensorShape's dims: a number per known dimension, null per unknown one; null for unknown rank. */
export type ShapeDims = readonly (number | null)[] | null;

/** `str(TensorShape)`: `()`, `(3,)`, `(3, 2)`, `(None, 3)`, `<unknown>`. */
export function formatShapeStr(dims: ShapeDims): string {
  if (dims === null) return '<unknown>';
  const parts = dims.map((d) => (d === null ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/** `repr(TensorShape)`: `TensorShape([3, 2])`, `TensorShape([])`, `TensorShape(None)`. */
export function formatShapeRepr(dims: ShapeDims): string {
  if (dims === null) return 'TensorShape(None)';
  return `TensorShape([${dims.map((d) => (d === null ? 'None' : String(d))).join(', ')}])`;
}

/** `str(tf.float32)` is `<dtype: 'float32'>`. */
export function formatDTypeStr(dtype: DTypeName): string {
  return `<dtype: '${dtype}'>`;
}

/** `repr(tf.float32)` is `tf.float32`. */
export function formatDTypeRepr(dtype: DTypeName): string {
  return `tf.${dtype}`;
}

/** `str(tensor)`: `tf.Tensor([1. 2.], shape=(2,), dtype=float32)`, newline-led when multi-line. */
export function formatTensorStr(dtype: DTypeName, shape: readonly number[], data: ElementData): string {
  return `tf.Tensor(${numpyText(formatNumpyStr(dtype, shape, data))}, shape=${formatShapeStr(shape)}, dtype=${dtype})`;
}

/** `repr(tensor)`: `<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>`. */
export function formatTensorRepr(dtype: DTypeName, shape: readonly number[], data: ElementData): string {
  return `<tf.Tensor: shape=${formatShapeStr(shape)}, dtype=${dtype}, numpy=${numpyText(formatNumpyRepr(dtype, shape, data))}>`;
}

/**
 * `repr(variable)` (also its `str`): `<tf.Variable 'x0:0' shape=() dtype=float32, numpy=3.0>`.
 * `name` is the variable's full `.name`, with the `:0` suffix (`'Variable:0'` when unnamed).
 */
export function formatVariableRepr(
  name: string,
  dtype: DTypeName,
  shape: readonly number[],
  data: ElementData,
): string {
  return `<tf.Variable '${name}' shape=${formatShapeStr(shape)} dtype=${dtype}, numpy=${numpyText(formatNumpyRepr(dtype, shape, data))}>`;
}
