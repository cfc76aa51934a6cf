/**
 * sha256 of tracer binaries and libraries. Remembered per file identity
 * (device, inode, size, mtime, ctime) in memory and, so that a cached CLI
 * check does not re-read megabytes, in a small file per identity under
 * the preflight cache directory.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const memo = new Map<string, string>();
let diskDir: string | null = null;

/** Where to keep digests across processes (set by the preflight cache). */
export function setDigestDir(dir: string | null): void {
  diskDir = dir;
}

export function fileSha256(file: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return null;
  }
  const id = [file, st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs].join('\0');
  const hit = memo.get(id);
  if (hit) return hit;
  const slot = diskDir ? path.join(diskDir, `sha-${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}`) : null;
  if (slot) {
    try {
      const known = fs.readFileSync(slot, 'utf8');
      if (/^[0-9a-f]{64}$/.test(known)) {
        memo.set(id, known);
        return known;
      }
    } catch {
      // not known yet
    }
  }
  let digest: string;
  try {
    digest = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
  memo.set(id, digest);
  if (slot) {
    try {
      fs.mkdirSync(path.dirname(slot), { recursive: true, mode: 0o700 });
      const tmp = `${slot}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, digest, { mode: 0o600 });
      fs.renameSync(tmp, slot);
    } catch {
      // only speed is lost
    }
  }
  return digest;
}
