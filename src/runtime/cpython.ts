/**
 * CPython's C API as JavaScript sees it inside Pyodide's WebAssembly module, for the few calls on
 * the hot path of every op (src/runtime/fast-ops.ts).
 *
 * Why: a call through Pyodide's FFI (a JsProxy of a JS function) costs 0.4 µs with no arguments and
 * about 0.4 µs more per argument, plus 1.3 µs to wrap a returned JS object in a JsProxy. A builtin
 * whose C function pointer is a JS function (Emscripten's `addFunction`) is called by the
 * interpreter like any C builtin: 0.08 µs, arguments arriving as raw `PyObject*` pointers.
 *
 * Everything here is CPython's stable C API (exported by Pyodide's main module for extension
 * modules) plus two facts of the wasm32 object layout (a `PyObject*` is a 4-byte pointer; `ob_type`
 * is the second word of an object) that `verifyLayout` checks at start-up: when a check fails,
 * the fast layer is not installed and the pure-Python paths run instead.
 *
 * Addresses: Pyodide's heap grows to 4 GiB, and a pointer above 2 GiB reaches JavaScript as a
 * negative number when it is a wasm i32 (an argument of a function called from C, the result of an
 * exported C function) but as a positive one from HEAPU32 or Python's `id()`. The fast layer keeps
 * every address unsigned (`>>> 0`) and indexes the heap with `>>> 2` (a signed shift of an address
 * above 2 GiB is a negative index).
 */

/** The part of Pyodide's Emscripten module (`pyodide._module`) used here. */
export interface CPythonModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  HEAP32: Int32Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, maxBytes: number): void;
  UTF8ToString(pointer: number, maxBytes?: number): string;
  addFunction(fn: (...args: number[]) => number, signature: string): number;
  _PyCFunction_NewEx(methodDef: number, self: number, module: number): number;
  _PyDescr_NewMethod(type: number, methodDef: number): number;
  _PyType_GenericAlloc(type: number, items: number): number;
  _PyDict_GetItemString(dict: number, key: number): number;
  _PyDict_SetItemString(dict: number, key: number, value: number): number;
  _PyLong_FromLong(value: number): number;
  _PyLong_AsLong(object: number): number;
  _PyLong_AsDouble(object: number): number;
  _PyFloat_AsDouble(object: number): number;
  _PyTuple_New(size: number): number;
  _PyTuple_SetItem(tuple: number, index: number, item: number): number;
  _PyTuple_Size(tuple: number): number;
  _PyTuple_GetItem(tuple: number, index: number): number;
  _PyList_New(size: number): number;
  _PyList_SetItem(list: number, index: number, item: number): number;
  _PyList_Size(list: number): number;
  _PyList_GetItem(list: number, index: number): number;
  _PyDict_Next(dict: number, position: number, key: number, value: number): number;
  _PyUnicode_AsUTF8AndSize(text: number, size: number): number;
  _PyUnicode_FromString(text: number): number;
  _PyEval_GetFrame(): number;
  _PyFrame_GetBack(frame: number): number;
  _PyFrame_GetCode(frame: number): number;
  _PyFrame_GetLasti(frame: number): number;
  _PyObject_Vectorcall(callable: number, args: number, nargs: number, kwnames: number): number;
  _PyObject_CallOneArg(callable: number, arg: number): number;
  _PyObject_CallNoArgs(callable: number): number;
  _PyErr_Occurred(): number;
  _PyErr_Clear(): void;
  _Py_IncRef(object: number): void;
  _Py_DecRef(object: number): void;
  _PyObject_GC_Del(object: number): void;
  wasmTable: WebAssembly.Table;
  _JsProxy_Check(object: number): number;
  /** The JS value a JsProxy stands for (Pyodide's JsRef is the value itself in this build). */
  _JsProxy_Val(object: number): unknown;
}

/** Calling conventions of `PyMethodDef.ml_flags`. */
export const METH_FASTCALL = 0x0080;
export const METH_KEYWORDS = 0x0002;

