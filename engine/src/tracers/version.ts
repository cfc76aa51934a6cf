/** `roar-tracer-X --version`, bounded in time; null when it does not answer. */
import { spawnSync } from 'node:child_process';

export function tracerVersion(bin: string, timeoutMs = 2000): { version: string | null; error: string | null } {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) return { version: null, error: (r.error as NodeJS.ErrnoException).code ?? r.error.message };
  if (r.status !== 0) return { version: null, error: `exit ${r.status ?? r.signal}` };
  return { version: r.stdout.trim() || null, error: null };
}
