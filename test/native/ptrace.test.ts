/** The ptrace tracer end to end through the real CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PreflightReport } from '../../engine/protocol';
import { ROAR, freshDir, needRoot, onlyRecord, roar, runRecords, which } from '../helpers/env';

describe('ptrace tracer', () => {
  it('tracer check --json: ok, schema-valid, every check with a stable id and its time', (t) => {
    if (!needRoot(t)) return;
    const r = roar(['tracer', 'check', 'ptrace', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = PreflightReport.parse(JSON.parse(r.stdout));
    assert.equal(report.ok, true);
    const ids = report.checks.map((c) => c.id);
    for (const id of ['tracer.binary', 'ptrace.platform', 'ptrace.not_traced', 'ptrace.yama', 'ptrace.seccomp', 'ptrace.attach', 'ptrace.syscall_info', 'ptrace.oracle']) {
      assert.ok(ids.includes(id), `check ${id}`);
    }
    for (const c of report.checks) assert.equal(typeof c.ms, 'number');
    assert.match(report.checks.find((c) => c.id === 'ptrace.oracle')!.detail, /all 10 probe events/);
  });

  it('the run record of `sh -c "cat /etc/hostname > out.txt"`', (t) => {
    if (!needRoot(t)) return;
    const ws = freshDir();
    const r = roar(['run', '--tracer', 'ptrace', '--', 'sh', '-c', 'cat /etc/hostname > out.txt'], { cwd: ws });
    assert.equal(r.status, 0, r.stderr);
    const rec = onlyRecord(ws);
    assert.ok(rec.inputs.some((i) => i.path === '/etc/hostname'));
    const out = rec.outputs.find((o) => o.path === path.join(ws, 'out.txt'));
    assert.ok(out && /^[0-9a-f]{64}$/.test(out.sha256!));
    assert.equal(rec.exit.code, 0);
    assert.match(rec.tracer.preflight_digest, /^sha256:[0-9a-f]{64}$/);
  });

  it('exit status: the workload\'s own, 128+signal when killed', (t) => {
    if (!needRoot(t)) return;
    const ws = freshDir();
    assert.equal(roar(['run', '--tracer', 'ptrace', '--', 'sh', '-c', 'exit 7'], { cwd: ws }).status, 7);
    assert.equal(roar(['run', '--tracer', 'ptrace', '--', 'sh', '-c', 'kill -TERM $$'], { cwd: ws }).status, 143);
    const recs = runRecords(ws);
    assert.deepEqual(recs.map((r) => r.exit.code).sort(), [143, 7]);
  });

  it('a missing command exits 127 and writes no run record; a non-executable one 126', (t) => {
    if (!needRoot(t)) return;
    const ws = freshDir();
    assert.equal(roar(['run', '--tracer', 'ptrace', '--', 'no-such-command-xyz'], { cwd: ws }).status, 127);
    fs.writeFileSync(path.join(ws, 'noexec.sh'), 'echo hi\n', { mode: 0o644 });
    assert.equal(roar(['run', '--tracer', 'ptrace', '--', './noexec.sh'], { cwd: ws }).status, 126);
    assert.equal(fs.existsSync(path.join(ws, '.roar')), false, 'no run directory');
  });

  it('under strace -f (already traced): preflight fails with ptrace.not_traced and the run exits 125 before the workload starts', (t) => {
    if (!needRoot(t)) return;
    const strace = which('strace');
    if (!strace) throw new Error('strace is required (scripts/setup.sh installs it)');
    const ws = freshDir();
    const check = roar(['tracer', 'check', 'ptrace', '--json'], { cwd: ws, env: { ...process.env } });
    assert.equal(check.status, 0);
    const traced = (args: string[]) => spawnSync(strace, ['-f', '-o', '/dev/null', ROAR, ...args], { cwd: ws, encoding: 'utf8' });
    const c = traced(['tracer', 'check', 'ptrace', '--json']);
    assert.equal(c.status, 1);
    const report = PreflightReport.parse(JSON.parse(c.stdout));
    const failed = report.checks.find((x) => x.id === 'ptrace.not_traced')!;
    assert.equal(failed.status, 'fail');
    assert.equal(failed.code, 'ROAR_E_ALREADY_TRACED');
    const marker = path.join(ws, 'MARKER');
    const run = traced(['run', '--tracer', 'ptrace', '--', 'touch', marker]);
    assert.equal(run.status, 125, run.stderr);
    assert.equal(fs.existsSync(marker), false, 'the workload never ran');
    assert.equal(fs.existsSync(path.join(ws, '.roar')), false, 'no run directory');
    assert.match(run.stderr, /ptrace\.not_traced/);
  });
});