/** A C function of the fast layer: `(self, args, nargs[, kwnames]) -> PyObject*` (0 = error set). */
export type FastcallFunction = (self: number, args: number, nargs: number, kwnames: number) => number;

/** Whether `module` has everything this file uses (a different Pyodide build may not). */
export function isCPythonModule(module: unknown): module is CPythonModule {
  if (!module || typeof module !== 'object') return false;
  const required = [
    '_malloc', 'addFunction', '_PyCFunction_NewEx', '_PyDescr_NewMethod', '_PyType_GenericAlloc', '_PyDict_GetItemString',
    '_PyDict_SetItemString', '_PyLong_FromLong', '_PyLong_AsDouble', '_PyFloat_AsDouble', '_PyEval_GetFrame', '_PyFrame_GetBack',
    '_PyFrame_GetCode', '_PyFrame_GetLasti', '_PyObject_Vectorcall', '_PyObject_CallOneArg', '_PyObject_CallNoArgs',
    '_PyErr_Occurred', '_PyErr_Clear', '_Py_IncRef', '_Py_DecRef', '_JsProxy_Check', '_JsProxy_Val', 'stringToUTF8',
    '_PyObject_GC_Del', '_PyTuple_New', '_PyTuple_SetItem', '_PyTuple_Size', '_PyTuple_GetItem', '_PyList_New', '_PyList_SetItem',
    '_PyList_Size', '_PyList_GetItem', '_PyDict_Next', '_PyUnicode_AsUTF8AndSize', '_PyUnicode_FromString', 'UTF8ToString',
  ];
  const record = module as Record<string, unknown>;
  return (
    required.every((name) => typeof record[name] === 'function') &&
    record.HEAPU32 instanceof Uint32Array &&
    record.wasmTable instanceof WebAssembly.Table
  );
}

export class CPython {
  constructor(readonly api: CPythonModule) {}

  /** A NUL-terminated UTF-8 copy of `text` in the wasm heap (kept for the process's life). */
  cString(text: string): number {
    const size = this.api.lengthBytesUTF8(text) + 1;
    const pointer = this.api._malloc(size);
    this.api.stringToUTF8(text, pointer, size);
    return pointer;
  }

  /** A `PyMethodDef` for `fn` (never freed: builtins live as long as the interpreter). */
  methodDef(name: string, fn: FastcallFunction, flags: number, doc?: string): number {
    const signature = flags & METH_KEYWORDS ? 'iiiii' : 'iiii';
    const text = this.cString(name);
    // "name(sig)\n--\n\n..." makes __text_signature__ (inspect.signature) and __doc__ (help()).
    const docText = doc ? this.cString(doc) : 0;
    const def = this.api._malloc(16) >>> 0;
    const pointer = this.api.addFunction(fn as (...args: number[]) => number, signature);
    // Read after the allocations: a malloc that grows the heap replaces the HEAP views.
    const heap = this.api.HEAPU32;
    const words = def >>> 2;
    heap[words] = text;
    heap[words + 1] = pointer;
    heap[words + 2] = flags;
    heap[words + 3] = docText;
    return def;
  }

  /** `type(object)`: the second word of every object on wasm32 (checked by verifyLayout). */
  typeOf(object: number): number {
    return this.api.HEAPU32[(object >>> 2) + 1];
  }

  /** The i-th pointer of a `PyObject* const*` argument vector. */
  arg(args: number, index: number): number {
    return this.api.HEAPU32[(args >>> 2) + index];
  }

  dictGet(dict: number, key: string): number {
    const name = this.cString(key);
    try {
      return this.api._PyDict_GetItemString(dict, name);
    } finally {
      this.api._free(name);
    }
  }

  dictSet(dict: number, key: string, value: number): void {
    const name = this.cString(key);
    try {
      if (this.api._PyDict_SetItemString(dict, name, value) !== 0) throw new Error(`could not set ${key}`);
    } finally {
      this.api._free(name);
    }
  }

