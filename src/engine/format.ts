// TF-compatible printing: numpy 1.x text for arrays and scalars, and TensorFlow's wrappers around it.
// Pure functions of (dtype, shape, data); the implementation lives in ./format/.

export {
  type ElementData,
  formatNumpyStr,
  formatNumpyRepr,
  formatNumpyArrayRepr,
  formatScalarItemRepr,
} from './format/arrayprint';
export {
  type ShapeDims,
  formatTensorStr,
  formatTensorRepr,
  formatVariableRepr,
  formatShapeStr,
  formatShapeRepr,
  formatDTypeStr,
  formatDTypeRepr,
} from './format/tensorflow';
export { formatPythonFloat, formatPythonInt, formatPythonBool, formatPythonBytes } from './format/python';
export {
  type FloatWidth,
  type TrimMode,
  type PositionalOptions,
  type ScientificOptions,
  formatPositional,
  formatScientific,
  roundToFloat16,
  roundToWidth,
} from './format/dragon4';
