/**
 * Helpers for the real-browser tests and the benchmark: write a standalone page for a trace and open
 * it in Debian's Chromium through playwright-core (never a downloaded browser).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { Trace } from '../../src/trace/types';
import { renderStandaloneHtml } from '../../webview/standalone';

export const CHROMIUM = '/usr/bin/chromium';
/** The repository root (this file's grandparent, or the working directory when bundled elsewhere). */
export const ROOT = existsSync(join(__dirname, '..', '..', 'package.json')) ? join(__dirname, '..', '..') : process.cwd();

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Bundles the view and its layout worker (like scripts/build.mjs does for dist/) into `outDir`, so the
 * browser tests do not depend on a full build of every other layer.
 */
export async function bundleView(outDir: string): Promise<void> {
  const { build } = await import('esbuild');
  for (const [entry, out] of [
    ['webview/main.ts', 'webview.js'],
    ['webview/layout-worker.ts', 'layout-worker.js'],
  ] as const) {
    await build({ entryPoints: [join(ROOT, entry)], outfile: join(outDir, out), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning', legalComments: 'none', minify: true });
  }
}

/** Writes the standalone page for a trace into `dir` and returns its path. */
export function writePage(dir: string, name: string, trace: Trace, sourceText?: string, distDir = join(ROOT, 'dist')): string {
  const viewScript = readFileSync(join(distDir, 'webview.js'), 'utf8');
  const workerScript = readFileSync(join(distDir, 'layout-worker.js'), 'utf8');
  const html = renderStandaloneHtml(trace, { title: `Tapescope: ${name}`, viewScript, workerScript, ...(sourceText !== undefined ? { sourceText } : {}) });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.html`);
  writeFileSync(path, html);
  return path;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Debian Chromium with a fresh temporary profile, removed on close. */
export async function launchChromium(viewport = { width: 1400, height: 800 }): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'tapescope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
