/**
 * The extension's end of the engine channel: `roar serve --stdio` started
 * with the extension host's own runtime (process.execPath, as Node), so no
 * system Node is needed. Every request and notification is validated with
 * the zod schemas in engine/protocol/rpc.ts.
 *
 * Restarts are not decided here: the LanguageClient is told never to
 * restart, and reports a close to its owner (Ctx), which keeps the crash
 * budget. A deliberate stop is marked first, so it is never a crash.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, State, TransportKind,
} from 'vscode-languageclient/node';
import { NOTIFICATIONS, ParamsOf, ReadinessParams, REQUESTS, RequestMethod, ResultOf } from '../../engine/protocol/rpc';

export interface EngineClientOptions {
  enginePath: string;
  log: vscode.OutputChannel;
  /** The engine's process ended without stop(): a crash. */
  onCrash: (detail: string) => void;
  onReadiness: (p: ReadinessParams) => void;
}

/** The runtime that runs the engine: the extension host's own binary, as Node. */
export function engineRuntime(): { command: string; env: Record<string, string> } {
  // In desktop VS Code execPath is Electron: ELECTRON_RUN_AS_NODE makes it
  // a plain Node. In code-server and remote hosts it is Node already.
  return { command: process.execPath, env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} };
}

export class EngineError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

export class EngineClient {
  private deliberateStop = false;
  private crashed = false;

  private constructor(private readonly lc: LanguageClient, private readonly opts: EngineClientOptions) {}

  static create(opts: EngineClientOptions): EngineClient {
    if (!fs.existsSync(opts.enginePath)) throw new EngineError(`the engine bundle is missing: ${opts.enginePath}`);
    const rt = engineRuntime();
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    const server: ServerOptions = {
      command: rt.command,
      args: [opts.enginePath, 'serve'], // the client appends --stdio
      transport: TransportKind.stdio,
      options: { cwd, env: { ...process.env, ...rt.env } },
    };
    let self: EngineClient | undefined;
    const client: LanguageClientOptions = {
      documentSelector: [],
      outputChannel: opts.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationFailedHandler: () => false,
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          self?.onClosed();
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const lc = new LanguageClient('roar', 'roar engine', server, client);
    self = new EngineClient(lc, opts);
    return self;
  }

  private onClosed(): void {
    if (this.deliberateStop || this.crashed) return;
    this.crashed = true;
    this.opts.onCrash('the engine process ended');
  }

  async start(): Promise<void> {
    this.lc.onNotification(NOTIFICATIONS.readiness, (raw: unknown) => {
      const p = ReadinessParams.safeParse(raw);
      if (p.success) this.opts.onReadiness(p.data);
      else this.opts.log.appendLine(`roar: ignored a malformed ${NOTIFICATIONS.readiness}: ${p.error.issues[0]?.message}`);
    });
    await this.lc.start();
  }

  get running(): boolean {
    return this.lc.state === State.Running;
  }

  async request<M extends RequestMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    let raw: unknown;
    try {
      raw = await this.lc.sendRequest(method, params);
    } catch (e) {
      const err = e as { message?: string; code?: number };
      throw new EngineError(err.message ?? String(e), err.code);
    }
    const parsed = REQUESTS[method].result.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError(`${method}: the engine's answer does not match the protocol (${issue?.path.join('.')}: ${issue?.message})`);
    }
    return parsed.data as ResultOf<M>;
  }

  /** A deliberate stop: shutdown + exit, never counted as a crash. */
  async stop(): Promise<void> {
    this.deliberateStop = true;
    try {
      if (this.lc.state !== State.Stopped) await this.lc.stop(3000);
    } catch (e) {
      this.opts.log.appendLine(`roar: stopping the engine: ${(e as Error).message}`);
    }
  }

  async dispose(): Promise<void> {
    this.deliberateStop = true;
    try {
      await this.lc.dispose(2000);
    } catch {
      // already stopped (a crash); nothing to release
    }
  }
}
