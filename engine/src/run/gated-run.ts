/**
 * `roar run` / `roar build` (DESIGN §4): strict preflight before any side
 * effect (no workload process, no run directory), then exactly one traced
 * run, then the run record. The workload is never run twice.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { AnyReport, CODES, EXIT, PreflightReport, RUN_SCHEMA, RunRecord, TracerName } from '../../protocol';
import { resolveCommand } from '../command/resolve';
import { checkTracers, selectedReport, TracerMode } from '../preflight/check';
import { firstFailure } from '../preflight/report-builders';
import { newRunId, workspaceRoot, writeRunRecord } from '../runs/store';
import { digestFile, isDirectory, sizeOf } from './hash';
import { runTraced, TracedProcessOptions } from './traced-process';

export interface GatedRunOptions {
  argv: string[];
  kind: 'run' | 'build';
  tracer: TracerMode;
  /** Where the mode came from: flag, env, config or default. */
  modeSource?: 'flag' | 'env' | 'config' | 'default';
  fallback: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  order?: TracerName[];
  fresh?: boolean;
  stdio?: TracedProcessOptions['stdio'];
  /** Called once the verdict is known, before the workload starts. */
  onPreflight?: (report: AnyReport) => void;
}

export type GatedRunOutcome =
  | { outcome: 'refused'; exitCode: number; reason: string; report: AnyReport | null }
  | { outcome: 'ran'; exitCode: number; record: RunRecord; recordPath: string | null; recordError: string | null };

export function reportDigest(report: PreflightReport): string {
  const stable = { tracer: report.tracer, ok: report.ok, checks: report.checks.map((c) => [c.id, c.status, c.code ?? null]), fingerprint: report.fingerprint };
  return 'sha256:' + crypto.createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}

/** A refused run's exit code: the command's fault (126/127) or the tracer's (125). */
function refusalCode(report: AnyReport): number {
  const reports = report.tracer === 'auto' ? report.results : [report];
  for (const r of reports) {
    const f = firstFailure(r);
    if (f?.code === CODES.commandNotFound) return EXIT.notFound;
    if (f?.code === CODES.commandNotExecutable) return EXIT.notExecutable;
  }
  return EXIT.refused;
}

export async function gatedRun(opts: GatedRunOptions): Promise<GatedRunOutcome> {
  const argv0 = opts.argv[0];
  if (!argv0) return { outcome: 'refused', exitCode: EXIT.refused, reason: 'no command given', report: null };
  const resolved = resolveCommand(argv0, opts.env, opts.cwd);
  if (resolved.kind === 'missing') {
    return { outcome: 'refused', exitCode: EXIT.notFound, reason: `${argv0}: command not found`, report: null };
  }
  if (resolved.kind === 'not-executable') {
    return { outcome: 'refused', exitCode: EXIT.notExecutable, reason: `${resolved.path}: ${resolved.why}`, report: null };
  }

  const report = await checkTracers({ tracer: opts.tracer, command: opts.argv, fallback: opts.fallback, order: opts.order, fresh: opts.fresh, env: opts.env });
  opts.onPreflight?.(report);
  const chosen = selectedReport(report);
  if (!report.ok || !chosen) {
    return { outcome: 'refused', exitCode: refusalCode(report), reason: report.summary, report };
  }

  const root = workspaceRoot(opts.cwd);
  const roarDir = path.join(root, '.roar') + path.sep;
  const result = await runTraced(chosen.tracer, opts.argv, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: opts.stdio,
    ignorePath: (p) => p.startsWith(roarDir),
  });
  const prov = result.provenance;

  const inputs = [];
  for (const p of [...prov.inputs].sort()) {
    if (await isDirectory(p)) continue; // listing a directory is not reading a file
    inputs.push({ path: p, size: await sizeOf(p) });
  }
  const outputs = [];
  for (const p of [...prov.outputs].sort()) {
    if (await isDirectory(p)) continue;
    outputs.push({ path: p, ...(await digestFile(p)) });
  }

  const record: RunRecord = {
    schema: RUN_SCHEMA,
    id: newRunId(result.startedAt),
    kind: opts.kind,
    command: opts.argv,
    cwd: path.resolve(opts.cwd),
    started_at: result.startedAt.toISOString(),
    ended_at: result.endedAt.toISOString(),
    duration_ms: result.endedAt.getTime() - result.startedAt.getTime(),
    exit: { code: result.exitCode, signal: result.signal },
    status: result.problems.length ? 'incomplete' : 'complete',
    tracer: {
      requested: opts.tracer,
      requested_from: opts.modeSource ?? 'flag',
      used: chosen.tracer,
      fallback: report.tracer === 'auto' ? report.fallback : [],
      preflight_digest: reportDigest(chosen),
      preflight_cached: chosen.cached ?? false,
      lost: prov.end?.lost ?? 0,
      problems: result.problems,
    },
    inputs,
    outputs,
    deleted: [...prov.deleted].sort(),
    processes: [...prov.processes.values()],
    events: prov.events,
  };
  try {
    const recordPath = await writeRunRecord(root, record);
    return { outcome: 'ran', exitCode: result.exitCode, record, recordPath, recordError: null };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { outcome: 'ran', exitCode: result.exitCode, record, recordPath: null, recordError: `${err.code ?? 'error'}: ${err.message}` };
  }
}
