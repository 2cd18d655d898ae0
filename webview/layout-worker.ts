/**
 * The layout worker: lays out one graph per request so the view stays responsive. The view creates it
 * from a blob (CSP `worker-src blob:`), and cancels a long layout by terminating it.
 */
import { runLayout } from './layout-dagre';
import type { LayoutReply, LayoutRequest } from './layout-protocol';

const post = (reply: LayoutReply): void => (self as unknown as { postMessage(m: LayoutReply): void }).postMessage(reply);

self.addEventListener('message', (event: MessageEvent<LayoutRequest>) => {
  const request = event.data;
  if (request?.type !== 'layout') return;
  try {
    const result = runLayout(request.input, request.engine, (phase, fraction) => post({ type: 'progress', id: request.id, phase, fraction }));
    post({ type: 'done', id: request.id, result });
  } catch (error) {
    post({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
});
