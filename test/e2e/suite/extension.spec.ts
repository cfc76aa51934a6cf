/// <reference types="mocha" />
/**
 * Runs inside the real VS Code extension host (code-server), against the
 * development extension (the checkout) and a copy of
 * examples/sample-workspace. Each test drives the extension the way a
 * user's VS Code does: the activated extension, its engine, real tasks in
 * real terminals, and compares with what the CLI says.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnyReport } from '../../../engine/protocol';
import type { RoarPrivate } from '../../../extension/src/main';
import type { ModelNode } from '../../../extension/src/readiness_model';
import type { RoarTaskDefinition } from '../../../extension/src/tasks';

const EXT_ID = 'roar.roar-vscode';
let api: RoarPrivate;
let ws: string;
let folder: vscode.WorkspaceFolder;

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function engineCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const engine = api.ctx.extension.asAbsolutePath('dist/engine.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [engine, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function walk(nodes: ModelNode[], fn: (n: ModelNode, depth: number) => void, depth = 0): void {
  for (const n of nodes) {
    fn(n, depth);
    walk(n.children, fn, depth + 1);
  }
}

/** Runs a task and resolves with its exit code (onDidEndTaskProcess of that very execution). */
async function runTask(task: vscode.Task, timeoutMs = 120_000): Promise<number | undefined> {
  let execution: vscode.TaskExecution | undefined;
  const ended = new Promise<number | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`task ${task.name} did not end within ${timeoutMs} ms`)), timeoutMs);
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (execution && e.execution === execution) {
        clearTimeout(timer);
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
  execution = await vscode.tasks.executeTask(task);
  return ended;
}

function hostIdle(): boolean {
  const s = api.ctx.readiness;
  return !!s.host && !s.checking.some((c) => c.command === null);
}

