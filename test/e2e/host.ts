/**
 * The pinned VS Code test host: code-server 4.139.1 on Node 24, both from
 * npm under test/host/ (scripts/setup-vscode-host.sh installs them when
 * missing). Servers start in their own session (setsid) on a free
 * 127.0.0.1 port and are stopped as a whole process group: code-server
 * leaves file watchers and extension hosts behind otherwise.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WORK = path.join(ROOT, '.vscode-test');

/** Workbench settings for a quiet, offline test window (no welcome page, chat, telemetry, updates). */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'task.saveBeforeRun': 'never',
  'terminal.integrated.enablePersistentSessions': false,
};

export interface Host {
  n24Bin: string;
  codeServer: string;
}

let host: Host | undefined;

/** Installs the hosts if missing (a few minutes once, then instant) and returns their paths. */
export function ensureHost(): Host {
  if (host) return host;
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'setup-vscode-host.sh')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const vars = Object.fromEntries(out.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  if (!vars.N24_BIN || !vars.CODE_SERVER) throw new Error(`setup-vscode-host.sh printed no paths: ${out}`);
  host = { n24Bin: vars.N24_BIN, codeServer: vars.CODE_SERVER };
  return host;
}

function hostEnv(h: Host): NodeJS.ProcessEnv {
  // code-server's launcher is `#!/usr/bin/env node`: Node 24 must come first
  return { ...process.env, PATH: `${h.n24Bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh copy of examples/sample-workspace (realpath: the tests compare absolute paths). */
export function freshWorkspace(name: string): string {
  const dir = path.join(WORK, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples', 'sample-workspace'), dir, { recursive: true });
  return fs.realpathSync(dir);
}

export interface Profile {
  userDataDir: string;
  extensionsDir: string;
  config: string;
}

/** A clean user-data and extensions directory pair with the quiet settings. */
export function freshProfile(name: string, settings: Record<string, unknown> = {}): Profile {
  const base = path.join(WORK, name);
  fs.rmSync(base, { recursive: true, force: true });
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));
  // with no --config, code-server writes ~/.config/code-server/config.yaml
  const config = path.join(base, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  return { userDataDir, extensionsDir, config };
}

export function installVsix(p: Profile, vsix: string): string {
  const h = ensureHost();
  return execFileSync(h.codeServer, ['--config', p.config, '--user-data-dir', p.userDataDir, '--extensions-dir', p.extensionsDir, '--install-extension', vsix],
    { env: hostEnv(h), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Server {
  port: number;
  url: string;
  log: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const live = new Set<number>();
process.on('exit', () => {
  for (const pgid of live) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
  }
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startCodeServer(p: Profile, opts: { name: string; smokeDriver?: boolean; port?: number; workspaceTrust?: boolean }): Promise<Server> {
  const h = ensureHost();
  const port = opts.port ?? (await freePort());
  const log = path.join(WORK, `${opts.name}.server.log`);
  const fd = fs.openSync(log, 'w');
  const args = [
    '--config', p.config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    // without the Workspace Trust feature every folder is trusted
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', p.userDataDir, '--extensions-dir', p.extensionsDir,
    ...(opts.smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  // detached: its own session and process group (setsid), stopped as a whole
  const child = spawn(h.codeServer, args, { env: hostEnv(h), detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const pgid = child.pid!;
  live.add(pgid);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!live.has(pgid)) return;
    try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
    for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    live.delete(pgid);
  };
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() - t0 > 60_000) {
      await stop();
      throw new Error(`code-server did not come up on ${url} (exit ${child.exitCode}); log:\n${fs.readFileSync(log, 'utf8').slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, url, log, child, stop };
}
