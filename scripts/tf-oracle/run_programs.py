"""Runs differential-test programs (test/differential/program.ts) on real TensorFlow.

    .tfenv/bin/python scripts/tf-oracle/run_programs.py programs.json > results.json

One process runs every program (importing TensorFlow costs seconds). Each program gets its own
environment; every op result, gradient and watched_variables() call is an observation, and the
first exception ends the program, recorded as its Python class name and str(e).
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.get_logger().setLevel("ERROR")


def _unary(f):
    return lambda args, attrs: f(args[0])


def _binary(f):
    return lambda args, attrs: f(args[0], args[1])


def _reduce(f):
    return lambda args, attrs: f(args[0], axis=attrs.get("axis"), keepdims=attrs.get("keepdims", False))


OPS = {
    "exp": _unary(tf.math.exp),
    "log": _unary(tf.math.log),
    "log1p": _unary(tf.math.log1p),
    "sin": _unary(tf.math.sin),
    "cos": _unary(tf.math.cos),
    "tan": _unary(tf.math.tan),
    "tanh": _unary(tf.math.tanh),
    "sigmoid": _unary(tf.math.sigmoid),
    "softplus": _unary(tf.math.softplus),
    "sqrt": _unary(tf.math.sqrt),
    "rsqrt": _unary(tf.math.rsqrt),
    "square": _unary(tf.math.square),
    "abs": _unary(tf.math.abs),
    "negative": _unary(tf.math.negative),
    "sign": _unary(tf.math.sign),
    "relu": _unary(tf.nn.relu),
    "relu6": _unary(tf.nn.relu6),
    "elu": _unary(tf.nn.elu),
    "erf": _unary(tf.math.erf),
    "floor": _unary(tf.math.floor),
    "ceil": _unary(tf.math.ceil),
    "round": _unary(tf.math.round),
    "identity": _unary(tf.identity),
    "stop_gradient": _unary(tf.stop_gradient),
    "add": _binary(tf.math.add),
    "subtract": _binary(tf.math.subtract),
    "multiply": _binary(tf.math.multiply),
    "divide": _binary(tf.math.divide),
    "maximum": _binary(tf.math.maximum),
    "minimum": _binary(tf.math.minimum),
    "pow": _binary(tf.math.pow),
    "floordiv": _binary(tf.math.floordiv),
    "floormod": _binary(tf.math.floormod),
    "greater": _binary(tf.math.greater),
    "less": _binary(tf.math.less),
    "greater_equal": _binary(tf.math.greater_equal),
    "less_equal": _binary(tf.math.less_equal),
    "equal": _binary(tf.math.equal),
    "reduce_sum": _reduce(tf.math.reduce_sum),
    "reduce_mean": _reduce(tf.math.reduce_mean),
    "reduce_max": _reduce(tf.math.reduce_max),
    "reduce_min": _reduce(tf.math.reduce_min),
    "reduce_prod": _reduce(tf.math.reduce_prod),
    "matmul": lambda args, attrs: tf.linalg.matmul(
        args[0], args[1], transpose_a=attrs.get("transpose_a", False), transpose_b=attrs.get("transpose_b", False)
    ),
    "reshape": lambda args, attrs: tf.reshape(args[0], attrs["shape"]),
    "transpose": lambda args, attrs: tf.transpose(args[0], attrs.get("perm")),
    "expand_dims": lambda args, attrs: tf.expand_dims(args[0], attrs["axis"]),
    "squeeze": lambda args, attrs: tf.squeeze(args[0], attrs.get("axis")),
    "stack": lambda args, attrs: tf.stack(list(args), axis=attrs.get("axis", 0)),
    "cast": lambda args, attrs: tf.cast(args[0], getattr(tf, attrs["dtype"])),
    "where": lambda args, attrs: tf.where(args[0], args[1], args[2]),
    "softmax": _unary(tf.nn.softmax),
    "log_softmax": _unary(tf.nn.log_softmax),
    "leaky_relu": lambda args, attrs: tf.nn.leaky_relu(args[0], alpha=attrs["alpha"]),
    "softsign": _unary(tf.nn.softsign),
    "l2_loss": _unary(tf.nn.l2_loss),
    "erfc": _unary(tf.math.erfc),
    "cumsum": lambda args, attrs: tf.math.cumsum(
        args[0], axis=attrs["axis"], exclusive=attrs["exclusive"], reverse=attrs["reverse"]
    ),
    "div_no_nan": _binary(tf.math.divide_no_nan),
    "concat": lambda args, attrs: tf.concat(list(args), axis=attrs["axis"]),
    "tile": lambda args, attrs: tf.tile(args[0], attrs["multiples"]),
    "gather": lambda args, attrs: tf.gather(args[0], args[1], axis=attrs["axis"]),
    "argmax": lambda args, attrs: tf.math.argmax(args[0], axis=attrs["axis"]),
}

NP_DTYPES = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "int32": np.int32,
    "int64": np.int64,
    "bool": np.bool_,
}


class ProgramError(Exception):
    def __init__(self, at, type_name, message):
        super().__init__(message)
        self.at = at
        self.type_name = type_name
        self.message = message


def encode_value(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def encode(at, t):
    arr = t.numpy()
    return {
        "at": at,
        "kind": "tensor",
        "dtype": t.dtype.name,
        "shape": [int(d) for d in arr.shape],
        "values": [encode_value(v) for v in arr.reshape(-1).tolist()],
    }


def constant_of(s):
    return tf.constant(np.array(s["values"], dtype=NP_DTYPES[s["dtype"]]).reshape(s["shape"]))


def run_program(program):
    env = {}
    observations = []

    def lookup(name, at):
        if name not in env:
            raise ProgramError(at, "NameError", "name '%s' is not defined" % name)
        return env[name]

    def operand(arg, at):
        if isinstance(arg, dict):
            return int(arg["lit"]) if arg.get("int") else float(arg["lit"])
        return lookup(arg, at)

    def run(stmts, path):
        for i, s in enumerate(stmts):
            at = "%s%d:%s" % (path, i, s["k"])
            try:
                step(s, at)
            except ProgramError:
                raise
            except Exception as e:  # noqa: BLE001 - every exception is an observation
                raise ProgramError(at, type(e).__name__, str(e))

    def step(s, at):
        k = s["k"]
        if k == "const":
            env[s["out"]] = constant_of(s)
        elif k == "var":
            env[s["out"]] = tf.Variable(constant_of(s), name=s["out"], trainable=s["trainable"])
        elif k == "op":
            fn = OPS.get(s["fn"])
            if fn is None:
                raise ProgramError(at, "NotImplementedError", "no Python mapping for %s" % s["fn"])
            args = [operand(a, at) for a in s["args"]]
            out = fn(args, s.get("attrs") or {})
            env[s["out"]] = out
            observations.append(encode("%s:%s=%s" % (at, s["out"], s["fn"]), out))
        elif k == "tape":
            with tf.GradientTape(persistent=s["persistent"], watch_accessed_variables=s["watchAccessed"]) as tape:
                env[s["out"]] = tape
                run(s["body"], at + "/")
        elif k == "watch":
            lookup(s["tape"], at).watch(lookup(s["x"], at))
        elif k == "stop":
            with lookup(s["tape"], at).stop_recording():
                run(s["body"], at + "/")
        elif k == "grad":
            tape = lookup(s["tape"], at)
            targets = [lookup(t, at) for t in s["targets"]]
            target = targets[0] if len(targets) == 1 else targets
            sources = [lookup(x, at) for x in s["sources"]]
            unconnected = tf.UnconnectedGradients.ZERO if s["unconnected"] == "zero" else tf.UnconnectedGradients.NONE
            grads = tape.gradient(target, sources, unconnected_gradients=unconnected)
            for name, g in zip(s["outs"], grads):
                if isinstance(g, tf.IndexedSlices):
                    g = tf.convert_to_tensor(g)
                env[name] = g
                where = "%s:%s" % (at, name)
                observations.append({"at": where, "kind": "none"} if g is None else encode(where, g))
        elif k == "assign":
            v = lookup(s["variable"], at)
            value = operand(s["value"], at)
            getattr(v, s["mode"])(value)
        elif k == "watched":
            names = [v.name for v in lookup(s["tape"], at).watched_variables()]
            observations.append({"at": at, "kind": "names", "names": names})
        else:
            raise ProgramError(at, "NotImplementedError", "unknown statement %s" % k)

    try:
        run(program["body"], "")
        return {"id": program["id"], "observations": observations}
    except ProgramError as e:
        return {
            "id": program["id"],
            "observations": observations,
            "error": {"at": e.at, "type": e.type_name, "message": e.message},
        }


def main():
    with open(sys.argv[1]) as f:
        programs = json.load(f)
    results = [run_program(p) for p in programs]
    json.dump({"tensorflow": tf.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
