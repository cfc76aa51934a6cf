/**
 * The preflight cache: one small JSON file per fingerprint under the
 * user's cache directory. Writes are atomic (temp file + rename), so two
 * roar processes at once at worst both compute the same answer; a
 * corrupt or foreign file is a miss, never an error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { CODES, PreflightReport } from '../../protocol';

const Entry = z.object({ key: z.string(), created: z.string(), report: PreflightReport });

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ROAR_CACHE_DIR) return env.ROAR_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'roar', 'preflight');
}

/** Answers that depend on timing or a broken install are not worth keeping. */
const TRANSIENT = new Set<string>([CODES.tracerTimeout, CODES.tracerCrashed, CODES.tracerMissing, CODES.tracerNotExecutable, CODES.tracerOutputEmpty, CODES.tracerOutputInvalid, CODES.tracerExecFormat, 'ROAR_E_ORACLE_TIMEOUT']);

export function cacheable(report: PreflightReport): boolean {
  return !report.checks.some((c) => c.code !== undefined && TRANSIENT.has(c.code));
}

export class PreflightCache {
  private readonly memory = new Map<string, PreflightReport>();

  constructor(readonly dir: string = cacheDir()) {}

  get(key: string): PreflightReport | null {
    const hit = this.memory.get(key);
    if (hit) return hit;
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.dir, `${key}.json`), 'utf8');
    } catch {
      return null;
    }
    try {
      const entry = Entry.parse(JSON.parse(text));
      if (entry.key !== key) return null;
      this.memory.set(key, entry.report);
      return entry.report;
    } catch {
      return null;
    }
  }

  put(key: string, report: PreflightReport): void {
    this.memory.set(key, report);
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const tmp = path.join(this.dir, `.${key}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
      fs.writeFileSync(tmp, JSON.stringify({ key, created: new Date().toISOString(), report }), { mode: 0o600 });
      fs.renameSync(tmp, path.join(this.dir, `${key}.json`));
    } catch {
      // an unwritable cache only costs speed
    }
  }

  /** Number of entries on disk, for `roar doctor` and `roar tracer status`. */
  stats(): { dir: string; entries: number; bytes: number } {
    try {
      const names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
      const bytes = names.reduce((s, n) => s + (fs.statSync(path.join(this.dir, n)).size || 0), 0);
      return { dir: this.dir, entries: names.length, bytes };
    } catch {
      return { dir: this.dir, entries: 0, bytes: 0 };
    }
  }

  clear(): void {
    this.memory.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
