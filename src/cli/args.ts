/** Command-line parsing for `tapescope` (kept apart from main.ts so it can be tested alone). */

export const USAGE = `Usage: tapescope run FILE.py|FILE.ipynb [options]
       tapescope --help | --version

Runs a TensorFlow Python script or Jupyter notebook on Tapescope's engine (no Python or
TensorFlow needed) and records every GradientTape as a trace.

Options for run:
  --trace OUT.json         write the run's trace (every tape, op and gradient) as JSON
  --html OUT.html          write a standalone page of the tape view
  --time-limit SECONDS     stop the program after this long (default 30)
  --snapshot-limit N       keep every value of tensors with up to N elements in the trace
  --max-tensor-elements N  refuse to create tensors with more than N elements
  --no-trace               do not record a trace (faster; not with --trace or --html)

Exit status: 0 ok, 1 Python exception, 2 bad arguments or missing file, 124 time limit,
130 interrupted (Ctrl-C), 141 output pipe closed.
`;

export interface RunCommand {
  command: 'run';
  file: string;
  traceOut?: string;
  htmlOut?: string;
  timeLimitMs?: number;
  snapshotLimit?: number;
  maxTensorElements?: number;
  trace: boolean;
}

export type Command = RunCommand | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function nonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} expects a whole number, got '${text}'`);
  return Number(text);
}

export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) throw new UsageError('no command given');
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-V' || first === 'version') return { command: 'version' };
  if (first !== 'run') throw new UsageError(`unknown command '${first}'`);

  const run: RunCommand = { command: 'run', file: '', trace: true };
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    // Accept both `--flag value` and `--flag=value`.
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inlineValue = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = rest[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { command: 'help' };
      case '--trace':
        run.traceOut = value();
        break;
      case '--html':
        run.htmlOut = value();
        break;
      case '--time-limit': {
        const text = value();
        const seconds = Number(text);
        if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
          throw new UsageError(`--time-limit expects a positive number of seconds, got '${text}'`);
        }
        run.timeLimitMs = seconds * 1000;
        break;
      }
      case '--snapshot-limit':
        run.snapshotLimit = nonNegativeInteger(flag, value());
        break;
      case '--max-tensor-elements':
        run.maxTensorElements = nonNegativeInteger(flag, value());
        break;
      case '--no-trace':
        if (inlineValue !== undefined) throw new UsageError('--no-trace takes no value');
        run.trace = false;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
        files.push(arg);
    }
  }
  if (files.length === 0) throw new UsageError('run needs a FILE.py or FILE.ipynb');
  if (files.length > 1) throw new UsageError(`run takes one file, got ${files.length}: ${files.join(' ')}`);
  run.file = files[0];
  if (!/\.(py|ipynb)$/i.test(run.file)) throw new UsageError(`'${run.file}' is neither a .py file nor a .ipynb notebook`);
  if (!run.trace && (run.traceOut || run.htmlOut)) throw new UsageError('--no-trace cannot be combined with --trace or --html');
  return run;
}
