/**
 * The probe addon on real binaries and real privilege levels: root, an
 * unprivileged uid with no capabilities (setpriv), and an already traced
 * process (strace -f). Fixtures are small C programs built here with cc.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  AddonApi, BpfProbe, Capabilities, ElfFacts, ElfInfo, loadAddon, ProcessInfo, PtraceProbe, ResolvedCommand,
} from '../../engine/src/native/addon';
import { freshDir, IN_CI, needRoot, which } from '../helpers/env';

function addon(): AddonApi {
  const load = loadAddon();
  if (!load.ok) throw new Error(`the probe addon must be built for the native tests (native/addon/build.sh): ${load.error}`);
  return load.api;
}

/** A tool the test needs: scripts/setup.sh installs it, so in CI its absence is a failure. */
function tool(t: TestContext, name: string): string | null {
  const p = which(name);
  if (p) return p;
  if (IN_CI) throw new Error(`${name} is required (scripts/setup.sh installs it)`);
  t.skip(`${name} not installed`);
  return null;
}

interface Fixtures {
  dir: string;
  dynamic: string;
  static: string;
  staticPie: string;
  setuid: string;
  setgid: string;
  goNote: string;
  goInfo: string;
}

const GO_BUILD_ID = 'abcDEF123/ghiJKL456/mnoPQR789/stuVWX000';

