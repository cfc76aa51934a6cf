/**
 * A tracer killed in the middle of a run: the workload is stopped with it
 * (never left running untraced), roar exits 128+9, and the run record is
 * written and says the trace is incomplete.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { builtTracers, freshDir, needRoot, onlyRecord, ROAR } from '../helpers/env';

async function waitFor(file: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim()) return fs.readFileSync(file, 'utf8').trim();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} did not appear`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

describe('a tracer killed mid-run', () => {
  for (const tracer of builtTracers()) {
    it(tracer, async (t) => {
      if (!needRoot(t)) return;
      const ws = freshDir();
      // the workload's parent is the tracer: it writes both pids, then waits
      const child = spawn(ROAR, ['run', '--tracer', tracer, '--', 'sh', '-c', 'echo "$PPID $$" > pids.txt; sleep 30; echo late > late.txt'], { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const [tracerPid, workloadPid] = (await waitFor(path.join(ws, 'pids.txt'), 20_000)).split(' ').map(Number);
      process.kill(tracerPid!, 'SIGKILL');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      assert.equal(code, 137, stderr);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(alive(workloadPid!), false, 'the workload did not outlive its tracer');
      const rec = onlyRecord(ws);
      assert.equal(rec.status, 'incomplete');
      assert.ok(rec.tracer.problems.some((p) => /killed by SIGKILL/.test(p)), rec.tracer.problems.join('; '));
      assert.match(stderr, /INCOMPLETE/);
      assert.equal(fs.existsSync(path.join(ws, 'late.txt')), false);
    });
  }
});
