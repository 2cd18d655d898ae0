/**
 * A program (program.ts) as the Python text it stands for, to read a difference or paste it into
 * a repro: `node -e` or the differences report print programs this way.
 */
import type { Arg, Program, Stmt } from './program';

const PY_FN: Record<string, string> = {
  relu: 'tf.nn.relu',
  relu6: 'tf.nn.relu6',
  elu: 'tf.nn.elu',
  identity: 'tf.identity',
  stop_gradient: 'tf.stop_gradient',
  matmul: 'tf.linalg.matmul',
  reshape: 'tf.reshape',
  transpose: 'tf.transpose',
  expand_dims: 'tf.expand_dims',
  squeeze: 'tf.squeeze',
  stack: 'tf.stack',
  cast: 'tf.cast',
  where: 'tf.where',
  softmax: 'tf.nn.softmax',
  log_softmax: 'tf.nn.log_softmax',
  leaky_relu: 'tf.nn.leaky_relu',
  softsign: 'tf.nn.softsign',
  l2_loss: 'tf.nn.l2_loss',
  concat: 'tf.concat',
  tile: 'tf.tile',
  gather: 'tf.gather',
};

const arg = (a: Arg): string => (typeof a === 'string' ? a : a.int ? String(a.lit) : Number.isInteger(a.lit) ? `${a.lit}.0` : String(a.lit));

function nested(values: number[], shape: number[], dtype: string): string {
  const item = (v: number) => (dtype === 'bool' ? (v ? 'True' : 'False') : String(v));
  if (shape.length === 0) return item(values[0]);
  const stride = values.length / shape[0];
  const parts: string[] = [];
  for (let i = 0; i < shape[0]; i++) parts.push(nested(values.slice(i * stride, (i + 1) * stride), shape.slice(1), dtype));
  return `[${parts.join(', ')}]`;
}

function stmtLines(s: Stmt, indent: string): string[] {
  switch (s.k) {
    case 'const':
      return [`${indent}${s.out} = tf.constant(${nested(s.values, s.shape, s.dtype)}, dtype=tf.${s.dtype})`];
    case 'var':
      return [`${indent}${s.out} = tf.Variable(tf.constant(${nested(s.values, s.shape, s.dtype)}, dtype=tf.${s.dtype}), name='${s.out}', trainable=${s.trainable ? 'True' : 'False'})`];
    case 'op': {
      const fn = PY_FN[s.fn] ?? `tf.math.${s.fn}`;
      const args = s.fn === 'stack' || s.fn === 'concat' ? [`[${s.args.map(arg).join(', ')}]`] : s.args.map(arg);
      const kw = Object.entries(s.attrs ?? {}).map(([k, v]) => `${k}=${k === 'dtype' ? `tf.${v}` : JSON.stringify(v).replace(/true/g, 'True').replace(/false/g, 'False')}`);
      if (s.fn === 'reshape' || s.fn === 'transpose') return [`${indent}${s.out} = ${fn}(${[...args, JSON.stringify(Object.values(s.attrs ?? {})[0])].join(', ')})`];
      return [`${indent}${s.out} = ${fn}(${[...args, ...kw].join(', ')})`];
    }
    case 'tape':
      return [
        `${indent}with tf.GradientTape(persistent=${s.persistent ? 'True' : 'False'}, watch_accessed_variables=${s.watchAccessed ? 'True' : 'False'}) as ${s.out}:`,
        ...(s.body.length ? s.body.flatMap((b) => stmtLines(b, `${indent}    `)) : [`${indent}    pass`]),
      ];
    case 'watch':
      return [`${indent}${s.tape}.watch(${s.x})`];
    case 'stop':
      return [`${indent}with ${s.tape}.stop_recording():`, ...s.body.flatMap((b) => stmtLines(b, `${indent}    `))];
    case 'grad': {
      const target = s.targets.length === 1 ? s.targets[0] : `[${s.targets.join(', ')}]`;
      const un = s.unconnected === 'zero' ? ', unconnected_gradients=tf.UnconnectedGradients.ZERO' : '';
      return [`${indent}[${s.outs.join(', ')}] = ${s.tape}.gradient(${target}, [${s.sources.join(', ')}]${un})`];
    }
    case 'assign':
      return [`${indent}${s.variable}.${s.mode}(${s.value})`];
    case 'watched':
      return [`${indent}print([v.name for v in ${s.tape}.watched_variables()])`];
  }
}

export function toPython(program: Program): string {
  return ['import tensorflow as tf', ...program.body.flatMap((s) => stmtLines(s, ''))].join('\n');
}
