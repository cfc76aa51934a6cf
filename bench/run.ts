/**
 * Benchmarks (not tests): tracer overhead against the untraced run and
 * against `strace -f --seccomp-bpf -e trace=file`, on the same workloads,
 * interleaved round by round so that machine noise hits every config alike.
 * Also preflight latency. Prints a Markdown table; writes JSON to
 * bench/results/.
 *
 *   npm run bench -- [--rounds N] [--only openbench,readfiles,preflight]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TRACER_NAMES, TracerName } from '../engine/protocol';

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'native', 'build');
const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : def; };
const ROUNDS = Number(opt('rounds', '5'));
const ONLY = opt('only', 'openbench,readfiles,preflight,serve,ingest').split(',');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'roar-bench-'));
const eventsFile = path.join(work, 'events.jsonl');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const tracers = TRACER_NAMES.filter((t) => fs.existsSync(path.join(BUILD, `roar-tracer-${t}`)));
const strace = spawnSync('sh', ['-c', 'command -v strace']).status === 0;

interface Config { name: string; wrap(argv: string[]): string[] }
const configs: Config[] = [
  { name: 'untraced', wrap: (a) => a },
  ...tracers.map((t: TracerName) => ({ name: t, wrap: (a: string[]) => [path.join(BUILD, `roar-tracer-${t}`), '--events', eventsFile, '--', ...a] })),
  ...(strace ? [{ name: 'strace --seccomp-bpf', wrap: (a: string[]) => ['strace', '-f', '--seccomp-bpf', '-e', 'trace=file', '-o', path.join(work, 'strace.out'), ...a] }] : []),
];

function timeRun(argv: string[], cwd: string): { wall: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wall, stdout: r.stdout };
}

function lostOf(): number | null {
  try {
    const lines = fs.readFileSync(eventsFile, 'utf8').trimEnd().split('\n');
    const end = JSON.parse(lines[lines.length - 1]!);
    return end.ev === 'end' ? end.lost : null;
  } catch {
    return null;
  }
}

interface Row { workload: string; config: string; medianMs: number; loopMs?: number; lost?: number | null; runs: number[] }
const rows: Row[] = [];

function bench(workload: string, argv: string[], cwd: string, loopFromStdout: boolean) {
  const samples = new Map<string, { wall: number[]; loop: number[]; lost: number | null }>();
  for (const c of configs) samples.set(c.name, { wall: [], loop: [], lost: null });
  timeRun(argv, cwd); // warm the page cache once
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of configs) {
      const r = timeRun(c.wrap(argv), cwd);
      const s = samples.get(c.name)!;
      s.wall.push(r.wall);
      if (loopFromStdout) s.loop.push(Number(r.stdout.trim().split('\n').pop()));
      if (tracers.includes(c.name as TracerName)) s.lost = Math.max(s.lost ?? 0, lostOf() ?? Infinity);
    }
  }
  for (const c of configs) {
    const s = samples.get(c.name)!;
    rows.push({ workload, config: c.name, medianMs: median(s.wall), loopMs: s.loop.length ? median(s.loop) : undefined, lost: s.lost, runs: s.wall });
  }
}

if (ONLY.includes('openbench')) {
  const bin = path.join(work, 'openbench');
  execFileSync('cc', ['-O2', '-Wall', '-o', bin, path.join(__dirname, 'workloads', 'openbench.c')]);
  bench('openbench (100,000 open+close)', [bin, path.join(work, 'tree'), '100000'], work, true);
}

if (ONLY.includes('readfiles')) {
  const tree = path.join(work, 'read-tree');
  for (let d = 0; d < 20; d++) {
    fs.mkdirSync(path.join(tree, `d${d}`), { recursive: true });
    for (let f = 0; f < 250; f++) fs.writeFileSync(path.join(tree, `d${d}`, `f${f}.bin`), Buffer.alloc(16384, d + f));
  }
  bench('readfiles (find | xargs cat, 5,000 files of 16 KiB)', ['sh', '-c', `find ${tree} -type f | xargs -d '\\n' cat > /dev/null`], work, false);
}

const pre: { what: string; medianMs: number; runs: number[] }[] = [];
if (ONLY.includes('preflight')) {
  const N = 10;
  const roarBin = path.join(ROOT, 'bin', 'roar');
  const cacheEnv = { ...process.env, ROAR_CACHE_DIR: path.join(work, 'cache') };
  const timeEnv = (argv: string[], env: NodeJS.ProcessEnv) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: work, env, stdio: 'ignore' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')}: exit ${r.status}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const series: Record<string, number[]> = {};
  const add = (k: string, v: number) => (series[k] ??= []).push(v);
  for (let i = 0; i < N; i++) {
    add('node -e 0 (bare Node start-up)', timeEnv(['node', '-e', '0'], cacheEnv));
    for (const t of tracers) {
      add(`roar-tracer-${t} --preflight --json`, timeEnv([path.join(BUILD, `roar-tracer-${t}`), '--preflight', '--json'], cacheEnv));
      add(`roar tracer check ${t} --json --fresh (cold)`, timeEnv([roarBin, 'tracer', 'check', t, '--json', '--fresh'], cacheEnv));
    }
    add('roar tracer check --json --fresh (auto, cold)', timeEnv([roarBin, 'tracer', 'check', '--json', '--fresh'], cacheEnv));
    add('roar tracer check --json (auto, cached)', timeEnv([roarBin, 'tracer', 'check', '--json'], cacheEnv));
  }
  for (const [what, runs] of Object.entries(series)) pre.push({ what, medianMs: median(runs), runs });
  const bare = pre.find((p) => p.what.startsWith('node -e 0'))!.medianMs;
  const cached = pre.find((p) => p.what.includes('cached'))!.medianMs;
  pre.push({ what: 'cached auto check minus bare Node start-up', medianMs: cached - bare, runs: [] });
}

async function benchServe(): Promise<void> {
  // a cached answer inside `roar serve`: the engine process stays up, as with the extension
  const rpc = require('vscode-jsonrpc/node') as typeof import('vscode-jsonrpc/node');
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'engine.js'), 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ROAR_CACHE_DIR: path.join(work, 'cache') } });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout!), new rpc.StreamMessageWriter(child.stdin!));
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, capabilities: {}, rootUri: null });
  conn.sendNotification('initialized', {});
  await conn.sendRequest('roar/configure', { tracer: null, fallback: null, tracerPaths: {}, trusted: true, workspaceFolders: [work] });
  await conn.sendRequest('roar/preflight', { reason: 'bench' });
  const runs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = process.hrtime.bigint();
    await conn.sendRequest('roar/preflight', { reason: 'bench' });
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  pre.push({ what: 'roar serve: roar/preflight (auto), cached answer, round trip', medianMs: median(runs), runs });
  conn.dispose();
  child.kill();
}

async function finish(): Promise<void> {
if (ONLY.includes('serve')) await benchServe();

if (ONLY.includes('ingest')) {
  // engine event ingest: parse + validate + fold, in process
  const { EventLines } = require('../engine/src/run/event-lines') as typeof import('../engine/src/run/event-lines');
  const { Provenance } = require('../engine/src/run/provenance') as typeof import('../engine/src/run/provenance');
  const lines: string[] = [];
  for (let i = 0; i < 200_000; i++) lines.push(JSON.stringify({ ev: 'open', pid: 1000 + (i % 7), path: `/data/set/part-${i % 5000}.bin`, mode: i % 3 ? 'r' : 'w', ret: 3 }));
  const text = lines.join('\n') + '\n';
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 65536) chunks.push(text.slice(i, i + 65536));
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const prov = new Provenance();
    const el = new EventLines((e) => prov.add(e));
    const t0 = process.hrtime.bigint();
    for (const c of chunks) el.push(c);
    el.end();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const ms = median(runs);
  pre.push({ what: `engine ingest of 200,000 events (${Math.round(200_000 / (ms / 1000)).toLocaleString('en-US')} events/s)`, medianMs: ms, runs });
}

const fmt = (x: number) => x.toFixed(0);
const out: string[] = [];
out.push(`Measured ${new Date().toISOString()} on ${os.cpus().length} CPUs, kernel ${os.release()}; medians of ${ROUNDS} interleaved rounds.`, '');
for (const wl of [...new Set(rows.map((r) => r.workload))]) {
  const base = rows.find((r) => r.workload === wl && r.config === 'untraced')!;
  const st = rows.find((r) => r.workload === wl && r.config.startsWith('strace'));
  out.push(`**${wl}**`, '', '| config | wall ms (median) | loop ms | × untraced | × strace | lost events |', '|---|---|---|---|---|---|');
  for (const r of rows.filter((x) => x.workload === wl)) {
    const ratio = (r.loopMs ?? r.medianMs) / (base.loopMs ?? base.medianMs);
    const vsStrace = st ? (r.loopMs ?? r.medianMs) / (st.loopMs ?? st.medianMs) : NaN;
    out.push(`| ${r.config} | ${fmt(r.medianMs)} | ${r.loopMs !== undefined ? fmt(r.loopMs) : '–'} | ${ratio.toFixed(2)} | ${Number.isNaN(vsStrace) ? '–' : vsStrace.toFixed(2)} | ${r.lost ?? '–'} |`);
  }
  out.push('');
}
if (pre.length) {
  out.push('**preflight latency and engine ingest** (medians of 10 interleaved runs; ingest: 5)', '', '| what | ms |', '|---|---|');
  for (const p of pre) out.push(`| ${p.what} | ${fmt(p.medianMs)} |`);
  out.push('');
}
console.log(out.join('\n'));
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
const file = path.join(__dirname, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ rounds: ROUNDS, rows, preflight: pre, kernel: os.release() }, null, 2));
console.log(`raw results: ${path.relative(ROOT, file)}`);
fs.rmSync(work, { recursive: true, force: true });
}

finish().catch((e) => {
  console.error(e);
  process.exit(1);
});
