/** Entry of dist/engine.js: the CLI (and, later, `roar serve --stdio`). */
import { main } from './cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`roar: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 125;
  },
);
