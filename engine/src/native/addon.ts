/**
 * The probe addon (native/addon, N-API): host facts and `--command`
 * analysis in-process, without spawning a tracer. It is optional: when it
 * cannot load, `loadAddon()` says why (it never throws), the engine carries
 * on, and `addonCheck()` turns that into a `warn` check naming what could
 * not be verified. Results are validated here, once, against the schemas
 * below; the rest of the engine sees only these types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import type { Check, CommandInfo } from '../../protocol/preflight';
import { packageRoot } from '../tracers/locate';

/** PROBE_ABI of native/addon/src/probes.h; another value is a stale build. */
export const ADDON_ABI = 1;
export const ADDON_FILE = 'roar_probe.node';
export const ADDON_CHECK_ID = 'engine.addon';
export const ADDON_UNAVAILABLE = 'ROAR_W_ADDON_UNAVAILABLE';

const nat = () => z.int().check(z.minimum(0));
const CapName = z.string().check(z.regex(/^cap_[a-z0-9_]+$/));

/** One attempted operation: `errno` 0 and nulls when ok. */
export const ProbeResult = z.object({
  ok: z.boolean(),
  errno: nat(),
  /** "EPERM", "ENOSYS", ... */
  code: z.nullable(z.string()),
  message: z.nullable(z.string()),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/** This process's capability sets (capget, PR_CAPBSET_READ, PR_CAP_AMBIENT). */
export const Capabilities = z.object({
  effective: z.array(CapName),
  permitted: z.array(CapName),
  inheritable: z.array(CapName),
  bounding: z.array(CapName),
  ambient: z.array(CapName),
  /** as CapEff in /proc/self/status and the preflight fingerprint's cap_eff */
  effectiveHex: z.string().check(z.regex(/^[0-9a-f]{16}$/)),
  lastCap: z.int(),
  /** capget's errno (0: the three capget sets are real) */
  errno: nat(),
});
export type Capabilities = z.infer<typeof Capabilities>;

/** null: the kernel did not say. */
export const ProcessInfo = z.object({
  noNewPrivs: z.nullable(z.boolean()),
  /** 0 disabled, 1 strict, 2 filter */
  seccompMode: z.nullable(z.union([z.literal(0), z.literal(1), z.literal(2)])),
  /** filters attached to this process (Linux >= 5.9) */
  seccompFilters: z.nullable(nat()),
  /** non-zero: something ptraces this process (a debugger, strace, a tracer) */
  tracerPid: z.nullable(nat()),
  dumpable: z.nullable(nat()),
});
export type ProcessInfo = z.infer<typeof ProcessInfo>;

/** Raw bpf(2) calls: EPERM means no privilege, ENOSYS no bpf() at all. */
export const BpfProbe = z.object({
  arrayMap: ProbeResult,
  ringbufMap: ProbeResult,
  /** a trivial tracepoint program: needs CAP_BPF + CAP_PERFMON or CAP_SYS_ADMIN */
  tracingProg: ProbeResult,
  btfVmlinux: z.boolean(),
  unprivilegedBpfDisabled: z.nullable(z.int()),
});
export type BpfProbe = z.infer<typeof BpfProbe>;

/** Run in a forked child, so this process is never traced or filtered. */
export const PtraceProbe = z.object({
  /** PTRACE_TRACEME + SIGSTOP, seen stopped by us */
  traceme: ProbeResult,
  /** an allow-all seccomp filter installs (with no_new_privs if needed) */
  seccompFilter: ProbeResult,
  seccompNeedsNnp: z.boolean(),
  yamaPtraceScope: z.nullable(z.int()),
});
export type PtraceProbe = z.infer<typeof PtraceProbe>;

/** The decoded security.capability xattr. */
export const FileCapSets = z.object({
  version: z.int(),
  effective: z.boolean(),
  permitted: z.array(CapName),
  inheritable: z.array(CapName),
  /** namespaced (v3) file caps: the root uid they apply to */
  rootid: z.nullable(nat()),
});
export type FileCapSets = z.infer<typeof FileCapSets>;

export const ElfFacts = z.object({
  ok: z.literal(true),
  path: z.string(),
  class: z.union([z.literal(32), z.literal(64)]),
  endian: z.enum(['little', 'big']),
  machine: z.string(),
  machineId: nat(),
  /** built for the architecture this engine runs on */
  nativeMachine: z.boolean(),
  type: z.enum(['REL', 'EXEC', 'DYN', 'CORE', 'OTHER']),
  /** PT_INTERP, the dynamic loader; null when statically linked */
  interpreter: z.nullable(z.string()),
  dynamic: z.boolean(),
  static: z.boolean(),
  staticPie: z.boolean(),
  libc: z.nullable(z.enum(['glibc', 'musl', 'none', 'unknown'])),
  go: z.boolean(),
  /** from .go.buildinfo (Go >= 1.18 layout), e.g. "go1.22.5" */
  goVersion: z.nullable(z.string()),
  goPath: z.nullable(z.string()),
  /** from .note.go.buildid */
  goBuildId: z.nullable(z.string()),
  setuid: z.boolean(),
  setgid: z.boolean(),
  executable: z.boolean(),
  fileCaps: z.boolean(),
  fileCapSets: z.nullable(FileCapSets),
});
export type ElfFacts = z.infer<typeof ElfFacts>;

export const ElfError = z.object({
  ok: z.literal(false),
  path: z.string(),
  /** ENOEXEC: not an ELF file */
  errno: nat(),
  code: z.nullable(z.string()),
  message: z.string(),
});
export type ElfError = z.infer<typeof ElfError>;

export const ElfInfo = z.discriminatedUnion('ok', [ElfFacts, ElfError]);
export type ElfInfo = z.infer<typeof ElfInfo>;

/** What exec(2) will run for argv0: PATH, symlinks, `#!` chains (env too) to the final ELF. */
export const ResolvedCommand = z.object({
  argv0: z.string(),
  resolved: z.nullable(z.string()),
  kind: z.enum(['elf', 'script', 'missing', 'other']),
  /** ENOENT: not found (or a missing interpreter), EACCES: not executable */
  errno: nat(),
  code: z.nullable(z.string()),
  executable: z.boolean(),
  /** resolved, then each interpreter (including /usr/bin/env) */
  chain: z.array(z.string()),
  finalElf: z.nullable(z.string()),
  /** scripts: the final ELF; ELFs: their loader */
  interpreter: z.nullable(z.string()),
  loader: z.nullable(z.string()),
  machine: z.nullable(z.string()),
  libc: z.nullable(z.enum(['glibc', 'musl', 'none', 'unknown'])),
  static: z.boolean(),
  staticPie: z.boolean(),
  go: z.boolean(),
  setuid: z.boolean(),
  setgid: z.boolean(),
  fileCaps: z.boolean(),
});
export type ResolvedCommand = z.infer<typeof ResolvedCommand>;

export const HostFacts = z.object({
  capabilities: Capabilities,
  process: ProcessInfo,
  bpf: BpfProbe,
  ptrace: PtraceProbe,
  ms: z.number().check(z.minimum(0)),
});
export type HostFacts = z.infer<typeof HostFacts>;

/** The typed face of the addon; every result is schema-checked. */
export interface AddonApi {
  readonly path: string;
  capabilities(): Capabilities;
  processInfo(): ProcessInfo;
  bpfProbe(): BpfProbe;
  ptraceProbe(): PtraceProbe;
  elfInfo(file: string): ElfInfo;
  resolveCommand(argv0: string): ResolvedCommand;
  /** Optional: 0, or the errno name. */
  becomeSubreaper?: () => unknown;
}

export type AddonLoad =
  | { ok: true; api: AddonApi; path: string; ms: number }
  | { ok: false; error: string; searched: string[]; ms: number };

const FUNCTIONS = ['capabilities', 'processInfo', 'bpfProbe', 'ptraceProbe', 'elfInfo', 'resolveCommand'] as const;
type RawAddon = { abi: unknown } & Record<(typeof FUNCTIONS)[number], (...args: unknown[]) => unknown>;

/** Where the addon may be: ROAR_ADDON alone when set, else the checkout's build, then the package's. */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.ROAR_ADDON) return [path.resolve(env.ROAR_ADDON)];
  const root = packageRoot(__dirname);
  return [path.join(root, 'native', 'addon', 'build', 'Release', ADDON_FILE), path.join(root, 'dist', 'bin', ADDON_FILE)];
}

