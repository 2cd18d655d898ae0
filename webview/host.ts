/**
 * The view's link to its host: the VS Code webview API when present, otherwise the standalone page
 * (the trace is embedded in the page, state lives in memory, `reveal` shows the line in the page and
 * exports are downloaded).
 */
import type { HostToView, ViewState, ViewToHost } from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code inside webviews only.
  function acquireVsCodeApi(): VsCodeApi;
}

export interface Host {
  readonly standalone: boolean;
  post(message: ViewToHost): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
  onMessage(handler: (message: HostToView) => void): void;
}

const HOST_TYPES = new Set(['trace', 'focus', 'running', 'run-error', 'step-command', 'export-request']);

function isHostToView(value: unknown): value is HostToView {
  return typeof value === 'object' && value !== null && HOST_TYPES.has((value as { type?: unknown }).type as string);
}

export function connectHost(localHandler: (message: ViewToHost) => void): Host {
  const api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  let memoryState: ViewState | undefined;
  return {
    standalone: api === undefined,
    post(message) {
      if (api) api.postMessage(message);
      else localHandler(message);
    },
    getState() {
      if (api) {
        const state = api.getState();
        return typeof state === 'object' && state !== null ? (state as ViewState) : undefined;
      }
      return memoryState;
    },
    setState(state) {
      if (api) api.setState(state);
      else memoryState = state;
    },
    onMessage(handler) {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (isHostToView(event.data)) handler(event.data);
      });
    },
  };
}
