/// <reference types="mocha" />
/**
 * Restricted Mode (an untrusted folder): the extension declares limited
 * support, so it runs, shows the read-only host check, and refuses in code
 * everything that would run a workspace command — in the extension and
 * again in the engine.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { METHODS, RPC_ERRORS } from '../../../engine/protocol/rpc';
import type { RoarPrivate } from '../../../extension/src/main';

let api: RoarPrivate;

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('roar extension in an untrusted window', function () {
  before(async function () {
    api = (await vscode.extensions.getExtension<{ _private: RoarPrivate }>('roar.roar-vscode')!.activate())._private;
  });

  it('the window is in Restricted Mode and the extension runs', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    await waitFor('engine ready', () => api.ctx.state === 'ready');
  });

  it('shows the read-only host check', async () => {
    const host = await waitFor('a host verdict', () => api.ctx.readiness.host);
    assert.equal(host.command, null);
    assert.ok(api.readiness.nodes().some((n) => n.id.startsWith('host')));
  });

  it('offers no roar tasks and refuses to build one', async () => {
    // (vscode.tasks.fetchTasks waits for trust in Restricted Mode: ask the provider itself)
    assert.deepEqual(await api.tasks.provideTasks(), []);
    assert.equal(api.tasks.resolveTask(new vscode.Task({ type: 'roar', command: 'sh' }, vscode.TaskScope.Workspace, 'x', 'roar')), undefined);
    assert.throws(() => api.tasks.createTask({ type: 'roar', command: 'sh', args: ['-c', 'echo ran > marker'] }), /trust/);
  });

  it('Run with roar does not run anything', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'train.py'));
    await vscode.window.showTextDocument(doc);
    const execution = await vscode.commands.executeCommand('roar.run');
    assert.equal(execution, undefined);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(vscode.tasks.taskExecutions.length, 0);
    assert.ok(!fs.existsSync(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'out', 'model.json')));
  });

  it('a check for a command is refused by the extension and by the engine', async () => {
    await assert.rejects(api.ctx.preflight({ tracer: 'ptrace', command: ['python3', 'train.py'] }), /trusted workspace/);
    // the engine enforces it too, whatever a client sends
    await assert.rejects(api.ctx.client!.request(METHODS.preflight, { tracer: 'ptrace', command: ['python3', 'train.py'] }),
      (e: { code?: number }) => e.code === RPC_ERRORS.untrusted);
  });
});
