/**
 * A world-readable copy of the built roar (engine bundle + tracers), for
 * tests that run roar as an unprivileged user: the checkout may sit under
 * a directory that user cannot enter.
 */
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD, freshDir, Ran, ROOT } from './env';

export interface Install { root: string; engine: string; build: string }

export function copyInstall(omit: string[] = []): Install {
  const root = freshDir('roar-install-');
  fs.chmodSync(root, 0o755);
  fs.mkdirSync(path.join(root, 'dist'));
  fs.copyFileSync(path.join(ROOT, 'dist', 'engine.js'), path.join(root, 'dist', 'engine.js'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  const build = path.join(root, 'native', 'build');
  fs.mkdirSync(build, { recursive: true });
  for (const name of fs.readdirSync(BUILD)) {
    const src = path.join(BUILD, name);
    if (!fs.statSync(src).isFile() || omit.includes(name)) continue;
    fs.copyFileSync(src, path.join(build, name));
    fs.chmodSync(path.join(build, name), fs.statSync(src).mode & 0o777);
  }
  for (const d of [path.join(root, 'native'), build, path.join(root, 'dist')]) fs.chmodSync(d, 0o755);
  return { root, engine: path.join(root, 'dist', 'engine.js'), build };
}

/** A directory the unprivileged user can write. */
export function sharedDir(prefix: string): string {
  const d = freshDir(prefix);
  fs.chmodSync(d, 0o1777);
  return d;
}

export const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/** Runs the copied engine as uid 65534 with no capabilities at all. */
export function roarAsNobody(inst: Install, args: string[], opts: SpawnSyncOptions & { extraEnv?: Record<string, string> } = {}): Ran {
  const cache = sharedDir('roar-nobody-cache-');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cache, ROAR_CACHE_DIR: path.join(cache, 'preflight'), TMPDIR: '/tmp', ...opts.extraEnv };
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, inst.engine, ...args], { encoding: 'utf8', timeout: 120_000, ...opts, env });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}
