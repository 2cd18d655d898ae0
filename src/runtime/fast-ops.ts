/**
 * The fast layer between our Python `tensorflow` package and the engine: the ops on the hot path
 * of user code (tensor operators, tf.add & co., tf.exp & co.) as CPython builtins implemented in
 * JavaScript (src/runtime/cpython.ts), so `x + y` in the user's loop costs one C-level call into
 * JavaScript instead of a Python method, a frame walk and a Pyodide FFI call (issue 3's target: the
 * per-op overhead from Python at most twice the bare Python→JavaScript call).
 *
 * How tensors are held: an `EagerTensor` made here is a plain Python object (allocated with
 * `PyType_GenericAlloc`), and its engine `Tensor` lives in `tensors`, keyed by the object's address.
 * The entry goes when Python frees the object (a hook on the type's `tp_free`, else a `__del__`),
 * before the address can be reused; tensors Python makes from a bridge handle are registered by
 * `adopt`.
 * Python reaches the engine object of any tensor with `handleOf` (its lazy `_t`).
 *
 * Everything keeps the pure-Python path as its fallback: any operand or call shape not handled
 * here (variables, numpy values, keywords, a missing layout check...) calls the Python function it
 * replaced, so behaviour is the package's, only faster where it can be.
 */
import type { SourceLocation } from '../trace/types';
import { Tensor, Variable } from '../engine/index';
import type { BridgeCore, Operand } from './bridge';
import { CPython, type CPythonModule, type FastcallFunction, METH_FASTCALL, METH_KEYWORDS, isCPythonModule } from './cpython';

/** Integers beyond this reach the engine inexactly: the Python path handles them (and their errors). */
const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
/** Python ints an int32 tensor takes as they are (TensorFlow wraps bigger ones, per operator). */
const INT32_LIMIT = 2 ** 31 - 1;
/** Instruction offsets below this combine with a code address into one exact number key. */
const MAX_LASTI = 2 ** 21;
/** Size of the direct-mapped location cache (a power of two). */
const RECENT_SLOTS = 1024;

/** What each replaced Python callable does (and how it is called). */
export type FastKind =
  | 'binary' // EagerTensor.__add__(self, other)
  | 'rbinary' // EagerTensor.__radd__(self, other): other + self
  | 'unaryMethod' // EagerTensor.__neg__(self)
  | 'binaryFunction' // tf.add(x, y, name=None)
  | 'unaryFunction' // tf.exp(x, name=None)
  | 'release' // EagerTensor.__del__(self)
  | 'adopt' // _adopt(tensor, handle): registers a tensor Python made from a bridge handle
  | 'adoptVariable' // _adopt_variable(variable, handle): the same for a ResourceVariable
  | 'op' // _op(op_type, attrs, *inputs): any engine op, first output
  | 'opN' // _opN(op_type, attrs, *inputs): any engine op, all outputs as a list
  | 'reduction' // tf.reduce_sum(input_tensor, axis=None, keepdims=False, name=None) & co.
  | 'matmul' // tf.matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False, ...)
  | 'matmulMethod' // EagerTensor.__matmul__(self, other)
  | 'shape' // _shape_tuple(tensor): the shape as a tuple of ints
  | 'dtypeName'; // _dtype_name(tensor): 'float32', ...

const METHOD_KINDS: ReadonlySet<FastKind> = new Set(['binary', 'rbinary', 'unaryMethod', 'release', 'matmulMethod']);
/**
 * Callables taking keywords (an unhandled call shape, keywords included, goes to the fallback as it
 * came, so `x.__neg__(1)` or `x.__add__(other=y)` behave as the Python methods do).
 */
const KEYWORD_KINDS: ReadonlySet<FastKind> = new Set([
  'binary', 'rbinary', 'unaryMethod', 'matmulMethod', 'binaryFunction', 'unaryFunction', 'op', 'opN', 'reduction', 'matmul', 'shape', 'dtypeName',
]);
/** Parameters of the functions the fast layer binds arguments for (as TensorFlow names them). */
const REDUCTION_PARAMETERS = ['input_tensor', 'axis', 'keepdims', 'name'];
const MATMUL_PARAMETERS = ['a', 'b', 'transpose_a', 'transpose_b', 'adjoint_a', 'adjoint_b', 'a_is_sparse', 'b_is_sparse', 'output_type', 'grad_a', 'grad_b', 'name'];

