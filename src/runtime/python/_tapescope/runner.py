"""Runs the user's script or notebook cells in a fresh `__main__` (called by the worker).

The interpreter stays warm between runs, but each run must look like a new process to the user's
code: a new `__main__` namespace, and the user-facing packages (`tensorflow`, `numpy`, `keras`,
`matplotlib`, and everything else we ship) re-imported, so per-process state such as Keras'
layer-name counter (`dense`, `dense_1`) starts again. Results go back to JavaScript as JSON text.
"""

import ast
import builtins
import gc
import io
import json
import linecache
import os
import sys
import time
import tokenize
import traceback
import types
import warnings

from _tapescope import display, locations

# Where the worker writes our Python packages in Pyodide's file system.
PACKAGE_ROOT = '/tapescope/python/'
# Modules always re-imported at each run, even if one day they do not live under PACKAGE_ROOT.
_PER_RUN_MODULES = ('tensorflow', 'numpy', 'keras', 'matplotlib', '_tapescope_engine')

_blocking_sleep = time.sleep


def _interruptible_sleep(seconds):
    """time.sleep in short slices: Pyodide's sleep blocks the thread where the interrupt flag is
    not looked at, so a sleeping program could only be stopped by killing the worker."""
    if seconds < 0:
        raise ValueError('sleep length must be non-negative')
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        _blocking_sleep(min(left, 0.05))


_interruptible_sleep.__name__ = _interruptible_sleep.__qualname__ = 'sleep'
_interruptible_sleep.__module__ = 'time'
time.sleep = _interruptible_sleep

_initial_path = list(sys.path)
_initial_cwd = os.getcwd()
_initial_environ = dict(os.environ)
_initial_warning_filters = list(warnings.filters)
_initial_recursion_limit = sys.getrecursionlimit()
_initial_stdout = sys.stdout
_initial_stderr = sys.stderr
_main_globals = None


# The folder of the program being run (its own modules are user code, imported afresh each run).
_program_dir = None


def _is_per_run_module(name, module):
    if name.split('.', 1)[0] in _PER_RUN_MODULES:
        return True
    if name == '_tapescope' or name.startswith('_tapescope.'):
        return False  # this runner itself stays loaded
    filename = getattr(module, '__file__', None) or ''
    if _program_dir and filename.startswith(_program_dir + os.sep):
        return True
    return filename.startswith(PACKAGE_ROOT)


# Our own packages stay imported between runs, because importing them costs ~100 ms in Pyodide;
# instead each run gets them back as they were right after their first import: every module's
# namespace is restored from a snapshot, modules imported later are dropped, and modules that hold
# per-run state (the engine bridge, caches) reset it in their `_tapescope_begin_run()`.
_WARM_PACKAGES = ('tensorflow', 'numpy', 'keras', 'matplotlib')
_warm_snapshots = {}


def _is_warm_module(name, module):
    filename = getattr(module, '__file__', None) or ''
    return name.split('.', 1)[0] in _WARM_PACKAGES and filename.startswith(PACKAGE_ROOT)


def import_warm_packages():
    """Imports our packages once and snapshots their namespaces. The worker calls this while
    loading Python, so no run pays for it (nor has it counted against its time limit). A package
    that fails to import is left out: the user's `import` of it then fails with a real traceback."""
    if _warm_snapshots:
        return
    for package in _WARM_PACKAGES:
        try:
            __import__(package)
        except Exception:
            for name in [n for n in sys.modules if n == package or n.startswith(package + '.')]:
                del sys.modules[name]
    for name, module in list(sys.modules.items()):
        if _is_warm_module(name, module):
            _warm_snapshots[name] = (module, dict(module.__dict__))


def _prepare_warm_packages():
    if not _warm_snapshots:
        import_warm_packages()
        return
    for name, module in list(sys.modules.items()):
        if _is_warm_module(name, module) and name not in _warm_snapshots:
            del sys.modules[name]
    for name, (module, namespace) in _warm_snapshots.items():
        module.__dict__.clear()
        module.__dict__.update(namespace)
        sys.modules[name] = module


