#!/usr/bin/env python3
"""Generate test/fixtures/numpy-format.json: what numpy 1.x and TensorFlow print for many values.

The TypeScript printer in src/engine/format/ must reproduce every string byte for byte. Run it with the
TensorFlow venv (numpy 2 + TF):

    /work/tfenv-cache/bin/python scripts/gen-format-fixtures.py      # or .tfenv/bin/python

The numpy texts (str/repr) come from a real numpy 1.x: numpy 2's `legacy='1.25'` mode is close but not
exact (NEP 50 changed a comparison inside FloatingFormat: numpy 1.x prints float32 [1e-4] as `[1.e-04]`,
numpy 2 as `[0.0001]`). The numpy 1.x interpreter is $NUMPY1_PYTHON if set, else Debian bookworm's
python3-numpy 1.24 unpacked (never installed) into ~/.cache/tapescope-numpy1 with `apt-get download` +
`dpkg -x` and run by /usr/bin/python3. Without it the script falls back to numpy 2 legacy texts and says
so in the fixture header.

The TF texts come from real TF. TF wraps numpy's text, so where numpy 2 (what TF runs on) and numpy 1.x
disagree, the TF texts of that case are left out (listed in the header); the tests still check the wrapper.
The output is deterministic (fixed random seed), so re-running it yields the same file.

Each case holds the value (dtype, shape, data) and the texts:
  str   = str(ndarray) / str(numpy scalar)           repr  = repr(ndarray) / repr(x.item()) for scalars
  tfStr = str(tf.constant(value))                    tfRepr = repr(tf.constant(value))
  varRepr (some cases) = repr(tf.Variable(value, name=...))
  arrayRepr (shape () only) = repr(np.array(value)), numpy's own 0-d array repr
Float data is written as strings so JSON keeps them exact: Python float reprs ('nan', 'inf', '-0.0', '1e-05')
for float16/float64, numpy's float32 str for float32 (read back with Math.fround).
"""
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

NUMPY_TEXTS_MODE = "--numpy-texts" in sys.argv

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "numpy-format.json")

NP_DTYPES = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "int32": np.int32,
    "int64": np.int64,
    "bool": np.bool_,
}
tf = None
if not NUMPY_TEXTS_MODE:
    if int(np.__version__.split(".")[0]) >= 2:
        np.set_printoptions(legacy="1.25")
    try:
        import tensorflow as tf  # noqa: E402
    except ImportError:  # the numpy part is still useful without TF
        tf = None
TF_DTYPES = None
if tf is not None:
    TF_DTYPES = {
        "float16": tf.float16,
        "float32": tf.float32,
        "float64": tf.float64,
        "int32": tf.int32,
        "int64": tf.int64,
        "bool": tf.bool,
        "string": tf.string,
    }


def encode_data(dtype, arr):
    flat = arr.reshape(-1)
    if dtype == "string":
        return [b.decode("utf-8") for b in flat]
    if dtype == "bool":
        return [bool(x) for x in flat]
    if dtype in ("int32", "int64"):
        return [int(x) for x in flat]
    if dtype == "float32":
        # numpy's float32 str is the shortest text that round-trips in float32 (read back with Math.fround).
        return [str(x) for x in flat]
    return [repr(float(x)) for x in flat]


def make_array(dtype, values, shape=None):
    if dtype == "string":
        nested = np.array(values, dtype=object)
        flat = [v if isinstance(v, bytes) else v.encode("utf-8") for v in nested.reshape(-1)]
        # Build through a list with a sentinel so numpy cannot split bytes into characters.
        arr = np.array(flat + [None], dtype=object)[:-1].reshape(nested.shape)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = np.array(values, dtype=np.float64 if dtype.startswith("float") else None).astype(NP_DTYPES[dtype])
    if shape is not None:
        arr = arr.reshape(shape)
    return arr


def numpy_texts(dtype, arr):
    if arr.shape == ():
        scalar = arr[()]
        if dtype == "string":
            # TF hands out a Python bytes object for a string scalar.
            item = scalar if isinstance(scalar, bytes) else bytes(scalar)
            return str(item), repr(item)
        return str(scalar), repr(scalar.item())
    return str(arr), repr(arr)


