/**
 * The Tapescope panel: one webview beside the editor showing the tape view (dist/webview.js).
 * Thin glue: the HTML and its CSP come from panelHtml.ts; every message from the view is checked
 * with `isViewToHost` before anything looks at it; messages to the view wait until it says `ready`.
 */
import * as vscode from 'vscode';
import { isViewToHost, type HostToView, type ViewState, type ViewToHost } from '../protocol/messages';
import { renderPanelHtml } from './panelHtml';

export const PANEL_VIEW_TYPE = 'tapescope.tape';

export interface PanelEvents {
  onMessage(message: ViewToHost): void;
  onInvalidMessage(raw: unknown): void;
  onDispose(): void;
}

export class TapePanel {
  private ready = false;
  private queue: HostToView[] = [];
  private lastTrace: HostToView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The view's own state (picker, step, zoom), kept so a re-run or a restore can hand it back. */
  state: ViewState | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly events: PanelEvents,
  ) {
    panel.webview.options = TapePanel.webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.disposeResources()),
    );
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the bundles and the icon; nothing from the workspace, nothing remote.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  static create(extensionUri: vscode.Uri, events: PanelEvents, column: vscode.ViewColumn): TapePanel {
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Tapescope',
      { viewColumn: column, preserveFocus: true },
      { ...TapePanel.webviewOptions(extensionUri), retainContextWhenHidden: true },
    );
    return new TapePanel(panel, extensionUri, events);
  }

  /** Takes over a panel VS Code restored after a window reload (webview serializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, events: PanelEvents, state: unknown): TapePanel {
    const revived = new TapePanel(panel, extensionUri, events);
    if (isViewToHost({ type: 'state', state })) revived.state = state as ViewState;
    return revived;
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    return renderPanelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      workerUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'layout-worker.js')).toString(),
    });
  }

  private receive(raw: unknown): void {
    if (!isViewToHost(raw)) {
      this.events.onInvalidMessage(raw);
      return;
    }
    if (raw.type === 'ready') {
      this.ready = true;
      if (raw.state) this.state = raw.state;
      const pending = this.queue;
      this.queue = [];
      // A view that (re)loaded gets the latest trace even if it was sent before it was ready.
      if (this.lastTrace && !pending.includes(this.lastTrace)) pending.unshift(this.lastTrace);
      for (const m of pending) void this.panel.webview.postMessage(m);
    } else if (raw.type === 'state') {
      this.state = raw.state;
    }
    this.events.onMessage(raw);
  }

  post(message: HostToView): void {
    if (message.type === 'trace') this.lastTrace = message;
    if (!this.ready) {
      // Only the newest trace matters; older queued traces and focus changes are dropped with it.
      if (message.type === 'trace') this.queue = this.queue.filter((m) => m.type !== 'trace' && m.type !== 'focus');
      this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  get isReady(): boolean {
    return this.ready;
  }

  reveal(column: vscode.ViewColumn): void {
    this.panel.reveal(column, true);
  }

  private disposeResources(): void {
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.events.onDispose();
  }

  dispose(): void {
    this.panel.dispose();
  }
}
