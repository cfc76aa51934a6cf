/**
 * The one status bar item (left): selected tracer and state, a spinner
 * while checking, the theme's error background only when strict preflight
 * fails for the host (warning when only the last command was refused), a
 * Markdown tooltip with actions. Click: check now.
 */
import * as vscode from 'vscode';
import { quoteArgv } from './argv';
import type { Ctx } from './ctx';
import { firstFailure, reportsOf, verdictLabel, verdictWords } from './readiness_model';

/** What the item shows; computed apart from the item so tests can read it. */
export interface StatusView {
  text: string;
  tooltip: string;
  background: 'error' | 'warning' | undefined;
}

const ACTIONS = ['roar.checkReadiness', 'roar.selectTracer', 'roar.showEngineLog', 'roar.restartEngine', 'roar.copyDiagnostics', 'roar.focusReadiness'];

function links(ctx: Ctx): string {
  const l = [
    '[$(refresh) Check again](command:roar.checkReadiness?%5B%7B%22prompt%22%3Afalse%2C%22fresh%22%3Atrue%7D%5D "Run a fresh strict preflight")',
    '[$(list-selection) Select tracer](command:roar.selectTracer)',
    '[$(checklist) Show readiness](command:roar.focusReadiness)',
    '[$(output) Engine log](command:roar.showEngineLog)',
  ];
  if (ctx.state === 'failed') l.unshift('[$(debug-restart) Restart engine](command:roar.restartEngine)');
  return l.join(' · ');
}

export function statusView(ctx: Ctx): StatusView {
  const s = ctx.readiness;
  const hostChecking = s.checking.some((c) => c.command === null);
  switch (ctx.state) {
    case 'stopped':
      return { text: '$(circle-slash) roar: stopped', tooltip: `**roar** — the engine is stopped\n\n${links(ctx)}`, background: undefined };
    case 'starting':
      return { text: '$(loading~spin) roar: starting', tooltip: '**roar** — starting the engine…', background: undefined };
    case 'crashed':
      return { text: '$(loading~spin) roar: restarting', tooltip: `**roar** — ${ctx.problem ?? 'the engine stopped'}`, background: undefined };
    case 'failed':
      return { text: '$(debug-disconnect) roar: engine down', tooltip: `**roar** — ${ctx.problem ?? 'the engine is not running'}\n\n${links(ctx)}`, background: undefined };
    case 'ready':
      break;
  }
  const host = s.host;
  if (!host) {
    if (hostChecking) return { text: '$(loading~spin) roar: checking…', tooltip: '**roar** — strict preflight is running…', background: undefined };
    const err = s.error ? `\n\nThe last check failed: ${s.error.message}` : '';
    return { text: '$(circle-large-outline) roar: not checked', tooltip: `**roar** — no readiness verdict yet${err}\n\n${links(ctx)}`, background: undefined };
  }
  const v = host.verdict;
  const icon = hostChecking ? '$(loading~spin)' : v.ok ? (v.degraded ? '$(warning)' : '$(pass)') : '$(error)';
  const label = v.ok ? verdictLabel(v) : v.mode === 'auto' ? 'no tracer ready' : `${v.mode} not ready`;
  const lines = [`**roar** — ${verdictLabel(v)}: ${verdictWords(v)}`, '', v.summary];
  for (const r of reportsOf(host.report)) {
    const f = firstFailure(r);
    lines.push(`- ${r.ok ? (r.degraded ? '$(warning)' : '$(pass)') : '$(error)'} **${r.tracer}** ${r.ok ? (r.degraded ? 'ready, with limits' : 'ready') : `not ready: \`${f?.id ?? '?'}\``}${r.cached ? ' (cached)' : ''}`);
  }
  if (!v.ok && v.failed) {
    const r = reportsOf(host.report).find((x) => x.tracer === v.failed!.tracer);
    const fix = r?.checks.find((c) => c.id === v.failed!.check)?.fixes.find((f) => f.command);
    if (fix) lines.push('', `Fix: ${fix.title}`, '', '```sh', fix.command!, '```');
  }
  let background: StatusView['background'] = v.ok ? undefined : 'error';
  let suffix = '';
  const cmd = s.command;
  if (v.ok && cmd && !cmd.verdict.ok && cmd.at >= host.at && !(ctx.lastRanAt && ctx.lastRanAt > cmd.at)) {
    background = 'warning';
    suffix = ' · last command refused';
    lines.push('', `$(warning) Refused for \`${quoteArgv(cmd.command ?? [])}\`: ${cmd.verdict.failed ? `\`${cmd.verdict.failed.check}\` — ${cmd.verdict.failed.detail}` : cmd.verdict.summary}`);
  }
  lines.push('', `mode from ${v.source}`, '', links(ctx));
  return { text: `${icon} roar: ${label}${suffix}`, tooltip: lines.join('\n'), background };
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  last: StatusView | undefined;

  constructor(private readonly ctx: Ctx) {
    this.item = vscode.window.createStatusBarItem('roar.status', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Roar tracer readiness';
    this.item.command = { title: 'Check Tracer Readiness', command: 'roar.checkReadiness', arguments: [{ prompt: false, fresh: true }] };
    ctx.extension.subscriptions.push(ctx.onDidChangeState(() => this.update()), ctx.onDidChangeReadiness(() => this.update()));
    this.update();
  }

  update(): void {
    const v = statusView(this.ctx);
    this.last = v;
    this.item.text = v.text;
    const md = new vscode.MarkdownString(v.tooltip, true);
    md.isTrusted = { enabledCommands: ACTIONS };
    this.item.tooltip = md;
    this.item.backgroundColor = v.background ? new vscode.ThemeColor(`statusBarItem.${v.background}Background`) : undefined;
    if (this.ctx.settings.statusBarVisible) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