def decode_data(dtype, shape, data):
    """The inverse of encode_data (used by the numpy 1.x child process)."""
    if dtype == "string":
        flat = np.array([v.encode("utf-8") for v in data] + [None], dtype=object)[:-1]
        return flat[0] if shape == [] else flat.reshape(shape)
    if dtype.startswith("float"):
        flat = np.array([float(v) for v in data], dtype=np.float64).astype(NP_DTYPES[dtype])
        if dtype == "float32":
            assert all(str(x) == v for x, v in zip(flat, data)), "float32 data did not round-trip"
    else:
        flat = np.array(data, dtype=NP_DTYPES[dtype])
    return flat.reshape(shape)


if NUMPY_TEXTS_MODE:
    # Child mode: read [{dtype, shape, data}] from stdin, answer [[str, repr]] with this numpy's rules.
    request = json.load(sys.stdin)
    answers = []
    for item in request:
        arr = decode_data(item["dtype"], item["shape"], item["data"])
        array = np.asarray(arr, dtype=object if item["dtype"] == "string" else None)
        if item["dtype"] == "string" and item["shape"] == []:
            texts = [str(arr), repr(arr)]
        else:
            texts = list(numpy_texts(item["dtype"], array))
        # repr of the ndarray itself, which differs from TF's scalar repr only for shape ().
        texts.append(repr(array))
        answers.append(texts)
    json.dump({"numpy": np.__version__, "texts": answers}, sys.stdout)
    sys.exit(0)


