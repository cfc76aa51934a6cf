/**
 * Tracer paths are bytes. The tracers write bytes that are not UTF-8 as
 * lone surrogates U+DC80..U+DCFF (surrogateescape); this turns such a
 * string back into the exact bytes, for fs calls and hashing.
 */
export function pathToBuffer(path: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) {
      out.push(c - 0xdc00);
      continue;
    }
    const cp = path.codePointAt(i)!;
    if (cp > 0xffff) i++;
    out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
  }
  return Buffer.from(out);
}

/** True when the path carries escaped non-UTF-8 bytes. */
export function hasEscapedBytes(path: string): boolean {
  return /[\udc80-\udcff]/.test(path);
}

/** The argument for fs calls: the string when it is plain, else the bytes. */
export function fsPath(path: string): string | Buffer {
  return hasEscapedBytes(path) ? pathToBuffer(path) : path;
}
