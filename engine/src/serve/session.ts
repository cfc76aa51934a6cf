/**
 * What `roar serve` knows between requests: the client's settings, the
 * preflights in flight, the readiness announcements. It calls the engine
 * APIs (checkTracers, the run store) and talks to the connection only
 * through the narrow `SessionOutput`, so it runs in tests without one.
 */
import * as path from 'node:path';
import { TRACER_NAMES } from '../../protocol';
import {
  ConfigureParams, ConfigureResult, GetRunParams, GetRunResult, InfoResult, ListRunsParams, ListRunsResult,
  ModeSource, PreflightParams, PreflightResult, ReadinessParams, RPC_ERRORS, RunSummary, TracerMode,
} from '../../protocol/rpc';
import { ConfigError, loadConfig } from '../config/config-file';
import { ModeError, resolveSelection, Selection } from '../config/mode';
import { checkTracers } from '../preflight/check';
import { listRunIds, readRunRecord, runsDir, workspaceRoot } from '../runs/store';
import { engineInfo, tracerLocations } from './info';
import { verdictOf } from './verdict';

export interface SessionOutput {
  readiness(p: ReadinessParams): void;
  log(message: string): void;
}

/** An error the connection turns into a JSON-RPC error response with this code. */
export class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const DEFAULT_RUNS_LIMIT = 50;

const UNCONFIGURED: ConfigureParams = { tracer: null, fallback: null, tracerPaths: {}, trusted: false, workspaceFolders: [] };

interface Chosen { mode: TracerMode; source: ModeSource; fallback: boolean; order: Selection['order'] }

export class Session {
  private config: ConfigureParams = UNCONFIGURED;
  private configured = false;
  private seq = 0;
  /** Identical preflights in flight share one answer (startup check + a click). */
  private readonly inFlight = new Map<string, Promise<PreflightResult>>();

  constructor(
    private readonly out: SessionOutput,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  info(): InfoResult {
    return engineInfo(this.env(), this.configured);
  }

  configure(p: ConfigureParams): ConfigureResult {
    this.config = p;
    this.configured = true;
    this.out.log(`configured: tracer ${p.tracer}, fallback ${p.fallback}, trusted ${p.trusted}` +
      `${Object.keys(p.tracerPaths).length ? `, tracer paths ${JSON.stringify(p.tracerPaths)}` : ''}`);
    return { tracers: tracerLocations(this.env()) };
  }

  /** The environment tracers see: ours, the tracer-path settings, then the request's overrides. */
  private env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.baseEnv };
    for (const t of TRACER_NAMES) {
      const p = this.config.tracerPaths[t];
      if (p) env[`ROAR_TRACER_${t.toUpperCase()}`] = p;
    }
    return { ...env, ...overrides };
  }

  /**
   * The mode for a check: the request's, else the `roar.tracer` setting,
   * else what the CLI would pick in that folder ($ROAR_TRACER,
   * .roar/config.toml, auto). Same for fallback; the order is the CLI's.
   */
  private choose(p: PreflightParams, cwd: string): Chosen {
    let sel: Selection;
    try {
      sel = resolveSelection(p.tracer ?? this.config.tracer, p.fallback ?? this.config.fallback, this.env(), loadConfig(workspaceRoot(cwd)));
    } catch (e) {
      if (e instanceof ConfigError || e instanceof ModeError) throw new RpcError(RPC_ERRORS.config, e.message);
      throw e;
    }
    const source: ModeSource = p.tracer ? 'request' : this.config.tracer ? 'setting' : sel.source === 'flag' ? 'setting' : sel.source;
    return { mode: sel.mode, source, fallback: sel.fallback, order: sel.order };
  }

  preflight(p: PreflightParams): Promise<PreflightResult> {
    if ((p.command || (p.env && Object.keys(p.env).length)) && !this.config.trusted) {
      throw new RpcError(RPC_ERRORS.untrusted, 'checking a command (or with environment overrides) needs a trusted workspace');
    }
    const cwd = p.cwd ?? this.config.workspaceFolders[0] ?? process.cwd();
    const key = JSON.stringify([p.tracer ?? null, p.fallback ?? null, p.command ?? null, cwd, p.env ?? null, p.fresh ?? false, this.config]);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const run = this.runPreflight(p, cwd).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  private async runPreflight(p: PreflightParams, cwd: string): Promise<PreflightResult> {
    const seq = ++this.seq;
    // the tracers resolve a relative command against their own cwd, which is ours, not the caller's
    const command = p.command?.map((a, i) => (i === 0 && a.includes('/') ? path.resolve(cwd, a) : a));
    const base = { seq, command: command ?? null, reason: p.reason ?? null };
    const at = () => new Date().toISOString();
    let chosen: Chosen;
    try {
      chosen = this.choose(p, cwd);
    } catch (e) {
      this.out.readiness({ ...base, mode: p.tracer ?? this.config.tracer, state: 'error', report: null, verdict: null, error: (e as Error).message, at: at() });
      throw e;
    }
    this.out.readiness({ ...base, mode: chosen.mode, state: 'checking', report: null, verdict: null, error: null, at: at() });
    this.out.log(`preflight #${seq} ${chosen.mode} (from ${chosen.source})${command ? ` --command ${JSON.stringify(command)}` : ''}${p.reason ? ` [${p.reason}]` : ''}`);
    const t0 = performance.now();
    try {
      const report = await checkTracers({
        tracer: chosen.mode, command, fallback: chosen.fallback, order: chosen.order, fresh: p.fresh, cwd, env: this.env(p.env),
      });
      const verdict = { ...verdictOf(report), source: chosen.source };
      this.out.readiness({ ...base, mode: chosen.mode, state: 'done', report, verdict, error: null, at: at() });
      this.out.log(`preflight #${seq}: ${verdict.summary} (${(performance.now() - t0).toFixed(0)} ms)`);
      return { seq, report, verdict };
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      this.out.readiness({ ...base, mode: chosen.mode, state: 'error', report: null, verdict: null, error: message, at: at() });
      this.out.log(`preflight #${seq} failed: ${(e as Error).stack ?? message}`);
      throw new RpcError(RPC_ERRORS.internal, `preflight failed: ${message}`);
    }
  }

  async listRuns(p: ListRunsParams): Promise<ListRunsResult> {
    const root = workspaceRoot(p.folder);
    const ids = await listRunIds(root);
    const runs: RunSummary[] = [];
    for (const id of ids.slice(0, p.limit ?? DEFAULT_RUNS_LIMIT)) {
      const r = await readRunRecord(root, id);
      if (!r) continue;
      runs.push({
        id: r.id, kind: r.kind, command: r.command, cwd: r.cwd, started_at: r.started_at, duration_ms: r.duration_ms,
        exit: r.exit, status: r.status, tracer: r.tracer.used, inputs: r.inputs.length, outputs: r.outputs.length,
        path: path.join(runsDir(root), `${id}.json`),
      });
    }
    return { root, runs, total: ids.length };
  }

  async getRun(p: GetRunParams): Promise<GetRunResult> {
    const root = workspaceRoot(p.folder);
    const record = await readRunRecord(root, p.id);
    return { root, path: record ? path.join(runsDir(root), `${p.id}.json`) : null, record };
  }
}