/** Addresses of the Python objects and types the fast layer compares against. */
interface PythonTypes {
  str: number;
  list: number;
  tuple: number;
  dict: number;
  true: number;
  false: number;
}

/** The attributes of ops called with `None` or `{}`. */
const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});
/** MatMul's attributes by (transpose_a, transpose_b), shared (no op changes its attributes). */
const MATMUL_ATTRIBUTES: readonly Readonly<Record<string, unknown>>[] = [false, true].flatMap((a) =>
  [false, true].map((b) => Object.freeze({ transpose_a: a, transpose_b: b })),
);

/** The result of a conversion the fast layer cannot do (the Python fallback runs instead). */
const UNHANDLED = Symbol('unhandled');

/** Python callables the fast layer calls back (set up by `setup`). */
interface Hooks {
  /** Raises the engine error `takePendingError()` returns (always raises). */
  raisePending: number;
  /** `is_user_code(code) -> 0 | 1`: whether ops in this code object belong to the user. */
  isUserCode: number;
  /** `location_id(frame) -> int`: registers the frame's location with the bridge (0 = none). */
  locationId: number;
}

export class FastOps {
  private readonly cpython: CPython | undefined;
  /**
   * Engine tensors of the EagerTensor objects made or adopted here, by object address. Only objects
   * whose freeing removes their entry are in it (exactly EagerTensor: a subclass made by a class
   * statement has a tp_free of its own, not hooked), so a key is always a live object.
   */
  private readonly tensors = new Map<number, Tensor>();
  /** Engine variables of the instances of `variableTypes`, by object address (the same rule). */
  private readonly variables = new Map<number, Variable>();
  /** ResourceVariable and the subclasses whose tp_free is hooked (their instances are in `variables`). */
  private readonly variableTypes = new Set<number>();
  /** Python objects the attribute converter recognises (set by `setTypes`). */
  private types: PythonTypes | undefined;
  /** Interned Python str objects of the dtype names (one reference each held here). */
  private readonly dtypeNames = new Map<string, number>();
  /** Scratch words for PyDict_Next and PyUnicode_AsUTF8AndSize out-parameters. */
  private scratch = 0;
  private run: BridgeCore | undefined;
  private tensorType = 0;
  private floatType = 0;
  private intType = 0;
  private none = 0;
  private hooks: Hooks | undefined;
  private pendingError: unknown;
  /** Per code object: whether it is the user's (code objects are kept alive while cached). */
  private readonly userCode = new Map<number, boolean>();
  /** Per (user code, instruction offset): the op's source location. */
  private readonly locations = new Map<number, SourceLocation | null>();
  /**
   * In front of `locations`, for ops called straight from the user's code (operators have no
   * Python frame of ours): a direct-mapped cache on (code, offset) with no hashing of numbers.
   */
  private readonly recentCode = new Uint32Array(RECENT_SLOTS);
  private readonly recentLasti = new Int32Array(RECENT_SLOTS);
  private readonly recentLocation: (SourceLocation | undefined)[] = new Array<SourceLocation | undefined>(RECENT_SLOTS).fill(undefined);
  /** Why the layer is off, when it is (for tests and the curious). */
  disabledReason: string | undefined;
  /** Why tensors are released by a `__del__` finalizer rather than the cheaper tp_free hook. */
  finalizerReason: string | undefined;

  constructor(module: unknown) {
    if (isCPythonModule(module)) this.cpython = new CPython(module);
    else this.disabledReason = 'this Pyodide build does not export the C API the fast layer uses';
  }

  /** The run whose engine the fast ops use (a new one per run; undefined between runs). */
  bindRun(core: BridgeCore | undefined): void {
    this.run = core;
  }

  /** How many tensors Python holds through this layer (tests check that releases happen). */
  get liveTensors(): number {
    return this.tensors.size;
  }

