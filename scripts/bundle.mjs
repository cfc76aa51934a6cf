// Bundles with esbuild: the engine (CLI + `roar serve`), the VS Code
// extension, and the extension-host test suite (test/e2e/suite, run by
// test/e2e/vscode.test.ts inside a real VS Code).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: { engine: 'engine/src/main.ts' }, outdir: 'dist' }),
  // `vscode` is the host's; everything else (languageclient, zod/mini, the protocol) is inside
  build({ ...common, entryPoints: { extension: 'extension/src/main.ts' }, outdir: 'dist', external: ['vscode'], minify: true }),
  // mocha resolves from the checkout's node_modules (the development extension's)
  build({
    ...common,
    entryPoints: {
      index: 'test/e2e/suite/index.ts',
      'extension.spec': 'test/e2e/suite/extension.spec.ts',
      untrusted: 'test/e2e/suite/untrusted.ts',
      'untrusted.spec': 'test/e2e/suite/untrusted.spec.ts',
    },
    outdir: 'dist/test',
    external: ['vscode', 'mocha'],
  }),
]);
