/**
 * The typed messages between a tape view (webview/) and its host (the VS Code extension, or the
 * standalone page's bootstrap). Declared once here and imported by both sides; `isViewToHost`
 * validates what the host receives, because a webview message is untrusted input.
 */
import type { SourceLocation, Trace } from '../trace/types';

/** What the view is focused on: a gradient call (backward graph) or a tape (forward graph). */
export interface ViewFocus {
  tape?: number;
  gradientCall?: number;
  /** Select the op recorded at this source line, if there is one. */
  line?: { file: string; line: number };
}

/** State the view keeps across being hidden, restored or re-run (webview setState / serializer). */
export interface ViewState {
  tape?: number;
  gradientCall?: number;
  /** Stepping position: index into the combined forward-then-backward step list. */
  step?: number;
  selectedNode?: string;
  /** Pan/zoom of the forward graph (d3 zoom transform). */
  zoom?: { x: number; y: number; k: number };
  /** Pan/zoom of the backward graph. */
  backwardZoom?: { x: number; y: number; k: number };
  /** How nodes are grouped, and which groups are collapsed. */
  groupBy?: 'none' | 'scope' | 'line';
  collapsedGroups?: string[];
  theme?: 'light' | 'dark' | 'high-contrast';
}

export type HostToView =
  | { type: 'trace'; trace: Trace; focus?: ViewFocus; runId: number; output?: string }
  | { type: 'focus'; focus: ViewFocus }
  | { type: 'running'; file: string; message: string }
  | { type: 'run-error'; message: string; loc?: SourceLocation }
  | { type: 'step-command'; command: 'first' | 'previous' | 'next' | 'last' | 'play' | 'pause' }
  | { type: 'export-request'; format: 'svg' | 'png' | 'json' };

export type ViewToHost =
  | { type: 'ready'; state?: ViewState }
  | { type: 'reveal'; loc: SourceLocation; reason: 'step' | 'select' }
  | { type: 'state'; state: ViewState }
  | { type: 'export'; format: 'svg' | 'png' | 'json'; data: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSourceLocation(value: unknown): value is SourceLocation {
  return (
    isObject(value) &&
    typeof value.file === 'string' &&
    typeof value.line === 'number' &&
    Number.isInteger(value.line) &&
    value.line >= 1 &&
    (value.column === undefined || typeof value.column === 'number')
  );
}

function isViewState(value: unknown): value is ViewState {
  if (!isObject(value)) return false;
  for (const key of ['tape', 'gradientCall', 'step'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'number') return false;
  }
  if (value.selectedNode !== undefined && typeof value.selectedNode !== 'string') return false;
  for (const key of ['zoom', 'backwardZoom'] as const) {
    const z = value[key];
    if (z === undefined) continue;
    if (!isObject(z) || typeof z.x !== 'number' || typeof z.y !== 'number' || typeof z.k !== 'number') return false;
  }
  if (value.groupBy !== undefined && value.groupBy !== 'none' && value.groupBy !== 'scope' && value.groupBy !== 'line') return false;
  if (value.collapsedGroups !== undefined && !(Array.isArray(value.collapsedGroups) && value.collapsedGroups.every((g) => typeof g === 'string'))) return false;
  return true;
}

/** Validates a message from the view; anything malformed is rejected, never half-used. */
export function isViewToHost(value: unknown): value is ViewToHost {
  if (!isObject(value) || typeof value.type !== 'string') return false;
  switch (value.type) {
    case 'ready':
      return value.state === undefined || isViewState(value.state);
    case 'reveal':
      return isSourceLocation(value.loc) && (value.reason === 'step' || value.reason === 'select');
    case 'state':
      return isViewState(value.state);
    case 'export':
      return (
        (value.format === 'svg' || value.format === 'png' || value.format === 'json') &&
        typeof value.data === 'string'
      );
    case 'log':
      return (
        (value.level === 'info' || value.level === 'warn' || value.level === 'error') &&
        typeof value.message === 'string'
      );
    default:
      return false;
  }
}