  /**
   * What Python imports as `_tapescope_fast`: called at import time and once per run, through
   * Pyodide's ordinary FFI (object ids are addresses in CPython).
   */
  pythonModule(): object {
    const probe = { probe: true };
    return {
      probe,
      setup: (args: {
        tensorType: number;
        tensorBase: number;
        basicSize: number;
        flags: number;
        none: number;
        floatType: number;
        intType: number;
        floatObject: number;
        jsProxy: number;
        hooks: number;
      }): boolean => this.setup(args, probe),
      replace: (dict: number, key: string, kind: FastKind, opType: string | null, ownerType?: number | null, doc?: string | null): void =>
        this.replace(dict, key, kind, opType ?? '', ownerType ?? undefined, doc ?? undefined),
      setTypes: (types: PythonTypes): void => {
        this.types = { ...types };
      },
      /** A ResourceVariable class (or subclass): its instances are operands, freed by a tp_free hook. */
      variableType: (type: { object: number; basicSize: number; flags: number; base: number }): string | undefined => {
        const problem = this.cpython?.hookFree(type, (object) => this.variables.delete(object));
        if (problem === undefined) this.variableTypes.add(type.object);
        return problem;
      },
      handleOf: (address: number): Tensor | undefined => this.tensors.get(address),
      takePendingError: (): unknown => {
        const error = this.pendingError;
        this.pendingError = undefined;
        return error;
      },
      beginRun: (): void => this.forgetCodeObjects(),
      liveTensors: (): number => this.tensors.size,
      disabledReason: (): string | undefined => this.disabledReason,
      /** Why EagerTensor needs a `__del__` to release its engine tensor (undefined: it does not). */
      finalizerReason: (): string | undefined => this.finalizerReason,
    };
  }

  private setup(
    args: {
      tensorType: number;
      tensorBase: number;
      basicSize: number;
      flags: number;
      none: number;
      floatType: number;
      intType: number;
      floatObject: number;
      jsProxy: number;
      hooks: number;
    },
    probe: object,
  ): boolean {
    const cpython = this.cpython;
    if (!cpython) return false;
    const problem = cpython.verifyLayout({ floatObject: args.floatObject, floatType: args.floatType, jsProxy: args.jsProxy, jsValue: probe });
    if (problem) {
      this.disabledReason = problem;
      return false;
    }
    const hook = (name: string): number => {
      const callable = cpython.dictGet(args.hooks, name);
      if (!callable) throw new Error(`the fast layer's hook ${name} is missing`);
      cpython.api._Py_IncRef(callable); // kept for the interpreter's life
      return callable;
    };
    this.hooks = { raisePending: hook('raise_pending'), isUserCode: hook('is_user_code'), locationId: hook('location_id') };
    this.tensorType = args.tensorType;
    this.none = args.none;
    this.floatType = args.floatType;
    this.intType = args.intType;
    this.disabledReason = undefined;
    this.finalizerReason = cpython.hookFree(
      { object: args.tensorType, basicSize: args.basicSize, flags: args.flags, base: args.tensorBase },
      (object) => this.tensors.delete(object),
    );
    return true;
  }

  /**
   * Replaces `dict[key]` (a Python callable, kept as the fallback) with its fast version: a method
   * descriptor of `ownerType` (EagerTensor unless given) for method kinds, else a builtin.
   */
  private replace(dict: number, key: string, kind: FastKind, opType: string, ownerType = this.tensorType, doc?: string): void {
    const cpython = this.cpython;
    if (!cpython || !this.hooks) throw new Error('the fast layer is not set up');
    const fallback = cpython.dictGet(dict, key);
    if (kind !== 'release' && kind !== 'adopt' && kind !== 'adoptVariable' && !fallback) throw new Error(`no Python fallback for ${key}`);
    if (fallback) cpython.api._Py_IncRef(fallback); // kept for the interpreter's life
    const impl = this.implementation(kind, opType, fallback);
    const isMethod = METHOD_KINDS.has(kind);
    const flags = KEYWORD_KINDS.has(kind) ? METH_FASTCALL | METH_KEYWORDS : METH_FASTCALL;
    const def = cpython.methodDef(key, this.guarded(impl), flags, doc);
    const object = isMethod ? cpython.api._PyDescr_NewMethod(ownerType, def) : cpython.api._PyCFunction_NewEx(def, 0, 0);
    if (!object) throw new Error(`could not create the fast ${key}`);
    cpython.dictSet(dict, key, object);
    cpython.api._Py_DecRef(object); // the dict holds it now
  }

  /**
   * A JavaScript exception must never unwind through the interpreter's C frames: anything our JS
   * throws becomes the pending error, raised as a Python exception at the user's line (but not a
   * wasm trap, which already unwound C frames).
   */
  private guarded(impl: FastcallFunction): FastcallFunction {
    return (self, args, nargs, kwnames) => {
      try {
        // Pointers above 2 GiB arrive negative (wasm i32): every address in here is unsigned.
        return impl(self >>> 0, args >>> 0, nargs, kwnames >>> 0);
      } catch (error) {
        // A trap in C code we called (it unwound C frames on its way here): the interpreter's state
        // cannot be trusted, so it goes on to Pyodide's fatal-error handling, not into a Python error.
        if (error instanceof WebAssembly.RuntimeError) throw error;
        return this.raise(error);
      }
    };
  }

