/**
 * The `roar.*` settings (package.json contributes.configuration). Paths of
 * executables are `machine`-scoped: a workspace cannot point them at its
 * own files.
 */
import * as vscode from 'vscode';
import { TracerMode, TracerPaths } from '../../engine/protocol/rpc';

export const SECTION = 'roar';

const MODES: readonly string[] = ['auto', 'ebpf', 'preload', 'ptrace'];

export interface Settings {
  /** null: not set by the user; the engine selects as the CLI does. */
  tracer: TracerMode | null;
  fallback: boolean | null;
  enginePath: string;
  tracerPaths: TracerPaths;
  checkOnStartup: boolean;
  statusBarVisible: boolean;
}

/** A setting's value only when the user (or workspace) set it; the contributed default does not count. */
function explicit<T>(cfg: vscode.WorkspaceConfiguration, key: string): T | null {
  const i = cfg.inspect<T>(key);
  const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  return v === undefined ? null : v;
}

export function readSettings(): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const tracer = explicit<string>(cfg, 'tracer');
  const tracerPaths: TracerPaths = {};
  for (const t of ['ebpf', 'preload', 'ptrace'] as const) {
    const p = cfg.get<string>(`tracers.${t}Path`, '').trim();
    if (p) tracerPaths[t] = p;
  }
  return {
    tracer: tracer !== null && MODES.includes(tracer) ? (tracer as TracerMode) : null,
    fallback: explicit<boolean>(cfg, 'fallback'),
    enginePath: cfg.get<string>('enginePath', '').trim(),
    tracerPaths,
    checkOnStartup: cfg.get<boolean>('checkOnStartup', true),
    statusBarVisible: cfg.get<boolean>('statusBar.visible', true),
  };
}

/** Which change needs what: a new engine, a new configure + check, or only a redraw. */
export function classifyChange(e: vscode.ConfigurationChangeEvent): { restart: boolean; reconfigure: boolean; redraw: boolean } {
  const a = (k: string) => e.affectsConfiguration(`${SECTION}.${k}`);
  return {
    restart: a('enginePath'),
    reconfigure: a('tracer') || a('fallback') || a('tracers'),
    redraw: a('statusBar'),
  };
}

/** Environment variables that give the CLI the same tracer binaries as the engine. */
export function tracerPathEnv(paths: TracerPaths): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [t, p] of Object.entries(paths)) if (p) env[`ROAR_TRACER_${t.toUpperCase()}`] = p;
  return env;
}