function wrap(raw: RawAddon, file: string): AddonApi {
  return {
    path: file,
    capabilities: () => Capabilities.parse(raw.capabilities()),
    processInfo: () => ProcessInfo.parse(raw.processInfo()),
    bpfProbe: () => BpfProbe.parse(raw.bpfProbe()),
    ptraceProbe: () => PtraceProbe.parse(raw.ptraceProbe()),
    elfInfo: (f) => ElfInfo.parse(raw.elfInfo(f)),
    resolveCommand: (a) => ResolvedCommand.parse(raw.resolveCommand(a)),
    becomeSubreaper: typeof (raw as Record<string, unknown>).becomeSubreaper === 'function'
      ? () => ((raw as Record<string, unknown>).becomeSubreaper as () => unknown)()
      : undefined,
  };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.trim();
}

function open(file: string): AddonApi | string {
  const mod = { exports: {} as Record<string, unknown> };
  try {
    process.dlopen(mod, file);
  } catch (e) {
    const msg = firstLine(e); // dlerror() names the file itself
    return msg.includes(file) ? msg : `${file}: ${msg}`;
  }
  const raw = mod.exports;
  const missing = FUNCTIONS.filter((f) => typeof raw[f] !== 'function');
  if (missing.length > 0) return `${file}: not the roar probe addon (no ${missing.join(', ')})`;
  if (raw.abi !== ADDON_ABI) {
    return `${file}: built for probe ABI ${String(raw.abi)}, this engine needs ${ADDON_ABI} (a stale build)`;
  }
  return wrap(raw as RawAddon, file);
}

