/**
 * The UI pass: the packaged extension (installed from the .vsix, as a user
 * would) in code-server, looked at through headless chromium. Each step
 * checks what a person sees and saves a screenshot to look at
 * (.vscode-test/shots): the status bar verdict, the readiness tree, the
 * status tooltip, a refused task (notification + tree + terminal), a failed
 * check's tooltip, and a traced run of the sample in the Runs view.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './exthost';

export interface UiResult {
  passed: number;
  failed: number;
  failures: string[];
}

/** A tasks.json task that strict preflight must refuse: LD_PRELOAD cannot see a static binary (ldconfig would write marker.cache). */
export const REFUSED_TASK_LABEL = 'refused demo: preload on a static binary';

function writeTasksJson(ws: string): void {
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.vscode', 'tasks.json'), JSON.stringify({
    version: '2.0.0',
    tasks: [
      { type: 'roar', label: REFUSED_TASK_LABEL, command: '/usr/sbin/ldconfig', args: ['-C', 'marker.cache', '-f', '/dev/null'], tracer: 'preload' },
      { type: 'roar', label: 'train (traced)', command: 'python3', args: ['train.py'] },
    ],
  }, null, 2));
}

async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${command}`);
  // Enter takes the first fuzzy match: click the exact row instead
  await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().click({ timeout: 10_000 });
}

export async function uiPass(opts: { serverUrl: string; workspace: string; userDataDir: string; shots: string; log: (l: string) => void }): Promise<UiResult> {
  fs.rmSync(opts.shots, { recursive: true, force: true });
  fs.mkdirSync(opts.shots, { recursive: true });
  writeTasksJson(opts.workspace);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'roar-chromium-ui-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const result: UiResult = { passed: 0, failed: 0, failures: [] };
  let n = 0;
  const shot = async (name: string) => {
    const file = path.join(opts.shots, `${String(++n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  const step = async (name: string, fn: () => Promise<void>) => {
    const t0 = Date.now();
    try {
      await fn();
      result.passed++;
      opts.log(`ui ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      result.failed++;
      const file = await shot(`FAILED-${name.replace(/\W+/g, '-')}`).catch(() => '(no screenshot)');
      result.failures.push(`${name}: ${(e as Error).message.split('\n')[0]} (${file})`);
      opts.log(`ui ✗ ${name}: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  const status = page.locator('.statusbar-item', { hasText: /roar:/ }).first();
  const pane = (title: string) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
  const row = (text: string | RegExp) => pane('Tracer Readiness').locator('.monaco-list-row', { hasText: text }).first();
  const runRow = (text: string | RegExp) => pane('Runs').locator('.monaco-list-row', { hasText: text }).first();
  // a row whose label (not its description) starts with this text
  const labelRow = (label: string) => row(new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  try {
    await step('the workbench opens the sample workspace', async () => {
      await page.goto(`${opts.serverUrl}/?folder=${encodeURIComponent(opts.workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    });

    await step('the status bar shows the readiness verdict', async () => {
      await status.waitFor({ timeout: 90_000 });
      const t0 = Date.now();
      let text = '';
      while (Date.now() - t0 < 60_000) {
        text = (await status.textContent()) ?? '';
        if (/roar: (auto → \w+|ebpf|preload|ptrace|no tracer ready)/.test(text)) break;
        await page.waitForTimeout(250);
      }
      if (!/roar: (auto → \w+|ebpf|preload|ptrace|no tracer ready)/.test(text)) throw new Error(`status bar reads '${text}'`);
      opts.log(`ui   status bar: ${text.trim()}`);
      await shot('status-bar');
    });

    await step('the Tracer Readiness tree shows auto → tracer and each tracer', async () => {
      await page.locator('.activitybar [aria-label^="Roar"]').first().click();
      await row(/auto → (ebpf|preload|ptrace|none)/).waitFor({ timeout: 30_000 });
      for (const t of ['ebpf', 'preload', 'ptrace']) await row(new RegExp(`^\\s*${t}`)).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      await shot('readiness-tree');
    });

    await step('the status tooltip has actions', async () => {
      await status.hover();
      await page.locator('.monaco-hover, .workbench-hover', { hasText: 'Check again' }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(300);
      await shot('status-tooltip');
      await page.mouse.move(700, 400);
    });

    await step('a refused task exits 125 and shows why: notification, tree, terminal', async () => {
      await palette(page, 'Tasks: Run Task');
      const input = page.locator('.quick-input-widget input');
      await input.fill('refused demo');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: REFUSED_TASK_LABEL }).first().click({ timeout: 20_000 });
      // some versions ask whether to scan the task output: continue without
      const scan = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Continue without scanning' }).first();
      if (await scan.isVisible({ timeout: 3000 }).catch(() => false)) await scan.click();
      await page.locator('.notifications-toasts', { hasText: 'Roar refused' }).first().waitFor({ timeout: 60_000 });
      await labelRow('preload.target_static').waitFor({ timeout: 20_000 });
      if (fs.existsSync(path.join(opts.workspace, 'marker.cache'))) throw new Error('the refused workload ran: marker.cache exists');
      await page.waitForTimeout(800);
      await shot('refused-task');
    });

    await step('a failed check shows observed/expected in its tooltip', async () => {
      await labelRow('preload.target_static').hover();
      await page.locator('.monaco-hover, .workbench-hover', { hasText: 'observed' }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(300);
      await shot('failed-check-tooltip');
      await page.mouse.move(700, 400);
    });

    await step('Run with roar traces the sample and the run appears in the Runs view', async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+p');
      const input = page.locator('.quick-input-widget input');
      await input.fill('train.py');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.py' }).first().click({ timeout: 15_000 });
      await page.locator('.tab', { hasText: 'train.py' }).first().waitFor({ timeout: 15_000 });
      await palette(page, 'Roar: Run with roar');
      await runRow(/python3 train\.py/).waitFor({ timeout: 90_000 });
      if (!fs.existsSync(path.join(opts.workspace, 'out', 'model.json'))) throw new Error('out/model.json was not written');
      await runRow(/python3 train\.py/).click();
      await runRow(/^\s*Outputs/).waitFor({ timeout: 15_000 });
      await runRow(/model\.json/).waitFor({ timeout: 15_000 });
      await page.waitForTimeout(800);
      await shot('runs-view');
    });

    await step('a forced tracer that fails on this host: error background, failed check open with its fixes', async () => {
      // settings files are watched: this is what editing settings.json does; in
      // code-server these are the server's (remote) settings, where the
      // machine-scoped tracer path may live
      const machine = path.join(opts.userDataDir, 'Machine', 'settings.json');
      fs.mkdirSync(path.dirname(machine), { recursive: true });
      fs.writeFileSync(machine, JSON.stringify({ 'roar.tracer': 'ptrace', 'roar.tracers.ptracePath': '/opt/missing/roar-tracer-ptrace' }, null, 2));
      try {
        await page.locator('.statusbar-item', { hasText: 'roar: ptrace not ready' }).first().waitFor({ timeout: 30_000 });
        await labelRow('tracer.binary').waitFor({ timeout: 15_000 });
        await page.waitForTimeout(800);
        await shot('forced-tracer-fails');
      } finally {
        fs.writeFileSync(machine, '{}\n');
      }
      await page.locator('.statusbar-item', { hasText: /roar: auto → / }).first().waitFor({ timeout: 30_000 });
    });
  } finally {
    await ctx.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return result;
}
