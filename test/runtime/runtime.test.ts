/**
 * The Python runtime end to end: real Python (Pyodide) in the real worker bundle, through the host
 * API the CLI and the extension use. One runtime is shared by the tests (a cold start costs ~3 s).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunRequest, type RunResult, TapescopeRuntime } from '../../src/runtime/index';
import { type TestBundles, buildTestBundles } from './bundles';

let bundles: TestBundles;
let runtime: TapescopeRuntime;
let workDir: string;
let snapshotDir: string;
type OutputEvent = { stream: 'stdout' | 'stderr'; text: string; cell?: number; at: number };
let outputEvents: OutputEvent[] = [];
const progress: string[] = [];

beforeAll(async () => {
  bundles = await buildTestBundles();
  workDir = mkdtempSync(join(tmpdir(), 'tapescope-runtime-'));
  snapshotDir = join(workDir, 'snapshot-cache');
  runtime = new TapescopeRuntime({
    workerPath: bundles.worker,
    snapshotDir,
    // A loaded 2-core machine can take more than the default 1 s to unwind a KeyboardInterrupt, and
    // these tests check that the interrupt (not the kill) ends such runs; the kill has its own test.
    interruptGraceMs: 4000,
    onOutput: (stream, text, cell) => outputEvents.push({ stream, text, cell, at: performance.now() }),
    onProgress: (message) => progress.push(message),
  });
}, 120_000);

afterAll(async () => {
  await runtime?.dispose();
  bundles?.remove();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function writeProgram(name: string, text: string): string {
  const path = join(workDir, name);
  writeFileSync(path, text);
  return path;
}

async function runFile(name: string, text: string, extra: Partial<RunRequest> = {}): Promise<RunResult> {
  outputEvents = [];
  return runtime.run({ file: writeProgram(name, text), ...extra });
}

describe('running Python files', () => {
  it('prints the program output, pays the cold start once, and reports progress', async () => {
    const first = await runFile('hello.py', 'import sys\nprint("hello", 6 * 7)\nprint("warn", file=sys.stderr)\n');
    expect(first.status).toBe('ok');
    expect(first.stdout).toBe('hello 42\n');
    expect(first.stderr).toBe('warn\n');
    expect(first.coldStartMs).toBeGreaterThan(0);
    expect(progress).toContain('Starting Python (first run only)...');

    // (A time limit too large for a JS timer must not fire at once.)
    const second = await runFile('hello.py', 'import time\nend = time.time() + 0.1\nwhile time.time() < end: pass\nprint("again")\n', {
      timeLimitMs: 1e12,
    });
    expect(second.status).toBe('ok');
    expect(second.stdout).toBe('again\n');
    expect(second.coldStartMs).toBeUndefined();
    expect(second.durationMs).toBeLessThan(1000);
    // The listener saw the same text as the result, in program order.
    expect(outputEvents.map((event) => event.text).join('')).toBe('again\n');
  }, 120_000);

  it('streams output while the program is still running', async () => {
    const started = performance.now();
    const result = await runFile(
      'stream.py',
      'import time\nprint("first")\nend = time.time() + 0.8\nwhile time.time() < end: pass\nprint("second")\n',
    );
    const finished = performance.now();
    expect(result.stdout).toBe('first\nsecond\n');
    const first = outputEvents.find((event) => event.text.includes('first'));
    expect(first).toBeDefined();
    expect(first?.text).not.toContain('second');
    // "first" reached the listener long before the run ended.
    expect(finished - (first?.at ?? finished)).toBeGreaterThan(500);
    expect((first?.at ?? 0) - started).toBeLessThan(finished - started - 500);
  }, 120_000);

  it('reports an exception with a traceback of the user file only', async () => {
    const path = writeProgram(
      'boom.py',
      ['import json', '', 'def divide(a, b):', '    return a / b', '', 'print("before")', 'divide(1, 0)', ''].join('\n'),
    );
    outputEvents = [];
    const result = await runtime.run({ file: path });
    expect(result.status).toBe('error');
    expect(result.stdout).toBe('before\n');
    expect(result.error?.type).toBe('ZeroDivisionError');
    expect(result.error?.message).toBe('division by zero');
    const traceback = result.error?.traceback ?? '';
    expect(traceback).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(traceback).toContain(`File "${path}", line 7, in <module>\n    divide(1, 0)\n`);
    expect(traceback).toContain(`File "${path}", line 4, in divide\n    return a / b\n`);
    expect(traceback.trimEnd().split('\n').at(-1)).toBe('ZeroDivisionError: division by zero');
    expect(traceback).not.toMatch(/_tapescope|\/lib\/python|<exec>/);
    expect(result.stderr).toContain(traceback);
    expect(result.error?.loc).toMatchObject({ file: path, line: 4, column: 12, functionName: 'divide' });
  }, 120_000);

  it('hides our own frames when an exception comes from a library call', async () => {
    const path = writeProgram('lib_error.py', 'import json\njson.loads("{nope")\n');
    const result = await runtime.run({ file: path });
    expect(result.error?.type).toBe('JSONDecodeError');
    expect(result.error?.traceback).toContain(`File "${path}", line 2, in <module>`);
    expect(result.error?.traceback).not.toContain('json/decoder.py');
    expect(result.error?.loc?.line).toBe(2);
  }, 120_000);

  it('reports a syntax error with file, line and caret', async () => {
    const path = writeProgram('syntax.py', 'x = 1\ny = (2 +\nprint(x y)\n');
    const result = await runtime.run({ file: path });
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('SyntaxError');
    const traceback = result.error?.traceback ?? '';
    expect(traceback).toMatch(new RegExp(`File "${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", line \\d+\\n`));
    expect(traceback).toMatch(/\n\s+\^+\n/);
    expect(traceback.trimEnd().split('\n').at(-1)).toMatch(/^SyntaxError: /);
    expect(traceback).not.toContain('Traceback (most recent call last)');
    expect(result.error?.loc?.file).toBe(path);
    expect([2, 3]).toContain(result.error?.loc?.line);
  }, 120_000);

  it('gives every run a fresh __main__ and fresh user-facing packages', async () => {
    const first = await runFile(
      'state1.py',
      'leftover = 1\nimport matplotlib, os, sys\nmatplotlib.marker = "set by run 1"\nsys.path.append("/run1")\nos.environ["RUN1"] = "1"\nprint(__name__)\n',
    );
    expect(first.stdout).toBe('__main__\n');
    const second = await runFile(
      'state2.py',
      'import matplotlib, os, sys\nprint("leftover" in globals(), "marker" in vars(matplotlib), __file__.endswith("state2.py"), "/run1" in sys.path, "RUN1" in os.environ)\n',
    );
    expect(second.stdout).toBe('False False True False False\n');
  }, 120_000);

  it('stops an infinite loop at the time limit, and the next run is still warm', async () => {
    const result = await runFile('loop.py', 'print("looping")\nwhile True:\n    pass\n', { timeLimitMs: 1500 });
    const elapsed = result.durationMs - (result.coldStartMs ?? 0);
    expect(result.status).toBe('timeout');
    expect(result.stdout).toBe('looping\n');
    expect(result.stderr).toContain('time limit of 1.5 s was exceeded');
    expect(result.error?.loc?.line).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(10_000); // (generous: a loaded 2-core machine)

    const next = await runFile('after.py', 'print("still alive")\n');
    expect(next.status).toBe('ok');
    expect(next.stdout).toBe('still alive\n');
    expect(next.coldStartMs).toBeUndefined(); // the KeyboardInterrupt kept the interpreter
    expect(next.durationMs).toBeLessThan(1000);
  }, 120_000);

  it('interrupts time.sleep at the time limit without killing the interpreter', async () => {
    const result = await runFile('sleepy.py', 'import time\ntime.sleep(0.2)\nprint("awake")\ntime.sleep(60)\n', { timeLimitMs: 1000 });
    expect(result.status).toBe('timeout');
    expect(result.stdout).toBe('awake\n');
    expect(result.error?.loc?.line).toBe(4);
    const next = await runFile('after_sleep.py', 'print("warm")\n');
    expect(next).toMatchObject({ status: 'ok', stdout: 'warm\n' });
    expect(next.coldStartMs).toBeUndefined();
  }, 120_000);

  it('waits for a run whose KeyboardInterrupt reached the runner, however slowly it then ends', async () => {
    // The interrupt leaves the user's code after 1 s; turning the exception into text then takes
    // 2.5 s (as a traceback can on a loaded machine): longer than the 1 s grace before a kill. The
    // runner has told the host the run is ending, so it is not killed and keeps its location.
    const patient = new TapescopeRuntime({ workerPath: bundles.worker, snapshotDir, interruptGraceMs: 1000 });
    try {
      const program = [
        'import time',
        'class SlowToSay:',
        '    def __str__(self):',
        '        end = time.monotonic() + 2.5',
        '        while time.monotonic() < end:',
        '            pass',
        "        return 'stopped'",
        'try:',
        '    while True:',
        '        pass',
        'except KeyboardInterrupt:',
        '    raise KeyboardInterrupt(SlowToSay())',
        '',
      ].join('\n');
      const result = await patient.run({ file: writeProgram('slow_to_say.py', program), timeLimitMs: 1000 });
      expect(result.status).toBe('timeout');
      expect(result.error?.loc?.line).toBe(12);
      const next = await patient.run({ file: writeProgram('after_slow.py', 'print("warm")\n') });
      expect(next).toMatchObject({ status: 'ok', stdout: 'warm\n' });
      expect(next.coldStartMs).toBeUndefined();
    } finally {
      await patient.dispose();
    }
  }, 120_000);

  it('kills a program that swallows the interrupt, and starts a fresh Python next time', async () => {
    const stubborn = 'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        print("ignored")\n';
    const started = performance.now();
    const result = await runFile('stubborn.py', stubborn, { timeLimitMs: 1000 });
    expect(result.status).toBe('timeout');
    expect(result.stdout).toContain('ignored'); // the interrupt came first, then the kill
    expect(performance.now() - started).toBeLessThan(10_000);

    const next = await runFile('after_kill.py', 'print(1 + 1)\n');
    expect(next.status).toBe('ok');
    expect(next.stdout).toBe('2\n');
    expect(next.coldStartMs).toBeGreaterThan(0);
  }, 120_000);

  it('cancels a running program', async () => {
    outputEvents = [];
    const pending = runtime.run({ file: writeProgram('cancel.py', 'print("go", flush=True)\nwhile True: pass\n') });
    // Cancel once the program is really running (its first line arrived).
    while (!outputEvents.some((event) => event.text.includes('go'))) await new Promise((r) => setTimeout(r, 20));
    const queued = runtime.run({ file: writeProgram('queued.py', 'print("queued ran")\n') });
    runtime.cancel();
    const result = await pending;
    expect(result.status).toBe('cancelled');
    // A run queued behind the cancelled one is dropped too, without running.
    expect(await queued).toMatchObject({ status: 'cancelled', stdout: '' });
    const next = await runFile('after_cancel.py', 'print("ok")\n');
    expect(next.stdout).toBe('ok\n');
  }, 120_000);

  it('survives the worker dying under a program, with a clear error', async () => {
    const result = await runFile('crash.py', 'import js\njs.process.exit(3)\n');
    expect(result.status).toBe('error');
    expect(result.error?.message).toMatch(/Python worker stopped unexpectedly \(exit code 3\)/);
    const next = await runFile('after_crash.py', 'print("fresh")\n');
    expect(next.stdout).toBe('fresh\n');
  }, 120_000);

  it('turns sys.exit into an exit code, and input() into EOFError', async () => {
    const exitThree = await runFile('exit3.py', 'import sys\nprint("bye")\nsys.exit(3)\nprint("not reached")\n');
    expect(exitThree).toMatchObject({ status: 'error', exitCode: 3, stdout: 'bye\n' });
    const exitZero = await runFile('exit0.py', 'import sys\nsys.exit(0)\n');
    expect(exitZero).toMatchObject({ status: 'ok', exitCode: 0 });
    const reading = await runFile('input.py', 'input("name? ")\n');
    expect(reading.error?.type).toBe('EOFError');
  }, 120_000);

  it('imports matplotlib.pyplot, and an unsupported plotting call names itself', async () => {
    const result = await runFile('plot.py', 'import matplotlib.pyplot as plt\nprint("imported")\nplt.plot([1, 2], [3, 4])\n');
    expect(result.stdout).toBe('imported\n');
    expect(result.error?.type).toBe('NotImplementedError');
    expect(result.error?.message).toContain('matplotlib.pyplot.plot() is not supported by Tapescope');
    expect(result.error?.loc?.line).toBe(3);
  }, 120_000);

  it('passes non-ASCII text and a final line without newline through unchanged', async () => {
    // (With a byte order mark, as some Windows editors save files.)
    const result = await runFile('unicode.py', '\uFEFFprint("héllo ✓ 日本", end=" ")\r\nprint("€", end="")\r\n');
    expect(result.stdout).toBe('héllo ✓ 日本 €');
  }, 120_000);

  it('reports a worker that cannot start as an error result', async () => {
    const broken = new TapescopeRuntime({ workerPath: join(workDir, 'no-such-worker.js') });
    const result = await broken.run({ file: writeProgram('any.py', 'print(1)\n') });
    await broken.dispose();
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('WorkerCrash');
    expect(result.error?.message).toContain('no-such-worker.js');
  }, 120_000);

  it('reports a missing file as an error result, not a thrown error', async () => {
    const result = await runtime.run({ file: join(workDir, 'does-not-exist.py') });
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('FileNotFoundError');
  });
});

describe('the interpreter snapshot cache', () => {
  it('restores later cold starts from the snapshot, and survives a damaged one', async () => {
    // The shared runtime's first cold start made the snapshot.
    const [snapshot] = readdirSync(snapshotDir).filter((name) => name.endsWith('.snapshot'));
    expect(snapshot).toMatch(/^pyodide-314\.0\.7-[0-9a-f]{16}\.snapshot$/);
    const program = writeProgram('snap.py', 'import json\nprint(json.dumps({"ok": True}))\n');

    const messages: string[] = [];
    const restored = new TapescopeRuntime({ workerPath: bundles.worker, snapshotDir, onProgress: (m) => messages.push(m) });
    const first = await restored.run({ file: program });
    await restored.dispose();
    expect(first).toMatchObject({ status: 'ok', stdout: '{"ok": true}\n' });
    expect(messages.some((m) => m.includes('restored from the snapshot cache'))).toBe(true);

    writeFileSync(join(snapshotDir, snapshot), 'not a memory snapshot');
    const messagesAfterDamage: string[] = [];
    const recovering = new TapescopeRuntime({ workerPath: bundles.worker, snapshotDir, onProgress: (m) => messagesAfterDamage.push(m) });
    const second = await recovering.run({ file: program });
    await recovering.dispose();
    expect(second).toMatchObject({ status: 'ok', stdout: '{"ok": true}\n' });
    expect(messagesAfterDamage.some((m) => m.includes('restored from the snapshot cache'))).toBe(false);
    // ...and a good snapshot was written again for the next time.
    expect(statSync(join(snapshotDir, snapshot)).size).toBeGreaterThan(1_000_000);
  }, 120_000);
});

describe('the engine binding', () => {
  const addProgram = 'import _tapescope_engine as E\nE.add(1.0, 2.0)\nE.multiply(3.0, 4.0)\n';

  it("returns each run's trace from a fresh engine, and none with trace: false", async () => {
    const path = writeProgram('engine_ops.py', addProgram);
    const first = await runtime.run({ file: path });
    expect(first.status).toBe('ok');
    expect(first.trace?.program).toEqual({ file: path, language: 'python' });
    expect(first.trace?.ops.map((op) => [op.id, op.type])).toEqual([
      [1, 'AddV2'],
      [2, 'Mul'],
    ]);
    const second = await runtime.run({ file: path });
    // Ids restart: the second run did not inherit the first run's engine.
    expect(second.trace?.ops.map((op) => op.id)).toEqual([1, 2]);
    const untraced = await runtime.run({ file: path, trace: false });
    expect(untraced.status).toBe('ok');
    expect(untraced.trace).toBeUndefined();
  }, 120_000);

  it('passes the tensor size cap and the snapshot limit to the engine', async () => {
    const program = [
      'import _tapescope_engine as E',
      'from pyodide.ffi import to_js',
      'print(E.options.maxTensorElements, E.options.snapshotLimit)',
      'E.fill(to_js([3]), 1.0)',
      '',
    ].join('\n');
    const result = await runFile('limits.py', program, { maxTensorElements: 1000, snapshotLimit: 2 });
    expect(result.stdout).toBe('1000 2\n');
    expect(result.trace?.limits.snapshotLimit).toBe(2);
    // A 3-element tensor is over the snapshot limit of 2: summarised, not kept whole.
    const filled = result.trace?.tensors.at(-1);
    expect(filled?.shape).toEqual([3]);
    expect(filled?.value.values).toBeUndefined();
    expect(filled?.value.summary?.count).toBe(3);
  }, 120_000);
});

describe('running notebooks', () => {
  function notebook(cells: { type?: 'code' | 'markdown'; source: string | string[] }[]): string {
    return JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: cells.map((cell) => ({ cell_type: cell.type ?? 'code', metadata: {}, source: cell.source, outputs: [] })),
    });
  }

  it('runs code cells in order in one interpreter and displays final expressions as IPython does', async () => {
    const text = notebook([
      { type: 'markdown', source: '# A notebook' },
      { source: ['%matplotlib inline\n', 'x = 3.0\n', 'x * 2'] },
      { source: ["print('names')\n", "['x0:0']"] },
      { source: 'y = x;\ny;' },
      { source: 'print(x)\ndisplay({"k": 1}, int)\nNone' },
      { source: 'list(range(30))' },
    ]);
    const result = await runFile('nb.ipynb', text);
    expect(result.status).toBe('ok');
    expect(result.cells?.map((cell) => cell.index)).toEqual([1, 2, 3, 4, 5]);
    const [c1, c2, c3, c4, c5] = result.cells ?? [];
    expect(c1).toMatchObject({ display: '6.0', stdout: '' });
    expect(c1.stderr).toContain('skipped the IPython magic `%matplotlib inline` (cell 1, line 1)');
    expect(c2).toMatchObject({ stdout: 'names\n', display: "['x0:0']" });
    expect(c3.display).toBeUndefined(); // a trailing semicolon hides the value
    expect(c4).toMatchObject({ stdout: "3.0\n{'k': 1}\nint\n" }); // IPython's display() is available
    expect(c4.display).toBeUndefined(); // None is not displayed
    expect(c5.display).toBe(`[${Array.from({ length: 30 }, (_, i) => i).join(',\n ')}]`);
    expect(result.stdout).toBe(`6.0\nnames\n['x0:0']\n3.0\n{'k': 1}\nint\n${c5.display}\n`);
    // Streamed output carries the cell index.
    expect(outputEvents.find((event) => event.text.includes('names'))?.cell).toBe(2);
  }, 120_000);

  it('locates an error in the cell, and stops at the failing cell', async () => {
    const text = notebook([
      { source: 'def f(v):\n    return v.missing\n' },
      { type: 'markdown', source: 'text' },
      { source: 'print("before")\nf(1)' },
      { source: 'print("not run")' },
    ]);
    const path = writeProgram('failing.ipynb', text);
    const result = await runtime.run({ file: path });
    expect(result.status).toBe('error');
    expect(result.stdout).toBe('before\n');
    expect(result.cells?.map((cell) => cell.index)).toEqual([0, 2]);
    expect(result.error?.type).toBe('AttributeError');
    expect(result.error?.loc).toMatchObject({ file: `${path}#cell0`, line: 2 });
    expect(result.error?.traceback).toContain(`File "${path}#cell2", line 2, in <module>\n    f(1)\n`);
    expect(result.error?.traceback).toContain(`File "${path}#cell0", line 2, in f\n    return v.missing\n`);
    expect(result.cells?.[1].error?.type).toBe('AttributeError');
    expect(result.cells?.[1].stderr).toContain("AttributeError: 'int' object has no attribute 'missing'");
  }, 120_000);

  it('runs only the cells up to uptoCell', async () => {
    const text = notebook([{ source: 'print(0)' }, { source: 'print(1)' }, { source: 'print(2)' }]);
    const result = await runFile('upto.ipynb', text, { uptoCell: 1 });
    expect(result.stdout).toBe('0\n1\n');
  }, 120_000);

  it('rejects a notebook with invalid JSON, naming the file', async () => {
    const result = await runFile('broken.ipynb', '{"cells": [');
    expect(result.status).toBe('error');
    expect(result.error?.type).toBe('NotebookFormatError');
    expect(result.error?.message).toMatch(/^broken\.ipynb is not a valid notebook: invalid JSON/);
    expect(result.stderr).toContain('broken.ipynb');
  });
});
