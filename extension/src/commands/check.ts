/** Check Tracer Readiness, Select Tracer, Enable eBPF, and the fix actions of the readiness tree. */
import * as vscode from 'vscode';
import type { TracerName } from '../../../engine/protocol';
import type { PreflightResult, TracerMode } from '../../../engine/protocol/rpc';
import { ArgvError, quoteArgv, splitCommandLine } from '../argv';
import { SECTION } from '../config';
import type { Ctx } from '../ctx';
import { firstFailure, reportsOf, verdictLabel, verdictWords } from '../readiness_model';
import type { ReadinessTreeItem } from '../readiness_tree';

export interface CheckArgs {
  tracer?: TracerMode;
  command?: string[];
  /** false: no pickers (status bar click, tests). Default: ask. */
  prompt?: boolean;
  fresh?: boolean;
}

const TRACERS: TracerName[] = ['ebpf', 'preload', 'ptrace'];

function tracerItems(ctx: Ctx, current: TracerMode | null): (vscode.QuickPickItem & { mode: TracerMode | null })[] {
  const host = ctx.readiness.host;
  const known = new Map(host ? reportsOf(host.report).map((r) => [r.tracer, r] as const) : []);
  const state = (t: TracerName) => {
    const r = known.get(t);
    if (!r) return 'not checked yet';
    return r.ok ? (r.degraded ? '$(warning) ready, with limits' : '$(pass) ready') : `$(error) not ready: ${firstFailure(r)?.id ?? '?'}`;
  };
  const mark = (m: TracerMode | null) => (m === current ? ' (current)' : '');
  return [
    { label: `auto${mark('auto')}`, mode: 'auto', description: 'the first that passes strict preflight: ebpf, preload, ptrace' },
    ...TRACERS.map((t) => ({ label: `${t}${mark(t)}`, mode: t as TracerMode, description: state(t) })),
  ];
}

