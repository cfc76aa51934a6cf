/**
 * Auto selection (DESIGN §4 rule 2): preflight the candidates (in
 * parallel: the order, not the finishing time, decides), select the first
 * that passed strictly for this command, keep the others' failures as the
 * fallback reason. With fallback off only the first candidate is tried.
 */
import { AutoReport, FallbackReason, PREFLIGHT_SCHEMA, PreflightReport, TRACER_NAMES, TracerName } from '../../protocol';
import { firstFailure } from './report-builders';

export const DEFAULT_ORDER: TracerName[] = [...TRACER_NAMES];

export type PreflightFn = (tracer: TracerName) => Promise<PreflightReport>;


export function fallbackReason(report: PreflightReport): FallbackReason {
  const f = firstFailure(report);
  return { tracer: report.tracer, reason: report.summary, check: f?.id ?? null, code: f?.code ?? null };
}

export async function autoPreflight(preflight: PreflightFn, order: TracerName[] = DEFAULT_ORDER, fallback = true): Promise<AutoReport> {
  const t0 = performance.now();
  const candidates = fallback ? order : order.slice(0, 1);
  const results = await Promise.all(candidates.map((t) => preflight(t)));
  const selectedIndex = results.findIndex((r) => r.ok);
  const selected = selectedIndex >= 0 ? results[selectedIndex]! : null;
  const passedOver = (selectedIndex >= 0 ? results.slice(0, selectedIndex) : results).map(fallbackReason);
  const summary = selected
    ? `selected ${selected.tracer}${passedOver.length ? ` (passed over: ${passedOver.map((f) => `${f.tracer}: ${f.check ?? 'failed'}`).join(', ')})` : ''}`
    : `no tracer passed preflight: ${passedOver.map((f) => `${f.tracer}: ${f.check ?? 'failed'}`).join('; ')}`;
  return {
    schema: PREFLIGHT_SCHEMA,
    tracer: 'auto',
    ok: selected !== null,
    selected: selected?.tracer ?? null,
    summary,
    order: candidates,
    fallback: passedOver,
    results,
    ms: performance.now() - t0,
  };
}
