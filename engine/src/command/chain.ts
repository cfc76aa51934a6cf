/**
 * The files exec will load for a command: the resolved program and each
 * `#!` interpreter after it (through `/usr/bin/env NAME`), as the tracers'
 * command check follows them. Used to key the preflight cache, so it only
 * reads a few bytes and stats, never whole files.
 */
import * as fs from 'node:fs';
import { resolveCommand } from './resolve';

const MAX_DEPTH = 5;

function shebang(file: string): { interp: string; arg: string } | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(256);
    const n = fs.readSync(fd, buf, 0, 256, 0);
    const head = buf.subarray(0, n).toString('latin1');
    if (!head.startsWith('#!')) return null;
    const line = head.slice(2).split('\n')[0]!.trim();
    const m = /^(\S+)\s*(.*)$/.exec(line);
    return m ? { interp: m[1]!, arg: m[2]!.trim() } : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export function commandChain(argv0: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const first = resolveCommand(argv0, env, cwd);
  if (first.kind === 'missing') return [];
  const chain: string[] = [];
  let cur: string | null = first.path;
  while (cur && chain.length < MAX_DEPTH) {
    let real: string;
    try {
      real = fs.realpathSync(cur);
    } catch {
      chain.push(cur);
      break;
    }
    chain.push(real);
    const sb = shebang(real);
    if (!sb) break;
    if (/(^|\/)env$/.test(sb.interp)) {
      chain.push(sb.interp);
      const name = sb.arg.split(/\s+/).find((w) => w && !w.startsWith('-') && !w.includes('='));
      const next = name ? resolveCommand(name, env, cwd) : null;
      cur = next && next.kind !== 'missing' ? next.path : null;
    } else {
      cur = sb.interp;
    }
  }
  return chain;
}
