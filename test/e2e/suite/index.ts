/**
 * The extension-host test runner: VS Code calls run() inside the real
 * extension host (smoke-test driver payload `extensionTestsPath`, see
 * test/e2e/exthost.ts). Mocha 11 (CommonJS); the spec reporter's output
 * reaches the driver through the host's console. The last line is
 * `N passed, N failed`.
 */
import { runSpec } from './mocha_run';

export function run(): Promise<void> {
  return runSpec('extension.spec.js');
}
