/**
 * Folds roar.events/1 into what a run read, wrote, deleted and ran.
 * Inputs are files opened for reading that the run had not written
 * before; outputs are files it wrote or created by rename/link and that
 * it did not delete again. Pseudo-filesystems are not provenance.
 */
import { TraceEvent } from '../../protocol';

const PSEUDO = ['/dev/', '/proc/', '/sys/'];
const isPseudo = (p: string) => PSEUDO.some((d) => p.startsWith(d)) || p === '/dev' || p === '/proc' || p === '/sys';

export interface ProcessInfo {
  pid: number;
  ppid: number | null;
  exe: string | null;
  exit_code: number | null;
  signal: number | null;
}

export class Provenance {
  readonly inputs = new Set<string>();
  readonly outputs = new Set<string>();
  readonly deleted = new Set<string>();
  readonly processes = new Map<number, ProcessInfo>();
  private readonly written = new Set<string>();
  /** Paths whose first access was a read-write open (mkstemp and the like). */
  private readonly firstRw = new Set<string>();
  private readonly seen = new Set<string>();
  events = 0;
  truncatedPaths = 0;
  end: Extract<TraceEvent, { ev: 'end' }> | null = null;
  start: Extract<TraceEvent, { ev: 'start' }> | null = null;

  constructor(private readonly ignore: (path: string) => boolean = () => false) {}

  private proc(pid: number): ProcessInfo {
    let p = this.processes.get(pid);
    if (!p) {
      p = { pid, ppid: null, exe: null, exit_code: null, signal: null };
      this.processes.set(pid, p);
    }
    return p;
  }

  private skip(path: string): boolean {
    return isPseudo(path) || this.ignore(path);
  }

  private wrote(path: string): void {
    if (this.skip(path)) return;
    this.written.add(path);
    this.outputs.add(path);
    this.deleted.delete(path);
  }

  /** A scratch file the run made (first opened rw) and then moved or deleted was never an input. */
  private forgetScratch(path: string): void {
    if (this.firstRw.has(path)) this.inputs.delete(path);
  }

  private removed(path: string): void {
    if (this.skip(path)) return;
    this.forgetScratch(path);
    if (!this.outputs.delete(path)) this.deleted.add(path);
    this.written.delete(path);
  }

  add(e: TraceEvent): void {
    this.events++;
    if ('truncated' in e && e.truncated) this.truncatedPaths++;
    switch (e.ev) {
      case 'start':
        this.start = e;
        this.proc(e.pid);
        break;
      case 'end':
        this.end = e;
        break;
      case 'fork':
        this.proc(e.pid).ppid = e.ppid;
        this.proc(e.ppid);
        break;
      case 'exec':
        if (e.ret >= 0) this.proc(e.pid).exe = e.path;
        break;
      case 'exit': {
        const p = this.proc(e.pid);
        p.exit_code = e.code ?? null;
        p.signal = e.signal ?? null;
        break;
      }
      case 'open':
        if (e.ret < 0 || this.skip(e.path)) break;
        if (!this.seen.has(e.path)) {
          this.seen.add(e.path);
          if (e.mode === 'rw') this.firstRw.add(e.path);
        }
        if (e.mode !== 'w' && !this.written.has(e.path)) this.inputs.add(e.path);
        if (e.mode !== 'r') this.wrote(e.path);
        break;
      case 'rename':
        if (e.ret < 0) break;
        this.forgetScratch(e.path);
        if (this.outputs.has(e.path) || this.written.has(e.path)) {
          this.outputs.delete(e.path);
          this.written.delete(e.path);
        } else if (!this.skip(e.path)) {
          this.deleted.add(e.path); // an existing file moved away
        }
        this.wrote(e.path2);
        break;
      case 'link':
      case 'symlink':
        if (e.ret >= 0) this.wrote(e.path2);
        break;
      case 'unlink':
        if (e.ret >= 0) this.removed(e.path);
        break;
      case 'mkdir':
      case 'rmdir':
      case 'chdir':
        break;
    }
  }
}
