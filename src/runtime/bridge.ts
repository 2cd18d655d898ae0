/**
 * The JavaScript side of our Python `tensorflow` package: the object Python imports as
 * `_tapescope_engine`. Every Python-level op is ONE call into this object, so the functions take
 * plain arguments Pyodide passes cheaply (numbers, strings, JS objects Python got from us earlier)
 * and never Python containers: source locations travel as small integer ids registered once per
 * call site (`loc`), attributes as a JSON string.
 *
 * Python holds the returned Tensor / Variable / GradientTape objects as opaque JsProxies and hands
 * them back unchanged. Errors are the engine's `TFError`s; the Python side reads `pythonType` and
 * raises the matching exception class.
 */
import type { SourceLocation } from '../trace/types';
import {
  type DTypeName,
  Engine,
  GradientTape,
  Tensor,
  TFError,
  Variable,
  constant,
  getOpDef as engineOpDef,
  keras,
  resetWarningCounters,
  toTensor,
  toTensorPair,
} from '../engine/index';
import { formatNumpyRepr, formatNumpyStr, formatScalarItemRepr, formatTensorRepr, formatTensorStr, formatVariableRepr } from '../engine/format';
import type { TensorLike } from '../engine/convert';
import { dtypeKindWord } from '../engine/dtype';
import './image-ops';
import { normal as randomNormal, setSeed, truncatedNormal, uniform as randomUniform } from '../engine/random';

export type Operand = Tensor | Variable | number | boolean | string;
type Differentiable = Tensor | Variable;

/** Op types binaryAt converts or checks the operands of before running (some are Python-level rules, not engine ops). */
const PYTHON_LEVEL_OPS: ReadonlySet<string> = new Set(['MulOperator', 'TrueDiv', 'DivNoNan', 'LogicalAnd', 'LogicalOr']);
/** math_ops._TRUEDIV_TABLE's dtypes, as TensorFlow's error lists them. */
const TRUEDIV_DTYPES =
  '{tf.uint8, tf.int8, tf.uint16, tf.int16, tf.uint32, tf.int32, tf.uint64, tf.int64, tf.bfloat16, tf.float16, tf.float32, tf.float64, tf.complex64, tf.complex128}';

/** The attributes of ops that have none (shared: no op changes its attributes). */
const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

/** Python callables arrive as PyProxies: callable from JS, and must be destroyed when done. */
interface PyCallable {
  (...args: unknown[]): unknown;
  destroy?: () => void;
}

const DTYPES: ReadonlySet<string> = new Set(['float16', 'float32', 'float64', 'int32', 'int64', 'bool', 'string']);

function dtypeOf(name: string | null | undefined): DTypeName | undefined {
  if (name === null || name === undefined) return undefined;
  if (!DTYPES.has(name)) throw new TFError('TypeError', `Tapescope does not support the dtype ${name} yet`);
  return name as DTypeName;
}

function asArray<T>(value: ArrayLike<T> | null | undefined): T[] {
  return value === null || value === undefined ? [] : Array.from(value);
}

/** Python sees JS `undefined` as None (`null` would arrive as a distinct `jsnull`). */
function noneAsUndefined(values: (Tensor | null)[]): (Tensor | undefined)[] {
  return values.map((v) => v ?? undefined);
}

/**
 * Creates the bridge for one run on `engine` (made fresh per run by the worker). `stderr` receives
 * TensorFlow's log lines until Python installs its own sink (so ordering with prints is kept).
 */
