/**
 * Tapescope's VS Code entry point. Activation is cheap: it registers providers and commands; the
 * Python runtime (Pyodide in a worker thread) is created on the first run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TapescopeRuntime } from '../runtime/index';
import { findLensSites } from './lensFinder';
import type { RuntimeFactory } from './runController';
import { PANEL_VIEW_TYPE, TapescopeSession } from './session';
import { readSettings } from './settings';

let session: TapescopeSession | undefined;

/**
 * The runtime is created on the first run. Its cache of the loaded interpreter (much faster cold
 * starts) lives in the extension's global storage, not in the user's home.
 */
function runtimeFactory(context: vscode.ExtensionContext): RuntimeFactory {
  return (hooks) => {
    const snapshotDir = join(context.globalStorageUri.fsPath, 'python-cache');
    try {
      mkdirSync(snapshotDir, { recursive: true });
    } catch {
      return new TapescopeRuntime({ onOutput: hooks.onOutput, onProgress: hooks.onProgress, snapshotDir: false });
    }
    return new TapescopeRuntime({ onOutput: hooks.onOutput, onProgress: hooks.onProgress, snapshotDir });
  };
}

class GradientLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  constructor(private readonly s: TapescopeSession) {
    this.onDidChangeCodeLenses = s.onDidChangeLenses;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSettings().codeLensEnabled) return [];
    const trusted = vscode.workspace.isTrusted;
    const lenses = findLensSites(document.getText()).map((site) => {
      const range = new vscode.Range(site.line, site.character, site.line, site.character);
      const label = site.kind === 'gradient' ? 'Compute gradient' : 'Record tape';
      if (!trusted) {
        return new vscode.CodeLens(range, {
          title: `$(shield) ${label} — restricted mode: trust this workspace to run code`,
          tooltip: 'Tapescope runs your Python code, which it does only in a trusted workspace.',
          command: 'tapescope.explainRestricted',
        });
      }
      return new vscode.CodeLens(range, {
        title: label,
        tooltip:
          site.kind === 'gradient'
            ? `Run this file with Tapescope and show the tape of this ${site.method}() call`
            : 'Run this file with Tapescope and show what this tape recorded',
        command: site.kind === 'gradient' ? 'tapescope.computeGradient' : 'tapescope.recordTape',
        arguments: [document.uri, site.line],
      });
    });
    return [...lenses, ...this.s.iterationLenses(document)];
  }
}

async function documentFor(uri: unknown): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  if (typeof uri === 'string') return vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  return vscode.window.activeTextEditor?.document;
}

function lineArg(line: unknown): number {
  return typeof line === 'number' && Number.isInteger(line) && line >= 0 ? line : (vscode.window.activeTextEditor?.selection.active.line ?? 0);
}

export function activate(context: vscode.ExtensionContext): { session: TapescopeSession } {
  const output = vscode.window.createOutputChannel('Tapescope');
  const s = new TapescopeSession(context, output, runtimeFactory(context));
  session = s;
  const python: vscode.DocumentSelector = [{ language: 'python' }];
  const lensProvider = new GradientLensProvider(s);

  context.subscriptions.push(
    output,
    s,
    vscode.languages.registerCodeLensProvider(python, lensProvider),
    vscode.languages.registerHoverProvider(python, { provideHover: (doc, pos) => s.hover(doc, pos) }),
    vscode.commands.registerCommand('tapescope.computeGradient', async (uri?: unknown, line?: unknown) => {
      const document = await documentFor(uri);
      if (document) await s.runFrom(document, lineArg(line), 'gradient');
    }),
    vscode.commands.registerCommand('tapescope.recordTape', async (uri?: unknown, line?: unknown) => {
      const document = await documentFor(uri);
      if (document) await s.runFrom(document, lineArg(line), 'record');
    }),
    vscode.commands.registerCommand('tapescope.computeGradientAtCursor', () => s.computeGradientAtCursor()),
    vscode.commands.registerCommand('tapescope.runFile', () => s.runActiveFile()),
    vscode.commands.registerCommand('tapescope.showPanel', () => s.showPanel()),
    vscode.commands.registerCommand('tapescope.exportSvg', () => s.exportSvg()),
    vscode.commands.registerCommand('tapescope.exportJson', () => s.exportJson()),
    vscode.commands.registerCommand('tapescope.stopRun', () => s.stop()),
    vscode.commands.registerCommand('tapescope.explainRestricted', () => s.explainRestricted()),
    vscode.commands.registerCommand('tapescope.pickIteration', (doc?: unknown, line?: unknown) =>
      typeof doc === 'string' && typeof line === 'number' ? s.pickIteration(doc, line) : undefined,
    ),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => s.revivePanel(panel, state),
    }),
    vscode.workspace.onDidSaveTextDocument((d) => s.onSaved(d.uri)),
    vscode.workspace.onDidSaveNotebookDocument((nb) => s.onSaved(nb.uri)),
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (e.kind !== vscode.TextEditorSelectionChangeKind.Command) s.onCursor(e.textEditor);
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => s.refreshEditors()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => s.refreshLenses()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tapescope')) s.refreshLenses();
    }),
  );
  return { session: s };
}

export function deactivate(): void {
  session?.dispose();
  session = undefined;
}
