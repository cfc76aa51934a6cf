/** The extension-host runner for a window whose folder is not trusted (Restricted Mode). */
import { runSpec } from './mocha_run';

export function run(): Promise<void> {
  return runSpec('untrusted.spec.js');
}
