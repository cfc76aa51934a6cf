/**
 * The preflight cache key (DESIGN §4 rule 5): everything a tracer's answer
 * depends on. Same fingerprint, same answer; anything changes, re-check.
 * Computed without running the tracer: file digests, stats and a few
 * /proc and /sys reads.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TracerName } from '../../protocol';
import { commandChain } from '../command/chain';
import { fileSha256 } from '../tracers/digest';
import { locateTracer } from '../tracers/locate';

/** Bump when the meaning of a cached report changes. */
const CACHE_VERSION = 1;

/** The sysctls and files each tracer's checks read. */
const READS: Record<TracerName, string[]> = {
  ptrace: ['/proc/sys/kernel/yama/ptrace_scope'],
  ebpf: ['/proc/sys/kernel/unprivileged_bpf_disabled', '/proc/sys/kernel/perf_event_paranoid', '/sys/kernel/security/lockdown'],
  preload: [],
};
const STATS: Record<TracerName, string[]> = {
  ptrace: [],
  ebpf: ['/sys/kernel/btf/vmlinux'],
  preload: [],
};
const ENV: Record<TracerName, string[]> = {
  ptrace: ['TMPDIR'],
  ebpf: ['TMPDIR', 'ROAR_EBPF_TEST_MISSING_TRACEPOINT'],
  preload: ['TMPDIR', 'ROAR_PRELOAD_LIB'],
};

function readTrim(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch (e) {
    return `<${(e as NodeJS.ErrnoException).code ?? 'error'}>`;
  }
}

/** Identity of a file without reading it: ctime moves on chmod, chown and setcap too. */
function statId(p: string): string {
  try {
    const st = fs.statSync(p);
    return [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, st.mode, st.uid, st.gid].join(':');
  } catch (e) {
    return `<${(e as NodeJS.ErrnoException).code ?? 'error'}>`;
  }
}

function statusFields(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readTrim('/proc/self/status').split('\n')) {
    const m = /^(CapEff|TracerPid|Seccomp|NoNewPrivs):\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export interface Fingerprint {
  version: number;
  tracer: TracerName;
  tracer_path: string;
  tracer_sha256: string | null;
  tracer_stat: string;
  kernel: string;
  arch: string;
  boot_id: string;
  euid: number;
  process: Record<string, string>;
  reads: Record<string, string>;
  stats: Record<string, string>;
  env: Record<string, string | null>;
  extra: Record<string, string | null>;
  target: string[] | null;
}

/** The host half of a fingerprint: the same for every tracer of one check. */
export interface HostPart {
  kernel: string;
  arch: string;
  boot_id: string;
  euid: number;
  process: Record<string, string>;
}

export function hostPart(): HostPart {
  return { kernel: os.release(), arch: os.arch(), boot_id: readTrim('/proc/sys/kernel/random/boot_id'), euid: process.geteuid?.() ?? -1, process: statusFields() };
}

export function fingerprint(tracer: TracerName, command: string[] | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd(), host: HostPart = hostPart()): Fingerprint {
  const where = locateTracer(tracer, env);
  const extra: Record<string, string | null> = {};
  if (tracer === 'preload') {
    const lib = env.ROAR_PRELOAD_LIB || path.join(path.dirname(where.path), 'libroar_preload.so');
    extra.library_sha256 = fileSha256(lib);
  }
  const chain = command?.[0] ? commandChain(command[0], env, cwd) : null;
  return {
    version: CACHE_VERSION,
    tracer,
    tracer_path: where.path,
    tracer_sha256: fileSha256(where.path),
    tracer_stat: statId(where.path),
    ...host,
    reads: Object.fromEntries(READS[tracer].map((p) => [p, readTrim(p)])),
    stats: Object.fromEntries(STATS[tracer].map((p) => [p, statId(p)])),
    env: Object.fromEntries(ENV[tracer].map((k) => [k, env[k] ?? null])),
    extra,
    // the command's files by identity; an unresolvable command keys on its name
    target: command?.[0] ? (chain && chain.length ? chain.map((p) => `${p}=${statId(p)}`) : [`missing:${command[0]}`]) : null,
  };
}

export function fingerprintKey(fp: Fingerprint): string {
  return crypto.createHash('sha256').update(JSON.stringify(fp)).digest('hex');
}