  /**
   * Calls `callable(*args)` with a vector of borrowed pointers: a new reference, or 0 with the
   * Python exception set (which the caller returns as is, so it propagates to the user's line).
   */
  call(callable: number, args: readonly number[], kwnames = 0): number {
    const vector = this.api._malloc(4 * Math.max(1, args.length)) >>> 0;
    try {
      const heap = this.api.HEAPU32;
      for (let i = 0; i < args.length; i++) heap[(vector >>> 2) + i] = args[i];
      const positional = kwnames ? args.length - this.tupleSize(kwnames) : args.length;
      return this.api._PyObject_Vectorcall(callable, vector, positional, kwnames);
    } finally {
      this.api._free(vector);
    }
  }

  /**
   * Calls `callable(self, *args)` with a method's arguments as they arrived (`nargs` positional,
   * then one per name in `kwnames`): a new reference, or 0 with the exception set.
   */
  callWithSelf(callable: number, self: number, args: number, nargs: number, kwnames: number): number {
    const count = nargs + (kwnames ? this.tupleSize(kwnames) : 0);
    const vector = this.api._malloc(4 * (count + 1)) >>> 0;
    try {
      const heap = this.api.HEAPU32;
      const at = vector >>> 2;
      heap[at] = self;
      for (let i = 0; i < count; i++) heap[at + 1 + i] = heap[(args >>> 2) + i];
      return this.api._PyObject_Vectorcall(callable, vector, nargs + 1, kwnames);
    } finally {
      this.api._free(vector);
    }
  }

  /** `len(tuple)`: ob_size, the third word of a tuple. */
  tupleSize(tuple: number): number {
    return this.api.HEAP32[(tuple >>> 2) + 2];
  }

  /**
   * Calls `onFree(object)` whenever an instance of `type` (a heap type with GC, made by a Python
   * class statement) is freed, by wrapping the type's `tp_free` slot. Why not `__del__`: a Python
   * finalizer costs 0.2 µs per object, as much as the rest of a fast op. `tp_free` is the last
   * thing CPython calls on an object (its memory is gone after), so the address can only be
   * reused after `onFree` ran. Returns why it cannot, if the type object does not look exactly as
   * expected (then nothing is changed).
   */
  hookFree(type: { object: number; basicSize: number; flags: number; base: number }, onFree: (object: number) => void): string | undefined {
    const api = this.api;
    // PyTypeObject on wasm32 (CPython 3.x): tp_basicsize at byte 16, tp_flags 84, tp_base 128,
    // tp_alloc 152, tp_free 160. All five are checked against what Python says of the type.
    const field = (offset: number): number => api.HEAPU32[(type.object + offset) >>> 2];
    if (field(16) !== type.basicSize) return 'tp_basicsize is not where expected';
    if (field(84) !== type.flags >>> 0) return 'tp_flags is not where expected';
    if (field(128) !== type.base) return 'tp_base is not where expected';
    if (api.wasmTable.get(field(152)) !== api._PyType_GenericAlloc) return 'tp_alloc is not PyType_GenericAlloc';
    if (api.wasmTable.get(field(160)) !== api._PyObject_GC_Del) return 'tp_free is not PyObject_GC_Del';
    const free = api._PyObject_GC_Del;
    const hooked = (object: number): number => {
      onFree(object >>> 0);
      free(object);
      return 0;
    };
    api.HEAPU32[(type.object + 160) >>> 2] = api.addFunction(hooked, 'vi');
    return undefined;
  }

  /**
   * Checks the layout facts this file relies on, with objects Python made for the purpose:
   * `ob_type` at word 1 (a float's type is `float`), `PyObject*` as the JsProxy of a known value.
   */
  verifyLayout(probe: { floatObject: number; floatType: number; jsProxy: number; jsValue: unknown }): string | undefined {
    if (this.typeOf(probe.floatObject) !== probe.floatType) return 'ob_type is not the second word of an object';
    if (!this.api._JsProxy_Check(probe.jsProxy)) return 'JsProxy_Check does not recognise a JsProxy';
    if (this.api._JsProxy_Val(probe.jsProxy) !== probe.jsValue) return 'JsProxy_Val does not give the proxied JS value';
    return undefined;
  }
}
