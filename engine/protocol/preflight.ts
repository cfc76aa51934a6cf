/**
 * roar.preflight/1: what a tracer's `--preflight --json` prints, and the
 * auto report that wraps several of them. Check ids and codes are stable
 * API (docs/checks.md); detail and summary text are for people only.
 *
 * zod/mini keeps the CLI's start-up small (the full zod costs ~25 ms to load).
 */
import * as z from 'zod/mini';

export const TRACER_NAMES = ['ebpf', 'preload', 'ptrace'] as const;
export const TracerName = z.enum(TRACER_NAMES);
export type TracerName = z.infer<typeof TracerName>;

export const CheckStatus = z.enum(['pass', 'warn', 'fail', 'skip']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Fix = z.object({
  title: z.string(),
  command: z.optional(z.string()),
});
export type Fix = z.infer<typeof Fix>;

const nonNegative = () => z.number().check(z.minimum(0));

export const Check = z.object({
  id: z.string().check(z.regex(/^[a-z0-9_]+\.[a-z0-9_.]+$/)),
  status: CheckStatus,
  required: z.boolean(),
  observed: z.optional(z.string()),
  expected: z.optional(z.string()),
  detail: z.string(),
  code: z.optional(z.string().check(z.regex(/^ROAR_[EW]_[A-Z0-9_]+$/))),
  fixes: z.array(Fix).check(z.maxLength(3)),
  ms: nonNegative(),
});
export type Check = z.infer<typeof Check>;

export const CommandInfo = z.object({
  argv0: z.string(),
  resolved: z.nullable(z.string()),
  kind: z.enum(['elf', 'script', 'missing', 'other']),
  interpreter: z.nullable(z.string()),
  static: z.boolean(),
  setuid: z.boolean(),
  file_caps: z.boolean(),
  go: z.boolean(),
  machine: z.nullable(z.string()),
  executable: z.optional(z.boolean()),
  errno: z.optional(z.int()),
  chain: z.optional(z.array(z.string())),
});
export type CommandInfo = z.infer<typeof CommandInfo>;

export const PREFLIGHT_SCHEMA = 'roar.preflight/1';

export const PreflightReport = z.object({
  schema: z.literal(PREFLIGHT_SCHEMA),
  tracer: TracerName,
  ok: z.boolean(),
  degraded: z.boolean(),
  summary: z.string(),
  command: z.nullable(CommandInfo),
  checks: z.array(Check),
  fingerprint: z.record(z.string(), z.string()),
  ms: nonNegative(),
  /** Added by the engine: was this answer served from the cache? */
  cached: z.optional(z.boolean()),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

export const FallbackReason = z.object({
  tracer: TracerName,
  reason: z.string(),
  check: z.nullable(z.string()),
  code: z.nullable(z.string()),
});
export type FallbackReason = z.infer<typeof FallbackReason>;

export const AutoReport = z.object({
  schema: z.literal(PREFLIGHT_SCHEMA),
  tracer: z.literal('auto'),
  ok: z.boolean(),
  selected: z.nullable(TracerName),
  summary: z.string(),
  order: z.array(TracerName),
  /** Why each tracer before the selected one was passed over. */
  fallback: z.array(FallbackReason),
  results: z.array(PreflightReport),
  ms: nonNegative(),
});
export type AutoReport = z.infer<typeof AutoReport>;

export const AnyReport = z.union([PreflightReport, AutoReport]);
export type AnyReport = z.infer<typeof AnyReport>;

/**
 * The check that decides a report: the first required check that failed,
 * else the first required one that was skipped. Shared by the engine and
 * the extension, so both name the same check.
 */
export function firstFailure(r: PreflightReport): Check | undefined {
  return r.checks.find((c) => c.required && c.status === 'fail') ?? r.checks.find((c) => c.required && c.status === 'skip');
}
