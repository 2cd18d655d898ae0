/**
 * `--html`: a standalone page of the tape view for a trace. The page writer belongs to the view
 * (webview/standalone.ts); until it lands, asking for HTML is a clear error rather than a page
 * that does not work.
 */
import type { Trace } from '../trace/types';

export interface StandalonePageInfo {
  /** The program the trace came from (shown in the page title). */
  programFile: string;
}

/** Whether this build can write HTML pages (checked before running, so a run is not wasted). */
export const htmlAvailable = false;

export function renderHtmlPage(_trace: Trace, _info: StandalonePageInfo): string {
  throw new Error('--html is not available yet: the tape view (webview/standalone.ts) has not landed in this build');
}
