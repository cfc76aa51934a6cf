/**
 * The JSON-RPC messages between the VS Code extension (client) and the
 * engine (`roar serve --stdio`, server). The base protocol is LSP's
 * (initialize / shutdown / exit, Content-Length framing); everything roar
 * adds is a `roar/...` method below, each with a zod schema for its params
 * and its result. Both sides validate what they receive with these
 * schemas. Reference: docs/protocol.md (a unit test checks that every
 * method here is documented there).
 *
 * Leaf module: imports zod and the sibling protocol files only, so the
 * extension can import it without pulling in engine code.
 */
import * as z from 'zod/mini';
import { AnyReport, TracerName } from './preflight';
import { RunRecord } from './run-record';

/** Bumped when a message changes incompatibly; `roar/info` reports it. */
export const RPC_PROTOCOL_VERSION = 1;

export const TracerMode = z.union([z.literal('auto'), TracerName]);
export type TracerMode = z.infer<typeof TracerMode>;

/** Client → engine requests. */
export const METHODS = {
  info: 'roar/info',
  configure: 'roar/configure',
  preflight: 'roar/preflight',
  listRuns: 'roar/listRuns',
  getRun: 'roar/getRun',
} as const;

/** Engine → client notifications. */
export const NOTIFICATIONS = {
  readiness: 'roar/readiness',
} as const;

/** JSON-RPC error codes the engine uses besides the standard ones. */
export const RPC_ERRORS = {
  /** The request needs a trusted workspace (a command, env overrides). */
  untrusted: -32001,
  /** .roar/config.toml or $ROAR_TRACER is invalid; the message says where and why. */
  config: -32002,
  /** Standard JSON-RPC: the params do not match the schema. */
  invalidParams: -32602,
  /** Standard JSON-RPC: the engine failed. */
  internal: -32603,
} as const;

// ---------------------------------------------------------------- roar/info

/** `roar/info` (client → engine): what engine this is. Answers before `roar/configure`. */
export const InfoParams = z.nullish(z.strictObject({}));

export const TracerLocation = z.object({
  tracer: TracerName,
  /** The binary that will be used, or where it was expected first. */
  path: z.string(),
  found: z.boolean(),
  searched: z.array(z.string()),
});
export type TracerLocation = z.infer<typeof TracerLocation>;

export const InfoResult = z.object({
  name: z.literal('roar'),
  version: z.string(),
  protocol: z.int(),
  pid: z.int(),
  /** process.version of the runtime running the engine. */
  node: z.string(),
  /** process.versions.electron when an Electron binary runs the engine as Node. */
  electron: z.nullable(z.string()),
  platform: z.string(),
  arch: z.string(),
  kernel: z.string(),
  /** The engine bundle (dist/engine.js) and the package root it locates tracers from. */
  engine: z.string(),
  packageRoot: z.string(),
  tracers: z.array(TracerLocation),
  configured: z.boolean(),
});
export type InfoResult = z.infer<typeof InfoResult>;

// ----------------------------------------------------------- roar/configure

export const TracerPaths = z.object({
  ebpf: z.optional(z.string()),
  preload: z.optional(z.string()),
  ptrace: z.optional(z.string()),
});
export type TracerPaths = z.infer<typeof TracerPaths>;

/** `roar/configure` (client → engine): the user's settings; sent again whenever they change. */
export const ConfigureParams = z.object({
  /**
   * The `roar.tracer` setting; null when the user has not set it: then the
   * engine selects like the CLI ($ROAR_TRACER, .roar/config.toml, auto).
   */
  tracer: z.nullable(TracerMode),
  /** The `roar.fallback` setting; null: as the CLI (.roar/config.toml, else on). */
  fallback: z.nullable(z.boolean()),
  /** Absolute paths of tracer binaries that replace the bundled ones (`machine`-scoped settings). */
  tracerPaths: TracerPaths,
  /** Workspace Trust: without it, requests that run a workspace command are refused. */
  trusted: z.boolean(),
  workspaceFolders: z.array(z.string()),
});
export type ConfigureParams = z.infer<typeof ConfigureParams>;

export const ConfigureResult = z.object({ tracers: z.array(TracerLocation) });
export type ConfigureResult = z.infer<typeof ConfigureResult>;

// ----------------------------------------------------------- roar/preflight

/** Where the mode of a check came from: the request, the VS Code setting, or as the CLI selects. */
export const ModeSource = z.enum(['request', 'setting', 'env', 'config', 'default']);
export type ModeSource = z.infer<typeof ModeSource>;

/** The short answer derived from a report: what the status bar and notifications show. */
export const Verdict = z.object({
  mode: TracerMode,
  source: ModeSource,
  /** The tracer that passed (auto: the first in order that passed; forced: itself), else null. */
  selected: z.nullable(TracerName),
  ok: z.boolean(),
  degraded: z.boolean(),
  summary: z.string(),
  /** The first failed required check of the tracer that decides (forced) or of the first candidate (auto, none passed). */
  failed: z.nullable(z.object({ tracer: TracerName, check: z.string(), code: z.nullable(z.string()), detail: z.string() })),
});
export type Verdict = z.infer<typeof Verdict>;

