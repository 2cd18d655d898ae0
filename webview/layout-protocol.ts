/** Messages between the view and its layout worker. */
import type { LayoutEngine, LayoutInput, LayoutResult } from './model/layout';

export interface LayoutRequest {
  type: 'layout';
  id: number;
  input: LayoutInput;
  engine: LayoutEngine;
}

export type LayoutReply =
  | { type: 'progress'; id: number; phase: string; fraction: number }
  | { type: 'done'; id: number; result: LayoutResult }
  | { type: 'error'; id: number; message: string };