def numpy1_command():
    """A command running a numpy 1.x Python, with its environment, or None."""
    if os.environ.get("NUMPY1_PYTHON"):
        return [os.environ["NUMPY1_PYTHON"]], dict(os.environ)
    cache = os.path.join(os.path.expanduser("~"), ".cache", "tapescope-numpy1")
    site = os.path.join(cache, "root", "usr", "lib", "python3", "dist-packages")
    libs = os.path.join(cache, "root", "usr", "lib", "x86_64-linux-gnu")
    if not os.path.isdir(os.path.join(site, "numpy")):
        try:
            os.makedirs(cache, exist_ok=True)
            subprocess.run(
                ["apt-get", "download", "python3-numpy", "libblas3", "liblapack3", "libgfortran5"],
                cwd=cache, check=True, capture_output=True,
            )
            for deb in os.listdir(cache):
                if deb.endswith(".deb"):
                    subprocess.run(["dpkg", "-x", os.path.join(cache, deb), os.path.join(cache, "root")], check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            print("numpy 1.x unavailable (%s)" % error, file=sys.stderr)
            return None
    env = dict(os.environ)
    env["PYTHONPATH"] = site
    env["LD_LIBRARY_PATH"] = ":".join([libs, os.path.join(libs, "blas"), os.path.join(libs, "lapack")])
    return ["/usr/bin/python3"], env


cases = []
counter = [0]


def add(name, dtype, values, shape=None, variable=False):
    arr = make_array(dtype, values, shape)
    s, r = numpy_texts(dtype, arr)
    case = {
        "name": name,
        "dtype": dtype,
        "shape": list(arr.shape),
        "data": encode_data(dtype, arr),
        "str": s,
        "repr": r,
    }
    if tf is not None:
        if dtype == "string":
            t = tf.constant(arr.tolist() if arr.shape != () else arr[()], dtype=tf.string)
        else:
            t = tf.constant(arr, dtype=TF_DTYPES[dtype])
        case["tfStr"] = str(t)
        case["tfRepr"] = repr(t)
        if variable:
            counter[0] += 1
            vname = "v%d" % counter[0]
            v = tf.Variable(t, name=vname)
            case["varName"] = v.name
            case["varRepr"] = repr(v)
    cases.append(case)


FLOATS = ["float16", "float32", "float64"]

# ---- scalars -------------------------------------------------------------------------------------
scalar_values = [
    0.0, -0.0, 1.0, 6.0, -0.25, 0.1, 1.0 / 3.0, 0.9999546, 1e-5, 2.3841858e-07, 1e-4, 9.9e-5, 0.0001001,
    1e16, 9.999999e15, 1e15, 1e6, 1.234567e6, 123456789.0, 67108872.0, 16777217.0, 1e8, 1e22, 1e-8,
    float("nan"), float("inf"), float("-inf"), 65504.0, 65520.0, 5.960464477539063e-08, 6.103515625e-05,
    1e-45, 1.1754943508222875e-38, 3.4028234663852886e38, 2.0 ** -126, 2.0 ** -149, 2.0 ** 24, 2.0 ** 60,
    1e-300, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 0.5, 2.5, 100.0, 1234.5678,
    -7.0, 3.14159265358979, 2.718281828459045, 1e-7, 0.3, 0.7, 1.1, 99999.99, 9.5, 0.05, 1e100, 1e-100,
]
for dt in FLOATS:
    for i, v in enumerate(scalar_values):
        add("scalar-%s-%d" % (dt, i), dt, v, variable=(i % 7 == 0))
for v in [0, 1, -1, 4, 2147483647, -2147483648, 123456]:
    add("scalar-int32-%d" % v, "int32", v, variable=(v == 4))
for v in [0, 3, -5, 2 ** 53, -(2 ** 40), 9007199254740991]:
    add("scalar-int64-%d" % v, "int64", v)
add("scalar-bool-true", "bool", True, variable=True)
add("scalar-bool-false", "bool", False)
for i, s in enumerate(["a", "", "unknown", "it's", 'say "hi"', "both ' and \"", "back\\slash", "tab\tnl\n", "caf\u00e9", "\x00\x7f"]):
    add("scalar-string-%d" % i, "string", s, variable=(i == 0))

# ---- hand-picked arrays ------------------------------------------------------------------------------
nan, inf = float("nan"), float("inf")
float_arrays = [
    [1.0, 2.0], [0.5, 0.25], [1.0, 0.25], [-1.0, -0.0625], [2.0, 40.0], [4.0, 108.0], [1e-5, 1.0],
    [1.0, 2000.0], [1.5, 1000.0], [1.0, 1000.0], [1.0, 1001.0], [nan, 1.0], [inf, -inf, nan], [nan], [inf],
    [-inf], [nan, -inf], [-0.0, 0.0], [-0.0], [0.0, 0.0], [1e8], [99999999.0], [1e-4], [1.0001e-4],
    [123456789.0, 1.0], [1e100, 1.0], [1e-100, 1.0], [0.1, 0.25], [2.0, 3.0, 4.0], [1.0, 0.0, 110.0, 0.0],
    [5.0, 25.0], [0.25, 0.25], [1.0 / 3.0, 2.0 / 3.0], [1e-5, nan], [1e-5, inf], [1e-5, -inf], [1e10, nan],
    [0.0, 1e-10], [1.5e-7, 2.5e-6], [-1e-5, 1e5], [0.1, 0.2, 0.3], [65504.0, 1.0], [67108872.0],
    [67108872.0, 0.5], [16777217.0, 1.0], [9.99999999e-5], [1e300, -1e-300], [0.0, nan, 1e-20],
    [3.0, -2.5, 1e3, -7.125], [0.001, 0.5], [12345.678, 0.001], [1e-3, 1e0], [-1.0, nan, inf],
]
for dt in FLOATS:
    for i, vals in enumerate(float_arrays):
        add("array-%s-%d" % (dt, i), dt, vals, variable=(i % 9 == 0))
    add("arange30-%s" % dt, dt, np.arange(30.0))
    add("arange1100-%s" % dt, dt, np.arange(1100.0))
    add("arange1000-%s" % dt, dt, np.arange(1000.0))
    add("arange1001-%s" % dt, dt, np.arange(1001.0) * 0.5)
    add("2x3-%s" % dt, dt, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], variable=True)
    add("2x2x2-%s" % dt, dt, [[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]])
    add("3x1x4-%s" % dt, dt, np.arange(12.0).reshape(3, 1, 4) - 5.5)
    add("3x2-%s" % dt, dt, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    add("empty0-%s" % dt, dt, np.zeros(0))
    add("empty0x3-%s" % dt, dt, np.zeros((0, 3)))
    add("empty2x0-%s" % dt, dt, np.zeros((2, 0)))
    add("1-%s" % dt, dt, [7.5])
    add("1x1-%s" % dt, dt, [[7.5]])
    add("5-%s" % dt, dt, [0.1, -2.0, 3.25, nan, 1e3])
    add("40x40-%s" % dt, dt, (np.arange(1600.0).reshape(40, 40) - 800.0) / 7.0)
    add("2x2x2x2-%s" % dt, dt, np.arange(16.0).reshape(2, 2, 2, 2) / 4.0)
    add("wide-%s" % dt, dt, np.linspace(-1, 1, 17))
    add("widerow-%s" % dt, dt, (np.arange(60.0).reshape(3, 20) - 30.0) / 3.0)

# Rounding at 8 fractional digits, carries, subnormals, summarised shapes, wrapping boundaries.
more_float_arrays = [
    [0.123456789, 1.5], [0.00123456789, 1.0], [0.999999999, 1.0], [9.999999999, 0.5], [0.99999999, 0.1],
    [1.0 / 3.0, 2.0 / 3.0, 1.0], [-1e-5, 1.0], [-1e-5, -1.0], [1e-40, 1.0], [1e-45, 3e-45], [6e-8, 1e-7, 1.0],
    [5e-324, 1.0], [1e-310, 2.5e-308], [0.1, 1e-9], [100.5, 0.25, -3.0], [1e7, 1.0], [99999.5, 0.001],
    [0.0001, 0.1], [0.00010001, 0.1], [123.456, -0.001], [2.5e-5, 7.0], [1e4, 1e-4],
]
for dt in FLOATS:
    for i, vals in enumerate(more_float_arrays):
        add("more-%s-%d" % (dt, i), dt, vals)
    for n in range(8, 22):
        add("len%d-%s" % (n, dt), dt, np.arange(n) * 37.5 - 100.0)
# Summarised multi-dimensional shapes (their data is large, so one float dtype each).
add("10x10x20-float32", "float32", np.arange(2000.0).reshape(10, 10, 20) / 3.0)
add("2x600-float64", "float64", np.arange(1200.0).reshape(2, 600) - 600.0)
add("1100x1-float16", "float16", np.arange(1100.0).reshape(1100, 1) * 0.25)
add("7x7x7x7-float32", "float32", np.arange(2401.0).reshape(7, 7, 7, 7))
for dt in ["int32", "int64", "bool"]:
    for n in range(8, 30, 3):
        vals = (np.arange(n) * 12345 - 50000) if dt != "bool" else (np.arange(n) % 2 == 0)
        add("len%d-%s" % (n, dt), dt, vals)
add("10x10x20-int32", "int32", np.arange(2000).reshape(10, 10, 20) % 7)
add("10x10x20-bool", "bool", np.arange(2000).reshape(10, 10, 20) % 7 == 0)
add("summarised-string", "string", ["s%d" % i for i in range(1100)])
add("2x0-string", "string", np.array([], dtype=object).reshape(2, 0))
add("2x2-string-long", "string", [["x" * 40, "y"], ["z", "w" * 30]])

int_arrays = [
    [1, 2, 3, 4], [0, -1, 10], [-5], [0], [100, -100, 7], [2147483647, -2147483648], [0, 0, 0],
]
for dt in ["int32", "int64"]:
    for i, vals in enumerate(int_arrays):
        add("array-%s-%d" % (dt, i), dt, vals, variable=(i == 0))
    add("3x2x5-%s" % dt, dt, np.arange(30).reshape(3, 2, 5), variable=True)
    add("2x3-%s" % dt, dt, [[1, 2, 3], [4, 5, 6]])
    add("arange1100-%s" % dt, dt, np.arange(1100))
    add("40x40-%s" % dt, dt, np.arange(1600).reshape(40, 40) - 800)
    add("arange40-%s" % dt, dt, np.arange(40) * 1000)
    add("empty0-%s" % dt, dt, np.zeros(0, np.int64))
    add("empty0x3-%s" % dt, dt, np.zeros((0, 3), np.int64))
add("big-int64", "int64", [2 ** 53, -(2 ** 53), 1])

for i, vals in enumerate([[True, False], [False], [True], [[True, False], [False, True]], [True] * 30]):
    add("array-bool-%d" % i, "bool", vals, variable=(i == 0))
add("arange1100-bool", "bool", (np.arange(1100) % 3) == 0)
add("empty0-bool", "bool", np.zeros(0, bool))

string_arrays = [
    ["a", "bc"], ["a"], [["a", "bcd"], ["xy", "z"]], ["it's", 'say "hi"', "both ' and \""],
    ["caf\u00e9", "tab\t", "", "back\\slash"], ["word%d" % i for i in range(30)], ["x" * 80, "y"],
]
for i, vals in enumerate(string_arrays):
    add("array-string-%d" % i, "string", vals, variable=(i == 0))
add("empty0-string", "string", np.array([], dtype=object))

# ---- random float arrays (the property corpus) --------------------------------------------------------
rng = np.random.default_rng(20240611)


def random_values(n):
    style = rng.integers(0, 9)
    if style == 0:
        v = rng.normal(size=n)
    elif style == 1:
        v = rng.normal(size=n) * 10.0 ** rng.integers(-6, 10)
    elif style == 2:
        v = rng.integers(-1000, 1000, size=n).astype(np.float64)
    elif style == 3:
        v = np.sign(rng.normal(size=n)) * 10.0 ** rng.uniform(-12, 12, size=n)
    elif style == 4:
        v = rng.integers(-20, 20, size=n) / 8.0
    elif style == 5:
        v = rng.uniform(0, 1, size=n)
    elif style == 6:
        v = rng.normal(size=n) * 10.0 ** rng.uniform(-3, 3, size=n)
    elif style == 7:
        v = 10.0 ** rng.uniform(-4.5, -3.5, size=n)
    else:
        v = rng.uniform(1e7, 2e8, size=n)
    if rng.uniform() < 0.15:
        specials = [nan, inf, -inf, -0.0, 0.0]
        for _ in range(rng.integers(1, 3)):
            v[rng.integers(0, n)] = specials[rng.integers(0, len(specials))]
    return v


def random_shape():
    kind = rng.integers(0, 20)
    if kind == 0:
        return ()
    if kind <= 9:
        return (int(rng.integers(1, 25)),)
    if kind <= 15:
        return (int(rng.integers(1, 7)), int(rng.integers(1, 9)))
    if kind <= 18:
        return (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 5)))
    return (int(rng.integers(34, 50)), int(rng.integers(31, 60)))  # > 1000 elements: summarised


