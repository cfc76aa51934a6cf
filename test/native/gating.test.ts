/**
 * The failure matrix of DESIGN §4, each case forced for real: the run is
 * refused with exit 125 before any side effect (no run directory, no
 * marker from the workload), and the report names the stable check id.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AutoReport, PreflightReport, RunRecord } from '../../engine/protocol';
import { BUILD, freshDir, needRoot, onlyRecord, roar, ROAR, tracerPath, which } from '../helpers/env';
import { copyInstall, roarAsNobody, sharedDir } from '../helpers/install-copy';

function refusedWithout(ws: string, r: { status: number | null; stderr: string }, checkId: string) {
  assert.equal(r.status, 125, `exit 125\n${r.stderr}`);
  assert.equal(fs.existsSync(path.join(ws, 'MARKER')), false, 'the workload never ran');
  assert.equal(fs.existsSync(path.join(ws, '.roar')), false, 'no run directory');
  assert.ok(r.stderr.includes(checkId), `the refusal names ${checkId}:\n${r.stderr}`);
}

function fakeTracer(dir: string, name: string, body: string | Buffer, mode = 0o755): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body, { mode });
  return p;
}

const touchMarker = (ws: string) => ['touch', path.join(ws, 'MARKER')];

let staticBin: string | null = null;
function staticTarget(): string {
  if (staticBin) return staticBin;
  const dir = freshDir('roar-static-');
  fs.chmodSync(dir, 0o755);
  const src = path.join(dir, 'static-touch.c');
  fs.writeFileSync(src, '#include <fcntl.h>\n#include <unistd.h>\nint main(int c, char **v) { if (c < 2) return 2; int fd = open(v[1], O_CREAT | O_WRONLY, 0644); return fd < 0 ? 1 : close(fd); }\n');
  const out = path.join(dir, 'static-touch');
  const r = spawnSync('cc', ['-static', '-O2', '-o', out, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build a static test binary: ${r.stderr}`);
  staticBin = out;
  return out;
}

describe('gating: refused before any side effect', () => {
  const fakes = freshDir('roar-fakes-');

  it('tracer binary missing → tracer.binary', () => {
    const ws = freshDir();
    const r = roar(['run', '--tracer', 'ptrace', '--', ...touchMarker(ws)], { cwd: ws, env: { ...process.env, ROAR_TRACER_PTRACE: path.join(fakes, 'nope') } });
    refusedWithout(ws, r, 'tracer.binary');
  });

  it('tracer binary not executable → tracer.binary', () => {
    const ws = freshDir();
    const bin = fakeTracer(fakes, 'noexec', fs.readFileSync(tracerPath('ptrace')), 0o644);
    const r = roar(['run', '--tracer', 'ptrace', '--', ...touchMarker(ws)], { cwd: ws, env: { ...process.env, ROAR_TRACER_PTRACE: bin } });
    refusedWithout(ws, r, 'tracer.binary');
    assert.match(r.stderr, /ROAR_E_TRACER_NOT_EXECUTABLE/);
  });

  it('tracer binary for the wrong architecture → tracer.binary', () => {
    const ws = freshDir();
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF\x02\x01\x01', 0, 'latin1');
    elf.writeUInt16LE(2, 16);
    elf.writeUInt16LE(process.arch === 'arm64' ? 62 : 183, 18);
    const bin = fakeTracer(fakes, 'wrong-arch', elf);
    const r = roar(['run', '--tracer', 'ptrace', '--', ...touchMarker(ws)], { cwd: ws, env: { ...process.env, ROAR_TRACER_PTRACE: bin } });
    refusedWithout(ws, r, 'tracer.binary');
    assert.match(r.stderr, /ROAR_E_TRACER_EXEC_FORMAT/);
  });

  it('tracer printing garbage → tracer.output', () => {
    const ws = freshDir();
    const bin = fakeTracer(fakes, 'garbage', '#!/bin/sh\necho "all good, trust me"\nexit 0\n');
    const r = roar(['run', '--tracer', 'ptrace', '--', ...touchMarker(ws)], { cwd: ws, env: { ...process.env, ROAR_TRACER_PTRACE: bin } });
    refusedWithout(ws, r, 'tracer.output');
    assert.match(r.stderr, /ROAR_E_TRACER_OUTPUT_INVALID/);
  });

  it('tracer hanging past the deadline → tracer.output', () => {
    const ws = freshDir();
    const bin = fakeTracer(fakes, 'hang', '#!/bin/sh\nsleep 60\n');
    const t0 = Date.now();
    const r = roar(['run', '--tracer', 'ptrace', '--', ...touchMarker(ws)], { cwd: ws, env: { ...process.env, ROAR_TRACER_PTRACE: bin, ROAR_PREFLIGHT_TIMEOUT_MS: '500' } });
    refusedWithout(ws, r, 'tracer.output');
    assert.match(r.stderr, /ROAR_E_TRACER_TIMEOUT/);
    assert.ok(Date.now() - t0 < 20_000, 'the deadline held');
  });

  it('already traced (strace -f) → ptrace.not_traced', (t) => {
    if (!needRoot(t)) return;
    const strace = which('strace');
    assert.ok(strace, 'strace is installed by scripts/setup.sh');
    const ws = freshDir();
    const r = spawnSync(strace!, ['-f', '-o', '/dev/null', ROAR, 'run', '--tracer', 'ptrace', '--', ...touchMarker(ws)], { cwd: ws, encoding: 'utf8' });
    refusedWithout(ws, { status: r.status, stderr: r.stderr }, 'ptrace.not_traced');
  });

  it('static target for preload → preload.target_static', (t) => {
    if (!needRoot(t)) return;
    const ws = freshDir();
    const r = roar(['run', '--tracer', 'preload', '--', staticTarget(), path.join(ws, 'MARKER')], { cwd: ws });
    refusedWithout(ws, r, 'preload.target_static');
  });

  it('unprivileged user (setpriv, no capabilities) for ebpf → 125', (t) => {
    if (!needRoot(t)) return;
    const inst = copyInstall();
    const ws = sharedDir('roar-nobody-ws-');
    const r = roarAsNobody(inst, ['run', '--tracer', 'ebpf', '--', ...touchMarker(ws)], { cwd: ws });
    refusedWithout(ws, r, 'ebpf.');
    assert.match(r.stderr, /ebpf\.(capabilities|bpf_syscall)/);
    assert.match(r.stderr, /setcap cap_bpf,cap_perfmon\+ep /, 'the exact setcap fix');
  });

  it('a missing command is 127 and an unreadable config is a clear error', () => {
    const ws = freshDir();
    assert.equal(roar(['run', '--tracer', 'ptrace', '--', 'no-such-command-zz'], { cwd: ws }).status, 127);
    fs.mkdirSync(path.join(ws, '.roar'));
    fs.writeFileSync(path.join(ws, '.roar', 'config.toml'), '[tracer]\ndefault = "turbo"\n');
    const r = roar(['run', '--', 'true'], { cwd: ws });
    assert.equal(r.status, 125);
    assert.match(r.stderr, /config\.toml: tracer\.default/);
    assert.equal(fs.existsSync(path.join(ws, '.roar', 'runs')), false);
  });
});

describe('auto selection', () => {
  it('as root here: ebpf, and the run record says so', (t) => {
    if (!needRoot(t)) return;
    const ws = freshDir();
    const c = roar(['tracer', 'check', '--json', '--fresh'], { cwd: ws });
    const report = AutoReport.parse(JSON.parse(c.stdout));
    assert.equal(report.selected, 'ebpf', report.summary);
    const r = roar(['run', '--', 'sh', '-c', 'echo hi > out.txt'], { cwd: ws });
    assert.equal(r.status, 0, r.stderr);
    const rec = onlyRecord(ws);
    assert.equal(rec.tracer.requested, 'auto');
    assert.equal(rec.tracer.requested_from, 'default');
    assert.equal(rec.tracer.used, 'ebpf');
    assert.deepEqual(rec.tracer.fallback, []);
  });

  it('unprivileged: preload for a dynamic target, ptrace for a static one; the record shows why', (t) => {
    if (!needRoot(t)) return;
    const inst = copyInstall();
    const ws = sharedDir('roar-nobody-auto-');
    const dyn = roarAsNobody(inst, ['run', '--', 'sh', '-c', 'echo dyn > dyn.txt'], { cwd: ws });
    assert.equal(dyn.status, 0, dyn.stderr);
    const bin = staticTarget();
    const st = roarAsNobody(inst, ['run', '--', bin, path.join(ws, 'static.txt')], { cwd: ws });
    assert.equal(st.status, 0, st.stderr);
    const recs = fs.readdirSync(path.join(ws, '.roar', 'runs')).map((n) => RunRecord.parse(JSON.parse(fs.readFileSync(path.join(ws, '.roar', 'runs', n), 'utf8'))));
    const dynRec = recs.find((r) => r.command[0] === 'sh')!;
    const stRec = recs.find((r) => r.command[0] === bin)!;
    assert.equal(dynRec.tracer.used, 'preload');
    assert.deepEqual(dynRec.tracer.fallback.map((f) => f.tracer), ['ebpf']);
    assert.ok(dynRec.outputs.some((o) => o.path === path.join(ws, 'dyn.txt')));
    assert.equal(stRec.tracer.used, 'ptrace');
    assert.deepEqual(stRec.tracer.fallback.map((f) => [f.tracer, f.check]), [['ebpf', stRec.tracer.fallback[0]!.check], ['preload', 'preload.target_static']]);
    assert.ok(stRec.outputs.some((o) => o.path === path.join(ws, 'static.txt')));
  });
});

describe('preflight cache', () => {
  it('same fingerprint, same answer from the cache; a change to the tracer binary re-checks; --fresh bypasses', (t) => {
    if (!needRoot(t)) return;
    const cache = freshDir('roar-cache-');
    const bindir = freshDir('roar-bin-');
    fs.copyFileSync(tracerPath('ptrace'), path.join(bindir, 'roar-tracer-ptrace'));
    fs.chmodSync(path.join(bindir, 'roar-tracer-ptrace'), 0o755);
    const env = { ...process.env, ROAR_CACHE_DIR: cache, ROAR_TRACER_DIR: bindir };
    const check = (extra: string[] = []) => PreflightReport.parse(JSON.parse(roar(['tracer', 'check', 'ptrace', '--json', ...extra], { env }).stdout));
    assert.equal(check().cached, undefined, 'first answer is fresh');
    assert.equal(check().cached, true, 'second answer is cached');
    assert.equal(fs.readdirSync(cache).filter((n) => n.endsWith('.json')).length, 1, 'one small file per fingerprint');
    assert.equal(check(['--fresh']).cached, undefined, '--fresh re-checks');
    fs.chmodSync(path.join(bindir, 'roar-tracer-ptrace'), 0o700); // ctime moves: a new fingerprint
    assert.equal(check().cached, undefined, 'a changed binary is re-checked');
    assert.equal(fs.readdirSync(cache).filter((n) => n.endsWith('.json')).length, 2);
  });

  it('two roar processes at once share the cache safely', async (t) => {
    if (!needRoot(t)) return;
    const cache = freshDir('roar-cache-');
    const env = { ...process.env, ROAR_CACHE_DIR: cache };
    const { spawn } = await import('node:child_process');
    const run = () => new Promise<number>((res) => spawn(ROAR, ['tracer', 'check', 'ptrace', '--json'], { env, stdio: 'ignore' }).on('exit', (c) => res(c ?? -1)));
    const codes = await Promise.all([run(), run(), run(), run()]);
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const files = fs.readdirSync(cache);
    assert.ok(files.every((n) => !n.endsWith('.tmp')), 'no temp files left');
    for (const n of files) JSON.parse(fs.readFileSync(path.join(cache, n), 'utf8'));
  });
});

describe('without the probe addon', () => {
  it('the engine still works and says what it could not verify, as a check', (t) => {
    if (!needRoot(t)) return;
    const env = { ...process.env, ROAR_ADDON: '/nonexistent/roar_probe.node', ROAR_CACHE_DIR: freshDir('roar-cache-') };
    const r = roar(['tracer', 'check', 'ptrace', '--json'], { env });
    assert.equal(r.status, 0, r.stderr);
    const report = PreflightReport.parse(JSON.parse(r.stdout));
    assert.equal(report.ok, true);
    assert.equal(report.degraded, true);
    const c = report.checks.find((x) => x.id === 'engine.addon')!;
    assert.equal(c.status, 'warn');
    assert.equal(c.code, 'ROAR_W_ADDON_UNAVAILABLE');
    assert.equal(c.required, false);
  });
});

describe('status and doctor', () => {
  it('roar doctor completes with a report even with one tracer deleted', (t) => {
    if (!needRoot(t)) return;
    const inst = copyInstall(['roar-tracer-preload']);
    const r = spawnSync(process.execPath, [inst.engine, 'doctor', '--json'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const sections = JSON.parse(r.stdout) as { title: string; ok: boolean; data: { installed?: boolean } }[];
    const pre = sections.find((s) => s.title === 'tracer preload')!;
    assert.equal(pre.data.installed, false);
    assert.ok(sections.some((s) => s.title === 'tracer ptrace' && s.ok));
    assert.ok(sections.some((s) => s.title === 'cache'));
    const md = spawnSync(process.execPath, [inst.engine, 'doctor'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(md.status, 0);
    assert.match(md.stdout, /^# roar doctor/);
  });

  it('roar tracer status lists every tracer with where it is', () => {
    const r = roar(['tracer', 'status', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { mode: { mode: string }; tracers: { tracer: string; path: string }[] };
    assert.deepEqual(s.tracers.map((x) => x.tracer), ['ebpf', 'preload', 'ptrace']);
    assert.ok(s.tracers.every((x) => x.path.startsWith(BUILD) || x.path.includes('roar-tracer-')));
  });
});
