/**
 * `.roar/config.toml`, as the reference CLI reads it:
 *   [tracer]
 *   default = "auto" | "ebpf" | "preload" | "ptrace"
 *   fallback_enabled = true
 *   order = ["ebpf", "preload", "ptrace"]
 * A small TOML subset (tables, strings, booleans, integers, string arrays,
 * comments) is enough and keeps the engine free of a parser dependency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { TracerName } from '../../protocol';

export const RoarConfig = z.looseObject({
  tracer: z.optional(z.strictObject({
    default: z.optional(z.enum(['auto', 'ebpf', 'preload', 'ptrace'])),
    fallback_enabled: z.optional(z.boolean()),
    order: z.optional(z.array(TracerName).check(z.minLength(1))),
  })),
});
export type RoarConfig = z.infer<typeof RoarConfig>;

export class ConfigError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

type Value = string | boolean | number | string[];

function parseValue(raw: string, where: string): Value {
  const v = raw.trim();
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?\d+$/.test(v)) return Number(v);
  const str = /^"((?:[^"\\]|\\.)*)"$/.exec(v) ?? /^'([^']*)'$/.exec(v);
  if (str) return str[1]!.replace(/\\(["\\])/g, '$1');
  if (v.startsWith('[') && v.endsWith(']')) {
    const inner = v.slice(1, -1).trim();
    if (!inner) return [];
    return inner.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const item = parseValue(s, where);
      if (typeof item !== 'string') throw new Error(`${where}: arrays may hold only strings`);
      return item;
    });
  }
  throw new Error(`${where}: cannot read the value ${JSON.stringify(v)}`);
}

export function parseToml(text: string): Record<string, Record<string, Value>> {
  const out: Record<string, Record<string, Value>> = { '': {} };
  let table = '';
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}`;
    const l = line.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trim();
    if (!l) return;
    const t = /^\[([A-Za-z0-9_.-]+)\]$/.exec(l);
    if (t) {
      table = t[1]!;
      out[table] ??= {};
      return;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(l);
    if (!kv) throw new Error(`${where}: expected 'key = value' or '[table]', got ${JSON.stringify(line.trim())}`);
    out[table]![kv[1]!] = parseValue(kv[2]!, where);
  });
  return out;
}

export function configPath(root: string): string {
  return path.join(root, '.roar', 'config.toml');
}

/** The workspace config; {} when there is none; ConfigError when it is unreadable or wrong. */
export function loadConfig(root: string): RoarConfig {
  const file = configPath(root);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return {};
    throw new ConfigError(file, `cannot read it (${err.code}): fix its permissions or remove it`);
  }
  let tables: Record<string, Record<string, Value>>;
  try {
    tables = parseToml(text);
  } catch (e) {
    throw new ConfigError(file, (e as Error).message);
  }
  const { '': top, ...rest } = tables;
  const parsed = RoarConfig.safeParse({ ...top, ...rest });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(file, `${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
