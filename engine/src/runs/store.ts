/**
 * The embedded run store: `.roar/runs/<id>.json` in the workspace, one
 * document per run, written atomically (temp file, fsync, rename).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRecord } from '../../protocol';

/** The nearest ancestor of cwd that has a .roar directory, else cwd. */
export function workspaceRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.roar'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(cwd);
    dir = up;
  }
}

export const runsDir = (root: string) => path.join(root, '.roar', 'runs');

export function newRunId(at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

export async function writeRunRecord(root: string, record: RunRecord): Promise<string> {
  const dir = runsDir(root);
  await fs.promises.mkdir(dir, { recursive: true });
  const final = path.join(dir, `${record.id}.json`);
  const tmp = path.join(dir, `.${record.id}.json.${process.pid}.tmp`);
  const fh = await fs.promises.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(JSON.stringify(record, null, 2) + '\n');
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await fs.promises.unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  await fs.promises.rename(tmp, final);
  return final;
}

export async function listRunIds(root: string): Promise<string[]> {
  try {
    const names = await fs.promises.readdir(runsDir(root));
    return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -5)).sort().reverse();
  } catch {
    return [];
  }
}

export async function readRunRecord(root: string, id: string): Promise<RunRecord | null> {
  if (!/^[\w.-]+$/.test(id)) return null;
  try {
    const text = await fs.promises.readFile(path.join(runsDir(root), `${id}.json`), 'utf8');
    const parsed = RunRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
