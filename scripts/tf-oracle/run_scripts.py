"""Runs Python scripts on real TensorFlow in one process (importing TensorFlow costs seconds).

    .tfenv/bin/python scripts/tf-oracle/run_scripts.py --out results.json a.py b.py ...

Each script runs as __main__ in a fresh namespace, from its own directory, after
tf.keras.backend.clear_session() (Keras layer names start again at `dense`). Its stdout is
captured at the file-descriptor level (tf.print(output_stream=sys.stdout) writes from C++), with
Python's sys.stdout line-buffered onto the same descriptor so the two interleave in order; an
uncaught exception is reported as the last traceback line with status 1, as `python a.py` ends.
"""
import json
import os
import runpy
import sys
import tempfile
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")


def _stub_matplotlib():
    """Scripts written in notebooks import matplotlib; plots print nothing, so a stub will do
    when the venv has no matplotlib (tensorflow-cpu does not bring it)."""
    try:
        import matplotlib.pyplot  # noqa: F401
        return
    except ImportError:
        pass
    import types

    def noop(*args, **kwargs):
        return None

    class Stub(types.ModuleType):
        def __getattr__(self, name):
            return noop

    mpl = Stub("matplotlib")
    pyplot = Stub("matplotlib.pyplot")
    mpl.pyplot = pyplot
    sys.modules["matplotlib"] = mpl
    sys.modules["matplotlib.pyplot"] = pyplot


_stub_matplotlib()


def run(path):
    tf.keras.backend.clear_session()
    status = 0
    error = None
    cwd = os.getcwd()
    path = os.path.abspath(path)
    os.chdir(os.path.dirname(path))
    sys.stdout.flush()
    saved_fd = os.dup(1)
    saved_stdout = sys.stdout
    capture = tempfile.TemporaryFile()
    os.dup2(capture.fileno(), 1)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - the script's own exception is the result
        status = 1
        error = traceback.format_exc().strip().splitlines()[-1]
    finally:
        sys.stdout.flush()
        sys.stdout = saved_stdout
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
        os.chdir(cwd)
    capture.seek(0)
    stdout = capture.read().decode("utf-8", "replace")
    capture.close()
    return {"file": path, "stdout": stdout, "status": status, "error": error}


def main():
    args = sys.argv[1:]
    out = args[args.index("--out") + 1]
    files = [a for i, a in enumerate(args) if a != "--out" and (i == 0 or args[i - 1] != "--out")]
    results = [run(p) for p in files]
    with open(out, "w") as f:
        json.dump({"tensorflow": tf.__version__, "results": results}, f)


if __name__ == "__main__":
    main()
