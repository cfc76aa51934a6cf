/**
 * `roar doctor`: a report for bug reports that always completes. Each
 * section is gathered on its own; a section that fails says why and the
 * rest still come. Markdown by default, `--json` for tools.
 */
import * as os from 'node:os';
import { PreflightReport, TRACER_NAMES } from '../../protocol';
import { configPath, loadConfig } from '../config/config-file';
import { sharedCache } from '../preflight/check';
import { tracerPreflight } from '../preflight/tracer-preflight';
import { workspaceRoot } from '../runs/store';
import { fileSha256 } from '../tracers/digest';
import { locateTracer } from '../tracers/locate';
import { tracerVersion } from '../tracers/version';
import { addonCheck, hostFacts, loadAddon } from '../native/addon';
import { capNames, osPretty, read, statusField, SYSCTLS } from './host-facts';

type Section = { title: string; ok: boolean; data: unknown };

async function section(title: string, f: () => unknown | Promise<unknown>): Promise<Section> {
  try {
    return { title, ok: true, data: await f() };
  } catch (e) {
    return { title, ok: false, data: { error: (e as Error).message } };
  }
}

export async function doctor(version: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<Section[]> {
  const tracerSections = TRACER_NAMES.map((t) => section(`tracer ${t}`, async () => {
    const where = locateTracer(t, env);
    const base = { path: where.path, installed: where.found, searched: where.searched };
    if (!where.found) return { ...base, preflight: null };
    const report: PreflightReport = await tracerPreflight(t, { env, timeoutMs: 15_000 });
    return {
      ...base,
      sha256: fileSha256(where.path),
      version: tracerVersion(where.path),
      ok: report.ok,
      degraded: report.degraded,
      summary: report.summary,
      checks: report.checks.map((c) => ({ id: c.id, status: c.status, code: c.code ?? null, detail: c.detail, ms: Math.round(c.ms) })),
    };
  }));
  return Promise.all([
    section('roar', () => ({ version, node: process.version, execPath: process.execPath, engine: __filename })),
    section('host', () => ({
      os: osPretty(), kernel: os.release(), arch: os.arch(), boot_id: read('/proc/sys/kernel/random/boot_id'),
      uid: process.getuid?.(), euid: process.geteuid?.(), cap_eff: capNames(statusField('CapEff') ?? ''),
      tracer_pid: statusField('TracerPid'), seccomp: statusField('Seccomp'), no_new_privs: statusField('NoNewPrivs'),
      btf: read('/sys/kernel/btf/vmlinux').startsWith('(unreadable') ? 'absent or unreadable' : 'present',
    })),
    section('probe addon', () => {
      const load = loadAddon(env);
      const check = addonCheck(load);
      return { status: check.status, detail: check.observed ?? check.detail, facts: hostFacts(env) };
    }),
    section('sysctls', () => Object.fromEntries(SYSCTLS.map((p) => [p, read(p)]))),
    section('environment', () => ({ PATH: env.PATH ?? null, ROAR_TRACER: env.ROAR_TRACER ?? null, ROAR_TRACER_DIR: env.ROAR_TRACER_DIR ?? null, TMPDIR: env.TMPDIR ?? null })),
    section('config', () => {
      const root = workspaceRoot(cwd);
      return { file: configPath(root), config: loadConfig(root) };
    }),
    ...tracerSections,
    section('cache', () => sharedCache(env).stats()),
  ]);
}

function md(value: unknown, indent = ''): string[] {
  if (value === null || typeof value !== 'object') return [`${indent}${String(value)}`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) out.push(`${indent}- **${k}**: ${v.join(', ') || '(none)'}`);
    else if (v !== null && typeof v === 'object') out.push(`${indent}- **${k}**:`, ...md(v, indent + '  '));
    else out.push(`${indent}- **${k}**: ${v === null || v === undefined ? '(none)' : String(v)}`);
  }
  return out;
}

export function renderDoctor(sections: Section[]): string {
  const out = ['# roar doctor', ''];
  for (const s of sections) {
    out.push(`## ${s.title}${s.ok ? '' : ' (failed)'}`, '');
    const data = s.data as Record<string, unknown>;
    if (s.title.startsWith('tracer ') && Array.isArray(data.checks)) {
      const { checks, ...rest } = data;
      out.push(...md(rest), '', '| check | status | code | ms | detail |', '|---|---|---|---|---|');
      for (const c of checks as { id: string; status: string; code: string | null; ms: number; detail: string }[]) {
        out.push(`| ${c.id} | ${c.status} | ${c.code ?? ''} | ${c.ms} | ${c.detail.replace(/\|/g, '\\|')} |`);
      }
    } else {
      out.push(...md(data));
    }
    out.push('');
  }
  return out.join('\n');
}
