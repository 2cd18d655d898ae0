/**
 * `--html`: a standalone page of the tape view for a trace. The page writer belongs to the view
 * (webview/standalone.ts); the CLI gives it the view's bundles, read from next to dist/cli.js.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Trace } from '../trace/types';
import { renderStandaloneHtml } from '../../webview/standalone';

export interface StandalonePageInfo {
  /** The program the trace came from (the page title, and its text for the source pane). */
  programFile: string;
  /** The program's text (a .py file); absent for notebooks, whose locations name cells. */
  sourceText?: string;
}

const VIEW_BUNDLE = 'webview.js';
const LAYOUT_WORKER_BUNDLE = 'layout-worker.js';

/** Why this build cannot write pages (the view's bundles are missing), or undefined when it can. */
export function htmlUnavailableReason(bundleDir: string = __dirname): string | undefined {
  for (const name of [VIEW_BUNDLE, LAYOUT_WORKER_BUNDLE]) {
    if (!existsSync(join(bundleDir, name))) return `${join(bundleDir, name)} is missing: run npm run build first`;
  }
  return undefined;
}

export function renderHtmlPage(trace: Trace, info: StandalonePageInfo, bundleDir: string = __dirname): string {
  return renderStandaloneHtml(trace, {
    title: `Tapescope: ${basename(info.programFile)}`,
    viewScript: readFileSync(join(bundleDir, VIEW_BUNDLE), 'utf8'),
    workerScript: readFileSync(join(bundleDir, LAYOUT_WORKER_BUNDLE), 'utf8'),
    sourceText: info.sourceText,
  });
}
