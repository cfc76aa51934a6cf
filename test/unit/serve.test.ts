/**
 * `roar serve --stdio` over a real pipe, with a JSON-RPC client, as the
 * extension talks to it: info before any configuration, preflight with its
 * readiness notifications, trust enforcement, run listing, bad params. The
 * tracers are fakes (shell scripts), so no root and no native build.
 */
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { PreflightReport, RUN_SCHEMA, RunRecord } from '../../engine/protocol';
import {
  ConfigureParams, GetRunResult, InfoResult, ListRunsResult, METHODS, NOTIFICATIONS, PreflightResult, ReadinessParams, RPC_ERRORS,
} from '../../engine/protocol/rpc';
import { freshDir, ROOT } from '../helpers/env';

const dir = freshDir('roar-serve-');
const ws = path.join(dir, 'ws');
fs.mkdirSync(ws);

const GOOD: PreflightReport = {
  schema: 'roar.preflight/1', tracer: 'ptrace', ok: true, degraded: false, summary: 'ptrace tracer ready',
  command: null, fingerprint: { kernel: 'test' }, ms: 1,
  checks: [{ id: 'ptrace.oracle', status: 'pass', required: true, detail: 'ok', fixes: [], ms: 1 }],
};
const goodTracer = path.join(dir, 'roar-tracer-ptrace');
fs.writeFileSync(goodTracer, `#!/bin/sh\necho '${JSON.stringify(GOOD)}'\nexit 0\n`, { mode: 0o755 });

