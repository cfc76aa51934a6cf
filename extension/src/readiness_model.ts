/**
 * What the Tracer Readiness view shows, as plain data: the last host
 * verdict (`auto → ptrace`), the last command-specific verdict (a refused
 * task), each tracer, its checks, the fixes of failed checks. Pure (no
 * vscode): readiness_tree.ts maps it to TreeItems, test/unit checks it.
 */
import type { AnyReport, Check, Fix, PreflightReport, TracerName } from '../../engine/protocol';
import type { TracerMode, Verdict } from '../../engine/protocol/rpc';
import { firstFailure } from '../../engine/protocol/preflight';
import { quoteArgv } from './argv';

export interface CheckResult {
  seq: number;
  report: AnyReport;
  verdict: Verdict;
  command: string[] | null;
  reason: string | null;
  at: string;
}

export interface InFlight {
  seq: number;
  mode: TracerMode | null;
  command: string[] | null;
}

export interface ReadinessSnapshot {
  /** The last finished check without a command: the host's readiness. */
  host: CheckResult | undefined;
  /** The last finished check for a command (a task that was refused, a check with --command). */
  command: CheckResult | undefined;
  checking: InFlight[];
  /** The last check that could not run at all (bad .roar/config.toml, engine error). */
  error: { message: string; at: string; command: string[] | null } | undefined;
}

export const EMPTY_SNAPSHOT: ReadinessSnapshot = { host: undefined, command: undefined, checking: [], error: undefined };

export type NodeStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'checking' | 'none';

export interface ModelNode {
  id: string;
  kind: 'root' | 'tracer' | 'command-info' | 'check' | 'fix' | 'message';
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  status: NodeStatus;
  /** undefined: a leaf. */
  expanded?: boolean;
  children: ModelNode[];
  tracer?: TracerName;
  check?: Check;
  fix?: Fix;
}

export function reportsOf(report: AnyReport): PreflightReport[] {
  return report.tracer === 'auto' ? report.results : [report];
}

export { firstFailure };

export function tracerStatus(r: PreflightReport): NodeStatus {
  return r.ok ? (r.degraded ? 'warn' : 'pass') : 'fail';
}

export function verdictStatus(v: Verdict): NodeStatus {
  return v.ok ? (v.degraded ? 'warn' : 'pass') : 'fail';
}

/** `auto → ptrace`, `auto → none`, or the forced tracer's name. */
export function verdictLabel(v: Verdict): string {
  return v.mode === 'auto' ? `auto → ${v.selected ?? 'none'}` : v.mode;
}

export function verdictWords(v: Verdict): string {
  return v.ok ? (v.degraded ? 'ready, with limits' : 'ready') : 'not ready';
}

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const esc = (s: string) => s.replace(/([\\`*_{}[\]()#+!|<>])/g, '\\$1');

function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

export function checkTooltip(c: Check, tracer: TracerName): string {
  const lines = [`**${esc(c.id)}** (${tracer}) — ${c.status}${c.required ? '' : ', not required'}`, '', esc(c.detail)];
  if (c.observed !== undefined || c.expected !== undefined) {
    lines.push('', '| | |', '|---|---|');
    if (c.observed !== undefined) lines.push(`| observed | ${code(c.observed)} |`);
    if (c.expected !== undefined) lines.push(`| expected | ${code(c.expected)} |`);
  }
  const tail = [c.code ? `code ${code(c.code)}` : '', c.ms >= 1 ? `${c.ms.toFixed(0)} ms` : ''].filter(Boolean);
  if (tail.length) lines.push('', tail.join(' · '));
  if (c.fixes.length && c.status !== 'pass') {
    lines.push('', '**Fixes**');
    for (const f of c.fixes) lines.push(`- ${esc(f.title)}${f.command ? `: ${code(f.command)}` : ''}`);
  }
  return lines.join('\n');
}

function fixNodes(prefix: string, c: Check): ModelNode[] {
  if (c.status === 'pass' || c.status === 'skip') return [];
  return c.fixes.map((f, i) => ({
    id: `${prefix}/fix${i}`,
    kind: 'fix' as const,
    label: f.title,
    description: f.command,
    tooltip: f.command ? `${esc(f.title)}\n\n\`\`\`sh\n${f.command}\n\`\`\`` : esc(f.title),
    status: 'none' as const,
    children: [],
    fix: f,
  }));
}

function checkNode(prefix: string, c: Check, tracer: TracerName): ModelNode {
  const id = `${prefix}/${c.id}:${c.status}`;
  const fixes = fixNodes(id, c);
  return {
    id,
    kind: 'check',
    label: c.id,
    description: c.detail,
    tooltip: checkTooltip(c, tracer),
    status: c.status,
    expanded: fixes.length ? c.status === 'fail' : undefined,
    children: fixes,
    tracer,
    check: c,
  };
}

