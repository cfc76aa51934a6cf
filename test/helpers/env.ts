/** Shared test plumbing: where things are, running the real CLI, fresh dirs. */
import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { RunRecord, TracerName } from '../../engine/protocol';

export const ROOT = path.resolve(__dirname, '..', '..');
export const ROAR = path.join(ROOT, 'bin', 'roar');
export const BUILD = path.join(ROOT, 'native', 'build');
export const IN_CI = process.env.CI === 'true';

export function tracerPath(t: TracerName): string {
  return path.join(BUILD, `roar-tracer-${t}`);
}

export interface Ran { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function roar(args: string[], opts: SpawnSyncOptions = {}): Ran {
  const r = spawnSync(ROAR, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function freshDir(prefix = 'roar-test-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function runRecords(ws: string): RunRecord[] {
  const dir = path.join(ws, '.roar', 'runs');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()
    .map((n) => RunRecord.parse(JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'))));
}

export function onlyRecord(ws: string): RunRecord {
  const recs = runRecords(ws);
  if (recs.length !== 1) throw new Error(`expected one run record in ${ws}, found ${recs.length}`);
  return recs[0]!;
}

/**
 * A test that needs root (or a kernel feature) skips outside CI, but in CI,
 * where root is given, a missing capability is a failure, never a skip.
 */
export function needRoot(t: TestContext): boolean {
  if (process.geteuid?.() === 0) return true;
  if (IN_CI) throw new Error('this test needs root, and CI runs as root: something is wrong with the CI machine');
  t.skip('needs root');
  return false;
}

/** Tracers that are built here; in CI all three must be. */
export function builtTracers(): TracerName[] {
  const all: TracerName[] = ['ptrace', 'ebpf', 'preload'];
  const built = all.filter((t) => fs.existsSync(tracerPath(t)));
  if (IN_CI && built.length !== all.length) {
    throw new Error(`CI must build every tracer; missing: ${all.filter((t) => !built.includes(t)).join(', ')}`);
  }
  return built;
}

export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
