/**
 * roar.preflight/1: what a tracer's `--preflight --json` prints, and the
 * auto report that wraps several of them. Check ids and codes are stable
 * API (docs/checks.md); detail and summary text are for people only.
 */
import { z } from 'zod';

export const TRACER_NAMES = ['ebpf', 'preload', 'ptrace'] as const;
export const TracerName = z.enum(TRACER_NAMES);
export type TracerName = z.infer<typeof TracerName>;

export const CheckStatus = z.enum(['pass', 'warn', 'fail', 'skip']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Fix = z.object({
  title: z.string(),
  command: z.string().optional(),
});
export type Fix = z.infer<typeof Fix>;

export const Check = z.object({
  id: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_.]+$/),
  status: CheckStatus,
  required: z.boolean(),
  observed: z.string().optional(),
  expected: z.string().optional(),
  detail: z.string(),
  code: z.string().regex(/^ROAR_[EW]_[A-Z0-9_]+$/).optional(),
  fixes: z.array(Fix).max(3),
  ms: z.number().nonnegative(),
});
export type Check = z.infer<typeof Check>;

export const CommandInfo = z.object({
  argv0: z.string(),
  resolved: z.string().nullable(),
  kind: z.enum(['elf', 'script', 'missing', 'other']),
  interpreter: z.string().nullable(),
  static: z.boolean(),
  setuid: z.boolean(),
  file_caps: z.boolean(),
  go: z.boolean(),
  machine: z.string().nullable(),
  executable: z.boolean().optional(),
  errno: z.number().int().optional(),
  chain: z.array(z.string()).optional(),
});
export type CommandInfo = z.infer<typeof CommandInfo>;

export const PREFLIGHT_SCHEMA = 'roar.preflight/1';

export const PreflightReport = z.object({
  schema: z.literal(PREFLIGHT_SCHEMA),
  tracer: TracerName,
  ok: z.boolean(),
  degraded: z.boolean(),
  summary: z.string(),
  command: CommandInfo.nullable(),
  checks: z.array(Check),
  fingerprint: z.record(z.string(), z.string()),
  ms: z.number().nonnegative(),
  /** Added by the engine: was this answer served from the cache? */
  cached: z.boolean().optional(),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

export const AutoReport = z.object({
  schema: z.literal(PREFLIGHT_SCHEMA),
  tracer: z.literal('auto'),
  ok: z.boolean(),
  selected: TracerName.nullable(),
  summary: z.string(),
  order: z.array(TracerName),
  /** Why each tracer before the selected one was passed over. */
  fallback: z.array(z.object({ tracer: TracerName, reason: z.string(), check: z.string().nullable(), code: z.string().nullable() })),
  results: z.array(PreflightReport),
  ms: z.number().nonnegative(),
});
export type AutoReport = z.infer<typeof AutoReport>;

export const AnyReport = z.union([PreflightReport, AutoReport]);
export type AnyReport = z.infer<typeof AnyReport>;