export function createBridge(engine: Engine) {
  resetWarningCounters();
  const locations: (SourceLocation | undefined)[] = [undefined];
  const locationIds = new Map<string, number>();
  let pythonWarningSink: PyCallable | undefined;

  const at = (id: number): SourceLocation | undefined => {
    const loc = locations[id];
    engine.location = loc;
    return loc;
  };

  const operand = (x: Operand, hint?: DTypeName, loc?: SourceLocation): Tensor =>
    x instanceof Tensor ? x : toTensor(x as TensorLike, hint, loc);

  const runOp = (type: string, inputs: Tensor[], attrsJson: string | null | undefined, loc: SourceLocation | undefined): Tensor[] => {
    const attrs = attrsJson ? (JSON.parse(attrsJson) as Record<string, unknown>) : {};
    return engine.run(type, inputs, attrs, loc);
  };

  /** `x / y` (TrueDiv) and tf.math.divide_no_nan: one dtype on both sides, integers divide as float64. */
  const division = (type: 'TrueDiv' | 'DivNoNan', x: Tensor, y: Tensor, loc: SourceLocation | undefined): Tensor => {
    if (x.dtype !== y.dtype) throw new TFError('TypeError', `\`x\` and \`y\` must have the same dtype, got tf.${x.dtype} != tf.${y.dtype}.`);
    if (x.dtype === 'bool' || x.dtype === 'string') {
      throw new TFError('TypeError', `Invalid dtype tf.${x.dtype} in ${type === 'TrueDiv' ? '__truediv__' : 'tf.math.divide_no_nan'}. Expected one of ${TRUEDIV_DTYPES}.`);
    }
    if (x.dtype === 'int32' || x.dtype === 'int64') {
      x = engine.run1('Cast', [x], { dtype: 'float64' }, loc);
      y = engine.run1('Cast', [y], { dtype: 'float64' }, loc);
    }
    return engine.run1(type === 'TrueDiv' ? 'RealDiv' : 'DivNoNan', [x, y], NO_ATTRIBUTES, loc);
  };

  /** `x * y` with a bool tensor: TensorFlow multiplies both cast to int32, and casts the product to bool. */
  const boolMultiply = (x: Tensor, y: Tensor, loc: SourceLocation | undefined): Tensor => {
    const int32 = { dtype: 'int32' };
    const product = engine.run1('Mul', [engine.run1('Cast', [x], int32, loc), engine.run1('Cast', [y], int32, loc)], NO_ATTRIBUTES, loc);
    return engine.run1('Cast', [product], { dtype: 'bool' }, loc);
  };

  /**
   * A binary op of the Python API. Besides engine op types: AddV2 is Add for strings (tf.add and `+`),
   * TrueDiv is `/` (math_ops.truediv), DivNoNan is tf.math.divide_no_nan, MulOperator is `*` (Mul, or
   * the bool rule). A Python number operand takes the other operand's dtype (the Python side sends only
   * numbers exact in it).
   */
  const binaryAt = (type: string, a: Operand, b: Operand, loc: SourceLocation | undefined): Tensor => {
    engine.location = loc;
    let x: Tensor;
    let y: Tensor;
    if (a instanceof Tensor && b instanceof Tensor) {
      // Two tensors of an op that needs nothing more: the common case, without building a pair.
      if (type === 'AddV2') return engine.run1(a.dtype === 'string' ? 'Add' : type, [a, b], NO_ATTRIBUTES, loc);
      if (!PYTHON_LEVEL_OPS.has(type)) return engine.run1(type, [a, b], NO_ATTRIBUTES, loc);
      x = a;
      y = b;
    } else {
      [x, y] = toTensorPair(a as TensorLike, b as TensorLike, loc);
    }
    switch (type) {
      case 'AddV2':
        return engine.run1(x.dtype === 'string' ? 'Add' : type, [x, y], NO_ATTRIBUTES, loc);
      case 'MulOperator':
        if (x.dtype === 'bool' || y.dtype === 'bool') return boolMultiply(x, y, loc);
        return engine.run1('Mul', [x, y], NO_ATTRIBUTES, loc);
      case 'TrueDiv':
      case 'DivNoNan':
        return division(type, x, y, loc);
      case 'LogicalAnd':
      case 'LogicalOr':
        // The engine's kernels take any dtype; TensorFlow's inputs are bool.
        for (const [i, t] of [x, y].entries()) {
          if (t.dtype !== 'bool') {
            throw new TFError('InvalidArgumentError', `cannot compute ${type} as input #${i}(zero-based) was expected to be a bool tensor but is a ${dtypeKindWord(t.dtype)} tensor [Op:${type}] name: `);
          }
        }
        return engine.run1(type, [x, y], NO_ATTRIBUTES, loc);
      default:
        return engine.run1(type, [x, y], NO_ATTRIBUTES, loc);
    }
  };

  const unaryAt = (type: string, x: Operand, loc: SourceLocation | undefined): Tensor => {
    engine.location = loc;
    // tf.stop_gradient(variable) reads it without marking it accessed (TensorFlow watches nothing).
    const input = type === 'StopGradient' && x instanceof Variable ? engine.readVariable(x, loc, false) : operand(x, undefined, loc);
    return engine.run1(type, [input], NO_ATTRIBUTES, loc);
  };

  const opAt = (type: string, attrs: Record<string, unknown>, inputs: readonly Operand[], loc: SourceLocation | undefined): Tensor[] => {
    engine.location = loc;
    // Tensors as they are (the usual case: no new array); variables are read, in input order.
    const tensors = inputs.every((x) => x instanceof Tensor) ? (inputs as Tensor[]) : inputs.map((x) => operand(x, undefined, loc));
    return engine.run(type, tensors, attrs, loc);
  };

  /** What the fast layer (src/runtime/fast-ops.ts) calls: the same ops, locations as objects. */
  const core: BridgeCore = {
    binaryAt,
    unaryAt,
    opAt,
    location: (id) => locations[id],
    tracing: engine.recorder !== undefined,
  };

  const bridge = {
    /** A no-op: the bare Python→JS call, for the per-op overhead benchmark. */
    ping(): number {
      return 0;
    },

    /** Registers a source location once per call site; ops then carry its id. */
    loc(file: string, line: number, column: number | null, endLine: number | null, endColumn: number | null, functionName: string | null): number {
      const key = `${file}\0${line}\0${column}\0${endLine}\0${endColumn}\0${functionName}`;
      let id = locationIds.get(key);
      if (id === undefined) {
        const loc: SourceLocation = { file, line };
        if (column !== null && column !== undefined) loc.column = column;
        if (endLine !== null && endLine !== undefined) loc.endLine = endLine;
        if (endColumn !== null && endColumn !== undefined) loc.endColumn = endColumn;
        if (functionName) loc.functionName = functionName;
        id = locations.length;
        locations.push(loc);
        locationIds.set(key, id);
      }
      return id;
    },

    /** Where ops without an explicit location happen (e.g. ops inside a Python gradient function). */
    setLocation(locId: number): void {
      at(locId);
    },

    // ---- tensors ----------------------------------------------------------------------------

    /** A tensor from flat Python values (already validated and typed by the Python side). */
    constant(values: ArrayLike<number | boolean | string>, shape: ArrayLike<number>, dtype: string, name: string | null, locId: number): Tensor {
      const loc = at(locId);
      const flat = Array.from(values);
      const dims = asArray(shape);
      const size = dims.reduce((p, d) => p * d, 1);
      const t = constant(flat.length === 1 && size === 1 && dims.length === 0 ? flat[0] : flat, {
        dtype: dtypeOf(dtype),
        shape: dims,
        loc,
        ...(name ? { name } : {}),
      });
      return t;
    },

    /** A scalar constant (the common case, without building arrays). */
    scalar(value: number | boolean | string, dtype: string, name: string | null, locId: number): Tensor {
      const loc = at(locId);
      return constant(value, { dtype: dtypeOf(dtype), loc, ...(name ? { name } : {}) });
    },

    /** Converts an operand: tensors pass through, variables are read, numbers take `dtype`. */
    convert(x: Operand, dtype: string | null, locId: number): Tensor {
      const loc = at(locId);
      const t = operand(x, dtypeOf(dtype) ?? undefined, loc);
      const want = dtypeOf(dtype);
      if (want && t.dtype !== want) {
        throw new TFError('ValueError', `Tensor conversion requested dtype ${want} for Tensor with dtype ${t.dtype}: ${formatTensorRepr(t.dtype, t.shape, t.data)}`);
      }
      return t;
    },

    /** A binary op with TensorFlow's operand rules (a Python scalar takes the tensor's dtype). */
    binary(type: string, a: Operand, b: Operand, locId: number): Tensor {
      return binaryAt(type, a, b, at(locId));
    },

    unary(type: string, x: Operand, locId: number): Tensor {
      return unaryAt(type, x, at(locId));
    },

    /** Any op: inputs are tensors (or variables, read here); attributes as JSON. First output. */
    op(type: string, attrsJson: string | null, locId: number, ...inputs: Operand[]): Tensor {
      const loc = at(locId);
      return runOp(type, inputs.map((x) => operand(x, undefined, loc)), attrsJson, loc)[0];
    },

    /** Same as op() for ops with several outputs (Unpack, Split...). */
    opN(type: string, attrsJson: string | null, locId: number, ...inputs: Operand[]): Tensor[] {
      const loc = at(locId);
      return runOp(type, inputs.map((x) => operand(x, undefined, loc)), attrsJson, loc);
    },

    /** Whether the engine has an op (Python raises a clear NotImplementedError otherwise). */
    hasOp(type: string): boolean {
      try {
        // getOpDef throws for unknown types.
        return Boolean(engineOpDef(type));
      } catch {
        return false;
      }
    },

    // ---- printing ---------------------------------------------------------------------------

    tensorStr(t: Tensor): string {
      return formatTensorStr(t.dtype, t.shape, t.data);
    },
    tensorRepr(t: Tensor): string {
      return formatTensorRepr(t.dtype, t.shape, t.data);
    },
    variableRepr(v: Variable): string {
      return formatVariableRepr(v.name, v.dtype, v.shape, v.value.data);
    },
    /** numpy text of flat Python data (our numpy stand-in's arrays and scalars). */
    numpyStr(dtype: string, shape: ArrayLike<number>, data: ArrayLike<number | boolean | string>): string {
      return formatNumpyStr(dtypeOf(dtype) as DTypeName, asArray(shape), Array.from(data) as number[]);
    },
    numpyRepr(dtype: string, shape: ArrayLike<number>, data: ArrayLike<number | boolean | string>): string {
      return formatNumpyRepr(dtypeOf(dtype) as DTypeName, asArray(shape), Array.from(data) as number[]);
    },
    /** numpy 1.x str of a numpy scalar (`6.0`, `0.1`, `1e-05`). */
    scalarStr(dtype: string, value: number | boolean | string): string {
      return formatNumpyStr(dtypeOf(dtype) as DTypeName, [], [value] as number[]);
    },
    scalarItemRepr(dtype: string, value: number | boolean | string): string {
      return formatScalarItemRepr(dtypeOf(dtype) as DTypeName, value);
    },
    /** A tensor's elements (typed array, or string[]), for .numpy(). */
    data(t: Tensor): Tensor['data'] {
      return t.data;
    },

    // ---- variables --------------------------------------------------------------------------

    variable(initial: Operand, name: string | null, trainable: boolean, dtype: string | null, locId: number): Variable {
      const loc = at(locId);
      const want = dtypeOf(dtype);
      let value = initial instanceof Variable ? engine.readVariable(initial, loc) : operand(initial, want, loc);
      if (want && value.dtype !== want) value = engine.run1('Cast', [value], { dtype: want }, loc);
      return engine.createVariable(value, name ?? undefined, trainable, loc);
    },
    read(v: Variable, locId: number): Tensor {
      return engine.readVariable(v, at(locId));
    },
    assign(v: Variable, value: Operand, mode: 'assign' | 'assign_add' | 'assign_sub', locId: number): void {
      const loc = at(locId);
      engine.assignVariable(v, operand(value, v.dtype, loc), mode, loc);
    },
    /** The variable's current value without reading it through the tape (printing, .numpy()). */
    peek(v: Variable): Tensor {
      return v.value;
    },

    // ---- tapes ------------------------------------------------------------------------------

    tapeNew(persistent: boolean, watchAccessedVariables: boolean, locId: number): GradientTape {
      return new GradientTape(persistent, watchAccessedVariables, at(locId), engine);
    },
    tapeEnter(tape: GradientTape, locId: number): void {
      tape.enter(at(locId));
    },
    tapeExit(tape: GradientTape, locId: number): void {
      tape.exit(at(locId));
    },
    tapeWatch(tape: GradientTape, x: Differentiable, locId: number): void {
      tape.watch(x, at(locId));
    },
    tapeStopRecording(tape: GradientTape, locId: number): () => void {
      return tape.stopRecording(at(locId));
    },
    tapeReset(tape: GradientTape, locId: number): void {
      tape.reset(at(locId));
    },
    tapeWatchedVariables(tape: GradientTape): Variable[] {
      return tape.watchedVariables();
    },
    tapeIsRecording(tape: GradientTape): boolean {
      return tape.isRecording;
    },
    /** True when gradient() would raise "A non-persistent GradientTape can only be used..." (TF's `_tape is None`). */
    tapeConsumed(tape: GradientTape): boolean {
      return (tape as unknown as { state: unknown }).state === null;
    },
    gradient(
      tape: GradientTape,
      targets: ArrayLike<Differentiable>,
      sources: ArrayLike<Differentiable>,
      outputGradients: ArrayLike<Tensor | null> | null,
      unconnected: 'none' | 'zero',
      labels: ArrayLike<string | null> | null,
      structure: string | null,
      locId: number,
    ): (Tensor | undefined)[] {
      const loc = at(locId);
      return noneAsUndefined(tape.gradient(asArray(targets), asArray(sources), {
        outputGradients: outputGradients ? asArray(outputGradients).map((g) => g ?? null) : undefined,
        unconnectedGradients: unconnected,
        sourceLabels: labels ? asArray(labels).map((l) => l ?? undefined) : undefined,
        loc,
        structure: structure ?? undefined,
      }));
    },
    jacobian(tape: GradientTape, target: Differentiable, sources: ArrayLike<Differentiable>, unconnected: 'none' | 'zero', usePfor: boolean, locId: number): (Tensor | undefined)[] {
      const loc = at(locId);
      return noneAsUndefined(tape.jacobian(target, asArray(sources), { unconnectedGradients: unconnected, experimentalUsePfor: usePfor, loc }));
    },
    batchJacobian(tape: GradientTape, target: Differentiable, source: Differentiable, unconnected: 'none' | 'zero', usePfor: boolean, locId: number): Tensor {
      const loc = at(locId);
      return tape.batchJacobian(target, source, { unconnectedGradients: unconnected, experimentalUsePfor: usePfor, loc });
    },

    /**
     * tf.custom_gradient's VariableWatcher: collects the trainable variables read until
     * variableWatcherEnd. It sits on the tape stack (where variable reads are announced) and
     * records no op.
     */
    variableWatcherBegin(): object {
      const seen: Variable[] = [];
      const watcher = {
        id: 0,
        isRecording: false,
        seen,
        variableAccessed(v: Variable): void {
          if (v.trainable && !seen.includes(v)) seen.push(v);
        },
        shouldRecord(): boolean {
          return false;
        },
      };
      engine.tapeStack.push(watcher as unknown as GradientTape);
      return watcher;
    },
    variableWatcherEnd(watcher: { seen: Variable[] }): Variable[] {
      const i = engine.tapeStack.lastIndexOf(watcher as unknown as GradientTape);
      if (i >= 0) engine.tapeStack.splice(i, 1);
      return watcher.seen;
    },

    /** Pauses every recording tape (tf.custom_gradient runs its function unrecorded); returns them. */
    pauseTapes(): GradientTape[] {
      const paused = engine.tapeStack.splice(0, engine.tapeStack.length);
      return paused;
    },
    resumeTapes(paused: ArrayLike<GradientTape>): void {
      engine.tapeStack.push(...asArray(paused));
    },

    /**
     * tf.custom_gradient: records `outputs` as one op whose gradient calls the Python function
     * `gradFn(upstream...)` (it returns one JS tensor or null per input). Returns the recorded outputs.
     */
    customGradient(name: string, inputs: ArrayLike<Differentiable>, outputs: ArrayLike<Tensor>, gradFn: PyCallable, locId: number): Tensor[] {
      const loc = at(locId);
      const keep = gradFn;
      return engine.recordCustomGradient(
        name,
        asArray(inputs),
        asArray(outputs),
        (upstream) => {
          const result = keep(...upstream) as ArrayLike<Tensor | null | undefined>;
          return asArray(result).map((g) => g ?? null);
        },
        loc,
      );
    },

    // ---- scopes (tf.name_scope, Keras layers) ---------------------------------------------------

    pushScope(name: string): void {
      engine.pushScope(name);
    },
    popScope(): void {
      engine.popScope();
    },

    // ---- random -----------------------------------------------------------------------------

    /** tf.random.normal / truncated_normal / uniform; `seed` null when not given. */
    random(kind: 'normal' | 'truncated_normal' | 'uniform', shape: ArrayLike<number>, a: Operand, b: Operand | null, dtype: string, seed: number | null, locId: number): Tensor {
      at(locId);
      const dims = asArray(shape);
      const options = { dtype: dtypeOf(dtype), seed: seed ?? undefined };
      if (kind === 'normal') return randomNormal(dims, a as TensorLike, b as TensorLike, options);
      if (kind === 'truncated_normal') return truncatedNormal(dims, a as TensorLike, b as TensorLike, options);
      return randomUniform(dims, a as TensorLike, b === null || b === undefined ? null : (b as TensorLike), options);
    },
    setSeed(seed: number | null): void {
      setSeed(seed ?? null);
    },

    // ---- Keras (src/engine/keras: activations, losses and optimizers as Keras 3 computes them) ----

    kerasUniqueName(prefix: string): string {
      return keras.uniqueName(prefix);
    },
    /** A Keras activation by name (sigmoid/softmax outputs remember their logits for the losses). */
    kerasActivation(name: string, x: Operand, locId: number): Tensor {
      const loc = at(locId);
      return keras.activations.getActivation(name)(operand(x, undefined, loc));
    },
    kerasHasActivation(name: string): boolean {
      return keras.activations.ACTIVATION_NAMES.includes(name);
    },
    /** A Keras loss object; options as JSON in the TypeScript spelling (fromLogits, reduction...). */
    kerasLoss(kind: string, optionsJson: string): keras.losses.Loss {
      const options = JSON.parse(optionsJson) as Record<string, unknown>;
      const make: Record<string, () => keras.losses.Loss> = {
        MeanSquaredError: () => new keras.losses.MeanSquaredError(options),
        BinaryCrossentropy: () => new keras.losses.BinaryCrossentropy(options),
        CategoricalCrossentropy: () => new keras.losses.CategoricalCrossentropy(options),
        SparseCategoricalCrossentropy: () => new keras.losses.SparseCategoricalCrossentropy(options),
      };
      const factory = make[kind];
      if (!factory) throw new TFError('NotImplementedError', `Tapescope does not support keras.losses.${kind} yet.`);
      return factory();
    },
    kerasLossCall(loss: keras.losses.Loss, yTrue: Operand, yPred: Operand, sampleWeight: Operand | null, locId: number): Tensor {
      at(locId);
      return loss.apply(yTrue as TensorLike, yPred as TensorLike, sampleWeight === null || sampleWeight === undefined ? null : (sampleWeight as TensorLike));
    },
    kerasOptimizer(kind: string, optionsJson: string, locId: number): keras.optimizers.Optimizer {
      at(locId);
      const options = JSON.parse(optionsJson) as Record<string, unknown>;
      if (kind === 'SGD') return new keras.optimizers.SGD(options);
      if (kind === 'Adam') return new keras.optimizers.Adam(options);
      throw new TFError('NotImplementedError', `Tapescope does not support keras.optimizers.${kind} yet.`);
    },
    /** optimizer.apply_gradients: `grads[i]` (or undefined for None) for `variables[i]`. */
    kerasApplyGradients(optimizer: keras.optimizers.Optimizer, grads: ArrayLike<Tensor | null | undefined>, variables: ArrayLike<Variable>, locId: number): Variable {
      at(locId);
      const gs = asArray(grads);
      return optimizer.applyGradients(asArray(variables).map((v, i): keras.optimizers.GradAndVar => [gs[i] ?? null, v]));
    },
    kerasOptimizerVariables(optimizer: keras.optimizers.Optimizer): Variable[] {
      return optimizer.variables;
    },
    kerasSetLearningRate(optimizer: keras.optimizers.Optimizer, value: number): void {
      optimizer.learningRate = value;
    },

    // ---- logging ----------------------------------------------------------------------------

    /** Python installs its stderr writer here, so warnings interleave correctly with prints. */
    setWarningSink(sink: PyCallable): void {
      pythonWarningSink?.destroy?.();
      pythonWarningSink = sink;
      engine.warningSink = (line) => {
        sink(line);
      };
    },
    warn(line: string): void {
      engine.warn(line);
    },
  };
  return { bridge, core };
}

/** What Python imports as `_tapescope_engine.bridge`. */
export type Bridge = ReturnType<typeof createBridge>['bridge'];

/** The run's ops as the fast layer calls them: operands already decoded, locations as objects. */
export interface BridgeCore {
  binaryAt(type: string, a: Operand, b: Operand, loc: SourceLocation | undefined): Tensor;
  unaryAt(type: string, x: Operand, loc: SourceLocation | undefined): Tensor;
  /** Any op (as `bridge.op`/`opN`): variables among the inputs are read; every output. */
  opAt(type: string, attrs: Record<string, unknown>, inputs: readonly Operand[], loc: SourceLocation | undefined): Tensor[];
  /** The location Python registered with `bridge.loc` (undefined for 0, "no user frame"). */
  location(id: number): SourceLocation | undefined;
  /** Whether the run records a trace (locations are only looked up then). */
  tracing: boolean;
}
