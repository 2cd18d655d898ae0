/**
 * Runs a program (program.ts) on our engine through its TypeScript API, the way our Python
 * package would drive it: one fresh Engine per program (trace recording on, so the recorder's
 * paths run too), `with` blocks as enter/exit in try/finally, the first exception ends the program.
 */
import * as E from '../../src/engine/index';
import type { Tensor, TensorLike, Variable } from '../../src/engine/index';
import type { Arg, Observation, Program, ProgramResult, Stmt } from './program';
import { TS_OPS } from './ops';

type Bound = Tensor | Variable | E.GradientTape | null;

class ProgramError extends Error {
  constructor(
    readonly at: string,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function encode(at: string, t: Tensor): Observation {
  const values: (number | string)[] = [];
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'string') values.push(v);
    else if (Number.isNaN(v)) values.push('nan');
    else if (v === Infinity) values.push('inf');
    else if (v === -Infinity) values.push('-inf');
    else values.push(v);
  }
  return { at, kind: 'tensor', dtype: t.dtype, shape: t.shape.slice(), values };
}

function constantOf(s: { dtype: E.DTypeName; shape: number[]; values: number[] }): Tensor {
  const values = s.dtype === 'bool' ? s.values.map((v) => v !== 0) : s.values;
  return E.constant(values, { dtype: s.dtype, shape: s.shape });
}

export function interpret(program: Program): ProgramResult {
  E.setEngine(new E.Engine({ trace: true })).warningSink = () => {};
  E.resetWarningCounters();
  const env = new Map<string, Bound>();
  const observations: Observation[] = [];

  const lookup = (name: string, at: string): Bound => {
    if (!env.has(name)) throw new ProgramError(at, 'NameError', `name '${name}' is not defined`);
    return env.get(name) as Bound;
  };
  const operand = (arg: Arg, at: string): TensorLike => {
    if (typeof arg !== 'string') return arg.lit;
    const v = lookup(arg, at);
    // Python would pass None into the tf function: TensorFlow raises ValueError for it.
    if (v === null) throw new ProgramError(at, 'ValueError', 'Attempt to convert a value (None) with an unsupported type (<class \'NoneType\'>) to a Tensor.');
    return v as TensorLike;
  };
  const differentiable = (name: string, at: string): Tensor | Variable => {
    const v = lookup(name, at);
    if (v === null) throw new ProgramError(at, 'AttributeError', "'NoneType' object has no attribute 'dtype'");
    return v as Tensor | Variable;
  };

  const run = (stmts: Stmt[], path: string): void => {
    stmts.forEach((s, i) => {
      const at = `${path}${i}:${s.k}`;
      try {
        step(s, at);
      } catch (err) {
        if (err instanceof ProgramError) throw err;
        if (err instanceof E.TFError) throw new ProgramError(at, err.pythonType, err.message);
        throw new ProgramError(at, `JS:${(err as Error).name}`, (err as Error).message);
      }
    });
  };

  const step = (s: Stmt, at: string): void => {
    switch (s.k) {
      case 'const':
        env.set(s.out, constantOf(s));
        return;
      case 'var':
        env.set(s.out, E.variable(constantOf(s), { name: s.out, trainable: s.trainable }));
        return;
      case 'op': {
        const fn = TS_OPS[s.fn];
        if (!fn) throw new ProgramError(at, 'NotImplementedError', `no TypeScript mapping for ${s.fn}`);
        const args = s.args.map((a) => operand(a, at));
        const out = s.fn === 'stack' ? fn(args, s.attrs ?? {}) : fn(args, s.attrs ?? {});
        env.set(s.out, out);
        observations.push(encode(`${at}:${s.out}=${s.fn}`, out));
        return;
      }
      case 'tape': {
        const tape = new E.GradientTape(s.persistent, s.watchAccessed);
        env.set(s.out, tape);
        tape.enter();
        try {
          run(s.body, `${at}/`);
        } finally {
          tape.exit();
        }
        return;
      }
      case 'watch':
        (lookup(s.tape, at) as E.GradientTape).watch(differentiable(s.x, at));
        return;
      case 'stop': {
        const end = (lookup(s.tape, at) as E.GradientTape).stopRecording();
        try {
          run(s.body, `${at}/`);
        } finally {
          end();
        }
        return;
      }
      case 'grad': {
        const tape = lookup(s.tape, at) as E.GradientTape;
        const targets = s.targets.map((t) => differentiable(t, at));
        const sources = s.sources.map((t) => differentiable(t, at));
        const grads = tape.gradient(targets, sources, { unconnectedGradients: s.unconnected });
        grads.forEach((g, i) => {
          env.set(s.outs[i], g);
          observations.push(g === null ? { at: `${at}:${s.outs[i]}`, kind: 'none' } : encode(`${at}:${s.outs[i]}`, g));
        });
        return;
      }
      case 'assign': {
        const v = lookup(s.variable, at) as Variable;
        const value = operand(s.value, at);
        if (s.mode === 'assign') E.assign(v, value);
        else if (s.mode === 'assign_add') E.assignAdd(v, value);
        else E.assignSub(v, value);
        return;
      }
      case 'watched':
        observations.push({ at, kind: 'names', names: (lookup(s.tape, at) as E.GradientTape).watchedVariables().map((v) => v.name) });
        return;
    }
  };

  try {
    run(program.body, '');
    return { id: program.id, observations };
  } catch (err) {
    const e = err as ProgramError;
    return { id: program.id, observations, error: { at: e.at, type: e.type, message: e.message } };
  }
}
