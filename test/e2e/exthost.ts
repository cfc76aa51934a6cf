/**
 * Runs the mocha suite (dist/test/index.js) inside the real extension host
 * of a code-server started with the smoke-test driver: VS Code's own
 * automation contract. The workbench (headless Debian chromium, driven by
 * playwright-core) loads the development extension and the tests from the
 * `payload` URL parameter, forwards the host's console to
 * window.codeAutomationLog and reports the end through
 * window.codeAutomationExit(code).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface ExtHostRun {
  exitCode: number | 'timeout';
  lines: string[];
  passed: number;
  failed: number;
}

export async function runExtensionHostTests(opts: {
  serverUrl: string;
  extensionDir: string;
  testsPath: string;
  workspace: string;
  timeoutMs: number;
  onLine?: (line: string, level: string) => void;
}): Promise<ExtHostRun> {
  const authority = new URL(opts.serverUrl).host; // must equal the page's host:port
  const remote = (p: string) => `vscode-remote://${authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(opts.extensionDir)], ['extensionTestsPath', remote(opts.testsPath)]];
  const url = `${opts.serverUrl}/?folder=${encodeURIComponent(opts.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'roar-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
  const lines: string[] = [];
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    let finish: (c: number | 'timeout') => void = () => {};
    const exited = new Promise<number | 'timeout'>((r) => (finish = r));
    await page.exposeFunction('codeAutomationLog', (level: string, args: unknown) => {
      if (level !== 'info' && level !== 'error') return;
      for (const line of util.format(...([] as unknown[]).concat(args)).split('\n')) {
        lines.push(line);
        opts.onLine?.(line, level);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    await page.goto(url);
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    const exitCode = await exited;
    clearTimeout(timer);
    const closing = [...lines].reverse().map((l) => /^\s*(\d+) passed, (\d+) failed\s*$/.exec(l)).find(Boolean);
    return { exitCode, lines, passed: closing ? Number(closing[1]) : 0, failed: closing ? Number(closing[2]) : 0 };
  } finally {
    await ctx.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
