/**
 * Runs the workload under one tracer (run mode), reading its events from a
 * dedicated pipe on fd 3, never from the workload's stdout/stderr.
 */
import { spawn, StdioOptions } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { TracerName } from '../../protocol';
import { locateTracer } from '../tracers/locate';
import { becomeSubreaper } from '../native/addon';
import { EventLines } from './event-lines';
import { stopLeftovers } from './leftovers';
import { Provenance } from './provenance';

export interface TracedProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdin/stdout/stderr of the workload; default: inherit ours. */
  stdio?: [StdioOptions, StdioOptions, StdioOptions] | ['inherit', 'inherit', 'inherit'];
  ignorePath?: (p: string) => boolean;
  onSpawn?: (pid: number) => void;
}

export interface TracedProcessResult {
  exitCode: number;
  signal: number | null;
  provenance: Provenance;
  invalidLines: number;
  problems: string[];
  startedAt: Date;
  endedAt: Date;
}

const signalNumber = (s: NodeJS.Signals) => osConstants.signals[s] ?? 0;

export function runTraced(tracer: TracerName, argv: string[], opts: TracedProcessOptions): Promise<TracedProcessResult> {
  const bin = locateTracer(tracer, opts.env).path;
  const provenance = new Provenance(opts.ignorePath);
  const lines = new EventLines((e) => provenance.add(e));
  const startedAt = new Date();
  const stdio = opts.stdio ?? ['inherit', 'inherit', 'inherit'];

  // so that a dead tracer's orphans come back to us (see leftovers.ts)
  const subreaperProblem = becomeSubreaper(opts.env);

  return new Promise((resolve) => {
    const child = spawn(bin, ['--events-fd', '3', '--', ...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [stdio[0], stdio[1], stdio[2], 'pipe'] as StdioOptions,
    });
    // Ctrl-C in a terminal reaches the whole process group (tracer and
    // workload); the engine stays to write the record. A TERM or HUP sent
    // to the engine alone is passed on.
    const ignore = () => {};
    const forward = (sig: NodeJS.Signals) => { try { child.kill(sig); } catch { /* gone */ } };
    const onTerm = () => forward('SIGTERM');
    const onHup = () => forward('SIGHUP');
    process.on('SIGINT', ignore);
    process.on('SIGQUIT', ignore);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);

    const events = child.stdio[3] as NodeJS.ReadableStream;
    let streamDone = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let spawnError: NodeJS.ErrnoException | null = null;
    events.setEncoding('utf8');
    events.on('data', (d: string) => lines.push(d));
    events.on('error', () => { streamDone = true; finish(); });
    events.on('end', () => { streamDone = true; finish(); });
    child.on('error', (e) => { spawnError = e; exited = { code: null, signal: null }; streamDone = true; finish(); });
    child.on('exit', (code, signal) => { exited = { code, signal }; finish(); });

    let finished = false;
    async function finish() {
      if (!exited || !streamDone || finished) return;
      finished = true;
      lines.end();
      process.off('SIGINT', ignore);
      process.off('SIGQUIT', ignore);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      const problems: string[] = [];
      let exitCode: number;
      let signal: number | null = null;
      if (spawnError) {
        problems.push(`could not start ${bin}: ${spawnError.message}`);
        exitCode = 125;
      } else if (exited.signal) {
        signal = signalNumber(exited.signal);
        exitCode = 128 + signal;
        const stopped = await stopLeftovers();
        problems.push(`the ${tracer} tracer was killed by ${exited.signal}; the workload was stopped with it${stopped ? ` (${stopped} leftover process${stopped === 1 ? '' : 'es'} killed)` : ''} and the trace is incomplete`);
        if (subreaperProblem) problems.push(`workload processes may still be running: the engine could not collect them (${subreaperProblem})`);
      } else {
        exitCode = exited.code ?? 125;
        const end = provenance.end;
        if (end && end.status >= 129 && end.status < 160) signal = end.status - 128;
      }
      const end = provenance.end;
      if (!spawnError && !end) problems.push(`the ${tracer} tracer ended without its final 'end' event: events may be missing`);
      if (end?.lost) problems.push(`${end.lost} events were lost by the ${tracer} tracer`);
      if (end?.error) problems.push(`the ${tracer} tracer reported: ${end.error}`);
      if (lines.invalid) problems.push(`${lines.invalid} malformed event lines were ignored (first: ${JSON.stringify(lines.firstInvalid)})`);
      if (provenance.truncatedPaths) problems.push(`${provenance.truncatedPaths} paths were longer than the tracer's limit and were cut`);
      resolve({ exitCode, signal, provenance, invalidLines: lines.invalid, problems, startedAt, endedAt: new Date() });
    }
  });
}
