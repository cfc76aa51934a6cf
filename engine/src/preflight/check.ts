/** The one entry point for "is this tracer (or auto) ready for this command?". */
import { AnyReport, AutoReport, PreflightReport, TracerName } from '../../protocol';
import { autoPreflight, DEFAULT_ORDER } from './auto';
import { addonCheck, loadAddon } from '../native/addon';
import { setDigestDir } from '../tracers/digest';
import { cacheable, cacheDir, PreflightCache } from './cache';
import { exactFixes } from './fixes';
import { fingerprint, fingerprintKey, HostPart, hostPart } from './fingerprint';
import { tracerPreflight } from './tracer-preflight';

export type TracerMode = TracerName | 'auto';

export interface CheckRequest {
  tracer: TracerMode;
  command?: string[];
  fallback?: boolean;
  order?: TracerName[];
  /** Bypass the cache (the fresh answer is still stored). */
  fresh?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  cache?: PreflightCache | null;
}

let defaultCache: PreflightCache | null = null;
/** One cache per process, so `roar serve` answers repeated checks from memory. */
export function sharedCache(env: NodeJS.ProcessEnv = process.env): PreflightCache {
  if (!defaultCache) {
    defaultCache = new PreflightCache(cacheDir(env));
    setDigestDir(`${defaultCache.dir}.digests`);
  }
  return defaultCache;
}

export function preflightTimeout(env: NodeJS.ProcessEnv): number | undefined {
  const v = Number(env.ROAR_PREFLIGHT_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * Without the probe addon the engine could not verify host facts and the
 * command in-process: every report says so as a (non-required) warning.
 */
function withAddonState(report: PreflightReport, env: NodeJS.ProcessEnv): PreflightReport {
  const load = loadAddon(env);
  if (load.ok) return report;
  return { ...report, degraded: report.ok, checks: [...report.checks, addonCheck(load)] };
}

async function one(t: TracerName, req: CheckRequest, host?: HostPart): Promise<PreflightReport> {
  return withAddonState(await oneTracer(t, req, host), req.env ?? process.env);
}

async function oneTracer(t: TracerName, req: CheckRequest, host?: HostPart): Promise<PreflightReport> {
  const env = req.env ?? process.env;
  const cache = req.cache === undefined ? sharedCache(env) : req.cache;
  let key: string | null = null;
  if (cache) {
    key = fingerprintKey(fingerprint(t, req.command, env, req.cwd, host ?? hostPart()));
    if (!req.fresh) {
      const hit = cache.get(key);
      if (hit) return exactFixes({ ...hit, cached: true }, req.command);
    }
  }
  const report = await tracerPreflight(t, { command: req.command, env, timeoutMs: req.timeoutMs ?? preflightTimeout(env) });
  if (cache && key && cacheable(report)) cache.put(key, report);
  return exactFixes(report, req.command);
}

export function checkTracers(req: CheckRequest & { tracer: 'auto' }): Promise<AutoReport>;
export function checkTracers(req: CheckRequest & { tracer: TracerName }): Promise<PreflightReport>;
export function checkTracers(req: CheckRequest): Promise<AnyReport>;
export function checkTracers(req: CheckRequest): Promise<AnyReport> {
  // read once per check: every tracer's fingerprint shares it
  const host = req.cache === null ? undefined : hostPart();
  if (req.tracer === 'auto') return autoPreflight((t) => one(t, req, host), req.order ?? DEFAULT_ORDER, req.fallback ?? true);
  return one(req.tracer, req, host);
}

/** The report of the tracer that will be used, if any passed. */
export function selectedReport(report: AnyReport): PreflightReport | null {
  if (report.tracer === 'auto') return report.results.find((r) => r.tracer === report.selected) ?? null;
  return report.ok ? report : null;
}
