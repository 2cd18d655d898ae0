/**
 * The HTML of the Tapescope webview panel. Pure so its Content Security Policy is unit-tested:
 * no remote content, scripts only by nonce, the layout worker only from a blob the view makes
 * (it fetches the worker bundle from the extension's own dist folder), styles from the extension
 * or with the nonce.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlInput {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  /** Webview URIs (as strings) of the view bundle and its layout worker. */
  scriptUri: string;
  workerUri: string;
  nonce?: string;
  /** Shown until the view script has started (and if it never does). */
  title?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data: blob:`,
    // The view injects its stylesheet as a <style> carrying the script's nonce; d3 sets styles
    // through the CSSOM, which CSP does not restrict.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    'worker-src blob:',
    `connect-src ${cspSource}`,
  ].join('; ');
}

export function renderPanelHtml(input: PanelHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(input.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeAttribute(input.title ?? 'Tapescope')}</title>
</head>
<body data-host="vscode">
<div id="tapescope-app"><p class="tapescope-loading">Tapescope: loading the tape view…</p></div>
<!-- Inert (text/plain is never executed): the view fetches the layout worker from data-src and starts it from a blob. -->
<script type="text/plain" id="tapescope-layout-worker" data-src="${escapeAttribute(input.workerUri)}"></script>
<script nonce="${nonce}" src="${escapeAttribute(input.scriptUri)}"></script>
</body>
</html>`;
}
