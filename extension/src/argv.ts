/**
 * Command lines as argv arrays, never as shell text: splitting what the
 * user typed, choosing an interpreter for a file, and the engine CLI argv
 * of a `roar` task. Pure (no vscode), so test/unit covers it.
 */
import * as path from 'node:path';
import type { TracerMode } from '../../engine/protocol/rpc';

export class ArgvError extends Error {}

/**
 * Splits a typed command into words the way a POSIX shell quotes them
 * ('single', "double" with \" \\ \$ \`, backslash escapes), without any
 * expansion: no variables, globs, pipes or redirections. Those characters
 * are kept literally; for shell features type `sh -c '...'`.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ArgvError('unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new ArgvError('unterminated double quote');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ArgvError('a backslash ends the line');
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Quotes argv for display (and for a shell, should someone paste it). */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const BY_EXTENSION: Record<string, string[]> = {
  '.py': ['python3'],
  '.sh': ['sh'],
  '.bash': ['bash'],
  '.js': ['node'],
  '.mjs': ['node'],
  '.cjs': ['node'],
  '.rb': ['ruby'],
  '.pl': ['perl'],
  '.r': ['Rscript'],
  '.jl': ['julia'],
};

const BY_LANGUAGE: Record<string, string[]> = {
  python: ['python3'],
  shellscript: ['sh'],
  javascript: ['node'],
  ruby: ['ruby'],
  perl: ['perl'],
  r: ['Rscript'],
  julia: ['julia'],
};

export interface FileFacts {
  path: string;
  languageId?: string;
  /** The first line of the file, when it starts with #!. */
  shebang?: string;
  executable: boolean;
}

/**
 * How to run a file: an executable file with a #! line runs itself; else
 * its #! interpreter; else by extension or language. Null when unknown.
 */
export function commandForFile(f: FileFacts): string[] | null {
  if (f.shebang && f.executable) return [f.path];
  if (f.shebang) {
    const words = f.shebang.replace(/^#!\s*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length) return [...words, f.path];
  }
  const byExt = BY_EXTENSION[path.extname(f.path).toLowerCase()];
  if (byExt) return [...byExt, f.path];
  const byLang = f.languageId ? BY_LANGUAGE[f.languageId] : undefined;
  if (byLang) return [...byLang, f.path];
  if (f.executable) return [f.path];
  return null;
}

export interface TaskArgvInput {
  command: string;
  args?: readonly string[];
  kind?: 'run' | 'build';
  /** The task's tracer, else the setting; null: let the CLI select ($ROAR_TRACER, .roar/config.toml, auto). */
  tracer: TracerMode | null;
  /** The setting; null: as the CLI (.roar/config.toml, else on). */
  fallback: boolean | null;
}

/** The argv after the engine bundle: `run --tracer T -- command ...args`. */
export function engineRunArgv(t: TaskArgvInput): string[] {
  return [
    t.kind ?? 'run',
    ...(t.tracer ? ['--tracer', t.tracer] : []),
    ...(t.fallback === false ? ['--no-fallback'] : t.fallback === true ? ['--fallback'] : []),
    '--',
    t.command,
    ...(t.args ?? []),
  ];
}