  private raise(error: unknown): number {
    this.pendingError = error;
    const api = (this.cpython as CPython).api;
    const result = api._PyObject_CallNoArgs((this.hooks as Hooks).raisePending);
    if (result) api._Py_DecRef(result); // cannot happen: the hook always raises
    return 0;
  }

  private implementation(kind: FastKind, opType: string, fallback: number): FastcallFunction {
    const cpython = this.cpython as CPython;
    const api = cpython.api;
    switch (kind) {
      case 'binary':
      case 'rbinary': {
        const reflected = kind === 'rbinary';
        return (self, args, nargs, kwnames) => {
          const run = this.run;
          if (run && nargs === 1 && !kwnames) {
            const mine = this.tensors.get(self) ?? this.variables.get(self);
            const other = mine === undefined ? undefined : this.operand(cpython.arg(args, 0), mine);
            if (mine !== undefined && other !== undefined) {
              const loc = this.userLocation(run);
              if (loc === null) return 0;
              return this.wrap(reflected ? run.binaryAt(opType, other, mine, loc) : run.binaryAt(opType, mine, other, loc));
            }
          }
          return cpython.callWithSelf(fallback, self, args, nargs, kwnames);
        };
      }
      case 'unaryMethod':
        return (self, args, nargs, kwnames) => {
          const run = this.run;
          const mine = this.tensors.get(self) ?? this.variables.get(self);
          if (run && nargs === 0 && !kwnames && mine !== undefined) {
            const loc = this.userLocation(run);
            if (loc === null) return 0;
            return this.wrap(run.unaryAt(opType, mine, loc));
          }
          return cpython.callWithSelf(fallback, self, args, nargs, kwnames);
        };
      case 'binaryFunction':
        return (_module, args, nargs, kwnames) => {
          const run = this.run;
          if (run && nargs === 2 && !kwnames) {
            const x = this.tensorAt(cpython.arg(args, 0));
            const y = this.tensorAt(cpython.arg(args, 1));
            if (x !== undefined && y !== undefined) {
              const loc = this.userLocation(run);
              if (loc === null) return 0;
              return this.wrap(run.binaryAt(opType, x, y, loc));
            }
          }
          return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
        };
      case 'unaryFunction':
        return (_module, args, nargs, kwnames) => {
          const run = this.run;
          if (run && nargs === 1 && !kwnames) {
            const x = this.tensorAt(cpython.arg(args, 0));
            if (x !== undefined) {
              const loc = this.userLocation(run);
              if (loc === null) return 0;
              return this.wrap(run.unaryAt(opType, x, loc));
            }
          }
          return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
        };
      case 'release':
        return (self) => {
          this.tensors.delete(self);
          api._Py_IncRef(this.none);
          return this.none;
        };
      case 'adopt':
      case 'adoptVariable': {
        const isTensor = kind === 'adopt';
        const table: Map<number, unknown> = isTensor ? this.tensors : this.variables;
        const wanted = isTensor ? Tensor : Variable;
        return (_module, args, nargs) => {
          if (nargs === 2) {
            const object = cpython.arg(args, 0);
            const handle = cpython.arg(args, 1);
            const value = api._JsProxy_Check(handle) ? api._JsProxy_Val(handle) : undefined;
            // Only objects whose freeing we see: an entry left behind by an instance of a subclass
            // (its own, unhooked tp_free) would give the next object at that address its tensor.
            // Those instances take the Python paths (they have their `_tp` / `_v`).
            const type = cpython.typeOf(object);
            const released = isTensor ? type === this.tensorType : this.variableTypes.has(type);
            if (value instanceof wanted && released) table.set(object, value);
            else table.delete(object);
          }
          api._Py_IncRef(this.none);
          return this.none;
        };
      }
      case 'op':
      case 'opN': {
        const all = kind === 'opN';
        return (_module, args, nargs, kwnames) => {
          const run = this.run;
          if (run && nargs >= 2 && !kwnames) {
            const type = this.stringOf(cpython.arg(args, 0));
            const attrs = type === undefined ? UNHANDLED : this.attributesOf(cpython.arg(args, 1));
            if (type !== undefined && attrs !== UNHANDLED) {
              const inputs: (Tensor | Variable)[] = [];
              for (let i = 2; i < nargs; i++) {
                const input = this.tensorAt(cpython.arg(args, i));
                if (input === undefined) break;
                inputs.push(input);
              }
              if (inputs.length === nargs - 2) {
                const loc = this.userLocation(run);
                if (loc === null) return 0;
                const outputs = run.opAt(type, attrs as Record<string, unknown>, inputs, loc);
                return all ? this.wrapList(outputs) : this.wrap(outputs[0]);
              }
            }
          }
          return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
        };
      }
      case 'reduction':
        return (_module, args, nargs, kwnames) => {
          const run = this.run;
          // tf.reduce_sum(x): the common call, without binding.
          const bound = !run ? undefined : nargs === 1 && !kwnames ? [cpython.arg(args, 0), 0, 0] : this.bindArguments(args, nargs, kwnames, REDUCTION_PARAMETERS);
          if (run && bound) {
            const [input, axisObject, keepdimsObject] = bound;
            const x = input ? this.tensorAt(input) : undefined;
            const axis = axisObject ? this.axisOf(axisObject) : null;
            const keepdims = keepdimsObject ? this.boolOf(keepdimsObject) : false;
            if (x !== undefined && axis !== UNHANDLED && keepdims !== undefined) {
              const loc = this.userLocation(run);
              if (loc === null) return 0;
              return this.wrap(run.opAt(opType, { axis, keepdims }, [x], loc)[0]);
            }
          }
          return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
        };
      case 'matmul':
        return (_module, args, nargs, kwnames) => {
          const run = this.run;
          if (run && nargs === 2 && !kwnames) {
            // tf.matmul(a, b): the common call, without binding.
            const result = this.matmul(run, cpython.arg(args, 0), cpython.arg(args, 1), false, false);
            if (result !== undefined) return result;
            return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
          }
          const bound = run ? this.bindArguments(args, nargs, kwnames, MATMUL_PARAMETERS) : undefined;
          if (run && bound && bound.slice(6, 11).every((given) => !given)) {
            const flags = bound.slice(2, 6).map((given) => (given ? this.boolOf(given) : false));
            if (bound[0] && bound[1] && flags.every((flag) => flag !== undefined)) {
              const result = this.matmul(run, bound[0], bound[1], Boolean(flags[0] || flags[2]), Boolean(flags[1] || flags[3]));
              if (result !== undefined) return result;
            }
          }
          return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
        };
      case 'matmulMethod':
        return (self, args, nargs, kwnames) => {
          const run = this.run;
          if (run && nargs === 1 && !kwnames) {
            const result = this.matmul(run, self, cpython.arg(args, 0), false, false);
            if (result !== undefined) return result;
          }
          return cpython.callWithSelf(fallback, self, args, nargs, kwnames);
        };
      case 'shape':
        return (_module, args, nargs, kwnames) => {
          const tensor = nargs === 1 && !kwnames ? this.tensors.get(cpython.arg(args, 0)) : undefined;
          if (tensor === undefined) return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
          const dims = tensor.shape;
          return this.newSequence('tuple', dims.length, (i) => api._PyLong_FromLong(dims[i]));
        };
      case 'dtypeName':
        return (_module, args, nargs, kwnames) => {
          const tensor = nargs === 1 && !kwnames ? this.tensors.get(cpython.arg(args, 0)) : undefined;
          if (tensor === undefined) return api._PyObject_Vectorcall(fallback, args, nargs, kwnames);
          let name = this.dtypeNames.get(tensor.dtype);
          if (name === undefined) {
            const text = cpython.cString(tensor.dtype);
            name = api._PyUnicode_FromString(text);
            api._free(text);
            if (!name) return 0;
            this.dtypeNames.set(tensor.dtype, name);
          }
          api._Py_IncRef(name);
          return name;
        };
    }
  }

