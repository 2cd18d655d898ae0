// Integration tests in VS Code itself (Electron) with @vscode/test-electron: `npm run test:vscode`.
// Bundles the mocha suite of test/extension/integration/ and hands it to `runTests`. VS Code is
// taken from VSCODE_EXECUTABLE, from an earlier download in .vscode-test/, or downloaded; when none
// of these is possible (downloads are opt-in with TAPESCOPE_VSCODE_DOWNLOAD=1; CI has none) it says so
// and exits 0 without running anything: the same checks run in code-server (test/e2e/).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out', 'integration');
const skip = (why) => {
  console.log(`SKIPPED VS Code (Electron) integration tests: ${why}`);
  console.log('The same behaviour is tested in a real VS Code workbench by the code-server e2e test (npm run test:e2e).');
  process.exit(0);
};

/**
 * Downloading VS Code is opt-in (TAPESCOPE_VSCODE_DOWNLOAD=1): tests must not reach hosts other than
 * the package registries, so by default only a VS Code already on this machine is used.
 */
function downloadAllowed() {
  return process.env.TAPESCOPE_VSCODE_DOWNLOAD === '1';
}

function cachedExecutable() {
  const cache = join(root, '.vscode-test');
  if (!existsSync(cache)) return undefined;
  for (const entry of readdirSync(cache)) {
    const candidate = join(cache, entry, 'code');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE || cachedExecutable();
if (vscodeExecutablePath && !existsSync(vscodeExecutablePath)) skip(`VSCODE_EXECUTABLE=${vscodeExecutablePath} does not exist`);
if (!vscodeExecutablePath && !downloadAllowed()) {
  skip('no VS Code build found: set VSCODE_EXECUTABLE to a VS Code executable, or TAPESCOPE_VSCODE_DOWNLOAD=1 to let @vscode/test-electron download one');
}
if (!process.env.DISPLAY && spawnSync('which', ['xvfb-run']).status !== 0) {
  skip('VS Code (Electron) needs a display: no $DISPLAY and no xvfb-run');
}

const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'test/extension/integration/index.ts'), join(root, 'test/extension/integration/extension.itest.ts')],
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
// A scratch copy of the examples, so runs and saves never touch the repo's files.
const workspace = join(root, 'out', 'integration-workspace');
rmSync(workspace, { recursive: true, force: true });
cpSync(join(root, 'examples'), workspace, { recursive: true });

const { runTests } = await import('@vscode/test-electron');
try {
  await runTests({
    ...(vscodeExecutablePath ? { vscodeExecutablePath } : { version: 'stable' }),
    extensionDevelopmentPath: root,
    extensionTestsPath: join(out, 'index.js'),
    extensionTestsEnv: { TAPESCOPE_TEST_WORKSPACE: workspace },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (error) {
  console.error('VS Code integration tests failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
