/**
 * Whatever a tracer binary does, preflight answers with a report: missing,
 * not executable, wrong architecture, garbage, empty, truncated, schema
 * mismatch, contradictory exit code, usage error, crash, hang. Each is a
 * failed check with a stable code. The fake tracers are real processes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CODES, ENGINE_CHECKS, PreflightReport } from '../../engine/protocol';
import { tracerPreflight } from '../../engine/src/preflight/tracer-preflight';
import { freshDir } from '../helpers/env';

const dir = freshDir('roar-fake-tracer-');

function fake(name: string, body: string, mode = 0o755): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body, { mode });
  return p;
}

const GOOD: PreflightReport = {
  schema: 'roar.preflight/1', tracer: 'ptrace', ok: true, degraded: false, summary: 'ptrace tracer ready',
  command: null, fingerprint: { kernel: '6.18' }, ms: 1,
  checks: [{ id: 'ptrace.oracle', status: 'pass', required: true, detail: 'ok', fixes: [], ms: 1 }],
};

async function check(bin: string, timeoutMs = 5000) {
  return tracerPreflight('ptrace', { env: { ...process.env, ROAR_TRACER_PTRACE: bin }, timeoutMs });
}

function failing(r: PreflightReport) {
  assert.equal(r.ok, false);
  const f = r.checks.find((c) => c.status === 'fail');
  assert.ok(f, 'a failed check');
  assert.ok(PreflightReport.safeParse(r).success, 'the synthesized report is schema-valid');
  return f;
}

describe('tracer output at the boundary', () => {
  it('accepts a valid report and adds the binary check and digest', async () => {
    const bin = fake('good', `#!/bin/sh\necho '${JSON.stringify(GOOD)}'\nexit 0\n`);
    const r = await check(bin);
    assert.equal(r.ok, true);
    assert.equal(r.checks[0]!.id, ENGINE_CHECKS.binary);
    assert.match(r.fingerprint.tracer_sha256!, /^[0-9a-f]{64}$/);
  });

  it('missing binary', async () => {
    const f = failing(await check(path.join(dir, 'does-not-exist')));
    assert.equal(f.id, ENGINE_CHECKS.binary);
    assert.equal(f.code, CODES.tracerMissing);
    assert.ok(f.fixes.length > 0);
  });

  it('binary not executable', async () => {
    const f = failing(await check(fake('noexec', '#!/bin/sh\nexit 0\n', 0o644)));
    assert.equal(f.code, CODES.tracerNotExecutable);
    assert.match(f.fixes[0]!.command!, /chmod \+x/);
  });

  it('binary for another architecture (an ELF header for aarch64)', async () => {
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF', 0, 'latin1');
    elf[4] = 2; elf[5] = 1; elf[6] = 1; // 64-bit, little endian, version 1
    elf.writeUInt16LE(2, 16); // ET_EXEC
    elf.writeUInt16LE(183, 18); // EM_AARCH64
    const p = path.join(dir, 'wrong-arch');
    fs.writeFileSync(p, elf, { mode: 0o755 });
    const f = failing(await check(p));
    assert.equal(f.code, CODES.tracerExecFormat);
  });

  it('garbage output', async () => {
    const f = failing(await check(fake('garbage', '#!/bin/sh\necho "Segmentation fault? no: hello"\nexit 0\n')));
    assert.equal(f.id, ENGINE_CHECKS.output);
    assert.equal(f.code, CODES.tracerOutputInvalid);
  });

  it('empty output', async () => {
    const f = failing(await check(fake('empty', '#!/bin/sh\necho oops >&2\nexit 1\n')));
    assert.equal(f.code, CODES.tracerOutputEmpty);
    assert.match(f.detail, /oops/);
  });

  it('truncated JSON', async () => {
    const half = JSON.stringify(GOOD).slice(0, 60);
    const f = failing(await check(fake('truncated', `#!/bin/sh\nprintf '%s' '${half}'\nexit 0\n`)));
    assert.equal(f.code, CODES.tracerOutputInvalid);
  });

  it('JSON that is not a preflight report', async () => {
    const f = failing(await check(fake('schema', `#!/bin/sh\necho '{"schema":"roar.preflight/1","ok":true}'\nexit 0\n`)));
    assert.equal(f.code, CODES.tracerOutputInvalid);
    assert.match(f.detail, /roar\.preflight\/1/);
  });

  it('a report for another tracer', async () => {
    const other = { ...GOOD, tracer: 'ebpf' };
    const f = failing(await check(fake('other', `#!/bin/sh\necho '${JSON.stringify(other)}'\nexit 0\n`)));
    assert.equal(f.code, CODES.tracerOutputInvalid);
  });

  it('an exit code that contradicts the report', async () => {
    const f = failing(await check(fake('contradict', `#!/bin/sh\necho '${JSON.stringify(GOOD)}'\nexit 1\n`)));
    assert.equal(f.code, CODES.tracerOutputInvalid);
  });

  it('a usage error (a tracer from another version)', async () => {
    const f = failing(await check(fake('usage', '#!/bin/sh\necho "usage: x" >&2\nexit 2\n')));
    assert.equal(f.code, CODES.tracerOutputInvalid);
    assert.match(f.detail, /exit 2/);
  });

  it('a crash (killed by a signal)', async () => {
    const f = failing(await check(fake('crash', '#!/bin/sh\nkill -SEGV $$\n')));
    assert.equal(f.code, CODES.tracerCrashed);
    assert.match(f.detail, /SIGSEGV/);
  });

  it('a hang past the deadline is killed, with its children', async () => {
    const marker = path.join(dir, 'hang-child-alive');
    const bin = fake('hang', `#!/bin/sh\n(sleep 3; touch ${marker}) &\nsleep 30\n`);
    const t0 = Date.now();
    const f = failing(await check(bin, 300));
    assert.equal(f.code, CODES.tracerTimeout);
    assert.ok(Date.now() - t0 < 5000);
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal(fs.existsSync(marker), false, 'the hung tracer\'s child was killed too');
  });
});
