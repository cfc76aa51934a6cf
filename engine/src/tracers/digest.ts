/** sha256 of tracer binaries, remembered per (path, size, mtime). */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

const memo = new Map<string, string>();

export function fileSha256(path: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    return null;
  }
  const key = `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
  const hit = memo.get(key);
  if (hit) return hit;
  try {
    const digest = crypto.createHash('sha256').update(fs.readFileSync(path)).digest('hex');
    memo.set(key, digest);
    return digest;
  } catch {
    return null;
  }
}
