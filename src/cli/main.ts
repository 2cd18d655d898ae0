/**
 * `tapescope` command line (bundled to dist/cli.js, started by bin/tapescope.js).
 * `tapescope run FILE.py|FILE.ipynb [options]`: see USAGE in args.ts and docs/runtime.md.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type RunResult, TapescopeRuntime } from '../runtime/index';
import { type RunCommand, USAGE, UsageError, parseArgs } from './args';
import { htmlUnavailableReason, renderHtmlPage } from './html';

// The bundle also serves scripts (scripts/bench-runtime.mjs) that drive the runtime directly.
export { TapescopeRuntime } from '../runtime/index';

export const EXIT_OK = 0;
export const EXIT_PYTHON_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_TIMEOUT = 124;
export const EXIT_INTERRUPTED = 130;
/** 128 + SIGPIPE, as a shell reports a program stopped by a closed pipe. */
export const EXIT_BROKEN_PIPE = 141;

/** Our package.json's version, found by walking up from the bundle (bundling it would copy all of it). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof manifest === 'object' && manifest !== null && 'name' in manifest && manifest.name === 'tapescope') {
        return 'version' in manifest && typeof manifest.version === 'string' ? manifest.version : 'unknown';
      }
    } catch {
      // no readable package.json here: keep looking upwards
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

function usageError(message: string): number {
  process.stderr.write(`tapescope: ${message}\nRun 'tapescope --help' for usage.\n`);
  return EXIT_USAGE;
}

function exitCodeOf(result: RunResult): number {
  switch (result.status) {
    case 'ok':
      return result.exitCode ?? EXIT_OK;
    case 'error':
      return result.exitCode !== undefined && result.exitCode !== 0 ? result.exitCode : EXIT_PYTHON_ERROR;
    case 'timeout':
      return EXIT_TIMEOUT;
    case 'cancelled':
      return EXIT_INTERRUPTED;
  }
}

async function writeOutput(path: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

async function runCommand(command: RunCommand): Promise<number> {
  let isFile = false;
  try {
    isFile = statSync(command.file).isFile();
  } catch {
    return usageError(`no such file: ${command.file}`);
  }
  if (!isFile) return usageError(`not a file: ${command.file}`);
  const htmlProblem = command.htmlOut ? htmlUnavailableReason() : undefined;
  if (htmlProblem) return usageError(`--html cannot write a page: ${htmlProblem}`);

  // When the reader of our output goes away (`tapescope run x.py | head`), stop quietly, as a
  // program killed by SIGPIPE does, instead of crashing on EPIPE.
  let outputClosed = false;
  const onOutputError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error;
    if (!outputClosed) runtime.cancel();
    outputClosed = true;
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  const runtime = new TapescopeRuntime({
    onOutput: (stream, text) => {
      if (!outputClosed) (stream === 'stdout' ? process.stdout : process.stderr).write(text);
    },
    // Progress is for people watching a terminal; it would only pollute a captured stderr.
    onProgress: (message) => {
      if (process.stderr.isTTY) process.stderr.write(`\x1b[2m${message}\x1b[0m\n`);
    },
  });
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) runtime.cancel();
    else process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runtime.run({
      file: command.file,
      timeLimitMs: command.timeLimitMs,
      snapshotLimit: command.snapshotLimit,
      maxTensorElements: command.maxTensorElements,
      trace: command.trace,
    });
    if (outputClosed) return EXIT_BROKEN_PIPE;
    let code = exitCodeOf(result);
    if (command.traceOut || command.htmlOut) {
      if (!result.trace) {
        process.stderr.write('tapescope: no trace was recorded, so none was written (the engine returned none)\n');
        if (code === EXIT_OK) code = EXIT_PYTHON_ERROR;
      } else {
        if (command.traceOut) await writeOutput(command.traceOut, JSON.stringify(result.trace));
        if (command.htmlOut) {
          const programFile = resolve(command.file);
          const sourceText = programFile.toLowerCase().endsWith('.py') ? readFileSync(programFile, 'utf8') : undefined;
          await writeOutput(command.htmlOut, renderHtmlPage(result.trace, { programFile, sourceText }));
        }
      }
    }
    return code;
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.dispose();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
  switch (command.command) {
    case 'help':
      process.stdout.write(USAGE);
      return EXIT_OK;
    case 'version':
      process.stdout.write(`tapescope ${packageVersion()}\n`);
      return EXIT_OK;
    case 'run':
      return runCommand(command);
  }
}

// Run only when this bundle is the program (bin/tapescope.js requires it and calls main itself).
if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`tapescope: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
