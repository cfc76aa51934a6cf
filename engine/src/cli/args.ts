/** Argument parsing for the roar CLI: small, strict, with clear errors. */
import { TRACER_NAMES, TracerName } from '../../protocol';
import { TracerMode } from '../preflight/check';

export class UsageError extends Error {}

const MODES: readonly string[] = ['auto', ...TRACER_NAMES];

export function parseMode(value: string | undefined, from: string): TracerMode {
  if (value === undefined || !MODES.includes(value)) {
    throw new UsageError(`${from} must be one of ${MODES.join(', ')}${value === undefined ? '' : ` (got '${value}')`}`);
  }
  return value as TracerMode;
}

export interface CheckArgs { mode: TracerMode | null; command: string[] | undefined; json: boolean; fresh: boolean }

export function parseCheckArgs(args: string[]): CheckArgs {
  const out: CheckArgs = { mode: null, command: undefined, json: false, fresh: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--fresh') out.fresh = true;
    else if (a === '--command') {
      out.command = args.slice(i + 1);
      if (out.command[0] === '--') out.command.shift();
      if (out.command.length === 0) throw new UsageError('--command needs a command');
      break;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (out.mode === null) out.mode = parseMode(a, 'the tracer');
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  return out;
}

export interface RunArgs { mode: TracerMode | null; fallback: boolean | null; fresh: boolean; argv: string[] }

export function parseRunArgs(args: string[]): RunArgs {
  const out: RunArgs = { mode: null, fallback: null, fresh: false, argv: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.argv = args.slice(i + 1);
      break;
    }
    if (a === '--tracer') out.mode = parseMode(args[++i], '--tracer');
    else if (a.startsWith('--tracer=')) out.mode = parseMode(a.slice(9), '--tracer');
    else if (a === '--no-fallback') out.fallback = false;
    else if (a === '--fallback') out.fallback = true;
    else if (a === '--fresh') out.fresh = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else {
      out.argv = args.slice(i);
      break;
    }
  }
  if (out.argv.length === 0) throw new UsageError('missing the command to run (roar run [--tracer T] -- CMD ...)');
  return out;
}

export function isTracerName(s: string): s is TracerName {
  return (TRACER_NAMES as readonly string[]).includes(s);
}
