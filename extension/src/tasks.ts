/**
 * Task type `roar`: the workload runs through the engine CLI
 * (`engine.js run --tracer T -- command ...args`), which refuses to start it
 * unless strict preflight passes for it: the CLI prints the refusal and
 * exits 125 (126/127 for a command that is not executable / not found),
 * else the workload's own code. A ProcessExecution gives it a real pty
 * (TTY, colours, Ctrl-C reaches the workload) and passes argv as an array,
 * never through a shell. After a 125 the extension asks the engine for the
 * preflight report of that command, so the tree shows the failed check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TracerMode } from '../../engine/protocol/rpc';
import { EXIT } from '../../engine/protocol/codes';
import { engineRunArgv, quoteArgv } from './argv';
import { tracerPathEnv } from './config';
import type { Ctx } from './ctx';
import { engineRuntime } from './engine_client';

export const TASK_TYPE = 'roar';

export interface RoarTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: string;
  args?: string[];
  tracer?: TracerMode;
  kind?: 'run' | 'build';
  cwd?: string;
  env?: Record<string, string>;
}

const MODES: readonly unknown[] = ['auto', 'ebpf', 'preload', 'ptrace'];

/** A definition from tasks.json or the API, checked field by field; the reason when it is not one. */
export function checkDefinition(d: vscode.TaskDefinition): string | null {
  if (d.type !== TASK_TYPE) return `type is not ${TASK_TYPE}`;
  if (typeof d.command !== 'string' || !d.command) return '`command` must be a non-empty string';
  if (d.args !== undefined && (!Array.isArray(d.args) || d.args.some((a: unknown) => typeof a !== 'string'))) return '`args` must be an array of strings';
  if (d.tracer !== undefined && !MODES.includes(d.tracer)) return '`tracer` must be auto, ebpf, preload or ptrace';
  if (d.kind !== undefined && d.kind !== 'run' && d.kind !== 'build') return '`kind` must be run or build';
  if (d.cwd !== undefined && typeof d.cwd !== 'string') return '`cwd` must be a string';
  if (d.env !== undefined && (typeof d.env !== 'object' || d.env === null || Object.values(d.env).some((v) => typeof v !== 'string'))) return '`env` must map names to strings';
  return null;
}