/** An ELF note section: namesz, descsz, type, "Go\0\0", the id padded to 4. */
function goNote(id: string): Buffer {
  const desc = Buffer.from(id);
  const head = Buffer.alloc(12);
  head.writeUInt32LE(4, 0);
  head.writeUInt32LE(desc.length, 4);
  head.writeUInt32LE(4, 8);
  const pad = Buffer.alloc((4 - (desc.length % 4)) % 4);
  return Buffer.concat([head, Buffer.from('Go\0\0', 'latin1'), desc, pad]);
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

/** A Go >= 1.18 .go.buildinfo: 32-byte header, then varint-prefixed version and module info. */
function goBuildInfo(version: string, mainPath: string): Buffer {
  const head = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(head);
  head[14] = 8; // pointer size
  head[15] = 2; // strings inline
  const sentinel = Buffer.alloc(16, 0x5a);
  const mod = Buffer.concat([sentinel, Buffer.from(`path\t${mainPath}\nmod\t${mainPath}\t(devel)\t\n`), sentinel]);
  const str = (b: Buffer) => Buffer.concat([uvarint(b.length), b]);
  return Buffer.concat([head, str(Buffer.from(version)), str(mod)]);
}

let built: Fixtures | null = null;
function fixtures(): Fixtures {
  if (built) return built;
  const dir = freshDir('roar-addon-');
  fs.chmodSync(dir, 0o755);
  const src = path.join(dir, 'hello.c');
  fs.writeFileSync(src, '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  const cc = (out: string, ...flags: string[]) => {
    execFileSync('cc', ['-O1', ...flags, '-o', path.join(dir, out), src], { stdio: 'pipe' });
    return path.join(dir, out);
  };
  const f: Fixtures = {
    dir,
    dynamic: cc('hello-dyn'),
    static: cc('roar-fixture-static', '-static'),
    staticPie: cc('hello-static-pie', '-static-pie', '-fPIE'),
    setuid: path.join(dir, 'hello-setuid'),
    setgid: path.join(dir, 'hello-setgid'),
    goNote: path.join(dir, 'hello-gonote'),
    goInfo: path.join(dir, 'hello-goinfo'),
  };
  fs.copyFileSync(f.dynamic, f.setuid);
  fs.chmodSync(f.setuid, 0o4755);
  fs.copyFileSync(f.dynamic, f.setgid);
  fs.chmodSync(f.setgid, 0o2755);
  const note = path.join(dir, 'note.bin');
  fs.writeFileSync(note, goNote(GO_BUILD_ID));
  execFileSync('objcopy', ['--add-section', `.note.go.buildid=${note}`, f.dynamic, f.goNote], { stdio: 'pipe' });
  const info = path.join(dir, 'buildinfo.bin');
  fs.writeFileSync(info, goBuildInfo('go1.22.5', 'example.com/hello'));
  execFileSync('objcopy', ['--add-section', `.go.buildinfo=${info}`, f.dynamic, f.goInfo], { stdio: 'pipe' });
  built = f;
  return f;
}

function elf(a: AddonApi, file: string): ElfFacts {
  const e = ElfInfo.parse(a.elfInfo(file));
  assert.ok(e.ok, `${file}: ${JSON.stringify(e)}`);
  return e;
}

/** Runs `node -e` with the raw addon (copied to a world-readable dir) under a wrapper command. */
function probeUnder(wrapper: string[], dir: string): { caps: Capabilities; proc: ProcessInfo; bpf: BpfProbe; ptrace: PtraceProbe } {
  const copy = path.join(dir, 'roar_probe.node');
  fs.copyFileSync(addon().path, copy);
  fs.chmodSync(copy, 0o755);
  const code = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(copy)}); const a = m.exports;
    process.stdout.write(JSON.stringify({ caps: a.capabilities(), proc: a.processInfo(), bpf: a.bpfProbe(), ptrace: a.ptraceProbe() }));`;
  const r = spawnSync(wrapper[0]!, [...wrapper.slice(1), process.execPath, '-e', code], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${wrapper.join(' ')}: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  return { caps: Capabilities.parse(out.caps), proc: ProcessInfo.parse(out.proc), bpf: BpfProbe.parse(out.bpf), ptrace: PtraceProbe.parse(out.ptrace) };
}

describe('probe addon (native)', () => {
  it('as root: cap_sys_admin is effective, and bpf() maps and a tracing program load', (t) => {
    if (!needRoot(t)) return;
    const a = addon();
    const caps = a.capabilities();
    assert.ok(caps.effective.includes('cap_sys_admin'), caps.effective.join(','));
    assert.ok(caps.bounding.includes('cap_sys_admin'));
    const bpf = a.bpfProbe();
    assert.equal(bpf.arrayMap.ok, true, JSON.stringify(bpf));
    assert.equal(bpf.ringbufMap.ok, true, JSON.stringify(bpf));
    assert.equal(bpf.tracingProg.ok, true, JSON.stringify(bpf));
    assert.equal(bpf.btfVmlinux, fs.existsSync('/sys/kernel/btf/vmlinux'));
    const p = a.ptraceProbe();
    assert.equal(p.traceme.ok, true);
    assert.equal(p.seccompFilter.ok, true);
    assert.equal(p.seccompNeedsNnp, false, 'root has CAP_SYS_ADMIN');
  });

  it('links completely: its only undefined symbols are N-API and the C/C++ runtime', (t) => {
    const nm = tool(t, 'nm');
    if (!nm) return;
    // a native/common file that grows a dependency the binding.gyp sources
    // lack would otherwise load fine (lazy binding) and crash on first call
    const out = execFileSync(nm, ['-D', '--undefined-only', addon().path], { encoding: 'utf8' });
    const stray = out.split('\n').map((l) => l.trim().split(/\s+/).at(-1) ?? '').filter((sym) =>
      sym && !sym.includes('@') && !/^(napi_|node_api_)/.test(sym) &&
      !['__gmon_start__', '_ITM_deregisterTMCloneTable', '_ITM_registerTMCloneTable'].includes(sym));
    assert.deepEqual(stray, []);
  });

  it('probe timings: every probe, the forking ptrace one included, is fast enough to run synchronously', (t) => {
    const a = addon();
    const times: Record<string, number> = {};
    for (const [name, fn] of Object.entries({
      capabilities: () => a.capabilities(), processInfo: () => a.processInfo(), bpfProbe: () => a.bpfProbe(),
      ptraceProbe: () => a.ptraceProbe(), elfInfo: () => a.elfInfo(process.execPath), resolveCommand: () => a.resolveCommand('sh'),
    })) {
      const ms: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        fn();
        ms.push(performance.now() - t0);
      }
      times[name] = ms.sort((x, y) => x - y)[3]!;
    }
    t.diagnostic(`median ms: ${JSON.stringify(times, (_k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v))}`);
    assert.ok(times.ptraceProbe! < 5, `ptraceProbe median ${times.ptraceProbe} ms`);
  });

  it('ELF facts: dynamic, static, static-PIE, setuid, setgid', (t) => {
    const a = addon();
    const f = fixtures();
    const dyn = elf(a, f.dynamic);
    assert.equal(dyn.static, false);
    assert.ok(dyn.interpreter && dyn.interpreter.includes('ld'));
    assert.equal(dyn.libc, 'glibc');
    assert.equal(dyn.nativeMachine, true);

    const st = elf(a, f.static);
    assert.equal(st.static, true);
    assert.equal(st.interpreter, null);
    assert.equal(st.libc, 'none');
    assert.equal(st.staticPie, false);
    assert.equal(st.type, 'EXEC');

    const spie = elf(a, f.staticPie);
    assert.equal(spie.static, true);
    assert.equal(spie.staticPie, true);
    assert.equal(spie.type, 'DYN');

    assert.equal(elf(a, f.setuid).setuid, true);
    assert.equal(elf(a, f.setuid).setgid, false);
    assert.equal(elf(a, f.setgid).setgid, true);
    const r = ResolvedCommand.parse(a.resolveCommand(f.setuid));
    assert.equal(r.kind, 'elf');
    assert.equal(r.setuid, true);
  });

  it('file capabilities: setcap cap_net_raw+ep is seen and decoded', (t) => {
    if (!needRoot(t)) return;
    const setcap = tool(t, 'setcap');
    if (!setcap) return;
    const a = addon();
    const f = fixtures();
    const capped = path.join(f.dir, 'hello-caps');
    fs.copyFileSync(f.dynamic, capped);
    execFileSync(setcap, ['cap_net_raw+ep', capped]);
    const e = elf(a, capped);
    assert.equal(e.fileCaps, true);
    assert.ok(e.fileCapSets);
    assert.deepEqual(e.fileCapSets.permitted, ['cap_net_raw']);
    assert.deepEqual(e.fileCapSets.inheritable, []);
    assert.equal(e.fileCapSets.effective, true);
    assert.ok([2, 3].includes(e.fileCapSets.version));
    assert.equal(a.resolveCommand(capped).fileCaps, true);
    assert.equal(elf(a, f.dynamic).fileCaps, false);
    assert.equal(elf(a, f.dynamic).fileCapSets, null);
  });

  it('#! chains through /usr/bin/env (by path and by PATH name), nested scripts and symlinks reach the static ELF', (t) => {
    const a = addon();
    const f = fixtures();
    const byPath = path.join(f.dir, 'by-path.sh');
    fs.writeFileSync(byPath, `#!/usr/bin/env ${f.static}\n`, { mode: 0o755 });
    const r1 = ResolvedCommand.parse(a.resolveCommand(byPath));
    assert.equal(r1.kind, 'script');
    assert.equal(r1.errno, 0);
    assert.deepEqual(r1.chain, [byPath, '/usr/bin/env', f.static]);
    assert.equal(r1.finalElf, f.static);
    assert.equal(r1.interpreter, f.static);
    assert.equal(r1.static, true);
    assert.equal(r1.libc, 'none');

    const byName = path.join(f.dir, 'by-name.sh');
    fs.writeFileSync(byName, '#!/usr/bin/env -S roar-fixture-static --verbose\n', { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${f.dir}:${savedPath}`;
    try {
      const r2 = a.resolveCommand(byName);
      assert.equal(r2.finalElf, f.static);
      assert.equal(r2.static, true);
      // and the script itself by PATH name, through a symlink
      fs.symlinkSync(byName, path.join(f.dir, 'roar-fixture-link'));
      const r3 = a.resolveCommand('roar-fixture-link');
      assert.equal(r3.resolved, byName);
      assert.equal(r3.finalElf, f.static);
    } finally {
      process.env.PATH = savedPath;
    }

    const nested = path.join(f.dir, 'nested.sh');
    fs.writeFileSync(nested, `#!${byPath}\n`, { mode: 0o755 });
    const r4 = a.resolveCommand(nested);
    assert.deepEqual(r4.chain, [nested, byPath, '/usr/bin/env', f.static]);
    assert.equal(r4.finalElf, f.static);
  });

  it('Go: an injected .note.go.buildid marks the ELF as Go with its build id; .go.buildinfo gives the version', (t) => {
    if (!tool(t, 'objcopy')) return;
    const a = addon();
    const f = fixtures();
    const n = elf(a, f.goNote);
    assert.equal(n.go, true);
    assert.equal(n.goBuildId, GO_BUILD_ID);
    assert.equal(n.goVersion, null);
    assert.equal(a.resolveCommand(f.goNote).go, true);
    const i = elf(a, f.goInfo);
    assert.equal(i.go, true);
    assert.equal(i.goVersion, 'go1.22.5');
    assert.equal(i.goPath, 'example.com/hello');
    assert.equal(elf(a, f.dynamic).go, false);
  });

  it('python3 resolves to an ELF, directly or through its #! chain', (t) => {
    if (!tool(t, 'python3')) return;
    const a = addon();
    const r = ResolvedCommand.parse(a.resolveCommand('python3'));
    assert.equal(r.errno, 0, JSON.stringify(r));
    assert.ok(r.kind === 'elf' || r.kind === 'script');
    assert.ok(r.finalElf, JSON.stringify(r));
    if (r.kind === 'script') assert.ok(r.chain.length >= 2);
    else assert.deepEqual(r.chain, [r.resolved]);
    assert.equal(r.chain.at(-1), r.finalElf);
    const e = elf(a, r.finalElf);
    assert.equal(e.nativeMachine, true);
    assert.equal(r.machine, e.machine);
  });

  it('as uid 65534 with no capabilities (setpriv): caps empty, bpf() refused with EPERM, seccomp needs no_new_privs', (t) => {
    if (!needRoot(t)) return;
    const setpriv = tool(t, 'setpriv');
    if (!setpriv) return;
    addon();
    const dir = freshDir('roar-addon-unpriv-');
    fs.chmodSync(dir, 0o755);
    const r = probeUnder([setpriv, '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'], dir);
    for (const set of ['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const) {
      assert.deepEqual(r.caps[set], [], set);
    }
    assert.equal(r.caps.effectiveHex, '0000000000000000');
    // a tracing program needs CAP_BPF + CAP_PERFMON whatever the sysctl says
    assert.equal(r.bpf.tracingProg.ok, false);
    assert.equal(r.bpf.tracingProg.code, 'EPERM');
    if (r.bpf.unprivilegedBpfDisabled !== 0) {
      assert.equal(r.bpf.arrayMap.code, 'EPERM');
      assert.equal(r.bpf.ringbufMap.code, 'EPERM');
    }
    assert.equal(r.ptrace.traceme.ok, true, 'a process may always trace its own child');
    assert.equal(r.ptrace.seccompNeedsNnp, true);
    assert.equal(r.ptrace.seccompFilter.ok, true);
    assert.equal(r.proc.noNewPrivs, false, 'the probe set no_new_privs only in its child');
  });

  it('under strace -f: TracerPid is set and PTRACE_TRACEME is refused with EPERM', (t) => {
    const strace = tool(t, 'strace');
    if (!strace) return;
    addon();
    const dir = freshDir('roar-addon-traced-');
    const r = probeUnder([strace, '-f', '-o', '/dev/null'], dir);
    assert.ok((r.proc.tracerPid ?? 0) > 0, JSON.stringify(r.proc));
    assert.equal(r.ptrace.traceme.ok, false);
    assert.equal(r.ptrace.traceme.code, 'EPERM');
  });
});
