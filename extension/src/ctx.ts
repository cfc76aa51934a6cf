/**
 * The one owner of the engine's lifecycle and of what the extension knows
 * (like rust-analyzer's Ctx): start, stop, restart within a crash budget,
 * the readiness snapshot fed by the engine's notifications. Its state and
 * snapshot drive the status bar, the trees and the command enablement
 * (context key `roar.engineState`); they never ask the engine themselves.
 */
import * as vscode from 'vscode';
import { InfoResult, METHODS, PreflightParams, PreflightResult, ReadinessParams, RPC_ERRORS } from '../../engine/protocol/rpc';
import { readSettings, Settings } from './config';
import { EngineClient, EngineError } from './engine_client';
import { CheckResult, EMPTY_SNAPSHOT, ReadinessSnapshot } from './readiness_model';

export type EngineState = 'stopped' | 'starting' | 'ready' | 'crashed' | 'failed';

/** More crashes than this within the window and the engine stays down until the user restarts it. */
export const CRASH_BUDGET = 3;
export const CRASH_WINDOW_MS = 3 * 60_000;

/** What a command that needs the engine gets: a Ctx whose client is running. */
export type CtxReady = Ctx & { readonly client: EngineClient; readonly info: InfoResult };

export class Ctx implements vscode.Disposable {
  readonly log: vscode.OutputChannel;
  readonly crashBudget = CRASH_BUDGET;
  settings: Settings = readSettings();
  info: InfoResult | undefined;
  client: EngineClient | undefined;
  /** Why the engine is down (state failed or crashed). */
  problem: string | undefined;
  /** When a roar task last got past preflight (ISO): a refusal before it no longer warns. */
  lastRanAt: string | undefined;
  /** performance.now() based; firstVerdictMs is activation → first host verdict. */
  readonly timings: { activatedAt: number; engineReadyMs?: number; firstVerdictMs?: number };

  private _state: EngineState = 'stopped';
  private snapshot: ReadinessSnapshot = EMPTY_SNAPSHOT;
  private crashTimes: number[] = [];
  /** Bumped by every start and stop: a start that was overtaken gives up quietly. */
  private generation = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<EngineState>();
  private readonly readinessEmitter = new vscode.EventEmitter<ReadinessSnapshot>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidChangeReadiness = this.readinessEmitter.event;

  constructor(readonly extension: vscode.ExtensionContext, activatedAt: number) {
    this.timings = { activatedAt };
    this.log = vscode.window.createOutputChannel('Roar');
    extension.subscriptions.push(this.log, this.stateEmitter, this.readinessEmitter);
    void vscode.commands.executeCommand('setContext', 'roar.engineState', this._state);
  }

  get state(): EngineState {
    return this._state;
  }

  get readiness(): ReadinessSnapshot {
    return this.snapshot;
  }

  get crashCount(): number {
    return this.crashTimes.length;
  }

  isReady(): this is CtxReady {
    return this._state === 'ready' && this.client !== undefined && this.info !== undefined;
  }

  private setState(s: EngineState): void {
    if (s === this._state) return;
    this._state = s;
    void vscode.commands.executeCommand('setContext', 'roar.engineState', s);
    this.stateEmitter.fire(s);
  }

  private enginePath(): string {
    return this.settings.enginePath || this.extension.asAbsolutePath('dist/engine.js');
  }

  async start(): Promise<void> {
    if (this._state === 'starting' || this._state === 'ready') return;
    clearTimeout(this.restartTimer);
    const gen = ++this.generation;
    this.setState('starting');
    const t0 = performance.now();
    let client: EngineClient | undefined;
    try {
      client = EngineClient.create({
        enginePath: this.enginePath(),
        log: this.log,
        onCrash: (detail) => this.onCrash(client!, detail),
        onReadiness: (p) => this.onReadiness(p),
      });
      this.client = client;
      await client.start();
      const info = await client.request(METHODS.info, null);
      if (gen !== this.generation) return;
      this.info = info;
      await this.configure();
      if (gen !== this.generation) return;
      this.problem = undefined;
      this.timings.engineReadyMs ??= performance.now() - this.timings.activatedAt;
      this.log.appendLine(`roar: engine ${info.version} ready (pid ${info.pid}, ${info.electron ? `electron ${info.electron}` : `node ${info.node}`}) in ${(performance.now() - t0).toFixed(0)} ms`);
      this.setState('ready');
      if (this.settings.checkOnStartup || this.snapshot.host) void this.checkHost('startup');
    } catch (e) {
      if (gen !== this.generation) return;
      const msg = (e as Error).message;
      this.problem = `the engine did not start: ${msg}`;
      this.log.appendLine(`roar: ${this.problem}`);
      this.client = undefined;
      this.info = undefined;
      void client?.dispose();
      this.setState('failed');
      void vscode.window.showErrorMessage(`Roar: ${this.problem}`, 'Show Engine Log', 'Restart Engine').then((a) => {
        if (a === 'Show Engine Log') this.log.show(true);
        if (a === 'Restart Engine') void this.restart();
      });
    }
  }

