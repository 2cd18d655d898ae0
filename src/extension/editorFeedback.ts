/**
 * What a run leaves in the editor: inline hints at the end of gradient-call lines, the highlight
 * (gutter arrow + line background) that follows the tape view, and diagnostics (None gradients as
 * Information, errors in user code as Error). Thin glue over TraceInsights.
 */
import * as vscode from 'vscode';
import type { SourceLocation } from '../trace/types';
import type { LocResolver, TraceInsights } from './traceInsights';

export class EditorFeedback implements vscode.Disposable {
  private readonly hintType: vscode.TextEditorDecorationType;
  private readonly highlightType: vscode.TextEditorDecorationType;
  readonly diagnostics: vscode.DiagnosticCollection;
  private insights: TraceInsights | undefined;
  private errorDiagnostic: { doc: string; diagnostic: vscode.Diagnostic } | undefined;
  private highlight: { doc: string; line: number } | undefined;

  constructor(extensionUri: vscode.Uri) {
    this.hintType = vscode.window.createTextEditorDecorationType({
      after: {
        color: new vscode.ThemeColor('tapescope.inlineHintForeground'),
        fontStyle: 'italic',
        margin: '0 0 0 2em',
      },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.highlightType = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('tapescope.highlightBackground'),
      overviewRulerColor: new vscode.ThemeColor('tapescope.highlightBackground'),
      overviewRulerLane: vscode.OverviewRulerLane.Full,
      // The gutter arrow is also what the end-to-end test looks for (its file name is unique).
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'tapescope-step.svg'),
      gutterIconSize: 'contain',
    });
    this.diagnostics = vscode.languages.createDiagnosticCollection('tapescope');
  }

  /** Shows a new run's results (or clears them when `insights` is undefined). */
  update(insights: TraceInsights | undefined, docKeys: readonly string[]): void {
    this.insights = insights;
    this.highlight = undefined;
    this.diagnostics.clear();
    if (insights) {
      for (const doc of docKeys) {
        const items = insights.noneDiagnostics(doc).map((d) => {
          const range = this.rangeFor(doc, d.line, d.column, d.endColumn);
          const diagnostic = new vscode.Diagnostic(range, d.message, vscode.DiagnosticSeverity.Information);
          diagnostic.source = 'Tapescope';
          diagnostic.code = d.code;
          return diagnostic;
        });
        if (items.length) this.diagnostics.set(vscode.Uri.parse(doc), items);
      }
    }
    this.errorDiagnostic = undefined;
    this.refreshEditors();
  }

  /** An error in user code: an Error diagnostic on the failing line. */
  showError(loc: SourceLocation | undefined, resolver: LocResolver, type: string, message: string): boolean {
    const at = loc ? resolver(loc) : undefined;
    if (!at) return false;
    const range = this.rangeFor(at.doc, at.line, loc?.column, loc?.endLine === loc?.line ? loc?.endColumn : undefined);
    const diagnostic = new vscode.Diagnostic(range, `${type}: ${message}`, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Tapescope';
    this.errorDiagnostic = { doc: at.doc, diagnostic };
    const uri = vscode.Uri.parse(at.doc);
    this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), diagnostic]);
    return true;
  }

  private rangeFor(doc: string, line: number, column?: number, endColumn?: number): vscode.Range {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === doc);
    if (!document || line >= document.lineCount) return new vscode.Range(line, 0, line, 1000);
    const text = document.lineAt(line);
    if (column !== undefined && endColumn !== undefined && endColumn > column) {
      return new vscode.Range(line, column - 1, line, Math.min(endColumn - 1, text.range.end.character));
    }
    return new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.range.end.character);
  }

  /** Moves the highlight to `line` of `doc`, showing the document if it is not visible. */
  async highlightLine(doc: string, line: number): Promise<void> {
    this.highlight = { doc, line };
    let editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc);
    if (!editor) {
      const uri = vscode.Uri.parse(doc);
      if (uri.scheme === 'vscode-notebook-cell') {
        this.refreshEditors();
        return;
      }
      const document = await vscode.workspace.openTextDocument(uri);
      editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: true });
    }
    this.refreshEditors();
    const range = new vscode.Range(line, 0, line, 0);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  get highlighted(): { doc: string; line: number } | undefined {
    return this.highlight;
  }

  /** Re-applies hints and highlight to every visible editor (after a run or when editors change). */
  refreshEditors(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const doc = editor.document.uri.toString();
      const hints = this.insights?.hints(doc) ?? [];
      editor.setDecorations(
        this.hintType,
        hints
          .filter((h) => h.line < editor.document.lineCount)
          .map((h) => {
            const end = editor.document.lineAt(h.line).range.end;
            return {
              range: new vscode.Range(end, end),
              renderOptions: { after: { contentText: h.text } },
              hoverMessage: h.runs > 1 ? `This line ran ${h.runs} times; the hint shows the last run.` : undefined,
            };
          }),
      );
      const hl = this.highlight && this.highlight.doc === doc && this.highlight.line < editor.document.lineCount ? [this.highlight.line] : [];
      editor.setDecorations(
        this.highlightType,
        hl.map((line) => new vscode.Range(line, 0, line, 0)),
      );
    }
  }

  dispose(): void {
    this.hintType.dispose();
    this.highlightType.dispose();
    this.diagnostics.dispose();
  }
}
