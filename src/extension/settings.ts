/** The extension's settings (package.json `contributes.configuration`), read fresh each time. */
import * as vscode from 'vscode';

export interface TapescopeSettings {
  codeLensEnabled: boolean;
  rerunOnSave: boolean;
  timeLimitSeconds: number;
  snapshotLimit: number;
}

export function readSettings(): TapescopeSettings {
  const c = vscode.workspace.getConfiguration('tapescope');
  return {
    codeLensEnabled: c.get<boolean>('codeLens.enabled', true),
    rerunOnSave: c.get<boolean>('rerunOnSave', true),
    timeLimitSeconds: clampNumber(c.get<number>('timeLimitSeconds', 30), 1, 3600, 30),
    snapshotLimit: clampNumber(c.get<number>('valueSnapshotSize', 1000), 1, 1_000_000, 1000),
  };
}

function clampNumber(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}