  /**
   * `a @ b` as the package's _matmul does it, when it is simple: tensors or variables of one dtype,
   * both of rank 2 or more (MatMul, or BatchMatMulV2 above rank 2). Undefined: the fallback decides
   * (conversions, and TensorFlow's errors for other ranks and dtypes).
   */
  private matmul(run: BridgeCore, aObject: number, bObject: number, transposeA: boolean, transposeB: boolean): number | undefined {
    const a = this.tensorAt(aObject);
    const b = this.tensorAt(bObject);
    if (a === undefined || b === undefined || a.dtype !== b.dtype || a.shape.length < 2 || b.shape.length < 2) return undefined;
    const kind = a.shape.length > 2 || b.shape.length > 2 ? 'BatchMatMulV2' : 'MatMul';
    const loc = this.userLocation(run);
    if (loc === null) return 0;
    return this.wrap(run.opAt(kind, MATMUL_ATTRIBUTES[(transposeA ? 2 : 0) + (transposeB ? 1 : 0)], [a, b], loc)[0]);
  }

  /**
   * Python's argument binding for `names` (no *args, no **kwargs): each parameter's argument
   * (a borrowed pointer, 0 when not given), or undefined for an unknown or repeated keyword or too
   * many positional arguments (the fallback raises Python's TypeError).
   */
  private bindArguments(args: number, nargs: number, kwnames: number, names: readonly string[]): number[] | undefined {
    if (nargs > names.length) return undefined;
    const cpython = this.cpython as CPython;
    const bound = new Array<number>(names.length).fill(0);
    for (let i = 0; i < nargs; i++) bound[i] = cpython.arg(args, i);
    if (kwnames) {
      const count = cpython.tupleSize(kwnames);
      for (let k = 0; k < count; k++) {
        const name = this.stringOf(cpython.api._PyTuple_GetItem(kwnames, k) >>> 0);
        const index = name === undefined ? -1 : names.indexOf(name);
        if (index < 0 || bound[index]) return undefined;
        bound[index] = cpython.arg(args, nargs + k);
      }
    }
    return bound;
  }

