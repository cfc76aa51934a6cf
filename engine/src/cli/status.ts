/**
 * `roar tracer status`: what is installed, where, its version, the last
 * known verdict (from the cache, without probing) and the active mode.
 */
import * as fs from 'node:fs';
import { TRACER_NAMES, TracerName } from '../../protocol';
import { Selection } from '../config/mode';
import { sharedCache } from '../preflight/check';
import { fingerprint, fingerprintKey } from '../preflight/fingerprint';
import { firstFailure } from '../preflight/report-builders';
import { locateTracer } from '../tracers/locate';
import { hostFacts, HostFacts } from '../native/addon';
import { tracerVersion } from '../tracers/version';

export interface TracerStatus {
  tracer: TracerName;
  path: string;
  installed: boolean;
  version: string | null;
  readiness: 'ready' | 'degraded' | 'not-ready' | 'unknown';
  reason: string | null;
  /** In-process probe (addon), when nothing is cached: a hint, not a verdict. */
  hint: string | null;
}

/** What the addon's cheap probes say about a tracer's chances, without running it. */
function cheapHint(t: TracerName, facts: HostFacts | null): string | null {
  if (!facts) return null;
  if (t === 'ebpf') {
    const p = facts.bpf.tracingProg;
    return p.ok ? 'bpf() can load tracing programs here' : `bpf() refuses tracing programs here (${p.code ?? 'error'})`;
  }
  if (t === 'ptrace') {
    if (facts.process.tracerPid) return `this process is traced by pid ${facts.process.tracerPid}: ptrace will fail`;
    return facts.ptrace.traceme.ok ? 'PTRACE_TRACEME works here' : `PTRACE_TRACEME fails here (${facts.ptrace.traceme.code ?? 'error'})`;
  }
  return null;
}

export function tracerStatus(env: NodeJS.ProcessEnv = process.env): TracerStatus[] {
  const cache = sharedCache(env);
  let facts: HostFacts | null | undefined;
  return TRACER_NAMES.map((t) => {
    const where = locateTracer(t, env);
    const installed = where.found && (() => { try { fs.accessSync(where.path, fs.constants.X_OK); return true; } catch { return false; } })();
    const version = installed ? tracerVersion(where.path).version : null;
    const hit = installed ? cache.get(fingerprintKey(fingerprint(t, undefined, env))) : null;
    const failure = hit ? firstFailure(hit) : undefined;
    return {
      tracer: t,
      path: where.path,
      installed,
      version,
      readiness: !installed ? 'not-ready' : !hit ? 'unknown' : hit.ok ? (hit.degraded ? 'degraded' : 'ready') : 'not-ready',
      reason: !installed ? (where.found ? 'not executable' : 'not installed') : failure ? `${failure.id}: ${failure.detail}` : hit ? null : 'not checked yet: run `roar tracer check`',
      hint: installed && !hit ? cheapHint(t, facts === undefined ? (facts = hostFacts(env)) : facts) : null,
    };
  });
}

export function renderStatus(list: TracerStatus[], sel: Selection, configFile: string): string {
  const lines = [`mode: ${sel.mode} (from ${sel.source}${sel.source === 'config' ? ` ${configFile}` : ''}); fallback ${sel.fallback ? 'on' : 'off'}; order ${sel.order.join(', ')}`];
  for (const s of list) {
    lines.push(`${s.tracer.padEnd(8)} ${s.readiness.padEnd(10)} ${s.version ?? '-'}  ${s.path}${s.reason ? `\n         ${s.reason}` : ''}${s.hint ? `\n         probe: ${s.hint}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
