/** The short answer of a preflight report, as the status bar and notifications show it. */
import { AnyReport, PreflightReport } from '../../protocol';
import { Verdict } from '../../protocol/rpc';
import { firstFailure } from '../preflight/report-builders';

function failureOf(r: PreflightReport): Verdict['failed'] {
  const f = firstFailure(r);
  return f ? { tracer: r.tracer, check: f.id, code: f.code ?? null, detail: f.detail } : null;
}

/** The verdict of a report; the caller fills in where the mode came from. */
export function verdictOf(report: AnyReport): Omit<Verdict, 'source'> {
  if (report.tracer !== 'auto') {
    return {
      mode: report.tracer,
      selected: report.ok ? report.tracer : null,
      ok: report.ok,
      degraded: report.ok && report.degraded,
      summary: report.summary,
      failed: report.ok ? null : failureOf(report),
    };
  }
  const chosen = report.results.find((r) => r.tracer === report.selected) ?? null;
  const firstCandidate = report.results[0];
  return {
    mode: 'auto',
    selected: report.ok ? report.selected : null,
    ok: report.ok,
    degraded: chosen?.degraded ?? false,
    summary: report.summary,
    failed: report.ok || !firstCandidate ? null : failureOf(firstCandidate),
  };
}
