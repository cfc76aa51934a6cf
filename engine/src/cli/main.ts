/** The `roar` command line. Works without VS Code. */
import { EXIT } from '../../protocol';
import { ConfigError, configPath, loadConfig } from '../config/config-file';
import { ModeError, resolveSelection, Selection } from '../config/mode';
import { TracerMode, checkTracers } from '../preflight/check';
import { gatedRun } from '../run/gated-run';
import { workspaceRoot } from '../runs/store';
import { parseCheckArgs, parseRunArgs, UsageError } from './args';
import { doctor, renderDoctor } from './doctor';
import { renderReport, renderRunSummary } from './render';
import { renderStatus, tracerStatus } from './status';

export const VERSION = '0.1.0';

const USAGE = `usage: roar <command> [options]

  roar tracer check [auto|ebpf|preload|ptrace] [--json] [--fresh] [--command CMD [ARGS...]]
        Strict preflight: is the tracer proven to work here (for this command)?
        Exit 0 ready, 1 not ready, 2 usage.
  roar run   [--tracer auto|ebpf|preload|ptrace] [--no-fallback] -- CMD [ARGS...]
  roar build [--tracer ...] [--no-fallback] -- CMD [ARGS...]
        Run CMD under the tracer after strict preflight; record its provenance in
        .roar/runs/<id>.json. Exit: CMD's own status; 125 refused by preflight or
        roar failed; 126 CMD not executable; 127 CMD not found.
  roar tracer status [--json]
        Installed tracers, versions, last known readiness (no probing), active mode.
  roar doctor [--json]
        A full report for bug reports (host, caps, sysctls, every tracer's preflight).
  roar serve --stdio
        JSON-RPC for the VS Code extension (docs/protocol.md).
  roar --version

Tracer mode: --tracer, else $ROAR_TRACER, else [tracer] default in .roar/config.toml,
else auto (order: ebpf, preload, ptrace; [tracer] order and fallback_enabled configure it).
Preflight answers are cached per host/tracer/command fingerprint; --fresh re-checks.
`;

function selection(flag: TracerMode | null, fallback: boolean | null): Selection {
  const config = loadConfig(workspaceRoot(process.cwd()));
  return resolveSelection(flag, fallback, process.env, config);
}

async function tracerCheck(args: string[]): Promise<number> {
  const a = parseCheckArgs(args);
  const sel = selection(a.mode, null);
  const report = await checkTracers({ tracer: sel.mode, command: a.command, fresh: a.fresh, fallback: sel.fallback, order: sel.order });
  if (a.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(renderReport(report));
  return report.ok ? 0 : 1;
}

/** The workload's environment: ours, minus what only the engine's runtime needs. */
function workloadEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // set by the extension so Electron runs the engine as Node; not for the workload
  const { ELECTRON_RUN_AS_NODE: _unused, ...rest } = env;
  return rest;
}

async function run(kind: 'run' | 'build', args: string[]): Promise<number> {
  const a = parseRunArgs(args);
  const sel = selection(a.mode, a.fallback);
  const outcome = await gatedRun({
    argv: a.argv,
    kind,
    tracer: sel.mode,
    modeSource: sel.source,
    fallback: sel.fallback,
    order: sel.order,
    fresh: a.fresh,
    cwd: process.cwd(),
    env: workloadEnv(process.env),
  });
  if (outcome.outcome === 'refused') {
    if (outcome.report) process.stderr.write(renderReport(outcome.report));
    process.stderr.write(`roar: refused, nothing was run: ${outcome.reason}\n`);
    return outcome.exitCode;
  }
  process.stderr.write(renderRunSummary(outcome.record, outcome.recordPath));
  if (outcome.recordError) {
    // the workload has run; keep what it produced even if the store is unwritable
    process.stderr.write(`roar: could not write the run record (${outcome.recordError}); here it is:\n`);
    process.stderr.write(JSON.stringify(outcome.record, null, 2) + '\n');
  }
  return outcome.exitCode;
}

function status(args: string[]): number {
  const sel = selection(null, null);
  const list = tracerStatus();
  if (args.includes('--json')) process.stdout.write(JSON.stringify({ mode: sel, tracers: list }, null, 2) + '\n');
  else process.stdout.write(renderStatus(list, sel, configPath(workspaceRoot(process.cwd()))));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const runLike = cmd === 'run' || cmd === 'build';
  try {
    switch (cmd) {
      case 'tracer': {
        const [sub, ...subArgs] = rest;
        if (sub === 'check') return await tracerCheck(subArgs);
        if (sub === 'status') return status(subArgs);
        throw new UsageError(sub ? `unknown tracer command '${sub}'` : 'missing tracer command (check, status)');
      }
      case 'run':
      case 'build':
        return await run(cmd, rest);
      case 'serve': return await (await import('../serve/index.js')).serve(rest);
      case 'doctor': {
        const sections = await doctor(VERSION);
        process.stdout.write(rest.includes('--json') ? JSON.stringify(sections, null, 2) + '\n' : renderDoctor(sections));
        return 0;
      }
      case '--version':
      case 'version':
        process.stdout.write(`roar ${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ModeError) {
      process.stderr.write(`roar: ${e.message}\n`);
      return runLike ? EXIT.refused : 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`roar: ${e.message}\n\n${USAGE}`);
      return runLike ? EXIT.refused : 2;
    }
    process.stderr.write(`roar: internal error: ${(e as Error).stack ?? e}\n`);
    return runLike ? EXIT.refused : 1;
  }
}