export async function checkReadiness(ctx: Ctx, args: CheckArgs = {}): Promise<PreflightResult | undefined> {
  let tracer = args.tracer;
  let command = args.command;
  if (args.prompt !== false && !tracer) {
    const pick = await vscode.window.showQuickPick(tracerItems(ctx, ctx.settings.tracer ?? 'auto'), {
      title: 'Check Tracer Readiness (1/2): which tracer?', placeHolder: 'Strict preflight proves the tracer works here',
    });
    if (!pick) return undefined;
    tracer = pick.mode ?? undefined;
    if (vscode.workspace.isTrusted) {
      const text = await vscode.window.showInputBox({
        title: 'Check Tracer Readiness (2/2): for a command? (optional)',
        prompt: 'Checks the tracer for this very program (static, setuid, Go binaries…). Leave empty for the host check. No shell: words are split, nothing is expanded.',
        placeHolder: 'python3 train.py',
        validateInput: (v) => { try { splitCommandLine(v); return null; } catch (e) { return (e as ArgvError).message; } },
      });
      if (text === undefined) return undefined;
      const argv = splitCommandLine(text);
      command = argv.length ? argv : undefined;
    }
  }
  if (!ctx.isReady()) {
    void notRunning(ctx);
    return undefined;
  }
  try {
    const r = await vscode.window.withProgress(
      { location: { viewId: 'roar.readiness' }, title: 'Checking' },
      () => ctx.preflight({ tracer, command, fresh: args.fresh ?? true, reason: 'user' }),
    );
    if (args.prompt !== false) {
      const v = r.verdict;
      const msg = `Roar: ${verdictLabel(v)}: ${verdictWords(v)}${command ? ` for \`${quoteArgv(command)}\`` : ''}${v.failed ? ` — ${v.failed.check}: ${v.failed.detail}` : ''}`;
      if (v.ok) void vscode.window.showInformationMessage(msg);
      else void vscode.window.showWarningMessage(msg, 'Show Readiness').then((a) => a && vscode.commands.executeCommand('roar.focusReadiness'));
    }
    return r;
  } catch (e) {
    void vscode.window.showErrorMessage(`Roar: the check failed: ${(e as Error).message}`);
    return undefined;
  }
}

export async function notRunning(ctx: Ctx): Promise<void> {
  const a = await vscode.window.showWarningMessage(`Roar: the engine is not running (${ctx.state}${ctx.problem ? `: ${ctx.problem}` : ''}).`, 'Restart Engine', 'Show Engine Log');
  if (a === 'Restart Engine') await ctx.restart();
  if (a === 'Show Engine Log') ctx.log.show(true);
}

/** Select Tracer: writes `roar.tracer` (workspace when a folder is open); "CLI's choice" removes it. */
export async function selectTracer(ctx: Ctx, mode?: TracerMode | null): Promise<void> {
  if (mode === undefined) {
    const items = [
      ...tracerItems(ctx, ctx.settings.tracer),
      { label: `as the CLI selects${ctx.settings.tracer === null ? ' (current)' : ''}`, mode: null, description: '$ROAR_TRACER, then .roar/config.toml, then auto' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Roar: Select Tracer' });
    if (!pick) return;
    mode = pick.mode;
  }
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  // the change event reconfigures the engine and checks again
  await vscode.workspace.getConfiguration(SECTION).update('tracer', mode ?? undefined, target);
}

/** Enable eBPF: a terminal with the exact privileged command typed in, never run: the user reads it and presses Enter. */
export async function enableEbpf(ctx: Ctx): Promise<string | undefined> {
  const host = ctx.readiness.host;
  const ebpf = host ? reportsOf(host.report).find((r) => r.tracer === 'ebpf') : undefined;
  const fromCheck = ebpf?.checks.flatMap((c) => c.fixes).find((f) => f.command && /setcap\b/.test(f.command))?.command;
  const where = ctx.info?.tracers.find((t) => t.tracer === 'ebpf');
  if (!fromCheck && !where?.found) {
    void vscode.window.showErrorMessage(`Roar: the eBPF tracer is not installed (looked in ${where?.searched.join(', ') ?? 'the extension'}).`);
    return undefined;
  }
  const root = process.getuid?.() === 0;
  const command = fromCheck ?? `${root ? '' : 'sudo '}setcap cap_bpf,cap_perfmon+ep '${where!.path.replace(/'/g, `'\\''`)}'`;
  const term = vscode.window.createTerminal({ name: 'roar: enable eBPF' });
  term.show();
  term.sendText(command, false);
  void vscode.window.showInformationMessage('Roar typed the command that gives the eBPF tracer its capabilities into the terminal. Read it, then press Enter there (roar never runs sudo itself). Check again afterwards.', 'Check Again')
    .then((a) => a && checkReadiness(ctx, { tracer: 'ebpf', prompt: false, fresh: true }));
  return command;
}

function fixOf(item: ReadinessTreeItem | undefined): string | undefined {
  return item?.node.fix?.command;
}

export async function copyFixCommand(item?: ReadinessTreeItem): Promise<void> {
  const cmd = fixOf(item);
  if (!cmd) return;
  await vscode.env.clipboard.writeText(cmd);
  void vscode.window.setStatusBarMessage(`$(copy) Copied: ${cmd}`, 3000);
}

/** Run a fix in a terminal; one that needs privileges (sudo, setcap, sysctl -w) is typed but not run. */
export function runFixInTerminal(item?: ReadinessTreeItem): void {
  const cmd = fixOf(item);
  if (!cmd) return;
  const privileged = /\b(sudo|doas|pkexec|setcap|sysctl\s+-w)\b/.test(cmd);
  const term = vscode.window.createTerminal({ name: `roar fix: ${item!.node.label}`.slice(0, 60) });
  term.show();
  term.sendText(cmd, !privileged);
  if (privileged) void vscode.window.showInformationMessage('Roar: this fix needs privileges; it is typed into the terminal: read it and press Enter to run it.');
}
