/// <reference types="mocha" />
/**
 * Integration tests in a real VS Code (Electron) through @vscode/test-electron. They need a VS Code
 * build; scripts/e2e-vscode-electron.mjs skips them (saying why) when none can be found or
 * downloaded. The same behaviour is checked in code-server by test/e2e/.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';

const workspace = process.env.TAPESCOPE_TEST_WORKSPACE ?? join(__dirname, '..', '..', 'examples');
const seed = vscode.Uri.file(join(workspace, 'gradient_tape_basics.py'));

interface ExtensionApi {
  session: { snapshot(): { hasPanel: boolean; runId: number; status?: string } };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

suite('Tapescope extension', () => {
  let api: ExtensionApi;
  let document: vscode.TextDocument;
  const gradientLine = () => document.getText().split('\n').findIndex((l) => l.includes('tape.gradient(y,[x0,x1,x2,x3,x4])'));

  suiteSetup(async () => {
    document = await vscode.workspace.openTextDocument(seed);
    await vscode.window.showTextDocument(document);
    const extension = vscode.extensions.getExtension<ExtensionApi>('tapescope.tapescope');
    assert.ok(extension, 'the extension is installed');
    api = await extension.activate();
  });

  test('activates lazily on a Python file', () => {
    assert.equal(vscode.extensions.getExtension('tapescope.tapescope')?.isActive, true);
    assert.equal(api.session.snapshot().runId, 0, 'nothing ran at activation');
  });

  test('offers "Compute gradient" and "Record tape" lenses on the right lines', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', seed);
    const titles = lenses.map((l) => `${l.range.start.line}:${l.command?.title}`);
    assert.ok(titles.includes(`${gradientLine()}:Compute gradient`), titles.join(', '));
    assert.ok(titles.some((t) => t.endsWith(':Record tape')));
  });

  test('Compute gradient runs the file and reports each None gradient as an Information diagnostic', async () => {
    await vscode.commands.executeCommand('tapescope.computeGradient', seed, gradientLine());
    await waitFor('the run to finish', () => api.session.snapshot().status);
    assert.equal(api.session.snapshot().status, 'ok');
    assert.equal(api.session.snapshot().hasPanel, true);
    const infos = vscode.languages
      .getDiagnostics(seed)
      .filter((d) => d.severity === vscode.DiagnosticSeverity.Information && d.range.start.line === gradientLine());
    assert.deepEqual(
      infos.map((d) => d.message.split(':')[0]),
      ['The gradient for x1 is None', 'The gradient for x2 is None', 'The gradient for x3 is None', 'The gradient for x4 is None'],
    );
  });
});
