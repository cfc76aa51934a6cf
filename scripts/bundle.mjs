// Bundles the engine (and later the extension) with esbuild.
import { build } from 'esbuild';

await build({
  entryPoints: { engine: 'engine/src/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
});
