// Types for scripts/runtime-build.mjs (imported by the runtime tests to build the bundles they run).
import type { Plugin } from 'esbuild';

export const PYODIDE_RUNTIME_FILES: readonly string[];
export function pythonSourcesPlugin(root: string): Plugin;
export function copyPyodide(root: string, outDir: string): void;