for i in range(400):
    shape = random_shape()
    n = int(np.prod(shape)) if shape else 1
    vals = random_values(n)
    dt = "float32" if i < 300 else ("float16" if i < 350 else "float64")
    add("random-%s-%d" % (dt, i), dt, vals.reshape(shape) if shape else vals[0])

for i in range(40):
    shape = random_shape()
    n = int(np.prod(shape)) if shape else 1
    dt = "int32" if i % 2 else "int64"
    vals = rng.integers(-10 ** rng.integers(1, 9), 10 ** rng.integers(1, 9), size=n)
    add("random-%s-%d" % (dt, i), dt, vals.reshape(shape) if shape else vals[0])

# ---- numpy 1.x texts -------------------------------------------------------------------------------------
numpy_source = "numpy %s legacy=1.25 (numpy 1.x was unavailable)" % np.__version__
tf_texts_left_out = []
command = numpy1_command()
if command is not None:
    argv, env = command
    payload = json.dumps([{"dtype": c["dtype"], "shape": c["shape"], "data": c["data"]} for c in cases])
    result = subprocess.run(argv + [os.path.abspath(__file__), "--numpy-texts"], input=payload, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        raise SystemExit("the numpy 1.x child failed")
    answer = json.loads(result.stdout)
    assert answer["numpy"].startswith("1."), answer["numpy"]
    numpy_source = "numpy %s" % answer["numpy"]
    for case, (s1, r1, array_repr) in zip(cases, answer["texts"]):
        if case["shape"] == []:
            case["arrayRepr"] = array_repr
        if (s1, r1) != (case["str"], case["repr"]):
            # TF ran on numpy 2, whose text differs here: keep numpy 1.x's, drop TF's.
            tf_texts_left_out.append(case["name"])
            for key in ("tfStr", "tfRepr", "varName", "varRepr"):
                case.pop(key, None)
        case["str"], case["repr"] = s1, r1

# ---- shapes and dtypes ---------------------------------------------------------------------------------
shapes = []
if tf is not None:
    for dims in [None, [], [3], [3, 2], [None, 3], [None], [1, 2], [7, 10, 5, 10], [0]]:
        s = tf.TensorShape(dims)
        shapes.append({"dims": dims, "str": str(s), "repr": repr(s)})
dtypes = []
if tf is not None:
    for name, d in TF_DTYPES.items():
        dtypes.append({"name": name, "str": str(d), "repr": repr(d)})

header = {
    "generator": "scripts/gen-format-fixtures.py",
    "numpyTexts": numpy_source,
    "tensorflow": "%s on numpy %s" % (tf.__version__, np.__version__) if tf is not None else None,
    "tfTextsLeftOut": tf_texts_left_out,
}


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# One case per line: small file, readable diffs.
with open(OUT, "w") as f:
    f.write("{\n")
    for key, value in header.items():
        f.write(" %s: %s,\n" % (compact(key), compact(value)))
    for key, rows in [("shapes", shapes), ("dtypes", dtypes), ("cases", cases)]:
        f.write(' "%s": [\n' % key)
        f.write(",\n".join("  " + compact(row) for row in rows))
        f.write("\n ]%s\n" % ("" if key == "cases" else ","))
    f.write("}\n")
print("wrote %d cases to %s" % (len(cases), os.path.relpath(OUT, ROOT)), file=sys.stderr)