  /** True or False (exactly), else undefined. */
  private boolOf(object: number): boolean | undefined {
    const types = this.types as PythonTypes;
    return object === types.true ? true : object === types.false ? false : undefined;
  }

  /** A reduction's axis as the package's `_axis` gives it, for None, an int, or a list/tuple of ints. */
  private axisOf(object: number): number | number[] | null | typeof UNHANDLED {
    if (object === this.none) return null;
    const cpython = this.cpython as CPython;
    const type = cpython.typeOf(object);
    const types = this.types as PythonTypes;
    if (type === this.intType) return this.attributeValue(object, 0) as number | typeof UNHANDLED;
    if (type !== types.list && type !== types.tuple) return UNHANDLED;
    const isList = type === types.list;
    const api = cpython.api;
    const size = isList ? api._PyList_Size(object) : api._PyTuple_Size(object);
    const axes: number[] = [];
    for (let i = 0; i < size; i++) {
      const item = (isList ? api._PyList_GetItem(object, i) : api._PyTuple_GetItem(object, i)) >>> 0;
      if (cpython.typeOf(item) !== this.intType) return UNHANDLED;
      const value = this.attributeValue(item, 0);
      if (value === UNHANDLED) return UNHANDLED;
      axes.push(value as number);
    }
    return axes;
  }

  /** A new Python list of new EagerTensor objects (0 with the error set if allocation fails). */
  private wrapList(tensors: readonly Tensor[]): number {
    return this.newSequence('list', tensors.length, (i) => this.wrap(tensors[i]));
  }

  /**
   * A new Python tuple or list of `count` items, `item(i)` making each (a new reference, or 0 with
   * the error set): 0 with the error set if any allocation fails.
   */
  private newSequence(kind: 'tuple' | 'list', count: number, item: (index: number) => number): number {
    const api = (this.cpython as CPython).api;
    const sequence = kind === 'tuple' ? api._PyTuple_New(count) : api._PyList_New(count);
    if (!sequence) return 0;
    for (let i = 0; i < count; i++) {
      const value = item(i);
      if (!value) {
        api._Py_DecRef(sequence);
        return 0;
      }
      // Both steal the reference.
      if (kind === 'tuple') api._PyTuple_SetItem(sequence, i, value);
      else api._PyList_SetItem(sequence, i, value);
    }
    return sequence;
  }

  /** The text of a Python `str` (exactly str), else undefined. */
  private stringOf(object: number): string | undefined {
    const cpython = this.cpython as CPython;
    const types = this.types;
    if (!types || cpython.typeOf(object) !== types.str) return undefined;
    const api = cpython.api;
    const sizeWord = this.scratchWords();
    const utf8 = api._PyUnicode_AsUTF8AndSize(object, sizeWord) >>> 0;
    if (!utf8) {
      api._PyErr_Clear(); // (lone surrogates): the fallback reports it
      return undefined;
    }
    const size = api.HEAP32[sizeWord >>> 2];
    // Op types and attribute strings are short ASCII: decoding them by hand beats TextDecoder.
    const heap = api.HEAPU8;
    let text = '';
    for (let i = 0; i < size; i++) {
      const byte = heap[utf8 + i];
      if (byte >= 0x80) return api.UTF8ToString(utf8, size);
      text += String.fromCharCode(byte);
    }
    return text;
  }

