/** roar.run/1: one document per run, `.roar/runs/<id>.json`. */
import { z } from 'zod';
import { TracerName } from './preflight';

export const RUN_SCHEMA = 'roar.run/1';

export const RunRecord = z.object({
  schema: z.literal(RUN_SCHEMA),
  id: z.string(),
  kind: z.enum(['run', 'build']),
  command: z.array(z.string()).min(1),
  cwd: z.string(),
  started_at: z.string(),
  ended_at: z.string(),
  duration_ms: z.number().nonnegative(),
  exit: z.object({ code: z.number().int(), signal: z.number().int().nullable() }),
  /** complete: every event arrived; incomplete: the trace has gaps (see tracer.problems). */
  status: z.enum(['complete', 'incomplete']),
  tracer: z.object({
    requested: z.union([TracerName, z.literal('auto')]),
    used: TracerName,
    fallback: z.array(z.object({ tracer: TracerName, reason: z.string(), check: z.string().nullable(), code: z.string().nullable() })),
    preflight_digest: z.string(),
    preflight_cached: z.boolean(),
    lost: z.number().int().nonnegative(),
    problems: z.array(z.string()),
  }),
  inputs: z.array(z.object({ path: z.string(), size: z.number().nullable() })),
  outputs: z.array(z.object({ path: z.string(), sha256: z.string().nullable(), size: z.number().nullable() })),
  deleted: z.array(z.string()),
  processes: z.array(z.object({
    pid: z.number().int(),
    ppid: z.number().int().nullable(),
    exe: z.string().nullable(),
    exit_code: z.number().int().nullable(),
    signal: z.number().int().nullable(),
  })),
  events: z.number().int().nonnegative(),
});
export type RunRecord = z.infer<typeof RunRecord>;