function startEngine(): { child: ChildProcess; conn: MessageConnection; readiness: ReadinessParams[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'engine/src/main.ts'), 'serve', '--stdio'], {
    cwd: ROOT, // where tsx resolves
    env: { ...process.env, ROAR_CACHE_DIR: path.join(dir, 'cache'), ROAR_TRACER_PTRACE: goodTracer, ROAR_TRACER: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const readiness: ReadinessParams[] = [];
  conn.onNotification(NOTIFICATIONS.readiness, (p: ReadinessParams) => readiness.push(p));
  conn.listen();
  return { child, conn, readiness };
}

const settings = (over: Partial<ConfigureParams> = {}): ConfigureParams => ({
  tracer: null, fallback: null, tracerPaths: {}, trusted: false, workspaceFolders: [ws], ...over,
});

describe('roar serve --stdio', () => {
  let engine: ReturnType<typeof startEngine>;
  before(async () => {
    engine = startEngine();
    await engine.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await engine.conn.sendNotification('initialized', {});
  });
  after(async () => {
    await engine.conn.sendRequest('shutdown').catch(() => {});
    await engine.conn.sendNotification('exit').catch(() => {});
    const code = await new Promise((r) => engine.child.once('exit', r));
    assert.equal(code, 0, 'a deliberate shutdown exits 0');
  });

  it('answers roar/info before any configuration', async () => {
    const info = InfoResult.parse(await engine.conn.sendRequest(METHODS.info, null));
    assert.equal(info.name, 'roar');
    assert.equal(info.configured, false);
    assert.equal(info.pid, engine.child.pid);
    assert.deepEqual(info.tracers.map((t) => t.tracer), ['ebpf', 'preload', 'ptrace']);
    assert.equal(info.tracers.find((t) => t.tracer === 'ptrace')!.path, goodTracer);
  });

  it('a host preflight answers with a report and a verdict, announced checking then done', async () => {
    engine.readiness.length = 0;
    const r = PreflightResult.parse(await engine.conn.sendRequest(METHODS.preflight, { tracer: 'ptrace', reason: 'test' }));
    assert.equal(r.verdict.ok, true);
    assert.equal(r.verdict.selected, 'ptrace');
    assert.equal(r.verdict.source, 'request');
    assert.equal(r.report.tracer, 'ptrace');
    assert.deepEqual(engine.readiness.map((n) => [n.seq, n.state]), [[r.seq, 'checking'], [r.seq, 'done']]);
    assert.equal(engine.readiness[1]!.verdict!.ok, true);
    assert.equal(engine.readiness[1]!.reason, 'test');
  });

  it('without a mode it selects as the CLI does (no setting: auto by default)', async () => {
    await engine.conn.sendRequest(METHODS.configure, settings({ tracerPaths: { ebpf: path.join(dir, 'nope-ebpf'), preload: path.join(dir, 'nope-preload') } }));
    const r = PreflightResult.parse(await engine.conn.sendRequest(METHODS.preflight, {}));
    assert.equal(r.verdict.mode, 'auto');
    assert.equal(r.verdict.source, 'default');
    assert.equal(r.verdict.selected, 'ptrace');
    assert.equal(r.report.tracer, 'auto');
  });

  it('refuses a command check in an untrusted workspace', async () => {
    await engine.conn.sendRequest(METHODS.configure, settings({ trusted: false }));
    await assert.rejects(engine.conn.sendRequest(METHODS.preflight, { tracer: 'ptrace', command: ['true'] }), (e: { code: number }) => e.code === RPC_ERRORS.untrusted);
    await assert.rejects(engine.conn.sendRequest(METHODS.preflight, { tracer: 'ptrace', env: { A: 'b' } }), (e: { code: number }) => e.code === RPC_ERRORS.untrusted);
  });

  it('trusted: env overrides reach the tracer look-up (a missing tracer fails tracer.binary)', async () => {
    await engine.conn.sendRequest(METHODS.configure, settings({ trusted: true }));
    const r = PreflightResult.parse(await engine.conn.sendRequest(METHODS.preflight, {
      tracer: 'ptrace', command: ['true'], env: { ROAR_TRACER_PTRACE: path.join(dir, 'missing') },
    }));
    assert.equal(r.verdict.ok, false);
    assert.deepEqual([r.verdict.failed?.check, r.verdict.failed?.code], ['tracer.binary', 'ROAR_E_TRACER_MISSING']);
  });

  it('the setting for tracer paths applies', async () => {
    await engine.conn.sendRequest(METHODS.configure, settings({ tracer: 'ptrace', tracerPaths: { ptrace: path.join(dir, 'elsewhere') } }));
    const r = PreflightResult.parse(await engine.conn.sendRequest(METHODS.preflight, {}));
    assert.equal(r.verdict.source, 'setting');
    assert.equal(r.verdict.failed?.code, 'ROAR_E_TRACER_MISSING');
    await engine.conn.sendRequest(METHODS.configure, settings());
  });

  it('a broken .roar/config.toml is an error naming the file, and a readiness error', async () => {
    const bad = path.join(dir, 'bad');
    fs.mkdirSync(path.join(bad, '.roar'), { recursive: true });
    fs.writeFileSync(path.join(bad, '.roar', 'config.toml'), '[tracer]\ndefault = "nope"\n');
    engine.readiness.length = 0;
    await assert.rejects(engine.conn.sendRequest(METHODS.preflight, { cwd: bad }), (e: { code: number; message: string }) =>
      e.code === RPC_ERRORS.config && e.message.includes('config.toml'));
    assert.equal(engine.readiness.at(-1)?.state, 'error');
  });

  it('lists runs and reads one', async () => {
    const rec: RunRecord = {
      schema: RUN_SCHEMA, id: '20260101T000000Z-abcdef', kind: 'run', command: ['python3', 'train.py'], cwd: ws,
      started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:01.000Z', duration_ms: 1000,
      exit: { code: 0, signal: null }, status: 'complete',
      tracer: { requested: 'auto', used: 'ptrace', fallback: [], preflight_digest: 'sha256:x', preflight_cached: false, lost: 0, problems: [] },
      inputs: [{ path: path.join(ws, 'data.csv'), size: 10 }], outputs: [{ path: path.join(ws, 'out.json'), sha256: 'a'.repeat(64), size: 2 }],
      deleted: [], processes: [], events: 3,
    };
    assert.ok(RunRecord.safeParse(rec).success, RunRecord.safeParse(rec).error?.message);
    fs.mkdirSync(path.join(ws, '.roar', 'runs'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.roar', 'runs', `${rec.id}.json`), JSON.stringify(rec));
    fs.writeFileSync(path.join(ws, '.roar', 'runs', 'broken.json'), '{');
    const list = ListRunsResult.parse(await engine.conn.sendRequest(METHODS.listRuns, { folder: ws }));
    assert.equal(list.root, ws);
    assert.equal(list.total, 2);
    assert.deepEqual(list.runs.map((r) => [r.id, r.tracer, r.inputs, r.outputs]), [[rec.id, 'ptrace', 1, 1]]);
    const one = GetRunResult.parse(await engine.conn.sendRequest(METHODS.getRun, { folder: path.join(ws), id: rec.id }));
    assert.equal(one.record?.id, rec.id);
    const none = GetRunResult.parse(await engine.conn.sendRequest(METHODS.getRun, { folder: ws, id: '../../etc/passwd' }));
    assert.equal(none.record, null);
  });

  it('rejects params that do not match the schema', async () => {
    await assert.rejects(engine.conn.sendRequest(METHODS.preflight, { tracer: 'strace' }), (e: { code: number; message: string }) =>
      e.code === RPC_ERRORS.invalidParams && e.message.includes('tracer'));
    await assert.rejects(engine.conn.sendRequest(METHODS.listRuns, {}), (e: { code: number }) => e.code === RPC_ERRORS.invalidParams);
  });
});

describe('roar serve: usage and documentation', () => {
  it('needs --stdio', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'engine/src/main.ts'), 'serve'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--stdio/);
  });

  it('docs/protocol.md documents every method and notification', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'protocol.md'), 'utf8');
    for (const m of [...Object.values(METHODS), ...Object.values(NOTIFICATIONS)]) {
      assert.ok(doc.includes(`\`${m}\``), `docs/protocol.md has no entry for ${m}`);
    }
  });
});
