/** The one entry point for "is this tracer (or auto) ready for this command?". */
import { AnyReport, AutoReport, PreflightReport, TracerName } from '../../protocol';
import { autoPreflight, DEFAULT_ORDER } from './auto';
import { tracerPreflight } from './tracer-preflight';

export type TracerMode = TracerName | 'auto';

export interface CheckRequest {
  tracer: TracerMode;
  command?: string[];
  fallback?: boolean;
  order?: TracerName[];
  fresh?: boolean;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function checkTracers(req: CheckRequest & { tracer: 'auto' }): Promise<AutoReport>;
export function checkTracers(req: CheckRequest & { tracer: TracerName }): Promise<PreflightReport>;
export function checkTracers(req: CheckRequest): Promise<AnyReport>;
export function checkTracers(req: CheckRequest): Promise<AnyReport> {
  const one = (t: TracerName) => tracerPreflight(t, { command: req.command, env: req.env, timeoutMs: req.timeoutMs });
  if (req.tracer === 'auto') return autoPreflight(one, req.order ?? DEFAULT_ORDER, req.fallback ?? true);
  return one(req.tracer);
}

/** The report of the tracer that will be used, if any passed. */
export function selectedReport(report: AnyReport): PreflightReport | null {
  if (report.tracer === 'auto') return report.results.find((r) => r.tracer === report.selected) ?? null;
  return report.ok ? report : null;
}