def _begin_warm_run():
    """Runs each warm module's `_tapescope_begin_run()`, the engine bridge first."""
    core = sys.modules.get('tensorflow._core')
    if core is not None:
        core._tapescope_begin_run()
    for name, (module, _) in _warm_snapshots.items():
        hook = module.__dict__.get('_tapescope_begin_run')
        if hook is not None and name != 'tensorflow._core':
            hook()


def _purge_per_run_modules():
    for name, module in list(sys.modules.items()):
        if _is_warm_module(name, module):
            continue
        if _is_per_run_module(name, module):
            del sys.modules[name]


def _register_source(filename, source):
    """Let linecache (tracebacks, inspect, warnings) see the source of a file that exists only here."""
    lines = source.splitlines(True)
    if lines and not lines[-1].endswith('\n'):
        lines[-1] += '\n'
    linecache.cache[filename] = (len(source), None, lines, filename)


def _restore_warning_filters():
    warnings.filters[:] = _initial_warning_filters
    # The C accelerator caches the filter list; tell it the list changed (private, so optional).
    for name in ('_filters_mutated', '_filters_mutated_lock_held'):
        notify = getattr(warnings, name, None)
        if notify is not None:
            try:
                notify()
            except Exception:
                pass
            break


def begin_run(program_file, user_files_json, sources_json):
    """Start a run: fresh `__main__`, per-run modules dropped, user files registered."""
    global _main_globals
    sys.stdout, sys.stderr = _initial_stdout, _initial_stderr
    sys.path[:] = _initial_path
    os.chdir(_initial_cwd)
    if dict(os.environ) != _initial_environ:
        os.environ.clear()
        os.environ.update(_initial_environ)
    _restore_warning_filters()
    sys.setrecursionlimit(_initial_recursion_limit)
    _purge_per_run_modules()
    _prepare_warm_packages()
    _begin_warm_run()
    linecache.clearcache()
    sources = json.loads(sources_json)
    for filename, source in sources.items():
        _register_source(filename, source)
    locations.set_user_files(json.loads(user_files_json))
    # As CPython does for `python script.py`: the script's folder first on sys.path; and, as when
    # run from that folder, relative paths resolve there (the worker mounted it when it exists).
    global _program_dir
    _program_dir = None
    program_dir = os.path.dirname(program_file)
    if program_dir and os.path.isdir(program_dir) and not program_dir.startswith(PACKAGE_ROOT):
        _program_dir = program_dir
        sys.path.insert(0, program_dir)
        os.chdir(program_dir)
        locations.set_user_dir(program_dir)
    main = types.ModuleType('__main__')
    main.__file__ = program_file
    main.__builtins__ = builtins
    sys.modules['__main__'] = main
    sys.argv = [program_file]
    _main_globals = main.__dict__


def end_run():
    global _main_globals
    _flush_streams()
    _main_globals = None
    sys.modules.pop('__main__', None)
    locations.set_user_files(())


def collect_garbage():
    """Frees the last run's cycles (and the engine objects they hold). A full collection costs
    ~30 ms, so the worker calls this after reporting the run, while it waits for the next."""
    gc.collect()


def _flush_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _note_interrupt(exc):
    """A KeyboardInterrupt (the host's time limit or cancel) reached us: tell the host the run is
    ending, so it waits for the traceback instead of killing the interpreter."""
    if isinstance(exc, KeyboardInterrupt):
        try:
            import _tapescope_host
            _tapescope_host.interruptReachedRunner()
        except ImportError:
            pass


def run_script(source, filename):
    """Execute a whole file as `__main__`. Returns JSON: {} or {"error": ...} / {"exitCode": n}."""
    try:
        code = compile(source, filename, 'exec', dont_inherit=True)
        exec(code, _main_globals)
        outcome = {}
    except BaseException as exc:  # noqa: B036 - the user's program may raise anything
        _note_interrupt(exc)
        outcome = _outcome_of(exc)
    _flush_streams()
    return json.dumps(outcome)


