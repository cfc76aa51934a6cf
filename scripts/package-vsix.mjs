// Packages the extension as a .vsix (npm run package): bundles, copies the
// tracers, libroar_preload.so and the probe addon into dist/bin (where the
// engine looks for them inside an installed extension:
// engine/src/tracers/locate.ts, engine/src/native/addon.ts), then
// runs @vscode/vsce with .vscodeignore deciding what goes in.
// Usage: node scripts/package-vsix.mjs [--out path.vsix]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = path.resolve(root, outArg > 0 ? process.argv[outArg + 1] : `${pkg.name}-${pkg.version}.vsix`);

execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'inherit' });

const build = path.join(root, 'native', 'build');
const bin = path.join(root, 'dist', 'bin');
fs.rmSync(bin, { recursive: true, force: true });
fs.mkdirSync(bin, { recursive: true });
const carried = [];
const sources = {
  'roar-tracer-ebpf': build,
  'roar-tracer-preload': build,
  'roar-tracer-ptrace': build,
  'libroar_preload.so': build,
  // the N-API probe addon (engine/src/native/addon.ts looks in dist/bin)
  'roar_probe.node': path.join(root, 'native', 'addon', 'build', 'Release'),
};
for (const [name, dir] of Object.entries(sources)) {
  const from = path.join(dir, name);
  if (!fs.existsSync(from)) {
    console.error(`package: ${from} is not built; the .vsix will lack it (build with: npm run build)`);
    continue;
  }
  fs.copyFileSync(from, path.join(bin, name));
  fs.chmodSync(path.join(bin, name), fs.statSync(from).mode & 0o777);
  carried.push(name);
}
if (!carried.some((n) => n.startsWith('roar-tracer-'))) {
  console.error('package: no tracer is built; refusing to package an extension that cannot trace');
  process.exit(1);
}

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license',
  '--no-rewrite-relative-links', '--out', out], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
console.log(`package: ${path.relative(root, out)} (tracers: ${carried.join(', ')})`);
