/** Run with roar: the active file with its interpreter, or a typed command, as a `roar` task. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ArgvError, commandForFile, quoteArgv, splitCommandLine } from '../argv';
import type { Ctx } from '../ctx';
import { RoarTaskDefinition, RoarTaskProvider, TASK_TYPE } from '../tasks';

async function fileFacts(uri: vscode.Uri, languageId?: string) {
  let first = '';
  let executable = false;
  try {
    const fh = await fs.promises.open(uri.fsPath, 'r');
    try {
      const buf = Buffer.alloc(256);
      const { bytesRead } = await fh.read(buf, 0, 256, 0);
      first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    } finally {
      await fh.close();
    }
    await fs.promises.access(uri.fsPath, fs.constants.X_OK);
    executable = true;
  } catch {
    // unreadable or not executable: decided by the extension below
  }
  return { path: uri.fsPath, languageId, shebang: first.startsWith('#!') ? first : undefined, executable };
}

/** The argv and cwd for a file: its interpreter, run in the file's directory (so relative paths in it work). */
export async function commandForUri(uri: vscode.Uri, languageId?: string): Promise<{ argv: string[]; cwd: string } | undefined> {
  const facts = await fileFacts(uri, languageId);
  const dir = path.dirname(uri.fsPath);
  const argv = commandForFile(facts);
  if (!argv) return undefined;
  // run in the file's directory and name the file relatively: the run record shows what a person would type
  const base = path.basename(uri.fsPath);
  return { argv: argv.map((a, i) => (a === uri.fsPath ? (i === 0 ? `./${base}` : base) : a)), cwd: dir };
}

export interface RunArgs {
  uri?: vscode.Uri;
  /** A command given directly (tests): no prompt. */
  command?: string[];
  cwd?: string;
}

export async function runWithRoar(ctx: Ctx, tasks: RoarTaskProvider, arg?: vscode.Uri | RunArgs): Promise<vscode.TaskExecution | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Roar: running a command needs a trusted workspace.', 'Manage Workspace Trust')
      .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
    return undefined;
  }
  const args: RunArgs = arg instanceof vscode.Uri ? { uri: arg } : arg ?? {};
  let argv = args.command;
  let cwd = args.cwd;
  if (!argv) {
    const editor = vscode.window.activeTextEditor;
    const uri = args.uri ?? (editor?.document.uri.scheme === 'file' ? editor.document.uri : undefined);
    if (uri) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc?.isDirty) await doc.save();
      const c = await commandForUri(uri, doc?.languageId);
      if (c) ({ argv, cwd } = c);
    }
  }
  if (!argv) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const text = await vscode.window.showInputBox({
      title: 'Run with roar',
      prompt: `A command to run under strict preflight${folder ? ` in ${folder}` : ''}. No shell: words are split, nothing is expanded (use sh -c '…' for pipes).`,
      placeHolder: 'python3 train.py',
      validateInput: (v) => { try { return splitCommandLine(v).length ? null : 'type a command'; } catch (e) { return (e as ArgvError).message; } },
    });
    if (!text) return undefined;
    argv = splitCommandLine(text);
    cwd = folder;
  }
  const [command, ...rest] = argv;
  if (!command) return undefined;
  const folder = cwd ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(cwd)) : vscode.workspace.workspaceFolders?.[0];
  const def: RoarTaskDefinition = { type: TASK_TYPE, command, args: rest, ...(cwd ? { cwd } : {}) };
  const task = tasks.createTask(def, folder ?? vscode.TaskScope.Workspace, `run ${quoteArgv(argv)}`);
  ctx.log.appendLine(`roar: run ${quoteArgv(argv)}${cwd ? ` (in ${cwd})` : ''}`);
  return vscode.tasks.executeTask(task);
}
