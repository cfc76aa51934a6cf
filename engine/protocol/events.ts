/**
 * roar.events/1: one JSON object per line, the same vocabulary for every
 * tracer (DESIGN §3.3, docs/events.md). Paths are absolute; bytes that are
 * not UTF-8 come as lone surrogates \udc80-\udcff (engine/src/paths/bytes.ts).
 */
import * as z from 'zod/mini';

export const EVENTS_SCHEMA = 'roar.events/1';

const pid = z.int();
const ret = z.int();
const truncated = z.optional(z.boolean());

export const StartEvent = z.object({ ev: z.literal('start'), pid, schema: z.literal(EVENTS_SCHEMA), tracer: z.string() });
export const ExecEvent = z.object({ ev: z.literal('exec'), pid, path: z.string(), ret });
export const ForkEvent = z.object({ ev: z.literal('fork'), pid, ppid: pid });
export const ExitEvent = z.object({ ev: z.literal('exit'), pid, code: z.optional(z.int()), signal: z.optional(z.int()) });
export const OpenEvent = z.object({ ev: z.literal('open'), pid, path: z.string(), mode: z.enum(['r', 'w', 'rw']), ret, truncated });
export const Path1Event = z.object({ ev: z.enum(['unlink', 'mkdir', 'rmdir', 'chdir']), pid, path: z.string(), ret, truncated });
export const Path2Event = z.object({ ev: z.enum(['rename', 'link', 'symlink']), pid, path: z.string(), path2: z.string(), ret, truncated });
export const EndEvent = z.object({
  ev: z.literal('end'),
  tracer: z.string(),
  lost: z.int().check(z.minimum(0)),
  status: z.int(),
  error: z.optional(z.string()),
});

export const TraceEvent = z.union([StartEvent, ExecEvent, ForkEvent, ExitEvent, OpenEvent, Path1Event, Path2Event, EndEvent]);
export type TraceEvent = z.infer<typeof TraceEvent>;
export type OpenEvent = z.infer<typeof OpenEvent>;
export type EndEvent = z.infer<typeof EndEvent>;
