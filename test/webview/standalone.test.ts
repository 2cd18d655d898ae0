import { describe, expect, it } from 'vitest';
import { embedJson, escapeScriptText, renderStandaloneHtml } from '../../webview/standalone';
import { in14Trace } from './fixtures';

/** The text of the first <script> element with this id (up to the first `</script`). */
function scriptText(html: string, id: string): string {
  const start = html.indexOf(`id="${id}">`);
  expect(start).toBeGreaterThan(0);
  const from = start + `id="${id}">`.length;
  return html.slice(from, html.toLowerCase().indexOf('</script', from));
}

describe('standalone page writer', () => {
  const hostile = '</script><script>alert(1)</script><!-- \u2028';
  const trace = in14Trace();
  trace.tensors[0]!.name = hostile;
  const html = renderStandaloneHtml(trace, {
    title: 'In[14] <b>&',
    viewScript: 'console.log("</script>"); //# sourceMappingURL=webview.js.map',
    workerScript: 'self.x = "</SCRIPT >";\n//# sourceMappingURL=layout-worker.js.map\n',
    sourceText: `print("${hostile}")`,
    nonce: 'abc123',
  });

  it('embeds the trace, the program and the worker so that they parse back unchanged, whatever they hold', () => {
    expect(JSON.parse(scriptText(html, 'tapescope-trace'))).toEqual(trace);
    expect(JSON.parse(scriptText(html, 'tapescope-source'))).toBe(`print("${hostile}")`);
    expect(JSON.parse(scriptText(html, 'tapescope-layout-worker'))).toBe('self.x = "</SCRIPT >";\n');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('keeps every script element closed where it should be', () => {
    // Exactly four script elements: trace, source, worker, view; nothing inside them can close them.
    expect(html.match(/<script\b/gi)).toHaveLength(4);
    expect(html.match(/<\/script/gi)).toHaveLength(4);
    expect(escapeScriptText('a</script>b</SCRIPT>')).toBe('a<\\/script>b<\\/SCRIPT>');
    expect(embedJson({ s: '</script>' })).toBe('{"s":"\\u003c/script>"}');
  });

  it('has a CSP with no remote content, scripts and styles by nonce, the worker from a blob', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).toContain("style-src 'nonce-abc123'");
    expect(csp).toContain('worker-src blob:');
    expect(csp).not.toMatch(/https?:/);
    expect(html).toContain('<script nonce="abc123">');
    expect(html).toContain('<title>In[14] &lt;b&gt;&amp;</title>');
    expect(html).not.toContain('sourceMappingURL');
  });

  it('derives a nonce from the content when none is given', () => {
    const a = renderStandaloneHtml(in14Trace(), { title: 'a', viewScript: '', workerScript: '' });
    const b = renderStandaloneHtml(trace, { title: 'a', viewScript: '', workerScript: '' });
    const nonce = (page: string) => /script nonce="([^"]+)"/.exec(page)![1];
    expect(nonce(a)).toMatch(/^[a-z0-9]{8,}$/);
    expect(nonce(a)).not.toBe(nonce(b));
  });
});
