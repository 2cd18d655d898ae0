/**
 * Writes the standalone tape view: one offline HTML file holding the view bundle, the layout worker's
 * source, the trace (and optionally the program text). Pure string work (no DOM, no Node APIs), so the
 * CLI calls it with the bundle texts it read from dist/:
 *
 *   renderStandaloneHtml(trace, { title, sourceText, viewScript: dist/webview.js text,
 *                                 workerScript: dist/layout-worker.js text })
 *
 * Content Security Policy: nothing remote; scripts only by nonce; styles only by nonce (the view injects
 * its stylesheet with its script's nonce); the layout worker from a blob; images (PNG export) from blob/data.
 */
import type { Trace } from '../src/trace/types';

export interface StandaloneOptions {
  title: string;
  /** Contents of dist/webview.js. */
  viewScript: string;
  /** Contents of dist/layout-worker.js. */
  workerScript: string;
  /** The program's text, so the page can show the line a step or a selection reveals. */
  sourceText?: string;
  /** A fixed nonce (tests); otherwise one is derived from the content. */
  nonce?: string;
}

/** Escapes text for a double-quoted HTML attribute or an element body. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * Makes text safe inside a <script> element: a `</script` (any case) or `<!--` would end or confuse the
 * element. In JavaScript, `<\/` means the same as `</` inside strings, regexes and comments.
 */
export function escapeScriptText(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON for a <script type="application/json"> element: `<` as \u003c keeps `</script>` out; still valid JSON. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A nonce from the page's content (FNV-1a over it, plus the length): unique per page, no RNG needed. */
function contentNonce(...parts: string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const part of parts) {
    for (let i = 0; i < part.length; i += 7) {
      const c = part.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ (c + i), 0x5bd1e995) >>> 0;
    }
  }
  return `${h1.toString(36)}${h2.toString(36)}${parts.reduce((n, p) => n + p.length, 0).toString(36)}`;
}

/** Drops `//# sourceMappingURL=` comments: the page is one file, the maps are not next to it. */
function stripSourceMap(script: string): string {
  return script.replace(/\/\/# sourceMappingURL=[^\n]*\s*$/, '');
}

export function renderStandaloneHtml(trace: Trace, options: StandaloneOptions): string {
  const traceJson = embedJson(trace);
  const nonce = options.nonce ?? contentNonce(traceJson, options.title, options.sourceText ?? '');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'worker-src blob:',
    'img-src blob: data:',
    'font-src data:',
  ].join('; ');
  // The JSON elements are never executed; the view reads them (trace, program text, worker source).
  // Program text and worker source are JSON strings, so they come back exactly, whatever they contain.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tapescope">
<title>${escapeHtml(options.title)}</title>
</head>
<body>
<div id="tapescope-app"></div>
<script type="application/json" id="tapescope-trace">${traceJson}</script>
${options.sourceText !== undefined ? `<script type="application/json" id="tapescope-source">${embedJson(options.sourceText)}</script>\n` : ''}<script type="application/json" id="tapescope-layout-worker">${embedJson(stripSourceMap(options.workerScript))}</script>
<script nonce="${nonce}">${escapeScriptText(stripSourceMap(options.viewScript))}</script>
</body>
</html>
`;
}
