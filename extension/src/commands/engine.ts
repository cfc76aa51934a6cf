/** Show Engine Log, Restart Engine, Copy Diagnostics. */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

/** Everything a bug report needs, as JSON: versions, settings, engine, the last reports. */
export function diagnostics(ctx: Ctx): Record<string, unknown> {
  const ext = ctx.extension.extension;
  return {
    extension: { id: ext.id, version: ext.packageJSON.version, kind: ext.extensionKind === vscode.ExtensionKind.Workspace ? 'workspace' : 'ui' },
    vscode: { version: vscode.version, appName: vscode.env.appName, remoteName: vscode.env.remoteName ?? null, uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop' },
    host: { platform: process.platform, arch: process.arch, release: os.release(), runtime: process.versions.electron ? `electron ${process.versions.electron}` : `node ${process.version}`, uid: process.getuid?.() },
    workspace: { trusted: vscode.workspace.isTrusted, folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath) },
    settings: ctx.settings,
    engine: { state: ctx.state, problem: ctx.problem ?? null, crashesInWindow: ctx.crashCount, info: ctx.info ?? null },
    timings: ctx.timings,
    readiness: { host: ctx.readiness.host ?? null, lastCommand: ctx.readiness.command ?? null, error: ctx.readiness.error ?? null },
  };
}

export async function copyDiagnostics(ctx: Ctx): Promise<string> {
  const text = JSON.stringify(diagnostics(ctx), null, 2);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage('Roar: diagnostics copied to the clipboard (JSON: versions, settings, engine state, the last preflight reports).');
  return text;
}

export function showEngineLog(ctx: Ctx): void {
  ctx.log.show(true);
}

export async function restartEngine(ctx: Ctx): Promise<void> {
  await ctx.restart();
}
