/**
 * Every `roar.*` command, registered in one place. Commands that need the
 * engine check Ctx's state themselves and offer a restart when it is down;
 * the palette's enablement comes from the context key roar.engineState.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { RoarTaskProvider } from '../tasks';
import { checkReadiness, copyFixCommand, enableEbpf, runFixInTerminal, selectTracer } from './check';
import { copyDiagnostics, restartEngine, showEngineLog } from './engine';
import { runWithRoar } from './run';

type Handler = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export function registerCommands(ctx: Ctx, deps: { tasks: RoarTaskProvider; refreshRuns: () => Promise<unknown> }): void {
  const commands: Record<string, Handler> = {
    'roar.checkReadiness': (args?) => checkReadiness(ctx, args),
    'roar.run': (arg?) => runWithRoar(ctx, deps.tasks, arg),
    'roar.selectTracer': (mode?) => selectTracer(ctx, mode),
    'roar.showEngineLog': () => showEngineLog(ctx),
    'roar.restartEngine': () => restartEngine(ctx),
    'roar.copyDiagnostics': () => copyDiagnostics(ctx),
    'roar.enableEbpf': () => enableEbpf(ctx),
    'roar.copyFixCommand': (item?) => copyFixCommand(item),
    'roar.runFixInTerminal': (item?) => runFixInTerminal(item),
    'roar.refreshRuns': () => deps.refreshRuns(),
    'roar.focusReadiness': () => vscode.commands.executeCommand('roar.readiness.focus'),
  };
  for (const [id, fn] of Object.entries(commands)) {
    ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        ctx.log.appendLine(`roar: ${id}: ${(e as Error).stack ?? e}`);
        void vscode.window.showErrorMessage(`Roar: ${(e as Error).message}`);
        return undefined;
      }
    }));
  }
}
