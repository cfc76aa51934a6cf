/** Runs one mocha spec file in the extension host and prints the closing `N passed, N failed` line. */
import * as path from 'node:path';
import Mocha from 'mocha';

export function runSpec(file: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passes = runner.stats?.passes ?? 0;
      console.log(`${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else if (passes === 0) reject(new Error('no extension-host test ran'));
      else resolve();
    });
  });
}
