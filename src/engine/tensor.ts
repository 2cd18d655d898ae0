/**
 * Tensors (immutable values with an identity) and Variables (mutable, named, watched through a
 * handle id). Identity matters: TensorFlow's tape tracks tensors by id, so two equal constants are
 * two different sources.
 */
import { type DTypeName, type TensorData, isFloat } from './dtype';
import { sizeOf } from './shape';

let nextTensorId = 1;

/** Ids are shared by tensors and variable handles so a tape can watch either by number. */
export function allocateTensorId(): number {
  return nextTensorId++;
}

export class Tensor {
  readonly id: number;
  readonly size: number;
  /** The variable this tensor is a read of (kind 'variable-read' in the trace). */
  variable?: Variable;
  /** A user-given name (tf.constant(..., name='x3')). */
  name?: string;
  /** Set on gradients that TensorFlow returns as tf.IndexedSlices (tf.gather on axis 0). */
  fromIndexedSlices?: boolean;
  /** The trace recorder that already holds this tensor (a field, not a lookup: the hot path). */
  recordedBy?: object;
  /**
   * The tape state that recorded the op making this tensor (its serial; 0: none) and that op's
   * index on it: numbers, so a tensor never keeps a tape's ops alive. Another tape recording the
   * same op keeps its own lookup (see TapeState).
   */
  tapeState = 0;
  tapeIndex = 0;

  constructor(
    readonly dtype: DTypeName,
    /** Never changed in place, so tensors may share one shape array (elementwise ops do). */
    readonly shape: number[],
    readonly data: TensorData,
  ) {
    this.id = nextTensorId++;
    this.size = sizeOf(shape);
    if (data.length !== this.size) {
      throw new Error(`internal: tensor data has ${data.length} elements for shape [${shape.join(',')}]`);
    }
  }

  get rank(): number {
    return this.shape.length;
  }

  get isFloat(): boolean {
    return isFloat(this.dtype);
  }

  /** The single element of a size-1 tensor as a JS number (bool as 0/1). */
  scalarValue(): number {
    if (this.size !== 1) throw new Error(`internal: scalarValue() of a tensor with ${this.size} elements`);
    const v = this.data[0];
    if (typeof v === 'string') throw new Error('internal: scalarValue() of a string tensor');
    return v;
  }

  /** Nested JS arrays (numbers, booleans or strings), as `.numpy().tolist()` would give. */
  toNested(): unknown {
    const data = this.data;
    const isBool = this.dtype === 'bool';
    const element = (i: number): unknown => (isBool ? data[i] === 1 : data[i]);
    if (this.shape.length === 0) return element(0);
    const build = (dim: number, offset: number): unknown[] => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === this.shape.length - 1 ? element(offset + i) : build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }
}

let nextVariableId = 1;

export class Variable {
  /** Variable id in the trace (creation order = TensorFlow's watched_variables() order). */
  readonly id: number;
  /** What a tape watches for this variable (TensorFlow watches the resource handle). */
  readonly handleId: number;
  readonly dtype: DTypeName;
  readonly shape: number[];
  /** Layer or module that owns the variable, for grouping in the view. */
  owner?: string;

  constructor(
    public value: Tensor,
    /** Full TensorFlow name including `:0`. */
    readonly name: string,
    readonly trainable: boolean,
  ) {
    this.id = nextVariableId++;
    this.handleId = allocateTensorId();
    this.dtype = value.dtype;
    this.shape = value.shape.slice();
  }
}