  private onCrash(client: EngineClient, detail: string): void {
    if (client !== this.client) return; // an engine we already let go
    this.client = undefined;
    this.info = undefined;
    void client.dispose();
    const now = Date.now();
    this.crashTimes = this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS);
    this.crashTimes.push(now);
    this.snapshot = { ...this.snapshot, checking: [] };
    this.readinessEmitter.fire(this.snapshot);
    this.log.appendLine(`roar: ${detail} (crash ${this.crashTimes.length} of at most ${CRASH_BUDGET} in ${CRASH_WINDOW_MS / 60_000} min)`);
    if (this.crashTimes.length > CRASH_BUDGET) {
      this.problem = `the engine crashed ${this.crashTimes.length} times in ${CRASH_WINDOW_MS / 60_000} minutes; it is not restarted automatically`;
      this.setState('failed');
      void vscode.window.showErrorMessage(`Roar: ${this.problem}.`, 'Restart Engine', 'Show Engine Log').then((a) => {
        if (a === 'Restart Engine') void this.restart();
        if (a === 'Show Engine Log') this.log.show(true);
      });
      return;
    }
    this.problem = `${detail}; restarting`;
    this.setState('crashed');
    const gen = this.generation;
    this.restartTimer = setTimeout(() => {
      if (gen === this.generation && this._state === 'crashed') void this.start();
    }, 250 * this.crashTimes.length);
  }

  /** A deliberate stop: not a crash, no restart. */
  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.restartTimer);
    const c = this.client;
    this.client = undefined;
    this.info = undefined;
    this.snapshot = { ...this.snapshot, checking: [] };
    this.setState('stopped');
    if (c) {
      await c.stop();
      await c.dispose();
    }
  }

  /** Restart Engine: the user's restart also resets the crash budget. */
  async restart(): Promise<void> {
    this.log.appendLine('roar: restarting the engine');
    this.crashTimes = [];
    await this.stop();
    await this.start();
  }

  async configure(): Promise<void> {
    const c = this.client;
    if (!c) return;
    await c.request(METHODS.configure, {
      tracer: this.settings.tracer,
      fallback: this.settings.fallback,
      tracerPaths: this.settings.tracerPaths,
      trusted: vscode.workspace.isTrusted,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    });
  }

  async reloadSettings(opts: { restart: boolean; reconfigure: boolean }): Promise<void> {
    this.settings = readSettings();
    if (opts.restart) return this.restart();
    if (opts.reconfigure && this.isReady()) {
      await this.configure();
      await this.checkHost('settings changed');
    }
  }

  private onReadiness(p: ReadinessParams): void {
    const s = this.snapshot;
    const checking = p.state === 'checking'
      ? [...s.checking.filter((c) => c.seq !== p.seq), { seq: p.seq, mode: p.mode, command: p.command }]
      : s.checking.filter((c) => c.seq !== p.seq);
    let next: ReadinessSnapshot = { ...s, checking };
    if (p.state === 'done' && p.report && p.verdict) {
      const result: CheckResult = { seq: p.seq, report: p.report, verdict: p.verdict, command: p.command, reason: p.reason, at: p.at };
      next = p.command ? { ...next, command: result } : { ...next, host: result };
      if (!p.command && this.timings.firstVerdictMs === undefined) {
        this.timings.firstVerdictMs = performance.now() - this.timings.activatedAt;
        this.log.appendLine(`roar: first readiness verdict ${p.verdict.summary} — ${this.timings.firstVerdictMs.toFixed(0)} ms after activation`);
      }
    } else if (p.state === 'error') {
      next = { ...next, error: { message: p.error ?? 'the check failed', at: p.at, command: p.command } };
    }
    this.snapshot = next;
    this.readinessEmitter.fire(next);
  }

  /** A roar task passed strict preflight and ran (whatever the workload's exit code). */
  noteTaskRan(): void {
    this.lastRanAt = new Date().toISOString();
    this.readinessEmitter.fire(this.snapshot);
  }

  /** Strict preflight through the engine. Throws when the engine is down or trust is missing. */
  async preflight(params: PreflightParams): Promise<PreflightResult> {
    if (!this.isReady()) throw new EngineError(`the roar engine is not running (${this._state})`);
    if ((params.command || params.env) && !vscode.workspace.isTrusted) {
      throw new EngineError('checking a command needs a trusted workspace', RPC_ERRORS.untrusted);
    }
    return this.client.request(METHODS.preflight, params);
  }

  /** The host check of the configured mode; errors are logged and shown in the tree, not thrown. */
  async checkHost(reason: string, fresh = false): Promise<PreflightResult | undefined> {
    try {
      return await this.preflight({ reason, fresh });
    } catch (e) {
      this.log.appendLine(`roar: readiness check (${reason}) failed: ${(e as Error).message}`);
      return undefined;
    }
  }

  dispose(): void {
    void this.stop();
  }
}
