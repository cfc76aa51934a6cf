/**
 * Can this machine run the file as a program? Checked before spawning,
 * because execvp (used by Node's spawn) hands a file it cannot exec
 * (ENOEXEC) to /bin/sh, which turns a wrong-architecture binary into
 * shell noise instead of an error.
 */
import * as fs from 'node:fs';

const MACHINES: Record<number, string> = { 3: 'i386', 40: 'arm', 62: 'x86_64', 183: 'aarch64', 243: 'riscv', 21: 'ppc64', 22: 's390' };
const NATIVE: Record<string, number> = { x64: 62, arm64: 183, ia32: 3, arm: 40, riscv64: 243, ppc64: 21, s390x: 22 };

export type ExecFormat = { ok: true } | { ok: false; reason: string };

export function checkExecFormat(file: string): ExecFormat {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(64);
      const n = fs.readSync(fd, head, 0, 64, 0);
      head = head.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { ok: false, reason: `cannot read it: ${(e as Error).message}` };
  }
  if (head.subarray(0, 2).toString('latin1') === '#!') return { ok: true };
  if (head.length < 20 || head.subarray(0, 4).toString('latin1') !== '\x7fELF') {
    return { ok: false, reason: 'not an ELF program or a #! script' };
  }
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  const want = NATIVE[process.arch];
  if (want !== undefined && machine !== want) {
    return { ok: false, reason: `built for ${MACHINES[machine] ?? `machine ${machine}`}, this machine is ${MACHINES[want]}` };
  }
  return { ok: true };
}
