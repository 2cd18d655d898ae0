/**
 * One window's Tapescope session: runs (through the RunController), the panel, and what a run
 * leaves in the editor. The decisions live in the pure modules (lensFinder, traceInsights,
 * sourceMap, runController); this file wires them to VS Code.
 */
import * as vscode from 'vscode';
import type { HostToView, ViewFocus, ViewToHost } from '../protocol/messages';
import { findLensSites } from './lensFinder';
import { EditorFeedback } from './editorFeedback';
import { PANEL_VIEW_TYPE, TapePanel } from './panel';
import { RunController, type RunOutcome, type RunRequest, type RuntimeFactory } from './runController';
import { fileLocResolver, notebookJson, notebookLocResolver, type NotebookCellInput } from './sourceMap';
import { TraceInsights, type LocResolver } from './traceInsights';
import { Debouncer } from './debounce';
import { readSettings } from './settings';

/** What to run: a `.py` file, or a notebook's cells up to one of them. */
interface RunTarget {
  file: string;
  /** URI of the .py document or of the notebook (saves of it trigger re-runs). */
  ownerUri: string;
  /** Every document the run's locations can land in (the file, or the notebook's cells). */
  docKeys: string[];
  resolver: LocResolver;
  request: RunRequest;
}

/** Where the user asked from: the document and line of the lens (or cursor). */
interface Anchor {
  doc: string;
  line: number;
  kind: 'gradient' | 'record' | 'file';
}

interface LastRun {
  target: RunTarget;
  anchor: Anchor;
  outcome: RunOutcome;
  insights?: TraceInsights;
  runId: number;
}

const LAST_TARGET_KEY = 'tapescope.lastTarget';

