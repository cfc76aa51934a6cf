/**
 * Where the tracer binaries are. Order: ROAR_TRACER_<NAME> (one binary),
 * ROAR_TRACER_DIR, then next to the engine bundle (the checkout's
 * native/build, or bin/ inside the packaged extension).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TracerName } from '../../protocol';

export function tracerBinaryName(name: TracerName): string {
  return `roar-tracer-${name}`;
}

/** The directory holding package.json above this module (the install root). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

export function tracerDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const root = packageRoot();
  const dirs = [path.join(root, 'native', 'build'), path.join(root, 'dist', 'bin')];
  if (env.ROAR_TRACER_DIR) dirs.unshift(env.ROAR_TRACER_DIR);
  return dirs;
}

/** The binary to use; when none exists, where it was expected (the first place). */
export function locateTracer(name: TracerName, env: NodeJS.ProcessEnv = process.env): { path: string; found: boolean; searched: string[] } {
  const override = env[`ROAR_TRACER_${name.toUpperCase()}`];
  if (override) return { path: override, found: fs.existsSync(override), searched: [override] };
  const searched = tracerDirs(env).map((d) => path.join(d, tracerBinaryName(name)));
  const hit = searched.find((p) => fs.existsSync(p));
  return { path: hit ?? searched[0]!, found: hit !== undefined, searched };
}