/**
 * `roar/preflight` (client → engine): strict preflight for a tracer (or
 * auto), for the host or for one command. The engine also announces the
 * check with `roar/readiness` notifications (checking, then done).
 */
export const PreflightParams = z.object({
  /** Default: the configured mode (see `roar/configure`). */
  tracer: z.optional(TracerMode),
  /** argv of the command to check for; needs a trusted workspace. */
  command: z.optional(z.array(z.string()).check(z.minLength(1))),
  /** Where the command would run: resolves a relative command and finds .roar/config.toml. Default: the first workspace folder. */
  cwd: z.optional(z.string()),
  /** Bypass the preflight cache. */
  fresh: z.optional(z.boolean()),
  /** Default: the configured fallback. */
  fallback: z.optional(z.boolean()),
  /** Environment overrides (a task's `env`); needs a trusted workspace. */
  env: z.optional(z.record(z.string(), z.string())),
  /** Why the check runs, echoed in the notifications (e.g. 'startup', 'user', 'task'). */
  reason: z.optional(z.string()),
});
export type PreflightParams = z.infer<typeof PreflightParams>;

export const PreflightResult = z.object({
  seq: z.int(),
  report: AnyReport,
  verdict: Verdict,
});
export type PreflightResult = z.infer<typeof PreflightResult>;

// ----------------------------------------------------------- roar/readiness

/**
 * `roar/readiness` (engine → client): readiness changed. Sent with state
 * `checking` when a preflight starts and `done` (or `error`) when it ends;
 * `seq` pairs them and matches the `roar/preflight` result.
 */
export const ReadinessParams = z.object({
  seq: z.int(),
  state: z.enum(['checking', 'done', 'error']),
  /** The mode asked for (before the engine's own selection when the client sent none: see `verdict.mode`). */
  mode: z.nullable(TracerMode),
  command: z.nullable(z.array(z.string())),
  reason: z.nullable(z.string()),
  report: z.nullable(AnyReport),
  verdict: z.nullable(Verdict),
  error: z.nullable(z.string()),
  /** ISO time of the change. */
  at: z.string(),
});
export type ReadinessParams = z.infer<typeof ReadinessParams>;

// ------------------------------------------------------ roar/listRuns, getRun

/** `roar/listRuns` (client → engine): the recent runs of the store that serves this folder. */
export const ListRunsParams = z.object({
  folder: z.string(),
  limit: z.optional(z.int().check(z.positive())),
});
export type ListRunsParams = z.infer<typeof ListRunsParams>;

export const RunSummary = z.object({
  id: z.string(),
  kind: z.enum(['run', 'build']),
  command: z.array(z.string()),
  cwd: z.string(),
  started_at: z.string(),
  duration_ms: z.number(),
  exit: z.object({ code: z.int(), signal: z.nullable(z.int()) }),
  status: z.enum(['complete', 'incomplete']),
  tracer: TracerName,
  inputs: z.int(),
  outputs: z.int(),
  /** The record file. */
  path: z.string(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const ListRunsResult = z.object({
  /** The store root: the nearest ancestor of the folder with a .roar directory, else the folder. */
  root: z.string(),
  runs: z.array(RunSummary),
  /** How many records exist (runs holds at most `limit`; unreadable records are left out). */
  total: z.int(),
});
export type ListRunsResult = z.infer<typeof ListRunsResult>;

/** `roar/getRun` (client → engine): one run record. */
export const GetRunParams = z.object({ folder: z.string(), id: z.string() });
export type GetRunParams = z.infer<typeof GetRunParams>;

export const GetRunResult = z.object({
  root: z.string(),
  path: z.nullable(z.string()),
  record: z.nullable(RunRecord),
});
export type GetRunResult = z.infer<typeof GetRunResult>;

// ------------------------------------------------------------------ tables

/** Every request: its params and result schema. Both sides go through this table. */
export const REQUESTS = {
  [METHODS.info]: { params: InfoParams, result: InfoResult },
  [METHODS.configure]: { params: ConfigureParams, result: ConfigureResult },
  [METHODS.preflight]: { params: PreflightParams, result: PreflightResult },
  [METHODS.listRuns]: { params: ListRunsParams, result: ListRunsResult },
  [METHODS.getRun]: { params: GetRunParams, result: GetRunResult },
} as const;

export const NOTIFICATION_PARAMS = {
  [NOTIFICATIONS.readiness]: ReadinessParams,
} as const;

export type RequestMethod = keyof typeof REQUESTS;
export type ParamsOf<M extends RequestMethod> = z.input<(typeof REQUESTS)[M]['params']>;
export type ResultOf<M extends RequestMethod> = z.infer<(typeof REQUESTS)[M]['result']>;