def _ends_with_semicolon(source):
    """IPython hides a cell's value when the cell's last token is `;`."""
    last = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER,
                                  tokenize.INDENT, tokenize.DEDENT):
                last = token
    except (tokenize.TokenError, SyntaxError):
        return False
    return last is not None and last.type == tokenize.OP and last.string == ';'


def _notebook_display(*objs, **kwargs):
    """IPython's `display(obj, ...)`, for text: each object's IPython text on its own line."""
    for obj in objs:
        print(display.display_text(obj))


def run_cell(source, filename):
    """Execute one notebook cell; a final expression is displayed as IPython would.

    Returns JSON: {"display": text?} or {"error": ...}.
    """
    outcome = {}
    # IPython's `display()` is there without an import in a notebook (a user's own wins).
    _main_globals.setdefault('display', _notebook_display)
    try:
        tree = ast.parse(source, filename, 'exec')
        final_expression = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not _ends_with_semicolon(source):
            final_expression = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, 'exec', dont_inherit=True), _main_globals)
        if final_expression is not None:
            value = eval(compile(final_expression, filename, 'eval', dont_inherit=True), _main_globals)
            if value is not None:
                _main_globals['_'] = value
                _flush_streams()  # the cell's prints come before its displayed value
                outcome['display'] = display.display_text(value)
    except BaseException as exc:  # noqa: B036
        _note_interrupt(exc)
        outcome = _outcome_of(exc)
    _flush_streams()
    return json.dumps(outcome)


def _outcome_of(exc):
    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None or code == 0 or code is False:
            return {'exitCode': 0}
        if isinstance(code, int):
            return {'exitCode': code}
        print(code, file=sys.stderr)
        return {'exitCode': 1}
    return {'error': describe_exception(exc)}


def _user_frames_only(tb_exception):
    """Drop every frame that is not in a user file, through the whole cause/context chain."""
    seen = set()
    pending = [tb_exception]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.stack = traceback.StackSummary.from_list(
            [frame for frame in current.stack if locations.is_user_file(frame.filename)])
        pending.append(current.__cause__)
        pending.append(current.__context__)
        pending.extend(getattr(current, 'exceptions', None) or ())


def _innermost_user_location(exc):
    if isinstance(exc, SyntaxError) and locations.is_user_file(exc.filename or ''):
        loc = {'file': exc.filename, 'line': exc.lineno or 1}
        if exc.offset:
            loc['column'] = exc.offset
        if getattr(exc, 'end_lineno', None):
            loc['endLine'] = exc.end_lineno
        if getattr(exc, 'end_offset', None):
            loc['endColumn'] = exc.end_offset
        return loc
    innermost = None
    tb = exc.__traceback__
    while tb is not None:
        if locations.is_user_file(tb.tb_frame.f_code.co_filename):
            innermost = tb
        tb = tb.tb_next
    if innermost is None:
        return None
    loc = locations.frame_location(innermost.tb_frame)
    # The frame's current instruction is where the exception passed through; tb_lasti is exact.
    positions = locations._positions(innermost.tb_frame.f_code)
    index = innermost.tb_lasti // 2
    if 0 <= index < len(positions) and positions[index][0] is not None:
        line, end_line, col, end_col = positions[index]
        loc['line'] = line
        for key, value in (('endLine', end_line), ('column', col), ('endColumn', end_col)):
            if value is not None:
                loc[key] = value + (1 if key in ('column', 'endColumn') else 0)
    else:
        loc['line'] = innermost.tb_lineno
    return loc


def describe_exception(exc):
    """{type, message, traceback, loc?}: the traceback shows only the user's frames."""
    tb_exception = traceback.TracebackException.from_exception(exc)
    _user_frames_only(tb_exception)
    text = ''.join(tb_exception.format())
    type_name = type(exc).__qualname__
    if isinstance(exc, SyntaxError):
        message = exc.msg or ''
    else:
        message = str(exc)
    described = {'type': type_name, 'message': message, 'traceback': text}
    loc = _innermost_user_location(exc)
    if loc is not None:
        described['loc'] = loc
    return described
