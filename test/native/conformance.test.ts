/**
 * The same real workloads under every built tracer give the exact same
 * inputs and outputs inside the workspace (DESIGN §6 conformance).
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { builtTracers, freshDir, needRoot, onlyRecord, roar } from '../helpers/env';
import { WORKLOADS } from './workloads';

const sha256 = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');

for (const tracer of builtTracers()) {
  describe(`conformance: ${tracer}`, () => {
    for (const w of WORKLOADS) {
      it(w.name, (t) => {
        if (!needRoot(t)) return;
        const ws = freshDir(`roar-${tracer}-`);
        const argv = w.setup(ws);
        const r = roar(['run', '--tracer', tracer, '--', ...argv], { cwd: ws });
        assert.equal(r.status, 0, `exit 0\n${r.stderr}`);
        const rec = onlyRecord(ws);
        assert.equal(rec.status, 'complete', rec.tracer.problems.join('; '));
        assert.equal(rec.tracer.used, tracer);
        const inputs = new Set(rec.inputs.map((i) => i.path));
        for (const p of w.inputs(ws)) assert.ok(inputs.has(p), `input ${p} recorded`);
        for (const p of w.notInputs?.(ws) ?? []) assert.ok(!inputs.has(p), `${p} is not an input`);
        const inWs = rec.outputs.filter((o) => o.path.startsWith(ws + '/'));
        assert.deepEqual(inWs.map((o) => o.path).sort(), w.outputs(ws).sort());
        for (const o of inWs) assert.equal(o.sha256, sha256(o.path), `sha256 of ${o.path}`);
        if (w.also === 'chain') {
          const cat = rec.processes.find((p) => p.exe?.endsWith('/cat'));
          assert.ok(cat, 'cat ran');
          let depth = 0;
          for (let p: typeof cat | undefined = cat; p?.ppid != null; p = rec.processes.find((q) => q.pid === p!.ppid)) depth++;
          assert.ok(depth >= 3, `cat is ${depth} levels below the root`);
        }
      });
    }
  });
}
