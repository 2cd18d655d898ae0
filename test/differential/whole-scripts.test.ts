/**
 * Whole-script differential test: every Python script in examples/ and test/**\/scripts/ is run by
 * real TensorFlow (all in one Python process, scripts/tf-oracle/run_scripts.py) and by our CLI
 * (`node bin/tapescope.js run FILE.py`, the way a user runs it), and the two stdouts must be equal,
 * as must the exit status (0, or 1 for an uncaught exception). TensorFlow 2.21's Keras 3 names
 * variables `kernel` where we print the Keras 2 names of the seed (`dense/kernel:0`): our output
 * is compared modulo that. Skips with a message when .tfenv or the built CLI is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { oracleUnavailable, outputDir, repoRoot, tfPython } from './oracle';

const run = promisify(execFile);
const cli = join(repoRoot, 'bin/tapescope.js');

/** examples/*.py and every test/**\/scripts/*.py. */
function findScripts(): string[] {
  const found: string[] = [];
  const walk = (dir: string, inScripts: boolean): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules') walk(path, inScripts || name === 'scripts');
      } else if (inScripts && name.endsWith('.py')) found.push(path);
    }
  };
  walk(join(repoRoot, 'examples'), true);
  walk(join(repoRoot, 'test'), false);
  return found.sort();
}

/** Keras 2's `sequential/dense/kernel:0` is printed by Keras 3 as `kernel`. */
const keras3Names = (text: string): string => text.replace(/([A-Za-z_0-9]+\/)+(kernel|bias):0/g, '$2');

interface ScriptResult {
  file: string;
  stdout: string;
  status: number;
  error: string | null;
}

async function runOurs(file: string): Promise<{ stdout: string; status: number; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'run', file, '--no-trace'], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    return { stdout, status: 0, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', status: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? String(err) };
  }
}

/** Runs `jobs` with at most `limit` at once (two cores here). */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

const unavailable = oracleUnavailable() ?? (existsSync(join(repoRoot, 'dist/cli.js')) ? undefined : 'dist/cli.js is not built (npm run build)');
if (unavailable) console.warn(`[whole-scripts] skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('whole scripts: our CLI prints what real TensorFlow prints', () => {
  const scripts = findScripts();

  it(`${scripts.length} scripts from examples/ and test/**/scripts/`, async () => {
    expect(scripts.length).toBeGreaterThan(0);
    mkdirSync(outputDir, { recursive: true });
    const resultsFile = join(outputDir, 'whole-scripts.tf-results.json');
    const [tf, ours] = await Promise.all([
      run(tfPython, [join(repoRoot, 'scripts/tf-oracle/run_scripts.py'), '--out', resultsFile, ...scripts], {
        encoding: 'utf8',
        timeout: 180_000,
        maxBuffer: 64 << 20,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
      }).then(() => (JSON.parse(readFileSync(resultsFile, 'utf8')) as { results: ScriptResult[] }).results),
      pool(scripts.map((file) => () => runOurs(file)), 2),
    ]);
    const mismatches: string[] = [];
    scripts.forEach((file, i) => {
      const name = relative(repoRoot, file);
      const want = tf[i];
      const got = ours[i];
      if (got.status !== want.status) {
        mismatches.push(`${name}: exit status ${got.status}, TensorFlow's ${want.status} (${want.error ?? 'no error'}; ours: ${got.stderr.trim().split('\n').pop()})`);
      }
      if (keras3Names(got.stdout) !== want.stdout) {
        const a = want.stdout.split('\n');
        const b = keras3Names(got.stdout).split('\n');
        const line = a.findIndex((l, j) => l !== b[j]);
        mismatches.push(`${name}: stdout differs at line ${line + 1}: TensorFlow ${JSON.stringify(a[line])}, ours ${JSON.stringify(b[line])}`);
      }
    });
    console.log(`[whole-scripts] ${scripts.length} scripts, ${mismatches.length} differences`);
    expect(mismatches).toEqual([]);
  }, 240_000);
});
