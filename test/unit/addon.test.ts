/** The probe addon through engine/src/native/addon.ts: loading, schemas, and the engine without it. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Check, CommandInfo } from '../../engine/protocol';
import {
  ADDON_CHECK_ID, ADDON_UNAVAILABLE, AddonApi, addonCandidates, addonCheck, analyzeCommand, BpfProbe,
  Capabilities, ElfInfo, hostFacts, HostFacts, loadAddon, ProcessInfo, PtraceProbe, ResolvedCommand, toCommandInfo,
} from '../../engine/src/native/addon';
import { freshDir, IN_CI, ROOT } from '../helpers/env';

const ADDON_TS = path.join(ROOT, 'engine', 'src', 'native', 'addon.ts');

/** The built addon, or a skip (a failure in CI, where `npm run build` has built it). */
function api(t: TestContext): AddonApi | null {
  const load = loadAddon();
  if (load.ok) return load.api;
  if (IN_CI || process.env.ROAR_ADDON) assert.fail(`the probe addon must load: ${load.error}`);
  t.skip(`addon not built (native/addon/build.sh): ${load.error}`);
  return null;
}

/** Runs the engine's addon module in a fresh process (no cached load) with ROAR_ADDON set. */
function withAddonEnv(addon: string): { load: { ok: boolean; error?: string }; check: Check; command: unknown; facts: unknown } {
  const code = `
    const a = require(${JSON.stringify(ADDON_TS)});
    const load = a.loadAddon();
    process.stdout.write(JSON.stringify({
      load: { ok: load.ok, error: load.error }, check: a.addonCheck(),
      command: a.analyzeCommand('sh'), facts: a.hostFacts(),
    }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    encoding: 'utf8', env: { ...process.env, ROAR_ADDON: addon }, timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('probe addon', () => {
  it('searches the checkout build, then dist/bin; ROAR_ADDON alone when set', () => {
    const c = addonCandidates({});
    assert.deepEqual(c, [
      path.join(ROOT, 'native', 'addon', 'build', 'Release', 'roar_probe.node'),
      path.join(ROOT, 'dist', 'bin', 'roar_probe.node'),
    ]);
    assert.deepEqual(addonCandidates({ ROAR_ADDON: '/x/y.node' }), ['/x/y.node']);
  });

  it('loads; engine.addon passes and is a valid check', (t) => {
    if (!api(t)) return;
    const check = Check.parse(addonCheck());
    assert.equal(check.id, ADDON_CHECK_ID);
    assert.equal(check.status, 'pass');
    assert.equal(check.required, false);
    assert.equal(check.code, undefined);
    assert.match(check.observed!, /roar_probe\.node$/);
  });

  it('host facts are schema-valid and quick', (t) => {
    const a = api(t);
    if (!a) return;
    const facts = HostFacts.parse(hostFacts());
    Capabilities.parse(a.capabilities());
    ProcessInfo.parse(a.processInfo());
    BpfProbe.parse(a.bpfProbe());
    PtraceProbe.parse(a.ptraceProbe());
    // nobody ptraces the test runner, and its own children can be traced
    assert.equal(facts.process.tracerPid, 0);
    assert.equal(facts.ptrace.traceme.ok, true, JSON.stringify(facts.ptrace));
    assert.equal(facts.capabilities.lastCap >= 37, true);
    for (const r of [facts.bpf.arrayMap, facts.bpf.ringbufMap, facts.bpf.tracingProg]) {
      assert.equal(r.ok, r.errno === 0);
      if (!r.ok) assert.match(r.code ?? '', /^E[A-Z0-9]+$/);
    }
    // synchronous probes, the forking one included: well under the engine's start-up budget
    assert.ok(facts.ms < 50, `hostFacts took ${facts.ms} ms`);
  });

  it('elfInfo: this node binary, a text file, a missing file', (t) => {
    const a = api(t);
    if (!a) return;
    const node = ElfInfo.parse(a.elfInfo(process.execPath));
    assert.ok(node.ok);
    assert.equal(node.nativeMachine, true);
    assert.equal(node.class, 64);
    assert.equal(node.go, false);
    const dir = freshDir();
    const txt = path.join(dir, 'notes.txt');
    fs.writeFileSync(txt, 'hello\n');
    const notElf = a.elfInfo(txt);
    assert.ok(!notElf.ok);
    assert.equal(notElf.code, 'ENOEXEC');
    const missing = a.elfInfo(path.join(dir, 'nope'));
    assert.ok(!missing.ok);
    assert.equal(missing.code, 'ENOENT');
  });

  it('resolveCommand: PATH look-up, missing, not executable, a missing #! interpreter', (t) => {
    const a = api(t);
    if (!a) return;
    const sh = a.resolveCommand('sh');
    assert.equal(sh.errno, 0);
    assert.ok(sh.finalElf && path.isAbsolute(sh.finalElf));
    assert.equal(sh.executable, true);
    CommandInfo.parse(toCommandInfo(sh));

    const missing = ResolvedCommand.parse(a.resolveCommand('no-such-command-roar-xyz'));
    assert.equal(missing.kind, 'missing');
    assert.equal(missing.code, 'ENOENT');
    assert.equal(missing.finalElf, null);

    const dir = freshDir();
    const noexec = path.join(dir, 'noexec.sh');
    fs.writeFileSync(noexec, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const ne = a.resolveCommand(noexec);
    assert.equal(ne.code, 'EACCES');
    assert.equal(ne.executable, false);

    const broken = path.join(dir, 'broken.sh');
    fs.writeFileSync(broken, '#!/no/such/interpreter\n', { mode: 0o755 });
    const br = a.resolveCommand(broken);
    assert.equal(br.kind, 'script');
    assert.equal(br.code, 'ENOENT');
    assert.deepEqual(br.chain, [broken, '/no/such/interpreter']);
    assert.equal(toCommandInfo(br).errno, 2);
  });

  it('arguments are checked: a non-string or a NUL byte throws a TypeError', (t) => {
    const a = api(t);
    if (!a) return;
    assert.throws(() => a.elfInfo(1 as unknown as string), TypeError);
    assert.throws(() => a.resolveCommand('a\0b'), TypeError);
    assert.throws(() => a.resolveCommand('x'.repeat(5000)), RangeError);
  });

  it('ROAR_ADDON at a missing file: not loaded, a warning with the code, and the engine goes on', () => {
    const missing = path.join(freshDir(), 'roar_probe.node');
    const r = withAddonEnv(missing);
    assert.equal(r.load.ok, false);
    assert.match(r.load.error!, /no such file/);
    const check = Check.parse(r.check);
    assert.equal(check.status, 'warn');
    assert.equal(check.required, false);
    assert.equal(check.code, ADDON_UNAVAILABLE);
    assert.match(check.detail, /could not verify/);
    assert.match(check.detail, /capabilities/);
    assert.match(check.detail, /preflight checks still apply/);
    assert.deepEqual(check.fixes.map((f) => f.command), ['npm run build']);
    assert.equal(r.command, null);
    assert.equal(r.facts, null);
  });

  it('ROAR_ADDON at a garbage file or a library that is no addon: the same warning, naming the reason', () => {
    const dir = freshDir();
    const garbage = path.join(dir, 'roar_probe.node');
    fs.writeFileSync(garbage, 'this is not an ELF shared object\n'.repeat(100));
    const g = withAddonEnv(garbage);
    assert.equal(g.load.ok, false);
    assert.match(g.load.error!, /roar_probe\.node/);
    assert.equal(Check.parse(g.check).code, ADDON_UNAVAILABLE);
    assert.equal(g.command, null);

    // a real shared object that registers no module
    const lib = ['/lib/x86_64-linux-gnu/libm.so.6', '/lib/aarch64-linux-gnu/libm.so.6', '/usr/lib/libm.so.6']
      .find((p) => fs.existsSync(p));
    if (lib) {
      const l = withAddonEnv(lib);
      assert.equal(l.load.ok, false);
      assert.equal(Check.parse(l.check).status, 'warn');
    }
  });
});
