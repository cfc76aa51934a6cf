/** roar.run/1: one document per run, `.roar/runs/<id>.json`. */
import * as z from 'zod/mini';
import { FallbackReason, TracerName } from './preflight';

export const RUN_SCHEMA = 'roar.run/1';

const nullableInt = z.nullable(z.int());

export const RunRecord = z.object({
  schema: z.literal(RUN_SCHEMA),
  id: z.string(),
  kind: z.enum(['run', 'build']),
  command: z.array(z.string()).check(z.minLength(1)),
  cwd: z.string(),
  started_at: z.string(),
  ended_at: z.string(),
  duration_ms: z.number().check(z.minimum(0)),
  exit: z.object({ code: z.int(), signal: nullableInt }),
  /** complete: every event arrived; incomplete: the trace has gaps (see tracer.problems). */
  status: z.enum(['complete', 'incomplete']),
  tracer: z.object({
    requested: z.union([TracerName, z.literal('auto')]),
    /** Where the requested mode came from. */
    requested_from: z.optional(z.enum(['flag', 'env', 'config', 'default'])),
    used: TracerName,
    /** Tracers tried before the one used, and why each was passed over. */
    fallback: z.array(FallbackReason),
    preflight_digest: z.string(),
    preflight_cached: z.boolean(),
    lost: z.int().check(z.minimum(0)),
    problems: z.array(z.string()),
  }),
  inputs: z.array(z.object({ path: z.string(), size: z.nullable(z.number()) })),
  outputs: z.array(z.object({ path: z.string(), sha256: z.nullable(z.string()), size: z.nullable(z.number()) })),
  deleted: z.array(z.string()),
  processes: z.array(z.object({
    pid: z.int(),
    ppid: nullableInt,
    exe: z.nullable(z.string()),
    exit_code: nullableInt,
    signal: nullableInt,
  })),
  events: z.int().check(z.minimum(0)),
});
export type RunRecord = z.infer<typeof RunRecord>;
