/**
 * The preload tracer and command-aware preflight: targets LD_PRELOAD cannot
 * see are classified and refused before anything runs; programs that
 * scrub their environment or close inherited fds stay traced.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { PreflightReport } from '../../engine/protocol';
import { freshDir, IN_CI, needRoot, onlyRecord, roar, which } from '../helpers/env';

const dir = freshDir('roar-targets-');
fs.chmodSync(dir, 0o755);
const T: Record<string, string> = {};

function cc(name: string, src: string, extra: string[] = []): string {
  const c = path.join(dir, `${name}.c`);
  fs.writeFileSync(c, src);
  const out = path.join(dir, name);
  const r = spawnSync('cc', ['-O2', '-o', out, c, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc ${name}: ${r.stderr}`);
  return out;
}

const TOUCH = '#include <fcntl.h>\n#include <unistd.h>\nint main(int c, char **v) { if (c < 2) return 2; int fd = open(v[1], O_CREAT | O_WRONLY, 0644); return fd < 0 ? 1 : close(fd); }\n';
const RAW = '#include <fcntl.h>\n#include <sys/syscall.h>\n#include <unistd.h>\nint main(int c, char **v) { if (c < 2) return 2; long fd = syscall(SYS_openat, AT_FDCWD, v[1], O_CREAT | O_WRONLY, 0644); return fd < 0 ? 1 : 0; }\n';

function check(argv: string[]): PreflightReport {
  const r = roar(['tracer', 'check', 'preload', '--json', '--fresh', '--command', ...argv]);
  return PreflightReport.parse(JSON.parse(r.stdout));
}

function failedIds(r: PreflightReport): string[] {
  return r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

describe('preload: command classification', () => {
  before(() => {
    T.static = cc('static-touch', TOUCH, ['-static']);
    T.dynamic = cc('dyn-touch', TOUCH);
    T.setuid = path.join(dir, 'setuid-touch');
    fs.copyFileSync(T.dynamic, T.setuid);
    fs.chmodSync(T.setuid, 0o4755);
    spawnSync('chown', ['65534:65534', T.setuid]);
    fs.chmodSync(T.setuid, 0o4755);
    T.caps = path.join(dir, 'caps-touch');
    fs.copyFileSync(T.dynamic, T.caps);
    fs.chmodSync(T.caps, 0o755);
    // a "Go" program: raw syscalls, and the section Go's linker writes
    T.go = cc('go-like', RAW);
    fs.writeFileSync(path.join(dir, 'buildid'), 'Go build ID: "roar-test"\n');
    const oc = spawnSync('objcopy', ['--add-section', `.note.go.buildid=${path.join(dir, 'buildid')}`, T.go], { encoding: 'utf8' });
    if (oc.status !== 0) throw new Error(`objcopy: ${oc.stderr}`);
    T.envScript = path.join(dir, 'via-env.sh');
    fs.writeFileSync(T.envScript, `#!/usr/bin/env ${path.basename(T.static)}\n`, { mode: 0o755 });
  });

  const refused = (what: string, argv: () => string[], id: string, code: string, needs?: () => boolean) =>
    it(`${what} → ${id}`, (t) => {
      if (!needRoot(t)) return;
      if (needs && !needs()) return;
      const r = check(argv());
      assert.equal(r.ok, false, r.summary);
      assert.ok(failedIds(r).includes(id), `${id} failed (${failedIds(r).join(', ')})`);
      const c = r.checks.find((x) => x.id === id)!;
      assert.equal(c.code, code);
      assert.ok(c.observed && c.expected, 'observed and expected are given');
      assert.ok(c.fixes.length >= 1 && c.fixes.length <= 3);
      // and a run is refused before anything happens
      const ws = freshDir();
      const marker = path.join(ws, 'MARKER');
      const run = roar(['run', '--tracer', 'preload', '--', ...argv().slice(0, 1), marker], { cwd: ws });
      assert.equal(run.status, 125, run.stderr);
      assert.equal(fs.existsSync(marker), false);
      assert.equal(fs.existsSync(path.join(ws, '.roar')), false);
    });

  refused('a static binary', () => [T.static!], 'preload.target_static', 'ROAR_E_TARGET_STATIC');
  refused('a setuid binary owned by someone else', () => [T.setuid!], 'preload.target_setuid', 'ROAR_E_TARGET_SETUID');
  refused('a binary with file capabilities', () => {
    const r = spawnSync('setcap', ['cap_net_raw+ep', T.caps!], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`setcap: ${r.stderr}`);
    return [T.caps!];
  }, 'preload.target_file_caps', 'ROAR_E_TARGET_FILE_CAPS');
  refused('a Go-like binary that opens files with raw syscalls', () => [T.go!], 'preload.target_go', 'ROAR_E_TARGET_GO');

  it('a script whose #! goes through /usr/bin/env to a static binary is resolved to that ELF and refused', (t) => {
    if (!needRoot(t)) return;
    const envPath = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    const r = PreflightReport.parse(JSON.parse(roar(['tracer', 'check', 'preload', '--json', '--fresh', '--command', T.envScript!], { env: envPath }).stdout));
    assert.equal(r.command?.kind, 'script');
    assert.equal(r.command?.interpreter, T.static);
    assert.equal(r.command?.static, true);
    assert.ok(failedIds(r).includes('preload.target_static'));
  });

  it('a dynamic target passes, degraded with the coverage warning', (t) => {
    if (!needRoot(t)) return;
    const r = check([T.dynamic!]);
    assert.equal(r.ok, true, r.summary);
    assert.equal(r.degraded, true);
    const w = r.checks.find((c) => c.id === 'preload.coverage')!;
    assert.equal(w.status, 'warn');
    assert.equal(w.code, 'ROAR_W_PRELOAD_PARTIAL');
  });

  it('--command python3 passes and shows the resolved interpreter', (t) => {
    if (!needRoot(t)) return;
    const r = check(['python3', '-c', 'pass']);
    assert.equal(r.ok, true, r.summary);
    assert.ok(r.command?.resolved, 'resolved');
    assert.ok(r.command?.interpreter, 'interpreter shown');
    assert.equal(r.command?.static, false);
  });
});

describe('preload: programs that try to shake it off stay traced', () => {
  it('env -i', (t) => {
    if (!needRoot(t)) return;
    const ws = freshDir();
    const r = roar(['run', '--tracer', 'preload', '--', 'env', '-i', '/bin/sh', '-c', 'cat /etc/hostname > out.txt'], { cwd: ws });
    assert.equal(r.status, 0, r.stderr);
    const rec = onlyRecord(ws);
    assert.ok(rec.inputs.some((i) => i.path === '/etc/hostname'), 'the input after env -i');
    assert.ok(rec.outputs.some((o) => o.path === path.join(ws, 'out.txt')));
  });

  it('a Python subprocess with close_fds', (t) => {
    if (!needRoot(t)) return;
    if (!which('python3')) {
      if (IN_CI) throw new Error('python3 is required');
      t.skip('no python3');
      return;
    }
    const ws = freshDir();
    const script = 'import subprocess; subprocess.run(["sh", "-c", "cat /etc/hostname > sub.txt"], close_fds=True, env={})';
    const r = roar(['run', '--tracer', 'preload', '--', 'python3', '-c', script], { cwd: ws });
    assert.equal(r.status, 0, r.stderr);
    const rec = onlyRecord(ws);
    assert.ok(rec.outputs.some((o) => o.path === path.join(ws, 'sub.txt')), JSON.stringify(rec.outputs));
    assert.ok(rec.inputs.some((i) => i.path === '/etc/hostname'));
  });
});
