/** Host facts for `roar doctor` and `roar tracer status`, each read defensively. */
import * as fs from 'node:fs';
import * as os from 'node:os';

const CAP_NAMES = ['chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap', 'linux_immutable',
  'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace',
  'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write',
  'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore'];

export function read(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch (e) {
    return `(unreadable: ${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

export function capNames(hex: string): string[] {
  let v: bigint;
  try {
    v = BigInt(`0x${hex}`);
  } catch {
    return [];
  }
  return CAP_NAMES.filter((_, i) => (v >> BigInt(i)) & 1n).map((n) => `cap_${n}`);
}

export function statusField(name: string): string | null {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(read('/proc/self/status'));
  return m ? m[1]! : null;
}

export function osPretty(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(read('/etc/os-release'));
  return m ? m[1]! : os.type();
}

export const SYSCTLS = [
  '/proc/sys/kernel/yama/ptrace_scope',
  '/proc/sys/kernel/unprivileged_bpf_disabled',
  '/proc/sys/kernel/perf_event_paranoid',
  '/proc/sys/kernel/kptr_restrict',
  '/sys/kernel/security/lockdown',
];
