import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreflightReport, TracerName } from '../../engine/protocol';
import { autoPreflight } from '../../engine/src/preflight/auto';
import { exactFixes } from '../../engine/src/preflight/fixes';

function report(tracer: TracerName, ok: boolean, delayMs = 0): () => Promise<PreflightReport> {
  return () => new Promise((r) => setTimeout(() => r({
    schema: 'roar.preflight/1', tracer, ok, degraded: false, summary: `${tracer} ${ok ? 'ready' : 'not usable'}`, command: null,
    checks: [{ id: `${tracer}.x`, status: ok ? 'pass' : 'fail', required: true, detail: '', code: ok ? undefined : 'ROAR_E_X', fixes: [], ms: 0 }],
    fingerprint: {}, ms: 0,
  }), delayMs));
}

describe('auto selection', () => {
  it('the order decides, not who finishes first; earlier failures are the fallback reason', async () => {
    const fns: Record<TracerName, () => Promise<PreflightReport>> = { ebpf: report('ebpf', false), preload: report('preload', true, 50), ptrace: report('ptrace', true, 0) };
    const r = await autoPreflight((t) => fns[t]());
    assert.equal(r.selected, 'preload');
    assert.deepEqual(r.fallback.map((f) => [f.tracer, f.check, f.code]), [['ebpf', 'ebpf.x', 'ROAR_E_X']]);
  });

  it('no fallback: only the first candidate is tried', async () => {
    const tried: TracerName[] = [];
    const r = await autoPreflight((t) => { tried.push(t); return report(t, t !== 'ebpf')(); }, ['ebpf', 'preload', 'ptrace'], false);
    assert.equal(r.ok, false);
    assert.deepEqual(tried, ['ebpf']);
  });

  it('none passes', async () => {
    const r = await autoPreflight((t) => report(t, false)());
    assert.equal(r.ok, false);
    assert.equal(r.selected, null);
    assert.equal(r.fallback.length, 3);
  });
});

describe('exact fixes', () => {
  it('a fix that names only the program gets the whole command, shell-quoted', async () => {
    const r = await report('preload', false)();
    r.checks[0]!.fixes = [
      { title: 'Use ptrace', command: 'roar run --tracer ptrace -- /usr/sbin/ldconfig' },
      { title: 'Or ebpf', command: 'roar run --tracer ebpf -- ...' },
      { title: 'Unrelated', command: 'setcap cap_bpf+ep /x' },
    ];
    const out = exactFixes(r, ['/usr/sbin/ldconfig', '-C', 'my cache']);
    assert.deepEqual(out.checks[0]!.fixes.map((f) => f.command), [
      "roar run --tracer ptrace -- /usr/sbin/ldconfig -C 'my cache'",
      "roar run --tracer ebpf -- /usr/sbin/ldconfig -C 'my cache'",
      'setcap cap_bpf+ep /x',
    ]);
  });
});
