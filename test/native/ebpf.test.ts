/**
 * eBPF specifics: privilege by file capabilities on a copy of the tracer,
 * and a kernel without a needed tracepoint failing in preflight (named),
 * never at run time.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PreflightReport } from '../../engine/protocol';
import { freshDir, needRoot, roar, tracerPath } from '../helpers/env';
import { sharedDir } from '../helpers/install-copy';

describe('ebpf privilege and kernel features', () => {
  it('an unprivileged user passes with cap_bpf,cap_perfmon file capabilities on a copy of the tracer', (t) => {
    if (!needRoot(t)) return;
    const dir = sharedDir('roar-ebpf-caps-');
    fs.chmodSync(dir, 0o755);
    const bin = path.join(dir, 'roar-tracer-ebpf');
    fs.copyFileSync(tracerPath('ebpf'), bin);
    fs.chmodSync(bin, 0o755);
    const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'];
    const before = spawnSync('setpriv', [...nobody, bin, '--preflight', '--json'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TMPDIR: '/tmp' } });
    assert.equal(before.status, 1, 'without caps it fails');
    const failed = PreflightReport.parse(JSON.parse(before.stdout)).checks.filter((c) => c.status === 'fail').map((c) => c.id);
    assert.ok(failed.includes('ebpf.capabilities'), failed.join(', '));
    const setcap = spawnSync('setcap', ['cap_bpf,cap_perfmon+ep', bin], { encoding: 'utf8' });
    assert.equal(setcap.status, 0, setcap.stderr);
    const after = spawnSync('setpriv', [...nobody, bin, '--preflight', '--json'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TMPDIR: '/tmp' } });
    const report = PreflightReport.parse(JSON.parse(after.stdout));
    assert.equal(after.status, 0, report.summary);
    assert.equal(report.ok, true);
    assert.equal(report.checks.find((c) => c.id === 'ebpf.oracle')!.status, 'pass');
  });

  it('a missing tracepoint fails preflight, named, and a run exits 125 before the workload starts', (t) => {
    if (!needRoot(t)) return;
    const env = { ...process.env, ROAR_EBPF_TEST_MISSING_TRACEPOINT: 'sys_enter_made_up', ROAR_CACHE_DIR: freshDir('roar-cache-') };
    const c = roar(['tracer', 'check', 'ebpf', '--json'], { env });
    assert.equal(c.status, 1);
    const report = PreflightReport.parse(JSON.parse(c.stdout));
    const tp = report.checks.find((x) => x.id === 'ebpf.tracepoints')!;
    assert.equal(tp.status, 'fail');
    assert.equal(tp.code, 'ROAR_E_TRACEPOINT_MISSING');
    assert.match(`${tp.detail} ${tp.observed}`, /sys_enter_made_up/);
    const ws = freshDir();
    const marker = path.join(ws, 'MARKER');
    const r = roar(['run', '--tracer', 'ebpf', '--', 'touch', marker], { cwd: ws, env });
    assert.equal(r.status, 125, r.stderr);
    assert.equal(fs.existsSync(marker), false);
    assert.equal(fs.existsSync(path.join(ws, '.roar')), false);
    assert.match(r.stderr, /sys_enter_made_up/);
    // and without preflight (the tracer alone), it still never starts the workload
    const direct = spawnSync(tracerPath('ebpf'), ['--events', path.join(ws, 'e.jsonl'), '--', 'touch', marker], { env, encoding: 'utf8' });
    assert.equal(direct.status, 125, direct.stderr);
    assert.equal(fs.existsSync(marker), false, 'the workload never ran');
  });
});
