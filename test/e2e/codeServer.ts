/**
 * Harness for the end-to-end tests: a real VS Code (code-server: VS Code's workbench and extension
 * host, from npm) with the packaged Tapescope .vsix installed, in fresh user-data / extensions /
 * config / XDG / TMPDIR folders, started in its own process group and stopped by killing the group
 * (its file watcher and extension host outlive a kill of the parent alone).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const e2eRoot = process.env.E2E_ROOT ?? join(repoRoot, '.e2e');

export interface E2eEnvironment {
  codeServer: string;
  codeServerVersion: string;
  node24: string;
  playwrightCore: string;
  chromium: string;
}

export type SetupResult = { ok: true; env: E2eEnvironment; seconds: number } | { ok: false; reason: string };

/** Runs scripts/e2e-setup.sh (idempotent; minutes on a fresh machine, <1 s when installed). */
export function runSetup(): SetupResult {
  const started = Date.now();
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'e2e-setup.sh')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, E2E_ROOT: e2eRoot },
    timeout: 20 * 60_000,
  });
  const seconds = (Date.now() - started) / 1000;
  if (r.status === 3) {
    const file = join(e2eRoot, 'setup-unavailable.txt');
    return { ok: false, reason: existsSync(file) ? readFileSync(file, 'utf8').trim() : 'e2e-setup.sh reported it cannot install' };
  }
  if (r.status !== 0) {
    throw new Error(`scripts/e2e-setup.sh failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ok: true, env: JSON.parse(readFileSync(join(e2eRoot, 'env.json'), 'utf8')) as E2eEnvironment, seconds };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Fresh folders for one run of code-server; everything it and Chromium write stays in here. */
export interface RunFolders {
  root: string;
  userData: string;
  extensions: string;
  config: string;
  workspace: string;
  tmp: string;
  xdg: Record<'XDG_CONFIG_HOME' | 'XDG_DATA_HOME' | 'XDG_CACHE_HOME' | 'XDG_STATE_HOME', string>;
  browserProfile: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * This process's scratch folder under .e2e/runs/ (named with the pid, so two test runs at once, e.g.
 * `npm test` and `npm run test:e2e`, never share folders); folders of finished processes are removed.
 */
export function runsDir(): string {
  const runs = join(e2eRoot, 'runs');
  mkdirSync(runs, { recursive: true });
  for (const entry of readdirSync(runs)) {
    const pid = /^pid-(\d+)$/.exec(entry)?.[1];
    if (pid && Number(pid) !== process.pid && !processAlive(Number(pid))) rmSync(join(runs, entry), { recursive: true, force: true });
  }
  const mine = join(runs, `pid-${process.pid}`);
  mkdirSync(mine, { recursive: true });
  return mine;
}

export function makeRunFolders(name: string, settings: Record<string, unknown>): RunFolders {
  const root = join(runsDir(), name);
  rmSync(root, { recursive: true, force: true });
  const f: RunFolders = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    config: join(root, 'config.yaml'),
    workspace: join(root, 'workspace'),
    tmp: join(root, 'tmp'),
    xdg: {
      XDG_CONFIG_HOME: join(root, 'xdg', 'config'),
      XDG_DATA_HOME: join(root, 'xdg', 'data'),
      XDG_CACHE_HOME: join(root, 'xdg', 'cache'),
      XDG_STATE_HOME: join(root, 'xdg', 'state'),
    },
    browserProfile: join(root, 'chromium-profile'),
  };
  for (const dir of [f.userData, f.extensions, f.workspace, f.tmp, f.browserProfile, ...Object.values(f.xdg)]) {
    mkdirSync(dir, { recursive: true });
  }
  mkdirSync(join(f.userData, 'User'), { recursive: true });
  writeFileSync(join(f.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  writeFileSync(f.config, 'auth: none\ncert: false\n');
  return f;
}

function processEnv(env: E2eEnvironment, folders: RunFolders): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // code-server needs Node 24 first on PATH.
    PATH: `${dirname(env.node24)}${delimiter}${process.env.PATH ?? ''}`,
    TMPDIR: folders.tmp,
    ...folders.xdg,
  };
}

function codeServerArgs(folders: RunFolders): string[] {
  return ['--config', folders.config, '--user-data-dir', folders.userData, '--extensions-dir', folders.extensions];
}

export function installExtension(env: E2eEnvironment, folders: RunFolders, vsix: string): string {
  const r = spawnSync(env.codeServer, [...codeServerArgs(folders), '--install-extension', vsix], {
    encoding: 'utf8',
    env: processEnv(env, folders),
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension failed: ${r.stdout}\n${r.stderr}`);
  const list = spawnSync(env.codeServer, [...codeServerArgs(folders), '--list-extensions', '--show-versions'], {
    encoding: 'utf8',
    env: processEnv(env, folders),
    timeout: 60_000,
  });
  return list.stdout.trim();
}

export interface RunningCodeServer {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts code-server via `setsid` (its own session and process group) and waits for /healthz. */
export async function startCodeServer(
  env: E2eEnvironment,
  folders: RunFolders,
  options: { workspaceTrust?: boolean } = {},
): Promise<RunningCodeServer> {
  const port = await freePort();
  const logFile = join(folders.root, 'code-server.log');
  const log = createWriteStream(logFile);
  const args = [
    env.codeServer,
    ...codeServerArgs(folders),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    folders.workspace,
  ];
  // Spawned non-detached, `setsid` is not a group leader, so it calls setsid() and execs code-server
  // in place: the child's pid is code-server's pid and also its process-group id.
  const child: ChildProcess = spawn('setsid', args, { env: processEnv(env, folders), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid!;
  let exited = false;
  child.once('exit', () => (exited = true));

  const stop = async (): Promise<void> => {
    const group = -pid;
    const alive = () => spawnSync('pgrep', ['-g', String(pid)]).status === 0;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 250));
    if (alive()) {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
    log.end();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`code-server exited at start; log:\n${readFileSync(logFile, 'utf8')}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, port, pid, logFile, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`code-server did not answer /healthz within 60 s; log:\n${readFileSync(logFile, 'utf8')}`);
}

/** True when no process of the group is left. */
export function groupGone(pid: number): boolean {
  return spawnSync('pgrep', ['-g', String(pid)]).status !== 0;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * True when the bundles in dist/ are newer than every source file. Then packaging skips the build:
 * under `npm test` the build has just run, and rebuilding while other suites read dist/ would race.
 */
export function distIsFresh(): boolean {
  const outputs = ['extension.js', 'worker.js', 'webview.js', 'layout-worker.js'].map((f) => join(repoRoot, 'dist', f));
  if (!outputs.every(existsSync)) return false;
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const newestSource = Math.max(...['src', 'webview'].map((d) => newestMtime(join(repoRoot, d))));
  return oldestOutput >= newestSource;
}
