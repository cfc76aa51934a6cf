/** Reports the engine writes itself, when a tracer cannot give one. */
import { Check, Fix, PREFLIGHT_SCHEMA, PreflightReport, TracerName } from '../../protocol';

export function engineCheck(partial: Omit<Check, 'fixes' | 'ms' | 'required'> & { fixes?: Fix[]; ms?: number; required?: boolean }): Check {
  return { required: true, fixes: [], ms: 0, ...partial };
}

/** A failed report made of engine checks only (no tracer output to use). */
export function failedReport(tracer: TracerName, checks: Check[], ms: number): PreflightReport {
  const first = checks.find((c) => c.status === 'fail');
  return {
    schema: PREFLIGHT_SCHEMA,
    tracer,
    ok: false,
    degraded: false,
    summary: `${tracer} tracer not usable: ${first?.detail ?? 'preflight failed'} (${first?.id ?? 'tracer.output'})`,
    command: null,
    checks,
    fingerprint: {},
    ms,
  };
}

export { firstFailure } from '../../protocol';