  private scratchWords(): number {
    if (!this.scratch) this.scratch = (this.cpython as CPython).api._malloc(16) >>> 0;
    return this.scratch;
  }

  /**
   * An op's attributes from Python: what `JSON.parse(json.dumps(attrs))` gives for None, a dict of
   * str keys, and values that are None, bools, ints, floats, strs, and lists/tuples/dicts of them.
   * Anything else is UNHANDLED (the Python fallback serialises it, or raises).
   */
  private attributesOf(object: number): Record<string, unknown> | typeof UNHANDLED {
    if (object === this.none) return NO_ATTRIBUTES;
    const value = this.attributeValue(object, 0);
    if (value === UNHANDLED || value === null || typeof value !== 'object' || Array.isArray(value)) return UNHANDLED;
    return Object.keys(value).length === 0 ? NO_ATTRIBUTES : (value as Record<string, unknown>);
  }

  private attributeValue(object: number, depth: number): unknown {
    const cpython = this.cpython as CPython;
    const api = cpython.api;
    const types = this.types as PythonTypes;
    if (depth > 8) return UNHANDLED;
    if (object === this.none) return null;
    if (object === types.true) return true;
    if (object === types.false) return false;
    const type = cpython.typeOf(object);
    if (type === this.floatType) return api._PyFloat_AsDouble(object);
    if (type === this.intType) {
      const value = api._PyLong_AsDouble(object);
      if (value === -1 && api._PyErr_Occurred()) {
        api._PyErr_Clear();
        return UNHANDLED;
      }
      return Math.abs(value) <= MAX_SAFE_INTEGER ? value : UNHANDLED;
    }
    if (type === types.str) return this.stringOf(object) ?? UNHANDLED;
    if (type === types.list || type === types.tuple) {
      const isList = type === types.list;
      const size = isList ? api._PyList_Size(object) : api._PyTuple_Size(object);
      const items: unknown[] = [];
      for (let i = 0; i < size; i++) {
        const item = this.attributeValue((isList ? api._PyList_GetItem(object, i) : api._PyTuple_GetItem(object, i)) >>> 0, depth + 1);
        if (item === UNHANDLED) return UNHANDLED;
        items.push(item);
      }
      return items;
    }
    if (type === types.dict) {
      // PyDict_Next's out-parameters: position, key, value (borrowed references).
      const words = api._malloc(12) >>> 0;
      try {
        api.HEAP32[words >>> 2] = 0;
        const result: Record<string, unknown> = {};
        while (api._PyDict_Next(object, words, words + 4, words + 8)) {
          const key = this.stringOf(api.HEAPU32[(words >>> 2) + 1]);
          if (key === undefined) return UNHANDLED;
          const item = this.attributeValue(api.HEAPU32[(words >>> 2) + 2], depth + 1);
          if (item === UNHANDLED) return UNHANDLED;
          result[key] = item;
        }
        return result;
      } finally {
        api._free(words);
      }
    }
    return UNHANDLED;
  }

  /** An EagerTensor's engine tensor or a ResourceVariable's engine variable; undefined otherwise. */
  private tensorAt(object: number): Tensor | Variable | undefined {
    const type = (this.cpython as CPython).typeOf(object);
    if (type === this.tensorType) return this.tensors.get(object);
    return this.variableTypes.has(type) ? this.variables.get(object) : undefined;
  }

  /**
   * The other operand of an operator on `mine`: a tensor, or a Python number whose conversion to
   * `mine`'s dtype is exact and the same for every operator (a float to a float tensor, an int
   * that fits the tensor's dtype). Anything else (TensorFlow's rules differ per operator and side
   * there) goes to the Python fallback.
   */
  private operand(object: number, mine: Tensor | Variable): Operand | undefined {
    const cpython = this.cpython as CPython;
    const type = cpython.typeOf(object);
    if (type === this.tensorType) return this.tensors.get(object);
    if (this.variableTypes.has(type)) return this.variables.get(object);
    const dtype = mine.dtype;
    const floating = dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
    if (type === this.floatType) return floating ? cpython.api._PyFloat_AsDouble(object) : undefined;
    if (type === this.intType && (floating || dtype === 'int32' || dtype === 'int64')) {
      const value = cpython.api._PyLong_AsDouble(object);
      if (value === -1 && cpython.api._PyErr_Occurred()) {
        cpython.api._PyErr_Clear(); // too big for a double: the Python path raises TensorFlow's error
        return undefined;
      }
      const limit = dtype === 'int32' ? INT32_LIMIT : MAX_SAFE_INTEGER;
      return Math.abs(value) <= limit ? value : undefined;
    }
    return undefined;
  }