function tracerNode(prefix: string, r: PreflightReport, selected: boolean, decides: boolean): ModelNode {
  const id = `${prefix}/${r.tracer}:${tracerStatus(r)}`;
  const failed = firstFailure(r);
  const state = r.ok ? (r.degraded ? 'ready, with limits' : 'ready') : `not ready${failed ? `: ${failed.id}` : ''}`;
  const children: ModelNode[] = [];
  if (r.command) {
    const c = r.command;
    const facts = [c.kind, c.interpreter ? `interpreter ${c.interpreter}` : '', c.static ? 'static' : '', c.setuid ? 'setuid' : '',
      c.file_caps ? 'file caps' : '', c.go ? 'Go' : '', c.machine ?? ''].filter(Boolean).join(', ');
    children.push({
      id: `${id}/command`, kind: 'command-info', label: `command: ${c.argv0}`, description: `${c.resolved ?? 'not found'} (${facts})`,
      tooltip: (c.chain?.length ? `resolved through ${c.chain.map(code).join(' → ')}` : `resolved to ${code(c.resolved ?? 'nothing')}`),
      status: 'none', children: [],
    });
  }
  children.push(...r.checks.map((c) => checkNode(id, c, r.tracer)));
  return {
    id,
    kind: 'tracer',
    label: r.tracer,
    description: `${selected ? 'selected · ' : ''}${state}${r.cached ? ' · cached' : ''}`,
    tooltip: `**${r.tracer}** — ${esc(r.summary)}${failed ? `\n\nfirst failure: ${code(failed.id)}${failed.code ? ` (${code(failed.code)})` : ''}: ${esc(failed.detail)}` : ''}\n\n${r.ms.toFixed(0)} ms${r.cached ? ', from the cache' : ''}`,
    status: tracerStatus(r),
    expanded: decides,
    children,
    tracer: r.tracer,
  };
}

function resultChildren(prefix: string, res: CheckResult): ModelNode[] {
  const v = res.verdict;
  return reportsOf(res.report).map((r) => {
    const selected = v.selected === r.tracer;
    // open what needs attention: the tracer whose failure decides the
    // verdict (the forced one, or auto's first candidate when none passed);
    // passing tracers and tracers auto passed over stay closed
    const decides = !r.ok && (v.mode !== 'auto' || (!v.ok && v.failed?.tracer === r.tracer));
    return tracerNode(prefix, r, selected, decides);
  });
}

/** The first failed check under a root, for revealing it. */
export function firstFailedCheck(root: ModelNode): ModelNode | undefined {
  for (const t of root.children) {
    const c = t.children.find((n) => n.kind === 'check' && n.status === 'fail');
    if (c) return c;
  }
  return undefined;
}

function rootTooltip(res: CheckResult): string {
  const v = res.verdict;
  const lines = [`**${esc(verdictLabel(v))}** — ${verdictWords(v)}`, '', esc(v.summary)];
  if (res.command) lines.push('', `for ${code(quoteArgv(res.command))}`);
  if (v.failed) lines.push('', `failed: ${code(v.failed.check)}${v.failed.code ? ` (${code(v.failed.code)})` : ''}: ${esc(v.failed.detail)}`);
  lines.push('', `mode from ${v.source} · checked ${shortTime(res.at)}${res.reason ? ` (${res.reason})` : ''}`);
  return lines.join('\n');
}

export function readinessNodes(s: ReadinessSnapshot): ModelNode[] {
  const roots: ModelNode[] = [];
  const hostChecking = s.checking.some((c) => c.command === null);
  const commandChecking = s.checking.some((c) => c.command !== null);

  if (s.host) {
    const v = s.host.verdict;
    roots.push({
      id: `host:${verdictStatus(v)}`,
      kind: 'root',
      label: verdictLabel(v),
      description: `${verdictWords(v)}${hostChecking ? ' · checking…' : ''} · ${shortTime(s.host.at)}`,
      tooltip: rootTooltip(s.host),
      status: hostChecking ? 'checking' : verdictStatus(v),
      expanded: true,
      children: resultChildren('host', s.host),
    });
  } else if (hostChecking) {
    const mode = s.checking.find((c) => c.command === null)?.mode;
    roots.push({ id: 'host:checking', kind: 'root', label: `Checking ${mode ?? 'tracers'}…`, status: 'checking', children: [] });
  }

  if (s.command) {
    const v = s.command.verdict;
    const argv = s.command.command ?? [];
    const text = quoteArgv(argv);
    roots.push({
      id: `cmd-${s.command.seq}:${verdictStatus(v)}`,
      kind: 'root',
      label: text.length > 60 ? `${text.slice(0, 57)}…` : text,
      description: `${verdictLabel(v)} · ${v.ok ? verdictWords(v) : 'refused'}${commandChecking ? ' · checking…' : ''}`,
      tooltip: rootTooltip(s.command),
      status: commandChecking ? 'checking' : verdictStatus(v),
      expanded: true,
      children: resultChildren(`cmd-${s.command.seq}`, s.command),
    });
  }

  if (s.error && (!s.host || s.error.at > s.host.at)) {
    roots.push({
      id: `error:${s.error.at}`, kind: 'message', label: 'The check could not run', description: s.error.message,
      tooltip: esc(s.error.message), status: 'fail', children: [],
    });
  }
  return roots;
}