const loads = new Map<string, AddonLoad>();

/** Loads the addon once per candidate list; never throws. */
export function loadAddon(env: NodeJS.ProcessEnv = process.env): AddonLoad {
  const searched = addonCandidates(env);
  const key = searched.join('\0');
  const known = loads.get(key);
  if (known) return known;
  const t0 = performance.now();
  let result: AddonLoad;
  const file = searched.find((p) => fs.existsSync(p));
  if (file === undefined) {
    const error = env.ROAR_ADDON
      ? `ROAR_ADDON=${env.ROAR_ADDON}: no such file`
      : `not built: no ${ADDON_FILE} at ${searched.join(' or ')}`;
    result = { ok: false, error, searched, ms: elapsed(t0) };
  } else {
    const api = open(file);
    result = typeof api === 'string'
      ? { ok: false, error: api, searched, ms: elapsed(t0) }
      : { ok: true, api, path: file, ms: elapsed(t0) };
  }
  loads.set(key, result);
  return result;
}

function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 100) / 100;
}

const UNVERIFIED =
  'host capabilities, no_new_privs / seccomp mode / TracerPid, the bpf() and ptrace probes, ' +
  'and the ELF analysis of the command (static, setuid/setgid, file capabilities, Go, #! chain)';

/** `engine.addon`: pass when the addon loaded, else a warning naming what was not verified. */
export function addonCheck(load: AddonLoad = loadAddon()): Check {
  if (load.ok) {
    return {
      id: ADDON_CHECK_ID,
      status: 'pass',
      required: false,
      observed: `loaded ${load.path}`,
      detail: `The probe addon is loaded: ${UNVERIFIED} are checked in-process.`,
      fixes: [],
      ms: load.ms,
    };
  }
  return {
    id: ADDON_CHECK_ID,
    status: 'warn',
    required: false,
    code: ADDON_UNAVAILABLE,
    observed: load.error,
    expected: `${ADDON_FILE} loads (N-API, probe ABI ${ADDON_ABI})`,
    detail:
      `The probe addon could not be loaded, so roar could not verify in-process: ${UNVERIFIED}. ` +
      "The tracers' own preflight checks still apply.",
    fixes: [{ title: 'Rebuild the native parts (tracers and probe addon)', command: 'npm run build' }],
    ms: load.ms,
  };
}

/**
 * resolveCommand through the addon; null when it is unavailable or failed.
 * The look-up uses this process's PATH and cwd (as execvp would here);
 * `env` only chooses which addon to load.
 */
export function analyzeCommand(argv0: string, env: NodeJS.ProcessEnv = process.env): ResolvedCommand | null {
  const load = loadAddon(env);
  if (!load.ok) return null;
  try {
    return load.api.resolveCommand(argv0);
  } catch {
    return null;
  }
}

/** Capabilities, process state, bpf and ptrace probes; null when the addon is unavailable or failed. */
export function hostFacts(env: NodeJS.ProcessEnv = process.env): HostFacts | null {
  const load = loadAddon(env);
  if (!load.ok) return null;
  try {
    const t0 = performance.now();
    const { api } = load;
    const facts = { capabilities: api.capabilities(), process: api.processInfo(), bpf: api.bpfProbe(), ptrace: api.ptraceProbe() };
    return { ...facts, ms: elapsed(t0) };
  } catch {
    return null;
  }
}

/**
 * Makes this process the subreaper of its descendants (PR_SET_CHILD_SUBREAPER),
 * so workload processes a dead tracer leaves behind come back to the engine.
 * null on success, else why not.
 */
export function becomeSubreaper(env: NodeJS.ProcessEnv = process.env): string | null {
  const load = loadAddon(env);
  if (!load.ok) return `probe addon unavailable: ${load.error}`;
  const f = load.api.becomeSubreaper;
  if (!f) return 'this build of the probe addon has no becomeSubreaper';
  try {
    const r = f();
    return r === 0 ? null : String(r);
  } catch (e) {
    return firstLine(e);
  }
}

/** The addon's view of a command in the preflight report's `command` shape (as the tracers write it). */
export function toCommandInfo(r: ResolvedCommand): CommandInfo {
  return {
    argv0: r.argv0,
    resolved: r.resolved,
    kind: r.kind,
    interpreter: r.interpreter,
    static: r.static,
    setuid: r.setuid || r.setgid,
    file_caps: r.fileCaps,
    go: r.go,
    machine: r.machine,
    executable: r.executable,
    ...(r.errno ? { errno: r.errno } : {}),
    chain: r.chain,
  };
}
