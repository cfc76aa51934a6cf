/**
 * Makes fixes exact for this invocation: the tracers cannot know the
 * command a user is about to run, so their "roar run --tracer X -- ..."
 * suggestions get the real, shell-quoted command here.
 */
import { PreflightReport } from '../../protocol';

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function exactFixes(report: PreflightReport, command: string[] | undefined): PreflightReport {
  if (!command?.length) return report;
  const cmd = command.map(shellQuote).join(' ');
  return {
    ...report,
    checks: report.checks.map((c) => ({
      ...c,
      fixes: c.fixes.map((f) => (f.command?.endsWith(' -- ...') ? { ...f, command: f.command.slice(0, -3) + cmd } : f)),
    })),
  };
}
