/** Human-readable output of preflight reports and runs. */
import { AnyReport, Check, PreflightReport, RunRecord } from '../../protocol';

const MARK: Record<Check['status'], string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

function renderOne(r: PreflightReport, indent: string): string[] {
  const out: string[] = [];
  const verdict = r.ok ? (r.degraded ? 'ready, with limits' : 'ready') : 'NOT ready';
  out.push(`${indent}${r.tracer}: ${verdict}${r.cached ? ' (cached)' : ''} — ${r.summary}`);
  if (r.command) {
    const c = r.command;
    out.push(`${indent}  command: ${c.argv0} → ${c.resolved ?? '?'} (${c.kind}${c.interpreter ? `, interpreter ${c.interpreter}` : ''})`);
  }
  for (const c of r.checks) {
    out.push(`${indent}  ${MARK[c.status]} ${c.id.padEnd(26)} ${c.detail}${c.ms >= 1 ? ` (${c.ms.toFixed(0)} ms)` : ''}`);
    if (c.status === 'fail' || c.status === 'warn') {
      if (c.observed || c.expected) {
        out.push(`${indent}      observed: ${c.observed ?? '?'}${c.expected ? `; expected: ${c.expected}` : ''}`);
      }
      if (c.code) out.push(`${indent}      code: ${c.code}`);
    }
  }
  return out;
}

export function fixesOf(r: PreflightReport): { title: string; command?: string }[] {
  return r.checks.filter((c) => c.status === 'fail').flatMap((c) => c.fixes);
}

export function renderReport(report: AnyReport): string {
  const out: string[] = [];
  let fixes: { title: string; command?: string }[] = [];
  if (report.tracer === 'auto') {
    out.push(`auto → ${report.selected ?? 'none'}: ${report.summary}`);
    for (const r of report.results) {
      out.push(...renderOne(r, '  '));
      if (!report.ok) fixes.push(...fixesOf(r));
    }
  } else {
    out.push(...renderOne(report, ''));
    fixes = fixesOf(report);
  }
  const seen = new Set<string>();
  const unique = fixes.filter((f) => {
    const k = `${f.title}\0${f.command ?? ''}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  if (unique.length) {
    out.push('', 'How to fix:');
    for (const f of unique) out.push(`  - ${f.title}${f.command ? `:\n      ${f.command}` : ''}`);
  }
  return out.join('\n') + '\n';
}

export function renderRunSummary(rec: RunRecord, recordPath: string | null): string {
  const parts = [
    `${rec.inputs.length} input${rec.inputs.length === 1 ? '' : 's'}`,
    `${rec.outputs.length} output${rec.outputs.length === 1 ? '' : 's'}`,
    `${rec.processes.length} process${rec.processes.length === 1 ? '' : 'es'}`,
  ];
  const lines = [`roar: ${rec.kind} ${rec.id} (${rec.tracer.used}) exited ${rec.exit.code}: ${parts.join(', ')}${recordPath ? ` → ${recordPath}` : ''}`];
  if (rec.status === 'incomplete') {
    lines.push('roar: the trace is INCOMPLETE:');
    for (const p of rec.tracer.problems) lines.push(`  - ${p}`);
  }
  return lines.join('\n') + '\n';
}