  /** A new EagerTensor object for an engine tensor (0 with MemoryError set if allocation fails). */
  private wrap(tensor: Tensor): number {
    const object = (this.cpython as CPython).api._PyType_GenericAlloc(this.tensorType, 0) >>> 0;
    if (object) this.tensors.set(object, tensor);
    return object;
  }

  /**
   * The user's source location for an op called now: the innermost frame of the user's code,
   * cached per (code object, instruction offset), as `_loc()` in Python finds it. Undefined when
   * the run records no trace (nothing would use it) or no user frame is on the stack; null when a
   * Python hook raised (the exception is set; the caller returns 0).
   */
  private userLocation(run: BridgeCore): SourceLocation | undefined | null {
    if (!run.tracing) return undefined;
    const api = (this.cpython as CPython).api;
    const hooks = this.hooks as Hooks;
    let frame = api._PyEval_GetFrame() >>> 0; // borrowed
    if (!frame) return undefined;
    const firstCode = api._PyFrame_GetCode(frame) >>> 0;
    api._Py_DecRef(firstCode); // the frame keeps it alive; the caches hold their own reference
    const firstLasti = api._PyFrame_GetLasti(frame);
    const slot = (firstCode ^ Math.imul(firstLasti, 0x9e3779b1)) & (RECENT_SLOTS - 1);
    if (this.recentCode[slot] === firstCode && this.recentLasti[slot] === firstLasti) return this.recentLocation[slot];
    let owned = 0; // a frame reference we hold (from PyFrame_GetBack)
    try {
      while (frame) {
        const code = owned ? api._PyFrame_GetCode(frame) >>> 0 : firstCode;
        if (owned) api._Py_DecRef(code);
        let isUser = this.userCode.get(code);
        if (isUser === undefined) {
          const answer = api._PyObject_CallOneArg(hooks.isUserCode, code);
          if (!answer) return null;
          const flag = api._PyLong_AsLong(answer);
          api._Py_DecRef(answer);
          if (flag === -1 && api._PyErr_Occurred()) return null;
          isUser = flag !== 0;
          // Held until the next run, so the address cannot be reused by another code object.
          api._Py_IncRef(code);
          this.userCode.set(code, isUser);
        }
        if (isUser) {
          const lasti = api._PyFrame_GetLasti(frame);
          const key = lasti < MAX_LASTI ? lasti * 2 ** 32 + code : -1;
          let loc = key >= 0 ? this.locations.get(key) : undefined;
          if (loc === undefined) {
            const answer = api._PyObject_CallOneArg(hooks.locationId, frame);
            if (!answer) return null;
            const id = api._PyLong_AsLong(answer);
            api._Py_DecRef(answer);
            if (id === -1 && api._PyErr_Occurred()) return null;
            loc = this.run?.location(id) ?? null;
            if (key >= 0) this.locations.set(key, loc);
          }
          if (!owned) {
            // The user's own frame called us: (code, offset) alone decides the location.
            this.recentCode[slot] = firstCode;
            this.recentLasti[slot] = firstLasti;
            this.recentLocation[slot] = loc ?? undefined;
          }
          return loc ?? undefined;
        }
        const back = api._PyFrame_GetBack(frame) >>> 0; // a new reference (or 0)
        // 0 is the outermost frame, or a frame object that could not be made (MemoryError set).
        if (!back && api._PyErr_Occurred()) return null;
        if (owned) api._Py_DecRef(owned);
        owned = back;
        frame = back;
      }
      return undefined;
    } finally {
      if (owned) api._Py_DecRef(owned);
    }
  }

  /** At each run's start: user files change, so the code caches go (and their references). */
  private forgetCodeObjects(): void {
    const api = this.cpython?.api;
    if (api) for (const code of this.userCode.keys()) api._Py_DecRef(code);
    this.userCode.clear();
    this.locations.clear();
    this.recentCode.fill(0);
    this.recentLocation.fill(undefined);
  }
}

export type { CPythonModule };
