import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceEvent } from '../../engine/protocol';
import { Provenance } from '../../engine/src/run/provenance';

function fold(events: TraceEvent[]) {
  const p = new Provenance();
  events.forEach((e) => p.add(e));
  return p;
}

describe('provenance folding', () => {
  it('read-only opens are inputs, failed opens are not', () => {
    const p = fold([
      { ev: 'open', pid: 1, path: '/data/in.csv', mode: 'r', ret: 3 },
      { ev: 'open', pid: 1, path: '/data/missing.csv', mode: 'r', ret: -2 },
    ]);
    assert.deepEqual([...p.inputs], ['/data/in.csv']);
    assert.deepEqual([...p.outputs], []);
  });

  it('temp file + rename: only the final name is an output', () => {
    const p = fold([
      { ev: 'open', pid: 1, path: '/w/out/.tmp123', mode: 'w', ret: 3 },
      { ev: 'rename', pid: 1, path: '/w/out/.tmp123', path2: '/w/out/model.json', ret: 0 },
    ]);
    assert.deepEqual([...p.outputs], ['/w/out/model.json']);
    assert.deepEqual([...p.deleted], []);
  });

  it('a file written then read back is an output, not an input', () => {
    const p = fold([
      { ev: 'open', pid: 1, path: '/w/a', mode: 'w', ret: 3 },
      { ev: 'open', pid: 1, path: '/w/a', mode: 'r', ret: 3 },
    ]);
    assert.deepEqual([...p.inputs], []);
    assert.deepEqual([...p.outputs], ['/w/a']);
  });

  it('a file created and deleted is neither; deleting an existing file is recorded', () => {
    const p = fold([
      { ev: 'open', pid: 1, path: '/w/scratch', mode: 'w', ret: 3 },
      { ev: 'unlink', pid: 1, path: '/w/scratch', ret: 0 },
      { ev: 'unlink', pid: 1, path: '/w/old', ret: 0 },
    ]);
    assert.deepEqual([...p.outputs], []);
    assert.deepEqual([...p.deleted], ['/w/old']);
  });

  it('pseudo files are not provenance', () => {
    const p = fold([
      { ev: 'open', pid: 1, path: '/dev/null', mode: 'w', ret: 3 },
      { ev: 'open', pid: 1, path: '/proc/self/status', mode: 'r', ret: 3 },
    ]);
    assert.equal(p.inputs.size + p.outputs.size, 0);
  });

  it('builds the process tree', () => {
    const p = fold([
      { ev: 'start', pid: 10, schema: 'roar.events/1', tracer: 'ptrace' },
      { ev: 'exec', pid: 10, path: '/usr/bin/sh', ret: 0 },
      { ev: 'fork', pid: 11, ppid: 10 },
      { ev: 'exec', pid: 11, path: '/usr/bin/cat', ret: 0 },
      { ev: 'exit', pid: 11, code: 0 },
      { ev: 'exit', pid: 10, signal: 9 },
    ]);
    assert.deepEqual(p.processes.get(11), { pid: 11, ppid: 10, exe: '/usr/bin/cat', exit_code: 0, signal: null });
    assert.equal(p.processes.get(10)!.signal, 9);
  });
});

describe('scratch files', () => {
  it('a mkstemp file (first opened rw) renamed into place is not an input', () => {
    const p = new Provenance();
    for (const e of [
      { ev: 'open', pid: 1, path: '/w/out/tmpab12.tmp', mode: 'rw', ret: 3 },
      { ev: 'rename', pid: 1, path: '/w/out/tmpab12.tmp', path2: '/w/out/model.json', ret: 0 },
      { ev: 'open', pid: 1, path: '/w/db.sqlite', mode: 'rw', ret: 4 },
    ] as const) p.add(e);
    assert.deepEqual([...p.inputs], ['/w/db.sqlite']);
    assert.deepEqual([...p.outputs].sort(), ['/w/db.sqlite', '/w/out/model.json']);
  });
});
