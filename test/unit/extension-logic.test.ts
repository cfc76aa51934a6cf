/**
 * The extension's pure logic, without VS Code: command lines as argv
 * (never shell text), the engine argv of a `roar` task, and the readiness
 * tree model built from preflight reports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AutoReport, PreflightReport } from '../../engine/protocol';
import { Verdict } from '../../engine/protocol/rpc';
import { ArgvError, commandForFile, engineRunArgv, quoteArgv, splitCommandLine } from '../../extension/src/argv';
import { CheckResult, EMPTY_SNAPSHOT, ModelNode, readinessNodes } from '../../extension/src/readiness_model';

describe('command lines', () => {
  it('splits words with POSIX quoting and expands nothing', () => {
    assert.deepEqual(splitCommandLine(`python3  train.py --out "my dir/x" 'a b' c\\ d`), ['python3', 'train.py', '--out', 'my dir/x', 'a b', 'c d']);
    assert.deepEqual(splitCommandLine('echo $HOME *.py | wc > out; rm -rf /'), ['echo', '$HOME', '*.py', '|', 'wc', '>', 'out;', 'rm', '-rf', '/']);
    assert.deepEqual(splitCommandLine(`sh -c 'echo "$1" > f'`), ['sh', '-c', 'echo "$1" > f']);
    assert.deepEqual(splitCommandLine(`"a\\"b" ''`), ['a"b', '']);
    assert.deepEqual(splitCommandLine('   '), []);
    assert.throws(() => splitCommandLine(`echo 'oops`), ArgvError);
    assert.throws(() => splitCommandLine('echo "oops'), ArgvError);
  });

  it('quotes for display so that splitting gives the argv back', () => {
    const argv = ['sh', '-c', `echo 'hi' > out.txt`, '', 'plain', 'a b'];
    assert.deepEqual(splitCommandLine(quoteArgv(argv)), argv);
    assert.equal(quoteArgv(['python3', 'train.py']), 'python3 train.py');
  });

  it('picks how to run a file', () => {
    assert.deepEqual(commandForFile({ path: '/w/train.py', executable: false }), ['python3', '/w/train.py']);
    assert.deepEqual(commandForFile({ path: '/w/run', shebang: '#!/bin/bash -e', executable: true }), ['/w/run']);
    assert.deepEqual(commandForFile({ path: '/w/run', shebang: '#!/usr/bin/env python3', executable: false }), ['/usr/bin/env', 'python3', '/w/run']);
    assert.deepEqual(commandForFile({ path: '/w/notes', languageId: 'shellscript', executable: false }), ['sh', '/w/notes']);
    assert.deepEqual(commandForFile({ path: '/w/a.out', executable: true }), ['/w/a.out']);
    assert.equal(commandForFile({ path: '/w/README.md', executable: false }), null);
  });

  it('a task is the engine CLI with the argv after --', () => {
    assert.deepEqual(engineRunArgv({ command: 'python3', args: ['train.py', '--x=$HOME'], tracer: 'ptrace', fallback: null }),
      ['run', '--tracer', 'ptrace', '--', 'python3', 'train.py', '--x=$HOME']);
    assert.deepEqual(engineRunArgv({ command: 'make', kind: 'build', tracer: null, fallback: false }), ['build', '--no-fallback', '--', 'make']);
    assert.deepEqual(engineRunArgv({ command: '--help', tracer: 'auto', fallback: true }), ['run', '--tracer', 'auto', '--fallback', '--', '--help']);
  });
});

const check = (id: string, status: 'pass' | 'warn' | 'fail' | 'skip', extra: Partial<PreflightReport['checks'][number]> = {}) =>
  ({ id, status, required: true, detail: `${id} detail`, fixes: [], ms: 1, ...extra });

function report(tracer: 'ebpf' | 'preload' | 'ptrace', checks: PreflightReport['checks'], degraded = false): PreflightReport {
  const ok = checks.every((c) => !c.required || c.status === 'pass' || c.status === 'warn');
  return { schema: 'roar.preflight/1', tracer, ok, degraded, summary: `${tracer} ${ok ? 'ready' : 'not usable'}`, command: null, checks, fingerprint: {}, ms: 3 };
}

const ebpfMissing = report('ebpf', [check('tracer.binary', 'fail', { code: 'ROAR_E_TRACER_MISSING', observed: 'missing', expected: '/x/roar-tracer-ebpf', fixes: [{ title: 'Build', command: 'npm run build' }] })]);
const preloadWarn = report('preload', [check('tracer.binary', 'pass'), check('preload.coverage', 'warn', { code: 'ROAR_W_PRELOAD_PARTIAL' })], true);
const ptraceOk = report('ptrace', [check('tracer.binary', 'pass'), check('ptrace.oracle', 'pass')]);

function auto(results: PreflightReport[]): AutoReport {
  const sel = results.find((r) => r.ok) ?? null;
  return { schema: 'roar.preflight/1', tracer: 'auto', ok: !!sel, selected: sel?.tracer ?? null, summary: sel ? `selected ${sel.tracer}` : 'none', order: results.map((r) => r.tracer), fallback: [], results, ms: 4 };
}

function result(rep: AutoReport | PreflightReport, verdict: Partial<Verdict>, command: string[] | null = null, seq = 1): CheckResult {
  const v: Verdict = { mode: rep.tracer, source: 'default', selected: null, ok: rep.ok, degraded: false, summary: rep.summary, failed: null, ...verdict };
  return { seq, report: rep, verdict: v, command, reason: null, at: '2026-01-01T00:00:00.000Z' };
}

function find(nodes: ModelNode[], pred: (n: ModelNode) => boolean): ModelNode | undefined {
  for (const n of nodes) {
    if (pred(n)) return n;
    const f = find(n.children, pred);
    if (f) return f;
  }
  return undefined;
}

describe('readiness tree model', () => {
  it('nothing known: no node (the welcome view shows)', () => {
    assert.deepEqual(readinessNodes(EMPTY_SNAPSHOT), []);
  });

  it('a check in flight with no verdict yet: one spinning root', () => {
    const nodes = readinessNodes({ ...EMPTY_SNAPSHOT, checking: [{ seq: 1, mode: 'auto', command: null }] });
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0]!.status, 'checking');
  });

  it('auto → ptrace: each tracer with its status, checks as children, fixes under failed checks', () => {
    const rep = auto([ebpfMissing, preloadWarn, ptraceOk]);
    const [root] = readinessNodes({ ...EMPTY_SNAPSHOT, host: result(rep, { selected: 'preload', ok: true, degraded: true }) });
    assert.equal(root!.label, 'auto → preload');
    assert.equal(root!.status, 'warn');
    assert.deepEqual(root!.children.map((n) => [n.label, n.status]), [['ebpf', 'fail'], ['preload', 'warn'], ['ptrace', 'pass']]);
    assert.match(root!.children[1]!.description!, /^selected/);
    const bin = find(root!.children[0]!.children, (n) => n.label === 'tracer.binary')!;
    assert.equal(bin.status, 'fail');
    assert.match(bin.tooltip!, /observed.*missing/);
    assert.match(bin.tooltip!, /expected.*roar-tracer-ebpf/);
    assert.deepEqual(bin.children.map((n) => [n.kind, n.label, n.description]), [['fix', 'Build', 'npm run build']]);
    assert.equal(bin.expanded, true);
    // auto passed over ebpf: closed; nothing here needs opening
    assert.equal(root!.children[0]!.expanded, false);
  });

  it('a refused command gets its own root with the failing tracer open', () => {
    const rep = report('ptrace', [check('tracer.binary', 'fail', { code: 'ROAR_E_TRACER_MISSING' })]);
    const nodes = readinessNodes({
      ...EMPTY_SNAPSHOT,
      host: result(auto([ptraceOk]), { selected: 'ptrace', ok: true }),
      command: result(rep, { mode: 'ptrace', ok: false, failed: { tracer: 'ptrace', check: 'tracer.binary', code: 'ROAR_E_TRACER_MISSING', detail: 'x' } }, ['sh', '-c', 'echo ran > marker'], 2),
    });
    assert.equal(nodes.length, 2);
    const cmd = nodes[1]!;
    assert.equal(cmd.label, `sh -c 'echo ran > marker'`);
    assert.equal(cmd.status, 'fail');
    assert.match(cmd.description!, /refused/);
    assert.equal(cmd.children[0]!.expanded, true);
  });

  it('ids change with the status, so a newly failing node opens by default', () => {
    const a = readinessNodes({ ...EMPTY_SNAPSHOT, host: result(ptraceOk, { selected: 'ptrace', ok: true }) });
    const b = readinessNodes({ ...EMPTY_SNAPSHOT, host: result(report('ptrace', [check('tracer.binary', 'fail')]), { ok: false }) });
    assert.notEqual(a[0]!.id, b[0]!.id);
    assert.notEqual(a[0]!.children[0]!.id, b[0]!.children[0]!.id);
  });
});
