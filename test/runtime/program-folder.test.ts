/**
 * The program's own folder, as CPython gives it to `python script.py`: sibling modules import
 * (afresh each run), relative data files open, and code in those modules is user code (tracebacks,
 * op locations in the trace).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TapescopeRuntime } from '../../src/runtime/index';
import { type TestBundles, buildTestBundles } from './bundles';

let bundles: TestBundles;
let runtime: TapescopeRuntime;
let dir: string;

beforeAll(async () => {
  bundles = await buildTestBundles();
  dir = mkdtempSync(join(tmpdir(), 'tapescope-folder-'));
  runtime = new TapescopeRuntime({ workerPath: bundles.worker, snapshotDir: join(dir, '.snapshots'), interruptGraceMs: 4000 });
}, 120_000);

afterAll(async () => {
  await runtime?.dispose();
  bundles?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const MAIN = [
  'import tensorflow as tf',
  'import helpers',
  "with open('scale.txt') as f:",
  '    scale = float(f.read())',
  'x = tf.Variable(3.0)',
  'with tf.GradientTape() as tape:',
  '    y = helpers.model(x, scale)',
  'print(helpers.VERSION, tape.gradient(y, x).numpy())',
  '',
].join('\n');

it('imports modules next to the script, opens relative files, and re-imports edited modules', async () => {
  writeFileSync(join(dir, 'helpers.py'), "import tensorflow as tf\nVERSION = 'v1'\n\ndef model(x, scale):\n    return scale * x ** 2\n");
  writeFileSync(join(dir, 'scale.txt'), '2.0\n');
  writeFileSync(join(dir, 'main.py'), MAIN);
  const first = await runtime.run({ file: join(dir, 'main.py') });
  expect(first.stderr).toBe('');
  expect(first.stdout).toBe('v1 12.0\n');
  const pow = first.trace?.ops.find((op) => op.type === 'Pow');
  expect(pow?.loc?.file).toBe(join(dir, 'helpers.py'));
  expect(pow?.loc?.line).toBe(5);

  writeFileSync(join(dir, 'helpers.py'), "import tensorflow as tf\nVERSION = 'v2'\n\ndef model(x, scale):\n    return scale * x ** 3\n");
  const second = await runtime.run({ file: join(dir, 'main.py') });
  expect(second.stdout).toBe('v2 54.0\n');
}, 120_000);

it('shows frames of the sibling module in tracebacks', async () => {
  writeFileSync(join(dir, 'broken.py'), 'import tensorflow as tf\n\ndef bad():\n    return tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])\n');
  writeFileSync(join(dir, 'uses_broken.py'), 'import broken\nbroken.bad()\n');
  const result = await runtime.run({ file: join(dir, 'uses_broken.py') });
  expect(result.status).toBe('error');
  expect(result.error?.type).toBe('InvalidArgumentError');
  expect(result.error?.traceback).toContain(`File "${join(dir, 'broken.py')}", line 4, in bad`);
  expect(result.error?.loc?.file).toBe(join(dir, 'broken.py'));
}, 120_000);
