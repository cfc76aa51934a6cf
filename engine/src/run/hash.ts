/** Streaming sha256 of a file (outputs can be large checkpoints). */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { fsPath } from '../paths/bytes';

export interface FileDigest {
  sha256: string | null;
  size: number | null;
}

export async function digestFile(path: string): Promise<FileDigest> {
  const p = fsPath(path);
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(p);
  } catch {
    return { sha256: null, size: null }; // gone by the end of the run
  }
  if (!st.isFile()) return { sha256: null, size: st.size };
  return new Promise((resolve) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(p)
      .on('data', (d) => h.update(d))
      .on('error', () => resolve({ sha256: null, size: st.size }))
      .on('end', () => resolve({ sha256: h.digest('hex'), size: st.size }));
  });
}

export async function sizeOf(path: string): Promise<number | null> {
  try {
    const st = await fs.promises.stat(fsPath(path));
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(fsPath(path))).isDirectory();
  } catch {
    return false;
  }
}
