/**
 * The `tapescope` command end to end: a real process per case (the bundled CLI built from the
 * current sources), real Python, checked on stdout, stderr and the exit status.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/trace/types';
import { type TestBundles, buildTestBundles, repoRoot } from '../runtime/bundles';

let bundles: TestBundles;
let workDir: string;

beforeAll(async () => {
  bundles = await buildTestBundles({ withView: true });
  workDir = mkdtempSync(join(tmpdir(), 'tapescope-cli-'));
}, 120_000);

afterAll(() => {
  bundles?.remove();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runNode(script: string, args: string[], cwd = workDir): Promise<Completed> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // A private snapshot cache: the first run makes it, later runs start fast, nothing leaks to ~/.cache.
    const env = { ...process.env, TAPESCOPE_CACHE_DIR: join(workDir, 'snapshot-cache') };
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

const tapescope = (...args: string[]): Promise<Completed> => runNode(bundles.cli, args);

function write(name: string, text: string): string {
  const path = join(workDir, name);
  writeFileSync(path, text);
  return path;
}

describe('tapescope run', () => {
  it('prints the program stdout to stdout and its stderr to stderr, exit 0', async () => {
    write('ok.py', 'import sys\nfor i in range(3):\n    print("line", i)\nprint("a warning", file=sys.stderr)\n');
    const result = await tapescope('run', 'ok.py');
    expect(result).toMatchObject({ code: 0, stdout: 'line 0\nline 1\nline 2\n', stderr: 'a warning\n' });
  }, 120_000);

  it('prints a traceback naming the user file and line on stderr, exit 1', async () => {
    const path = write('raise.py', 'def check(x):\n    if x < 0:\n        raise ValueError(f"negative: {x}")\n\nprint("checking")\ncheck(-2)\n');
    const result = await tapescope('run', 'raise.py');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('checking\n');
    expect(result.stderr).toBe(
      [
        'Traceback (most recent call last):',
        `  File "${path}", line 6, in <module>`,
        '    check(-2)',
        '    ~~~~~^^^^',
        `  File "${path}", line 3, in check`,
        '    raise ValueError(f"negative: {x}")',
        'ValueError: negative: -2',
        '',
      ].join('\n'),
    );
  }, 120_000);

  it('reports a syntax error with file, line and caret, exit 1', async () => {
    const path = write('bad_syntax.py', 'print("fine")\nif True\n    print("no colon")\n');
    const result = await tapescope('run', 'bad_syntax.py');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`  File "${path}", line 2\n    if True\n           ^\nSyntaxError: expected ':'\n`);
  }, 120_000);

  it('stops an infinite loop at --time-limit, exit 124', async () => {
    write('forever.py', 'while True: pass\n');
    const result = await tapescope('run', 'forever.py', '--time-limit', '1.5');
    expect(result.code).toBe(124);
    // (With the location where the interrupt stopped it, unless a loaded machine needed the kill.)
    expect(result.stderr).toMatch(/^tapescope: stopped: the time limit of 1\.5 s was exceeded( at .*forever\.py, line 1)?\n$/);
    expect(result.ms).toBeLessThan(15_000);
  }, 120_000);

  it('runs a notebook: cell outputs and displayed values in order on stdout', async () => {
    const cells = [
      { cell_type: 'code', source: ['%matplotlib inline\n', 'x = 3.0\n', 'x * 2'] },
      { cell_type: 'markdown', source: 'words' },
      { cell_type: 'code', source: ["print('watched:')\n", "['x0:0']"] },
    ];
    write('cells.ipynb', JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }));
    const result = await tapescope('run', 'cells.ipynb');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("6.0\nwatched:\n['x0:0']\n");
    expect(result.stderr).toBe('tapescope: skipped the IPython magic `%matplotlib inline` (cell 0, line 1)\n');
  }, 120_000);

  it('rejects a notebook with invalid JSON, naming the file, exit 1', async () => {
    write('broken.ipynb', '{"cells": [{"cell_type": "code",');
    const result = await tapescope('run', 'broken.ipynb');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/broken\.ipynb is not a valid notebook: invalid JSON/);
  }, 120_000);
});

describe('tapescope run with a closed output pipe', () => {
  it('stops quietly with status 141 when the reader goes away (| head)', async () => {
    write('endless.py', 'i = 0\nwhile True:\n    print(i)\n    i += 1\n');
    const result = await new Promise<{ code: number | null; stderr: string; firstChunk: string }>((resolve, reject) => {
      const env = { ...process.env, TAPESCOPE_CACHE_DIR: join(workDir, 'snapshot-cache') };
      const child = spawn(process.execPath, [bundles.cli, 'run', 'endless.py'], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let firstChunk = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.setEncoding('utf8').once('data', (chunk: string) => {
        firstChunk = chunk;
        child.stdout.destroy(); // like `head` exiting after its lines
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr, firstChunk }));
    });
    expect(result.firstChunk).toMatch(/^0\n1\n/);
    expect(result.code).toBe(141);
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  }, 120_000);
});

describe('tapescope run on the seed example', () => {
  it('prints exactly examples/gradient_tape_basics.expected (TensorFlow 2.x output), exit 0', async () => {
    const expected = readFileSync(join(repoRoot, 'examples', 'gradient_tape_basics.expected'), 'utf8');
    const result = await runNode(bundles.cli, ['run', join(repoRoot, 'examples', 'gradient_tape_basics.py')]);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, stdout: expected });
  }, 120_000);

  it('prints the notebook cells outputs recorded from TensorFlow, in order', async () => {
    const notebookPath = join(repoRoot, 'examples', 'gradient_tape_basics.ipynb');
    type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> };
    const notebook = JSON.parse(readFileSync(notebookPath, 'utf8')) as { cells: { outputs?: Output[] }[] };
    const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));
    const expected = notebook.cells
      .flatMap((cell) => cell.outputs ?? [])
      .map((o) =>
        o.output_type === 'stream' && o.name === 'stdout' ? text(o.text) : o.output_type === 'execute_result' ? `${text(o.data?.['text/plain'])}\n` : '',
      )
      .join('');
    const result = await runNode(bundles.cli, ['run', notebookPath]);
    expect(result).toMatchObject({ code: 0, stdout: expected });
  }, 120_000);
});

describe('tapescope run --trace', () => {
  it('writes the trace of the run as JSON', async () => {
    const path = write('traced.py', 'import _tapescope_engine as E\nE.add(1.0, 2.0)\nprint("done")\n');
    const out = join(workDir, 'out', 'trace.json');
    const result = await tapescope('run', 'traced.py', '--trace', out);
    expect(result).toMatchObject({ code: 0, stdout: 'done\n' });
    const trace = JSON.parse(readFileSync(out, 'utf8')) as Trace;
    expect(trace.format).toBe('tapescope-trace');
    expect(trace.program?.file).toBe(path);
    expect(trace.ops.map((op) => op.type)).toEqual(['AddV2']);
  }, 120_000);

  it('still writes the trace when the program raises (exit 1)', async () => {
    write('traced_then_raise.py', 'import _tapescope_engine as E\nE.multiply(2.0, 3.0)\nraise ValueError("after the op")\n');
    const out = join(workDir, 'out', 'raised.json');
    const result = await tapescope('run', 'traced_then_raise.py', '--trace', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ValueError: after the op');
    const trace = JSON.parse(readFileSync(out, 'utf8')) as Trace;
    expect(trace.ops.map((op) => op.type)).toEqual(['Mul']);
  }, 120_000);
});

describe('tapescope run --html', () => {
  it('writes a standalone page of the tape view holding the trace', async () => {
    const out = join(workDir, 'pages', 'seed.html');
    const seed = join(repoRoot, 'examples', 'gradient_tape_basics.py');
    const result = await tapescope('run', seed, '--html', out, '--trace', join(workDir, 'pages', 'seed.json'));
    expect(result.code).toBe(0);
    const page = readFileSync(out, 'utf8');
    const trace = JSON.parse(readFileSync(join(workDir, 'pages', 'seed.json'), 'utf8')) as Trace;
    expect(page).toMatch(/^<!DOCTYPE html>/i);
    expect(page).toContain('<title>Tapescope: gradient_tape_basics.py</title>');
    // The page embeds the run's trace (its program path and every op type).
    expect(page).toContain(JSON.stringify(seed).slice(1, -1));
    for (const type of new Set(trace.ops.map((op) => op.type))) expect(page).toContain(`"type":"${type}"`);
  }, 120_000);

  it('refuses --html before running when the view bundles are missing', async () => {
    const lonely = join(workDir, 'lonely');
    mkdirSync(lonely, { recursive: true });
    copyFileSync(bundles.cli, join(lonely, 'cli.js'));
    write('x.py', 'print(1)\n');
    const result = await runNode(join(lonely, 'cli.js'), ['run', 'x.py', '--html', 'x.html']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--html cannot write a page: .*webview\.js is missing: run npm run build first/);
  }, 120_000);
});

describe('tapescope usage', () => {
  it.each([
    [[], /no command given/],
    [['run', 'missing.py'], /no such file: missing\.py/],
    [['run', 'x.py', '--time-limit', 'abc'], /--time-limit expects a positive number/],
    [['run', 'x.py', '--bogus'], /unknown option '--bogus'/],
  ])('exits 2 with a usage error for %j', async (args, message) => {
    write('x.py', 'print(1)\n');
    const result = await tapescope(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Run 'tapescope --help' for usage.");
  }, 120_000);

  it('prints help and version', async () => {
    const help = await tapescope('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tapescope run FILE.py|FILE.ipynb');
    const version = await tapescope('--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^tapescope \d+\.\d+\.\d+\n$/);
  }, 120_000);

  it('bin/tapescope.js says to build first when dist/cli.js is missing', async () => {
    const fakeRepo = join(workDir, 'fake-repo');
    mkdirSync(join(fakeRepo, 'bin'), { recursive: true });
    copyFileSync(join(repoRoot, 'bin', 'tapescope.js'), join(fakeRepo, 'bin', 'tapescope.js'));
    const result = await runNode(join(fakeRepo, 'bin', 'tapescope.js'), ['--version']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('run npm run build first');
  }, 120_000);

  it.skipIf(!existsSync(join(repoRoot, 'dist', 'cli.js')))('bin/tapescope.js starts the built CLI (after npm run build)', async () => {
    const result = await runNode(join(repoRoot, 'bin', 'tapescope.js'), ['--version']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^tapescope \d+\.\d+\.\d+\n$/);
  }, 120_000);
});
