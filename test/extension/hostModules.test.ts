import { describe, expect, it } from 'vitest';
import { Debouncer, type TimerApi } from '../../src/extension/debounce';
import { contentSecurityPolicy, renderPanelHtml } from '../../src/extension/panelHtml';
import { RunController, type RunOutcome, type RunRequest, type RuntimeLike } from '../../src/extension/runController';
import { fileLocResolver, notebookJson, notebookLocResolver } from '../../src/extension/sourceMap';
import { cellFileName, parseCellFileName } from '../../src/runtime/notebook';

/** Timers driven by hand: `advance(ms)` fires what is due. */
function manualTimers(): TimerApi & { advance(ms: number): void } {
  let now = 0;
  let nextId = 0;
  const due = new Map<number, { at: number; cb: () => void }>();
  return {
    set(cb, ms) {
      const id = ++nextId;
      due.set(id, { at: now + ms, cb });
      return id;
    },
    clear(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...due]) if (t.at <= now) (due.delete(id), t.cb());
    },
  };
}

describe('Debouncer', () => {
  it('fires once after the last of a burst', () => {
    const timers = manualTimers();
    let calls = 0;
    const d = new Debouncer(400, () => calls++, timers);
    d.trigger();
    timers.advance(300);
    d.trigger();
    timers.advance(300);
    expect(calls).toBe(0);
    timers.advance(100);
    expect(calls).toBe(1);
    d.trigger();
    d.cancel();
    timers.advance(1000);
    expect(calls).toBe(1);
  });
});

describe('panel HTML', () => {
  const html = renderPanelHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    workerUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/layout-worker.js',
    nonce: 'abc123',
  });
  it('has a strict CSP: nonce scripts, blob workers, nothing remote', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    expect(csp).toBe(contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc123'));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).toContain('worker-src blob:');
    expect(csp).not.toMatch(/(unsafe-inline|unsafe-eval|\*)/);
    expect(csp).toContain("style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc123'");
    expect(csp).not.toContain('http:');
  });
  it('loads only the nonce-tagged view bundle and passes the worker URL', () => {
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    const executable = scripts.filter((attrs) => !attrs.includes('type="text/plain"'));
    expect(executable).toEqual([' nonce="abc123" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js"']);
    expect(html).toContain(
      '<script type="text/plain" id="tapescope-layout-worker" data-src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/layout-worker.js"></script>',
    );
    expect(html).toContain('<div id="tapescope-app">');
  });
});

function outcome(status: RunOutcome['status'], extra: Partial<RunOutcome> = {}): RunOutcome {
  return { status, stdout: '', stderr: '', durationMs: 1, ...extra };
}

/** A runtime whose runs finish when the test says so (or when cancelled). */
class FakeRuntime implements RuntimeLike {
  started: RunRequest[] = [];
  private finishers: ((o: RunOutcome) => void)[] = [];
  cancels = 0;
  disposed = false;
  run(request: RunRequest): Promise<RunOutcome> {
    this.started.push(request);
    return new Promise((resolve) => this.finishers.push(resolve));
  }
  finish(o: RunOutcome): void {
    this.finishers.shift()?.(o);
  }
  cancel(): void {
    this.cancels++;
    this.finish(outcome('cancelled'));
  }
  dispose(): void {
    this.disposed = true;
  }
}

describe('RunController', () => {
  const hooks = { onOutput: () => {}, onProgress: () => {} };

  it('creates the runtime lazily and is cold until the first run ends', async () => {
    let created = 0;
    const fake = new FakeRuntime();
    const c = new RunController(() => (created++, fake), hooks);
    expect(created).toBe(0);
    expect(c.isCold).toBe(true);
    const p = c.run({ file: '/a.py' });
    await Promise.resolve();
    expect(created).toBe(1);
    expect(c.isRunning).toBe(true);
    fake.finish(outcome('ok', { stdout: '6.0\n' }));
    expect(await p).toMatchObject({ status: 'ok', stdout: '6.0\n' });
    expect(c.isCold).toBe(false);
    expect(c.isRunning).toBe(false);
  });

  it('a new run stops the current one; of queued requests only the newest runs', async () => {
    const fake = new FakeRuntime();
    const c = new RunController(() => fake, hooks);
    const first = c.run({ file: '/a.py', source: '1' });
    await Promise.resolve();
    const second = c.run({ file: '/a.py', source: '2' });
    const third = c.run({ file: '/a.py', source: '3' });
    expect(await first).toMatchObject({ status: 'cancelled' });
    expect(await second).toEqual({ status: 'superseded' });
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.started.map((r) => r.source)).toEqual(['1', '3']);
    fake.finish(outcome('ok'));
    expect(await third).toMatchObject({ status: 'ok' });
  });

  it('stop() cancels only when something runs; dispose() disposes the runtime', async () => {
    const fake = new FakeRuntime();
    const c = new RunController(() => fake, hooks);
    expect(c.stop()).toBe(false);
    const p = c.run({ file: '/a.py' });
    await Promise.resolve();
    expect(c.stop()).toBe(true);
    expect(await p).toMatchObject({ status: 'cancelled' });
    c.dispose();
    expect(fake.disposed).toBe(true);
  });
});

describe('source maps', () => {
  it('maps a .py run by full path or bare name, 1-based to 0-based', () => {
    const r = fileLocResolver('/w/ex/seed.py', 'file:///w/ex/seed.py');
    expect(r({ file: '/w/ex/seed.py', line: 64 })).toEqual({ doc: 'file:///w/ex/seed.py', line: 63 });
    expect(r({ file: 'file:///w/ex/./seed.py', line: 1 })).toEqual({ doc: 'file:///w/ex/seed.py', line: 0 });
    expect(r({ file: 'seed.py', line: 2 })).toEqual({ doc: 'file:///w/ex/seed.py', line: 1 });
    expect(r({ file: '/other/seed.py', line: 2 })).toBeUndefined();
  });

  it("maps notebook cells by the runtime's own cell file names", () => {
    const cells = [
      { kind: 'markdown' as const, text: '# title', docKey: 'cell:0' },
      { kind: 'code' as const, text: 'x = 1\ny = 2', docKey: 'cell:1' },
    ];
    const r = notebookLocResolver('/w/nb.ipynb', cells);
    const name = cellFileName('/w/nb.ipynb', 1);
    expect(parseCellFileName(name)).toEqual({ notebook: '/w/nb.ipynb', cell: 1 });
    expect(r({ file: name, line: 2 })).toEqual({ doc: 'cell:1', line: 1 });
    expect(r({ file: cellFileName('/w/other.ipynb', 1), line: 2 })).toBeUndefined();
    expect(r({ file: '/w/nb.ipynb', line: 2 })).toBeUndefined();
    const json = JSON.parse(notebookJson(cells));
    expect(json.nbformat).toBe(4);
    expect(json.cells.map((c: { cell_type: string; source: string[] }) => [c.cell_type, c.source.join('')])).toEqual([
      ['markdown', '# title'],
      ['code', 'x = 1\ny = 2'],
    ]);
  });
});
