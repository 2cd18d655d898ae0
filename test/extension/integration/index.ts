/// <reference types="mocha" />
/**
 * Entry point @vscode/test-electron loads inside VS Code's extension host (`extensionTestsPath`):
 * runs the mocha suites of this folder (bundled next to it by scripts/e2e-vscode-electron.mjs).
 */
import Mocha from 'mocha';
import { join } from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 180_000 });
  mocha.addFile(join(__dirname, 'extension.itest.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