function folderPath(scope: vscode.TaskScope | vscode.WorkspaceFolder | undefined): string | undefined {
  if (scope && typeof scope === 'object') return scope.uri.fsPath;
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Task name as shown in Run Task: `run train.py`, `build make -j4`. */
export function taskName(d: RoarTaskDefinition): string {
  return `${d.kind ?? 'run'} ${quoteArgv([path.basename(d.command), ...(d.args ?? [])])}`;
}

export class RoarTaskProvider implements vscode.TaskProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;
  private readonly listeners: vscode.Disposable[] = [];
  /** Fired after a roar task ended with 125 and the engine explained why. */
  private readonly refusedEmitter = new vscode.EventEmitter<{ task: vscode.Task; exitCode: number; summary: string }>();
  readonly onDidRefuse = this.refusedEmitter.event;

  constructor(private readonly ctx: Ctx, private readonly onRunEnded: () => void) {
    this.registration = vscode.tasks.registerTaskProvider(TASK_TYPE, this);
    this.listeners.push(vscode.tasks.onDidEndTaskProcess((e) => void this.ended(e.execution.task, e.exitCode)));
  }

  /** The full task for a definition: the engine CLI under the extension host's runtime. */
  createTask(def: RoarTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope = vscode.TaskScope.Workspace, name = taskName(def)): vscode.Task {
    if (!vscode.workspace.isTrusted) throw new Error('roar tasks run workspace commands: trust the workspace first');
    const problem = checkDefinition(def);
    if (problem) throw new Error(`invalid roar task: ${problem}`);
    const folder = folderPath(scope);
    const cwd = def.cwd ? path.resolve(folder ?? process.cwd(), def.cwd) : folder;
    const rt = engineRuntime();
    const engine = this.ctx.settings.enginePath || this.ctx.extension.asAbsolutePath('dist/engine.js');
    const argv = engineRunArgv({
      command: def.command, args: def.args, kind: def.kind,
      tracer: def.tracer ?? this.ctx.settings.tracer, fallback: this.ctx.settings.fallback,
    });
    const execution = new vscode.ProcessExecution(rt.command, [engine, ...argv], {
      cwd,
      env: { ...tracerPathEnv(this.ctx.settings.tracerPaths), ...(def.env ?? {}), ...rt.env },
    });
    const task = new vscode.Task(def, scope, name, TASK_TYPE, execution, []);
    task.group = def.kind === 'build' ? vscode.TaskGroup.Build : undefined;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, echo: true };
    task.detail = `roar ${argv.map((a) => quoteArgv([a])).join(' ')}`;
    return task;
  }

  /** One task per script at the top of each folder (`roar: run train.py`). */
  async provideTasks(): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    const tasks: vscode.Task[] = [];
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      let names: string[] = [];
      try {
        names = (await fs.promises.readdir(f.uri.fsPath)).filter((n) => /\.(py|sh)$/.test(n)).sort().slice(0, 20);
      } catch {
        continue;
      }
      for (const n of names) {
        const def: RoarTaskDefinition = { type: TASK_TYPE, command: n.endsWith('.py') ? 'python3' : 'sh', args: [n] };
        tasks.push(this.createTask(def, f, `run ${n}`));
      }
    }
    return tasks;
  }

  /** tasks.json entries of type roar: the definition decides; untrusted or invalid ones do not resolve. */
  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Roar: tasks run workspace commands; trust this workspace to run them.');
      return undefined;
    }
    const problem = checkDefinition(task.definition);
    if (problem) {
      void vscode.window.showErrorMessage(`Roar: task "${task.name}": ${problem}`);
      return undefined;
    }
    const scope = task.scope && typeof task.scope === 'object' ? task.scope : vscode.TaskScope.Workspace;
    return this.createTask(task.definition as RoarTaskDefinition, scope, task.name);
  }

  private async ended(task: vscode.Task, exitCode: number | undefined): Promise<void> {
    if (task.definition.type !== TASK_TYPE) return;
    this.onRunEnded();
    const def = task.definition as RoarTaskDefinition;
    const argv = [def.command, ...(def.args ?? [])];
    if (exitCode === EXIT.notFound || exitCode === EXIT.notExecutable) {
      void vscode.window.showErrorMessage(`Roar: \`${quoteArgv(argv)}\`: ${exitCode === EXIT.notFound ? 'command not found' : 'not executable'} (exit ${exitCode}); nothing was run.`);
      return;
    }
    if (exitCode !== EXIT.refused) {
      if (exitCode !== undefined) this.ctx.noteTaskRan();
      return;
    }
    // the CLI refused (or failed): ask the engine why, for this very command
    const folder = folderPath(task.scope && typeof task.scope === 'object' ? task.scope : undefined);
    let summary = 'roar exited 125: see the task terminal';
    try {
      const r = await this.ctx.preflight({
        tracer: def.tracer ?? this.ctx.settings.tracer ?? undefined,
        command: argv,
        cwd: def.cwd ? path.resolve(folder ?? process.cwd(), def.cwd) : folder,
        env: { ...tracerPathEnv(this.ctx.settings.tracerPaths), ...(def.env ?? {}) },
        reason: `task "${task.name}" refused`,
      });
      const f = r.verdict.failed;
      summary = r.verdict.ok
        ? 'preflight passes now, so roar itself failed: see the task terminal'
        : `strict preflight failed${f ? `: ${f.tracer} ${f.check} — ${f.detail}` : `: ${r.verdict.summary}`}`;
    } catch (e) {
      summary += ` (the engine could not explain it: ${(e as Error).message})`;
    }
    this.refusedEmitter.fire({ task, exitCode, summary });
    const action = await vscode.window.showWarningMessage(`Roar refused to run \`${quoteArgv(argv)}\` (exit 125): ${summary}`, 'Show Readiness');
    if (action === 'Show Readiness') void vscode.commands.executeCommand('roar.focusReadiness');
  }

  dispose(): void {
    this.registration.dispose();
    for (const l of this.listeners) l.dispose();
    this.refusedEmitter.dispose();
  }
}
