/**
 * The seed example through the runtime, against TensorFlow's real output: the script prints
 * exactly examples/gradient_tape_basics.expected, the notebook gives the outputs recorded in it
 * cell by cell, and a second run in the same warm interpreter prints the same (Keras' per-process
 * layer names restart: `dense`, not `dense_1`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TapescopeRuntime } from '../../src/runtime/index';
import { type TestBundles, buildTestBundles, repoRoot } from './bundles';

const script = join(repoRoot, 'examples', 'gradient_tape_basics.py');
const notebookPath = join(repoRoot, 'examples', 'gradient_tape_basics.ipynb');
const expected = readFileSync(join(repoRoot, 'examples', 'gradient_tape_basics.expected'), 'utf8');

let bundles: TestBundles;
let runtime: TapescopeRuntime;
let cacheDir: string;

beforeAll(async () => {
  bundles = await buildTestBundles();
  cacheDir = mkdtempSync(join(tmpdir(), 'tapescope-seed-'));
  runtime = new TapescopeRuntime({ workerPath: bundles.worker, snapshotDir: cacheDir });
}, 120_000);

afterAll(async () => {
  await runtime?.dispose();
  bundles?.remove();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }[];
}

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join('') : (text ?? ''));

describe('the seed example', () => {
  it('prints exactly what TensorFlow printed, twice in a row in one interpreter', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await runtime.run({ file: script });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('ok');
      expect(result.stdout).toBe(expected);
      expect(result.trace?.tapes.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('gives the notebook outputs recorded from TensorFlow, cell by cell', async () => {
    const notebook = JSON.parse(readFileSync(notebookPath, 'utf8')) as { cells: NotebookCell[] };
    const result = await runtime.run({ file: notebookPath });
    expect(result.error).toBeUndefined();
    const codeCells = notebook.cells.map((cell, index) => ({ cell, index })).filter(({ cell }) => cell.cell_type === 'code');
    expect(result.cells?.map((cell) => cell.index)).toEqual(codeCells.map(({ index }) => index));
    for (const { cell, index } of codeCells) {
      const outputs = cell.outputs ?? [];
      const printed = outputs.filter((o) => o.output_type === 'stream' && o.name === 'stdout').map((o) => joined(o.text)).join('');
      const shown = outputs.find((o) => o.output_type === 'execute_result')?.data?.['text/plain'];
      const actual = result.cells?.find((c) => c.index === index);
      expect(actual?.stdout, `cell ${index} stdout`).toBe(printed);
      expect(actual?.display, `cell ${index} display`).toBe(shown === undefined ? undefined : joined(shown));
    }
  }, 120_000);
});
