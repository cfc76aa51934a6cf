/**
 * Runs one tracer's `--preflight --json` and turns whatever happens into a
 * roar.preflight/1 report: a missing or broken binary, a crash, a hang past
 * the deadline, garbage or truncated output all become failed checks with
 * stable codes, never an exception.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODES, ENGINE_CHECKS, PreflightReport, TracerName } from '../../protocol';
import { fileSha256 } from '../tracers/digest';
import { checkExecFormat } from '../tracers/exec-format';
import { locateTracer, packageRoot } from '../tracers/locate';
import { engineCheck, failedReport } from './report-builders';

export interface TracerPreflightOptions {
  command?: string[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_PREFLIGHT_TIMEOUT_MS = 15_000;
const MAX_OUTPUT = 4 * 1024 * 1024;

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException;
  timedOut: boolean;
}

function runBinary(bin: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<Spawned> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    const done = (r: Omit<Spawned, 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, stdout, stderr, timedOut });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      // the whole group: a hung probe child must not outlive us
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < MAX_OUTPUT) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < MAX_OUTPUT) stderr += d; });
    child.on('error', (error) => done({ code: null, signal: null, error }));
    child.on('close', (code, signal) => done({ code, signal }));
  });
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l.length > 0)?.slice(0, 300) ?? '';
}

/** From a checkout: build. From an installed extension or package: reinstall, or point at a binary. */
function installFix(tracer: TracerName): { title: string; command?: string } {
  const root = packageRoot();
  if (fs.existsSync(path.join(root, 'native', 'Makefile'))) {
    return { title: 'Build the tracers in the roar checkout', command: `cd '${root}' && npm run build` };
  }
  return { title: `Reinstall roar, or point the roar.tracers.${tracer}Path setting (ROAR_TRACER_${tracer.toUpperCase()} for the CLI) at a working roar-tracer-${tracer}` };
}

export async function tracerPreflight(tracer: TracerName, opts: TracerPreflightOptions = {}): Promise<PreflightReport> {
  const t0 = performance.now();
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PREFLIGHT_TIMEOUT_MS;
  const where = locateTracer(tracer, env);
  const elapsed = () => performance.now() - t0;
  const buildFix = installFix(tracer);

  if (!where.found) {
    return failedReport(tracer, [engineCheck({
      id: ENGINE_CHECKS.binary, status: 'fail', code: CODES.tracerMissing,
      detail: `roar-tracer-${tracer} is not installed (looked in ${where.searched.join(', ')})`,
      observed: 'missing', expected: where.path, fixes: [buildFix], ms: elapsed(),
    })], elapsed());
  }
  try {
    fs.accessSync(where.path, fs.constants.X_OK);
  } catch {
    return failedReport(tracer, [engineCheck({
      id: ENGINE_CHECKS.binary, status: 'fail', code: CODES.tracerNotExecutable,
      detail: `${where.path} is not executable`, observed: 'no execute permission',
      fixes: [{ title: 'Make it executable', command: `chmod +x '${where.path}'` }, buildFix], ms: elapsed(),
    })], elapsed());
  }
  const format = checkExecFormat(where.path);
  if (!format.ok) {
    return failedReport(tracer, [engineCheck({
      id: ENGINE_CHECKS.binary, status: 'fail', code: CODES.tracerExecFormat,
      detail: `${where.path} cannot run here: ${format.reason}`, observed: format.reason,
      fixes: [buildFix], ms: elapsed(),
    })], elapsed());
  }
  const sha = fileSha256(where.path);
  const binaryCheck = engineCheck({
    id: ENGINE_CHECKS.binary, status: 'pass', detail: where.path, observed: sha ? `sha256 ${sha.slice(0, 16)}` : undefined, ms: elapsed(),
  });

  const args = ['--preflight', '--json', ...(opts.command?.length ? ['--command', ...opts.command] : [])];
  const r = await runBinary(where.path, args, timeoutMs, env);
  const fail = (code: string, detail: string, observed?: string, fixes = [buildFix]) =>
    failedReport(tracer, [binaryCheck, engineCheck({ id: ENGINE_CHECKS.output, status: 'fail', code, detail, observed, fixes, ms: elapsed() })], elapsed());

  if (r.error) {
    const e = r.error.code;
    if (e === 'ENOEXEC' || e === 'EBADARCH') {
      return fail(CODES.tracerExecFormat, `${where.path} cannot run on this machine (${e}: wrong architecture or not a program)`, e);
    }
    if (e === 'EACCES') return fail(CODES.tracerNotExecutable, `${where.path}: permission denied`, e);
    if (e === 'ENOENT') return fail(CODES.tracerMissing, `${where.path} could not be started (ENOENT: missing, or its loader is)`, e);
    return fail(CODES.tracerCrashed, `could not start ${where.path}: ${r.error.message}`, e);
  }
  if (r.timedOut) {
    return fail(CODES.tracerTimeout, `the ${tracer} preflight did not answer within ${timeoutMs} ms and was killed`, `no answer after ${timeoutMs} ms`,
      [{ title: 'Run it by hand to see where it hangs', command: `${where.path} --preflight` }]);
  }
  if (r.signal) {
    return fail(CODES.tracerCrashed, `the ${tracer} preflight was killed by ${r.signal}${r.stderr ? `: ${firstLine(r.stderr)}` : ''}`, r.signal);
  }
  if (r.code === 2) {
    return fail(CODES.tracerOutputInvalid, `the tracer rejected its arguments (exit 2): ${firstLine(r.stderr) || 'usage error'}; is it from another roar version?`, 'exit 2');
  }
  const text = r.stdout.trim();
  if (!text) {
    return fail(CODES.tracerOutputEmpty, `the ${tracer} preflight printed nothing (exit ${r.code})${r.stderr ? `: ${firstLine(r.stderr)}` : ''}`, `exit ${r.code}, no output`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(CODES.tracerOutputInvalid, `the ${tracer} preflight printed something that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, 'not JSON');
  }
  const parsed = PreflightReport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(CODES.tracerOutputInvalid,
      `the ${tracer} preflight report does not match roar.preflight/1: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, 'schema mismatch');
  }
  const report = parsed.data;
  if (report.tracer !== tracer) {
    return fail(CODES.tracerOutputInvalid, `asked the ${tracer} tracer, but the report is from '${report.tracer}'`, report.tracer);
  }
  if ((r.code === 0) !== report.ok) {
    return fail(CODES.tracerOutputInvalid, `the ${tracer} preflight exit code (${r.code}) contradicts its report (ok: ${report.ok})`, `exit ${r.code}`);
  }
  report.checks.unshift(binaryCheck);
  if (sha) report.fingerprint.tracer_sha256 = sha;
  report.fingerprint.tracer_path = where.path;
  report.ms = elapsed();
  return report;
}