export class TapescopeSession implements vscode.Disposable {
  private readonly controller: RunController;
  private readonly feedback: EditorFeedback;
  private panel: TapePanel | undefined;
  private last: LastRun | undefined;
  private runCounter = 0;
  private lastSentFocusKey = '';
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeLenses = this.lensChanged.event;
  private readonly rerun: Debouncer;
  private pendingExport: ((data: { format: string; data: string }) => void) | undefined;
  /** Focus sent with the latest trace, until the view reports which tape it shows. */
  private pendingFocus: ViewFocus | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    runtimeFactory: RuntimeFactory,
  ) {
    this.controller = new RunController(runtimeFactory, {
      onOutput: (_stream, text) => this.output.append(text),
      onProgress: (message) => this.progressReporter?.report({ message }),
    });
    this.feedback = new EditorFeedback(context.extensionUri);
    this.rerun = new Debouncer(400, () => void this.rerunLast());
  }

  private progressReporter: vscode.Progress<{ message?: string }> | undefined;

  // ---------------------------------------------------------------- targets

  private targetFor(document: vscode.TextDocument): { target: RunTarget; anchorDoc: string } | undefined {
    const settings = readSettings();
    const limits = { timeLimitMs: settings.timeLimitSeconds * 1000, snapshotLimit: settings.snapshotLimit };
    if (document.uri.scheme === 'vscode-notebook-cell') {
      const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
      if (!notebook) return undefined;
      const cells: NotebookCellInput[] = notebook.getCells().map((c) => ({
        kind: c.kind === vscode.NotebookCellKind.Code ? 'code' : 'markdown',
        text: c.document.getText(),
        docKey: c.document.uri.toString(),
      }));
      const index = notebook.getCells().findIndex((c) => c.document === document);
      const file = notebook.uri.fsPath;
      return {
        anchorDoc: document.uri.toString(),
        target: {
          file,
          ownerUri: notebook.uri.toString(),
          docKeys: cells.map((c) => c.docKey),
          resolver: notebookLocResolver(file, cells),
          request: { file, source: notebookJson(cells), uptoCell: index, ...limits },
        },
      };
    }
    const file = document.uri.fsPath;
    const key = document.uri.toString();
    return {
      anchorDoc: key,
      target: {
        file,
        ownerUri: key,
        docKeys: [key],
        resolver: fileLocResolver(file, key),
        request: { file, source: document.getText(), ...limits },
      },
    };
  }

  // ---------------------------------------------------------------- running

  /** Runs `document` (notebook: up to its cell) and shows the result focused on `line`. */
  async runFrom(document: vscode.TextDocument, line: number, kind: Anchor['kind']): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      await this.explainRestricted();
      return;
    }
    const found = this.targetFor(document);
    if (!found) {
      void vscode.window.showWarningMessage('Tapescope: could not find the notebook this cell belongs to.');
      return;
    }
    await this.run(found.target, { doc: found.anchorDoc, line, kind }, false);
  }

  private async run(target: RunTarget, anchor: Anchor, isRerun: boolean): Promise<void> {
    const panel = this.ensurePanel();
    const runId = ++this.runCounter;
    panel.post({ type: 'running', file: target.file, message: isRerun ? 'Re-running after save…' : 'Running…' });
    // The channel shows the latest run only, so what is there is what this run printed.
    this.output.clear();
    this.output.appendLine(`▶ ${new Date().toLocaleTimeString()} ${target.file}${target.request.uptoCell !== undefined ? ` (cells up to ${target.request.uptoCell})` : ''}`);
    if (this.controller.isCold) this.output.show(true);
    void this.context.workspaceState.update(LAST_TARGET_KEY, { uri: anchor.doc, line: anchor.line, kind: anchor.kind });

    const cold = this.controller.isCold;
    const result = await vscode.window.withProgress(
      {
        location: cold ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
        title: cold ? 'Tapescope: starting the Python runtime' : 'Tapescope: running',
        cancellable: true,
      },
      async (progress, token) => {
        this.progressReporter = progress;
        token.onCancellationRequested(() => this.controller.stop());
        try {
          return await this.controller.run(target.request);
        } finally {
          this.progressReporter = undefined;
        }
      },
    );
    if (result.status === 'superseded') return;
    // A run stopped because a newer one started: its (partial) result would only flicker.
    if (result.status === 'cancelled' && runId !== this.runCounter) return;
    this.showOutcome(target, anchor, result, runId, isRerun);
  }

  private showOutcome(target: RunTarget, anchor: Anchor, outcome: RunOutcome, runId: number, isRerun: boolean): void {
    const insights = outcome.trace ? new TraceInsights(outcome.trace, target.resolver) : undefined;
    this.last = { target, anchor, outcome, insights, runId };
    this.feedback.update(insights, target.docKeys);
    this.lensChanged.fire();

    const seconds = (outcome.durationMs / 1000).toFixed(2);
    this.output.appendLine(`■ ${outcome.status} in ${seconds} s`);
    if (outcome.error) {
      this.output.appendLine(outcome.error.traceback || `${outcome.error.type}: ${outcome.error.message}`);
      const placed = this.feedback.showError(outcome.error.loc, target.resolver, outcome.error.type, outcome.error.message);
      if (!placed) this.output.show(true);
    }
    if (outcome.status === 'timeout') this.output.appendLine('The run hit the time limit (setting tapescope.timeLimitSeconds) and was stopped.');

    const focus = isRerun ? undefined : this.focusForAnchor(anchor);
    const panel = this.ensurePanel();
    if (outcome.trace) {
      panel.post({ type: 'trace', trace: outcome.trace, focus, runId, output: outcome.stdout });
      if (focus) this.lastSentFocusKey = JSON.stringify(focus);
      this.pendingFocus = focus;
    }
    if (outcome.error || outcome.status === 'timeout' || outcome.status === 'cancelled') {
      const message =
        outcome.error ? `${outcome.error.type}: ${outcome.error.message}` : outcome.status === 'timeout' ? 'The run hit the time limit.' : 'The run was stopped.';
      const m: HostToView = { type: 'run-error', message };
      if (outcome.error?.loc) m.loc = outcome.error.loc;
      panel.post(m);
    }
    if (!isRerun && anchor.kind === 'gradient' && insights) {
      const calls = insights.gradientCallsAt(anchor.doc, anchor.line);
      if (calls.length === 0 && outcome.status === 'ok') {
        void vscode.window.showInformationMessage(`Tapescope: the gradient call on line ${anchor.line + 1} did not run.`);
      } else if (calls.length > 1) {
        void vscode.window
          .showInformationMessage(`Tapescope: line ${anchor.line + 1} ran ${calls.length} times; the panel shows the last.`, 'Pick iteration…')
          .then((choice) => (choice ? this.pickIteration(anchor.doc, anchor.line) : undefined));
      }
    }
  }

  private focusForAnchor(anchor: Anchor): ViewFocus | undefined {
    const insights = this.last?.insights;
    if (!insights || anchor.kind === 'file') return undefined;
    if (anchor.kind === 'record') {
      const tapes = insights.tapesAt(anchor.doc, anchor.line);
      return tapes.length ? { tape: tapes[tapes.length - 1] } : undefined;
    }
    return insights.focusForLine(anchor.doc, anchor.line);
  }

  private async rerunLast(): Promise<void> {
    if (!this.last || !this.panel || !vscode.workspace.isTrusted) return;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.last!.anchor.doc);
    if (!document) return;
    const found = this.targetFor(document);
    if (found) await this.run(found.target, this.last.anchor, true);
  }

  /** Saves of the last run's file (or notebook) re-run it while the panel is open. */
  onSaved(uri: vscode.Uri): void {
    if (!this.panel || !this.last || !readSettings().rerunOnSave) return;
    if (uri.toString() !== this.last.target.ownerUri) return;
    this.rerun.trigger();
  }

  stop(): void {
    if (!this.controller.stop()) void vscode.window.showInformationMessage('Tapescope: nothing is running.');
  }

  // ---------------------------------------------------------------- iterations

  async pickIteration(doc: string, line: number): Promise<void> {
    const calls = this.last?.insights?.gradientCallsAt(doc, line) ?? [];
    if (calls.length === 0) return;
    const items = calls.map((call, i) => ({
      label: `Run ${i + 1} of ${calls.length}`,
      description: this.last!.insights!.describeCall(call),
      call,
    }));
    const picked = await vscode.window.showQuickPick(items.reverse(), {
      title: `Line ${line + 1} ran ${calls.length} times`,
      placeHolder: 'Which run of this gradient call should the panel show?',
    });
    if (!picked) return;
    const focus: ViewFocus = { gradientCall: picked.call.id };
    if (picked.call.loc) focus.line = { file: picked.call.loc.file, line: picked.call.loc.line };
    this.panel?.post({ type: 'focus', focus });
  }

  // ---------------------------------------------------------------- panel

  private panelEvents() {
    return {
      onMessage: (m: ViewToHost) => void this.onViewMessage(m),
      onInvalidMessage: (raw: unknown) => this.output.appendLine(`[tapescope] ignored a malformed message from the view: ${safePreview(raw)}`),
      onDispose: () => {
        this.panel = undefined;
        this.rerun.cancel();
        void vscode.commands.executeCommand('setContext', 'tapescope.panelOpen', false);
      },
    };
  }

  ensurePanel(): TapePanel {
    if (!this.panel) {
      this.panel = TapePanel.create(this.context.extensionUri, this.panelEvents(), vscode.ViewColumn.Beside);
      void vscode.commands.executeCommand('setContext', 'tapescope.panelOpen', true);
      if (this.last?.outcome.trace) this.panel.post({ type: 'trace', trace: this.last.outcome.trace, runId: this.last.runId });
    }
    return this.panel;
  }

  showPanel(): void {
    const existing = this.panel;
    const panel = this.ensurePanel();
    if (existing) panel.reveal(vscode.ViewColumn.Beside);
  }

  /** A panel VS Code restored after a reload: re-run what it showed (the runtime starts only now). */
  revivePanel(webviewPanel: vscode.WebviewPanel, state: unknown): void {
    this.panel = TapePanel.revive(webviewPanel, this.context.extensionUri, this.panelEvents(), state);
    void vscode.commands.executeCommand('setContext', 'tapescope.panelOpen', true);
    const saved = this.context.workspaceState.get<{ uri: string; line: number; kind: Anchor['kind'] }>(LAST_TARGET_KEY);
    if (!saved || !vscode.workspace.isTrusted) {
      this.panel.post({ type: 'running', file: '', message: 'Click “Compute gradient” above a tape.gradient(...) call to show its tape.' });
      return;
    }
    void (async () => {
      try {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(saved.uri));
        const found = this.targetFor(document);
        if (found) await this.run(found.target, { doc: found.anchorDoc, line: saved.line, kind: saved.kind }, true);
      } catch {
        this.panel?.post({ type: 'running', file: '', message: 'The file shown before the reload is gone.' });
      }
    })();
  }

  private async onViewMessage(message: ViewToHost): Promise<void> {
    switch (message.type) {
      case 'reveal': {
        const at = this.last?.target.resolver(message.loc);
        if (at) await this.feedback.highlightLine(at.doc, at.line);
        else this.output.appendLine(`[tapescope] the view showed ${message.loc.file}:${message.loc.line}, which is not in the file that ran`);
        return;
      }
      case 'state': {
        // A view may restore its saved picker over the focus sent with a new trace; the first state
        // it reports after that trace shows what it chose, and a clicked call must win.
        const wanted = this.pendingFocus;
        this.pendingFocus = undefined;
        const missed =
          wanted &&
          (wanted.gradientCall !== undefined ? message.state.gradientCall !== wanted.gradientCall : wanted.tape !== undefined && message.state.tape !== wanted.tape);
        if (missed) this.panel?.post({ type: 'focus', focus: wanted });
        return;
      }
      case 'export':
        this.pendingExport?.(message);
        this.pendingExport = undefined;
        return;
      case 'log':
        this.output.appendLine(`[view ${message.level}] ${message.message}`);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- editor → view

  /** Cursor moved: if it sits on a recorded line, select that line's node in the view. */
  onCursor(editor: vscode.TextEditor): void {
    if (!this.panel || !this.last?.insights) return;
    const doc = editor.document.uri.toString();
    if (!this.last.target.docKeys.includes(doc)) return;
    const focus = this.last.insights.focusForLine(doc, editor.selection.active.line);
    if (!focus) return;
    const key = JSON.stringify(focus);
    if (key === this.lastSentFocusKey) return;
    this.lastSentFocusKey = key;
    this.panel.post({ type: 'focus', focus });
  }

  hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const insights = this.last?.insights;
    if (!insights) return undefined;
    const range = document.getWordRangeAtPosition(position, /[A-Za-z_]\w*/);
    if (!range) return undefined;
    const lines = document.getText().split(/\r?\n/);
    const text = insights.hover(document.uri.toString(), lines, position.line, document.getText(range));
    if (!text) return undefined;
    const md = new vscode.MarkdownString(`$(pulse) Tapescope  \n${text}`, true);
    return new vscode.Hover(md, range);
  }

  /** Extra lenses after a run: how many times a gradient line ran, to pick one. */
  iterationLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const insights = this.last?.insights;
    if (!insights) return [];
    const doc = document.uri.toString();
    return insights
      .hints(doc)
      .filter((h) => h.runs > 1 && h.line < document.lineCount)
      .map(
        (h) =>
          // Placed at the line's end so it follows "Compute gradient" on the same line.
          new vscode.CodeLens(document.lineAt(h.line).range.with({ start: document.lineAt(h.line).range.end }), {
            title: `ran ${h.runs}× — pick iteration`,
            command: 'tapescope.pickIteration',
            arguments: [doc, h.line],
          }),
      );
  }

  // ---------------------------------------------------------------- commands

  async computeGradientAtCursor(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Tapescope: open a Python file and put the cursor on a tape.gradient(...) call.');
      return;
    }
    const line = editor.selection.active.line;
    const sites = findLensSites(editor.document.getText()).filter((s) => s.kind === 'gradient');
    const site = sites.find((s) => s.line === line) ?? [...sites].reverse().find((s) => s.line <= line) ?? sites[0];
    if (!site) {
      void vscode.window.showInformationMessage('Tapescope: no tape.gradient(...) call in this file.');
      return;
    }
    await this.runFrom(editor.document, site.line, 'gradient');
  }

  async runActiveFile(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Tapescope: open a Python file or notebook first.');
      return;
    }
    await this.runFrom(editor.document, editor.selection.active.line, 'file');
  }

  async exportJson(): Promise<void> {
    const trace = this.last?.outcome.trace;
    if (!trace) {
      void vscode.window.showInformationMessage('Tapescope: run a file first; there is no tape to export.');
      return;
    }
    await this.saveAs(JSON.stringify(trace, null, 1), 'json', 'tape.json');
  }

  async exportSvg(): Promise<void> {
    if (!this.panel || !this.last?.outcome.trace) {
      void vscode.window.showInformationMessage('Tapescope: run a file first; there is no tape to export.');
      return;
    }
    const data = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 10000);
      this.pendingExport = (m) => {
        clearTimeout(timer);
        resolve(m.format === 'svg' ? m.data : undefined);
      };
      this.panel!.post({ type: 'export-request', format: 'svg' });
    });
    if (data === undefined) {
      void vscode.window.showWarningMessage('Tapescope: the tape view did not send an SVG.');
      return;
    }
    await this.saveAs(data, 'svg', 'tape.svg');
  }

  private async saveAs(data: string, extension: string, name: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { [extension.toUpperCase()]: [extension] },
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(data));
    void vscode.window.showInformationMessage(`Tapescope: saved ${uri.fsPath}`);
  }

  async explainRestricted(): Promise<void> {
    const choice = await vscode.window.showWarningMessage(
      'Tapescope runs the Python code of this workspace, so it works only in a trusted workspace. Restricted mode keeps it from running anything.',
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  }

  refreshEditors(): void {
    this.feedback.refreshEditors();
  }

  refreshLenses(): void {
    this.lensChanged.fire();
  }

  /** For tests: the state a run left behind. */
  snapshot(): { hasPanel: boolean; runId: number; status?: string; highlighted?: { doc: string; line: number } } {
    return { hasPanel: !!this.panel, runId: this.runCounter, status: this.last?.outcome.status, highlighted: this.feedback.highlighted };
  }

  dispose(): void {
    this.rerun.cancel();
    this.controller.dispose();
    this.feedback.dispose();
    this.panel?.dispose();
    this.lensChanged.dispose();
  }
}

export { PANEL_VIEW_TYPE };

function safePreview(raw: unknown): string {
  try {
    return JSON.stringify(raw).slice(0, 200);
  } catch {
    return String(raw).slice(0, 200);
  }
}
