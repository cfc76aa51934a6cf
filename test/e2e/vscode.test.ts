/**
 * The VS Code stage of the test command: the real VS Code (code-server
 * 4.139.1 = VS Code 1.139.1, on Node 24, both pinned under test/host/ and
 * installed here when missing).
 *  1. The extension-host suite (test/e2e/suite, mocha) runs inside the
 *     extension host against the development extension (this checkout).
 *  2. The UI pass installs the packaged .vsix into a clean profile, opens
 *     the sample workspace in headless chromium, checks what a person sees
 *     (status bar, readiness tree, a refused task) and takes screenshots
 *     (.vscode-test/shots).
 * Every server is stopped (its whole process group) whatever happens.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runExtensionHostTests } from './exthost';
import { ensureHost, freshProfile, freshWorkspace, installVsix, ROOT, Server, startCodeServer, WORK } from './host';
import { uiPass } from './ui';

const VSIX = path.join(WORK, 'roar-vscode.vsix');
/** For working on one stage: ROAR_E2E_ONLY=exthost or ui (never set in CI). */
const only = process.env.ROAR_E2E_ONLY;
const servers: Server[] = [];

describe('VS Code extension in the real VS Code (code-server)', { timeout: 20 * 60_000 }, () => {
  before(() => {
    fs.mkdirSync(WORK, { recursive: true });
    const t0 = Date.now();
    ensureHost();
    // the bundles (extension, engine, tests) and the .vsix with the tracers
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package-vsix.mjs'), '--out', VSIX], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    console.log(`# hosts ready and .vsix packaged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  /** Runs one mocha entry (dist/test/<entry>.js) in the extension host of a fresh code-server. */
  async function extensionHostSuite(name: string, entry: string, opts: { workspaceTrust: boolean }): Promise<void> {
    const ws = freshWorkspace(`ws-${name}`);
    // warm the preflight cache the way a user's earlier session would have
    // (the suite reports activation → first verdict with a warm cache)
    execFileSync(path.join(ROOT, 'bin', 'roar'), ['tracer', 'check'], { cwd: ws, stdio: 'ignore' });
    const profile = freshProfile(name, opts.workspaceTrust ? { 'security.workspace.trust.startupPrompt': 'never' } : {});
    const server = await startCodeServer(profile, { name, smokeDriver: true, workspaceTrust: opts.workspaceTrust });
    servers.push(server);
    const t0 = Date.now();
    // the workbench's own console chatter goes to a file; the mocha report to our output
    const consoleFile = path.join(WORK, `${name}.console.log`);
    const consoleLog = fs.createWriteStream(consoleFile);
    // mocha's spec report: its lines, then everything after "N failing" (the failures)
    const mochaLine = /^\s{2,}(✔|✓|\d+\) |timing:|\d+ passing|\d+ pending|roar extension)|^\d+ passed, \d+ failed$/;
    let failing = false;
    const run = await runExtensionHostTests({
      serverUrl: server.url,
      extensionDir: ROOT,
      testsPath: path.join(ROOT, 'dist', 'test', entry),
      workspace: ws,
      timeoutMs: 8 * 60_000,
      onLine: (l, level) => {
        consoleLog.write(`[${level}] ${l}\n`);
        if (level !== 'info') return;
        failing ||= /^\s*\d+ failing/.test(l);
        if (failing || mochaLine.test(l)) console.log(`# ${l}`);
      },
    });
    consoleLog.end();
    await server.stop();
    console.log(`# extension-host run (${name}): ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${run.exitCode}`);
    assert.notEqual(run.exitCode, 'timeout', `the extension-host suite did not finish; logs: ${server.log}, ${consoleFile}`);
    assert.ok(run.passed > 0, `extension-host tests ran (console: ${consoleFile})`);
    assert.equal(run.failed, 0, `${run.failed} extension-host test(s) failed (output above)`);
    assert.equal(run.exitCode, 0);
  }

  it('the extension-host suite passes inside VS Code', { skip: only !== undefined && only !== 'exthost' }, async () => {
    await extensionHostSuite('exthost', 'index', { workspaceTrust: false });
  });

  it('in an untrusted folder (Restricted Mode) only read-only checks run', { skip: only !== undefined && only !== 'untrusted' }, async () => {
    await extensionHostSuite('untrusted', 'untrusted', { workspaceTrust: true });
  });

  it('the packaged .vsix installs and the UI shows readiness, status and a refused task (screenshots)', { skip: only !== undefined && only !== 'ui' }, async () => {
    const ws = freshWorkspace('ws-ui');
    const profile = freshProfile('ui');
    const out = installVsix(profile, VSIX);
    assert.match(out, /successfully installed/);
    const server = await startCodeServer(profile, { name: 'ui' });
    servers.push(server);
    const shots = path.join(WORK, 'shots');
    const r = await uiPass({ serverUrl: server.url, workspace: ws, userDataDir: profile.userDataDir, shots, log: (l) => console.log(`# ${l}`) });
    await server.stop();
    console.log(`# ui: ${r.passed} passed, ${r.failed} failed; screenshots in ${path.relative(ROOT, shots)}`);
    assert.equal(r.failed, 0, r.failures.join('\n'));
  });
});
