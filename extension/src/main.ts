/**
 * Entry of dist/extension.js: wiring only. Ctx owns the engine and the
 * state; the views, the status bar, the task provider and the commands
 * follow it. The returned `_private` object is for the extension-host
 * tests (test/e2e/suite), not an API.
 */
import * as vscode from 'vscode';
import { classifyChange } from './config';
import { Ctx } from './ctx';
import { registerCommands } from './commands';
import { ReadinessTreeProvider } from './readiness_tree';
import { RunsTreeProvider } from './runs_tree';
import { StatusBar } from './status_bar';
import { RoarTaskProvider } from './tasks';

export interface RoarPrivate {
  ctx: Ctx;
  readiness: ReadinessTreeProvider;
  runs: RunsTreeProvider;
  status: StatusBar;
  tasks: RoarTaskProvider;
}

let current: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): { _private: RoarPrivate } {
  const ctx = new Ctx(context, performance.now());
  current = ctx;
  const readiness = new ReadinessTreeProvider(ctx);
  const runs = new RunsTreeProvider(ctx);
  const status = new StatusBar(ctx);
  const tasks = new RoarTaskProvider(ctx, () => runs.scheduleRefresh());
  context.subscriptions.push(readiness, runs, status, tasks, ctx);
  registerCommands(ctx, { tasks, refreshRuns: () => runs.refresh() });

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      const c = classifyChange(e);
      if (c.restart || c.reconfigure || c.redraw) void ctx.reloadSettings(c).then(() => status.update());
    }),
    // trust granted: commands and tasks may now run workspace commands
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ctx.configure()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void ctx.configure()),
  );

  void ctx.start();
  return { _private: { ctx, readiness, runs, status, tasks } };
}

export async function deactivate(): Promise<void> {
  await current?.stop();
  current = undefined;
}
