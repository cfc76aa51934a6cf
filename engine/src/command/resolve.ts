/**
 * The engine's own look-up of the command, as execvp does it, so that a
 * missing or non-executable command gets 127/126 before any tracer runs.
 * (The tracers' `<t>.command` checks look deeper: shebangs, ELF facts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Resolved =
  | { kind: 'found'; path: string }
  | { kind: 'missing'; argv0: string }
  | { kind: 'not-executable'; path: string; why: string };

function isExecutableFile(p: string): 'yes' | 'no-exec' | 'absent' {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 'absent';
  }
  if (!st.isFile()) return 'no-exec';
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return 'yes';
  } catch {
    return 'no-exec';
  }
}

export function resolveCommand(argv0: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Resolved {
  if (!argv0) return { kind: 'missing', argv0 };
  if (argv0.includes('/')) {
    const p = path.resolve(cwd, argv0);
    const s = isExecutableFile(p);
    if (s === 'absent') return { kind: 'missing', argv0 };
    if (s === 'no-exec') return { kind: 'not-executable', path: p, why: fs.statSync(p).isDirectory() ? 'is a directory' : 'permission denied' };
    return { kind: 'found', path: p };
  }
  const dirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':');
  let denied: string | null = null;
  for (const d of dirs) {
    const p = path.resolve(cwd, d || '.', argv0);
    const s = isExecutableFile(p);
    if (s === 'yes') return { kind: 'found', path: p };
    if (s === 'no-exec' && denied === null) denied = p;
  }
  return denied ? { kind: 'not-executable', path: denied, why: 'permission denied' } : { kind: 'missing', argv0 };
}
