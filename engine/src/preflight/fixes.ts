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
      fixes: c.fixes.map((f) => {
        if (!f.command) return f;
        // "roar run ... -- ..." or "roar run ... -- <argv0>": the tracer knew only the program
        const m = / -- (\.\.\.|\S+)$/.exec(f.command);
        if (!m || !/^roar (run|build) /.test(f.command)) return f;
        if (m[1] !== '...' && m[1] !== shellQuote(command[0]!) && m[1] !== command[0]) return f;
        return { ...f, command: f.command.slice(0, m.index) + ' -- ' + cmd };
      }),
    })),
  };
}
