/**
 * The eBPF tracer's exact path resolution, including its per-thread cwd
 * cache: chdir/fchdir, dirfds with "..", the cwd renamed under a process by
 * another one, RENAME_EXCHANGE, threads, unshare(CLONE_FS), chroot, moved
 * and bind mounts, 200 children (native/ebpf/tests/).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { freshDir, needRoot, ROOT, tracerPath } from '../helpers/env';

describe('ebpf path resolution', () => {
  it('every expected path, exact, none lost', (t) => {
    if (!needRoot(t)) return;
    const prog = path.join(freshDir('roar-cwd-prog-'), 'cwd_paths');
    const cc = spawnSync('cc', ['-O2', '-o', prog, path.join(ROOT, 'native/ebpf/tests/cwd_paths.c'), '-lpthread'], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const r = spawnSync('python3', [path.join(ROOT, 'native/ebpf/tests/cwd_paths_check.py'), tracerPath('ebpf'), prog], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /missing 0 /);
    assert.match(r.stdout, /'lost': 0/);
  });
});