describe('roar extension in the real VS Code', function () {
  before(async function () {
    const ext = vscode.extensions.getExtension<{ _private: RoarPrivate }>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is installed`);
    api = (await ext.activate())._private;
    folder = vscode.workspace.workspaceFolders![0]!;
    ws = folder.uri.fsPath;
  });

  it('activates, starts the engine on the host runtime, and reaches a first verdict (timing reported)', async () => {
    await waitFor('engine ready', () => api.ctx.state === 'ready');
    const info = api.ctx.info!;
    assert.equal(info.name, 'roar');
    assert.equal(info.node, process.version, 'the engine runs on the extension host\'s own runtime');
    await waitFor('first host verdict', () => api.ctx.timings.firstVerdictMs !== undefined);
    const t = api.ctx.timings;
    console.log(`      timing: activation → engine ready ${t.engineReadyMs!.toFixed(0)} ms; activation → first readiness verdict ${t.firstVerdictMs!.toFixed(0)} ms (${api.ctx.readiness.host!.verdict.summary})`);
  });

  it('registers the palette commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of ['roar.checkReadiness', 'roar.run', 'roar.selectTracer', 'roar.showEngineLog', 'roar.restartEngine', 'roar.copyDiagnostics', 'roar.enableEbpf']) {
      assert.ok(all.includes(c), `${c} is registered`);
    }
  });

  it('the readiness tree reaches the verdict of `roar tracer check --json`', async () => {
    const cli = await engineCli(['tracer', 'check', '--json'], ws);
    const expected = JSON.parse(cli.stdout) as AnyReport;
    assert.equal(cli.code, expected.ok ? 0 : 1);
    await waitFor('an idle host verdict', hostIdle);
    const roots = api.readiness.nodes();
    const host = roots.find((n) => n.id.startsWith('host'))!;
    assert.ok(host, 'a host root');
    if (expected.tracer === 'auto') {
      assert.equal(host.label, `auto → ${expected.selected ?? 'none'}`);
      assert.deepEqual(host.children.map((n) => n.label), expected.results.map((r) => r.tracer));
    }
    const reports = expected.tracer === 'auto' ? expected.results : [expected];
    for (const r of reports) {
      const node = host.children.find((n) => n.label === r.tracer)!;
      assert.equal(node.status, r.ok ? (r.degraded ? 'warn' : 'pass') : 'fail', `${r.tracer}'s icon`);
      const checks = node.children.filter((n) => n.kind === 'check').map((n) => [n.label, n.status]);
      assert.deepEqual(checks, r.checks.map((c) => [c.id, c.status]), `${r.tracer}'s checks`);
    }
    // the same through the real TreeDataProvider
    const items = api.readiness.getChildren();
    assert.equal(items[0]!.label, host.label);
    const tracerItems = api.readiness.getChildren(items[0]);
    assert.ok(tracerItems.every((i) => i.iconPath instanceof vscode.ThemeIcon), 'every tracer has a status icon');
    // and the status bar names the selected tracer
    const status = api.status.last!;
    if (expected.ok) assert.match(status.text, new RegExp(expected.tracer === 'auto' ? `auto → ${expected.selected}` : expected.tracer));
    assert.equal(status.background, expected.ok ? undefined : 'error');
  });

  it('Check Tracer Readiness for a command adds a root for that command', async () => {
    const r = await vscode.commands.executeCommand<{ verdict: { ok: boolean } }>('roar.checkReadiness', {
      prompt: false, tracer: 'ptrace', command: ['sh', '-c', 'true'],
    });
    assert.ok(r, 'the check answered');
    const nodes = api.readiness.nodes();
    const cmdRoot = nodes.find((n) => n.id.startsWith('cmd-'));
    assert.ok(cmdRoot, 'a root for the command check');
    assert.match(cmdRoot.label, /sh -c true/);
  });

  it('runs a roar task that writes a file: exit 0 and a run record', async () => {
    const out = path.join(ws, 'out', 'model.json');
    fs.rmSync(out, { force: true });
    const def: RoarTaskDefinition = { type: 'roar', command: 'python3', args: ['train.py'] };
    const code = await runTask(api.tasks.createTask(def, folder));
    assert.equal(code, 0, 'the task exit code is the workload\'s');
    assert.ok(fs.existsSync(out), 'the workload wrote out/model.json');
    const runs = await waitFor('the run in the Runs view', async () => {
      const list = await api.runs.refresh();
      return list.find((r) => r.command.join(' ') === 'python3 train.py') && list;
    });
    const run = runs.find((r) => r.command.join(' ') === 'python3 train.py')!;
    assert.equal(run.exit.code, 0);
    assert.ok(fs.existsSync(run.path), 'the run record exists');
    const rec = JSON.parse(fs.readFileSync(run.path, 'utf8'));
    assert.ok(rec.inputs.some((i: { path: string }) => i.path === path.join(ws, 'data.csv')), 'data.csv is an input');
    assert.ok(rec.outputs.some((o: { path: string }) => o.path === out), 'out/model.json is an output');
  });

  it('Run with roar runs the active file with its interpreter', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(ws, 'train.py'));
    await vscode.window.showTextDocument(doc);
    let execution: vscode.TaskExecution | undefined;
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution === execution) { sub.dispose(); resolve(e.exitCode); }
      });
    });
    execution = await vscode.commands.executeCommand<vscode.TaskExecution>('roar.run');
    assert.ok(execution, 'a task started');
    assert.deepEqual([execution.task.definition.command, ...execution.task.definition.args], ['python3', 'train.py']);
    assert.equal(await ended, 0);
  });

  it('a task forced onto a missing tracer exits 125, runs nothing, and the tree shows tracer.binary failed', async () => {
    const marker = path.join(ws, 'marker-missing-tracer.txt');
    fs.rmSync(marker, { force: true });
    const refused = new Promise<string>((resolve) => {
      const sub = api.tasks.onDidRefuse((e) => { sub.dispose(); resolve(e.summary); });
    });
    const def: RoarTaskDefinition = {
      type: 'roar', command: 'sh', args: ['-c', 'echo ran > marker-missing-tracer.txt'], tracer: 'ptrace',
      env: { ROAR_TRACER_PTRACE: path.join(ws, 'no-such-dir', 'roar-tracer-ptrace') },
    };
    const code = await runTask(api.tasks.createTask(def, folder));
    assert.equal(code, 125, 'refused by preflight');
    assert.ok(!fs.existsSync(marker), 'the workload never ran');
    const summary = await refused;
    assert.match(summary, /tracer\.binary/);
    const root = await waitFor('the refused command in the tree', () => api.readiness.nodes().find((n) => n.id.startsWith('cmd-') && n.label.includes('marker-missing-tracer')));
    assert.equal(root.status, 'fail');
    let failed: ModelNode | undefined;
    walk([root], (n) => { if (n.kind === 'check' && n.status === 'fail') failed ??= n; });
    assert.equal(failed?.label, 'tracer.binary');
    assert.equal(failed?.check?.code, 'ROAR_E_TRACER_MISSING');
    assert.match(failed!.tooltip!, /observed/);
    assert.equal(api.status.last!.background, api.ctx.readiness.host!.verdict.ok ? 'warning' : 'error');
  });

  it('a task forced onto preload for a static binary exits 125 and leaves no file', async function () {
    const preload = api.ctx.info!.tracers.find((t) => t.tracer === 'preload')!;
    if (!preload.found) this.skip();
    const marker = path.join(ws, 'marker-static.cache');
    fs.rmSync(marker, { force: true });
    // ldconfig is a static-pie binary that would write its cache to marker-static.cache
    const def: RoarTaskDefinition = { type: 'roar', command: '/usr/sbin/ldconfig', args: ['-C', 'marker-static.cache', '-f', '/dev/null'], tracer: 'preload' };
    const code = await runTask(api.tasks.createTask(def, folder));
    assert.equal(code, 125);
    assert.ok(!fs.existsSync(marker), 'the workload never ran');
    const root = await waitFor('the refused command in the tree', () => api.readiness.nodes().find((n) => n.id.startsWith('cmd-') && n.label.includes('marker-static')));
    const failed: string[] = [];
    walk([root], (n) => { if (n.kind === 'check' && n.status === 'fail') failed.push(n.label); });
    assert.ok(failed.includes('preload.target_static'), `failed checks: ${failed.join(', ')}`);
  });

  it('restarts the engine after it is killed (a crash, within the budget)', async () => {
    await waitFor('engine ready', () => api.ctx.state === 'ready');
    const pid = api.ctx.info!.pid;
    const states: string[] = [];
    const sub = api.ctx.onDidChangeState((s) => states.push(s));
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    await waitFor('a new engine', () => api.ctx.state === 'ready' && api.ctx.info && api.ctx.info.pid !== pid);
    sub.dispose();
    assert.equal(states[0], 'crashed');
    assert.equal(api.ctx.crashCount, 1);
    await waitFor('a verdict from the new engine', hostIdle);
    console.log(`      timing: engine killed → restarted and ready ${(performance.now() - t0).toFixed(0)} ms`);
    const r = await vscode.commands.executeCommand<{ verdict: { selected: string | null } }>('roar.checkReadiness', { prompt: false, tracer: 'ptrace', fresh: false });
    assert.equal(r?.verdict.selected, 'ptrace');
  });

  it('Restart Engine is a deliberate stop, not a crash', async () => {
    const pid = api.ctx.info!.pid;
    const states: string[] = [];
    const sub = api.ctx.onDidChangeState((s) => states.push(s));
    await vscode.commands.executeCommand('roar.restartEngine');
    await waitFor('engine ready', () => api.ctx.state === 'ready');
    sub.dispose();
    assert.notEqual(api.ctx.info!.pid, pid);
    assert.ok(!states.includes('crashed'), `states: ${states.join(' → ')}`);
    assert.equal(api.ctx.crashCount, 0);
    let alive = true;
    await waitFor('the old engine to exit', () => { try { process.kill(pid, 0); } catch { alive = false; } return !alive; }, 10_000);
  });

  it('past the crash budget the engine stays down until Restart Engine', async () => {
    const budget = api.ctx.crashBudget;
    for (let i = 1; i <= budget + 1; i++) {
      await waitFor('engine ready', () => api.ctx.state === 'ready');
      const pid = api.ctx.info!.pid;
      process.kill(pid, 'SIGKILL');
      await waitFor(`crash ${i} noticed`, () => api.ctx.crashCount === i || api.ctx.state === 'failed');
      if (i <= budget) await waitFor('a new engine', () => api.ctx.state === 'ready' && api.ctx.info!.pid !== pid);
    }
    await waitFor('state failed', () => api.ctx.state === 'failed');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(api.ctx.state, 'failed', 'no automatic restart past the budget');
    assert.match(api.status.last!.text, /engine down/);
    await vscode.commands.executeCommand('roar.restartEngine');
    await waitFor('engine ready again', () => api.ctx.state === 'ready');
    assert.equal(api.ctx.crashCount, 0);
  });

  it('Select Tracer writes the setting and the engine re-checks in that mode', async () => {
    await vscode.commands.executeCommand('roar.selectTracer', 'ptrace');
    await waitFor('a ptrace verdict', () => hostIdle() && api.ctx.readiness.host!.verdict.mode === 'ptrace' && api.ctx.readiness.host!.verdict.source === 'setting');
    assert.match(api.status.last!.text, /ptrace/);
    await vscode.commands.executeCommand('roar.selectTracer', null);
    await waitFor('back to the CLI\'s selection', () => hostIdle() && api.ctx.readiness.host!.verdict.source !== 'setting');
  });

  it('Copy Diagnostics puts the engine facts and the last reports on the clipboard', async () => {
    const text = await vscode.commands.executeCommand<string>('roar.copyDiagnostics');
    const d = JSON.parse(text!);
    assert.equal(d.engine.state, 'ready');
    assert.equal(d.engine.info.pid, api.ctx.info!.pid);
    assert.ok(d.readiness.host);
  });
});
