/**
 * Real workloads with exactly known file effects, run under each tracer.
 * Each names what must be in the run record; inputs outside the workspace
 * (libraries, locale files) are not asserted, since tracers may legitimately
 * differ there (preload cannot see ld.so's own opens).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Workload {
  name: string;
  /** Prepares files in the workspace; returns the argv to run there. */
  setup(ws: string): string[];
  /** Inputs that must be present (absolute). */
  inputs(ws: string): string[];
  /** Inputs that must be absent. */
  notInputs?(ws: string): string[];
  /** The exact set of outputs inside the workspace. */
  outputs(ws: string): string[];
  /** Extra assertions on the record. */
  also?: string;
}

const PY = 'python3';

function write(ws: string, rel: string, text: string): string {
  const p = path.join(ws, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

export const WORKLOADS: Workload[] = [
  {
    name: 'shell redirect',
    setup: () => ['sh', '-c', 'cat /etc/hostname > out.txt'],
    inputs: () => ['/etc/hostname'],
    outputs: (ws) => [path.join(ws, 'out.txt')],
  },
  {
    name: 'python reads a CSV, writes through a temp file and rename',
    setup: (ws) => {
      write(ws, 'data.csv', 'x,y\n1,2\n2,4\n3,6\n');
      write(ws, 'fit.py', [
        'import csv, json, os, tempfile',
        'rows = list(csv.DictReader(open("data.csv")))',
        's = sum(float(r["y"]) / float(r["x"]) for r in rows) / len(rows)',
        'fd, tmp = tempfile.mkstemp(dir=".", suffix=".tmp")',
        'with os.fdopen(fd, "w") as f: json.dump({"slope": s}, f)',
        'os.replace(tmp, "result.json")',
      ].join('\n'));
      return [PY, 'fit.py'];
    },
    inputs: (ws) => [path.join(ws, 'data.csv'), path.join(ws, 'fit.py')],
    outputs: (ws) => [path.join(ws, 'result.json')],
  },
  {
    name: 'fork/exec chain three levels deep',
    setup: (ws) => {
      write(ws, 'in.txt', 'deep\n');
      return ['sh', '-c', `sh -c 'sh -c "cat in.txt > deep.txt"'`];
    },
    inputs: (ws) => [path.join(ws, 'in.txt')],
    outputs: (ws) => [path.join(ws, 'deep.txt')],
    also: 'chain',
  },
  {
    name: 'relative paths after chdir, fchdir and openat dirfds',
    setup: (ws) => {
      fs.mkdirSync(path.join(ws, 'sub'));
      write(ws, 'sub/read-me.txt', 'r\n');
      write(ws, 'rel.py', [
        'import os',
        'os.chdir("sub")',
        'open("rel.txt", "w").write("a")',
        'open("read-me.txt").read()',
        'up = os.open("..", os.O_RDONLY | os.O_DIRECTORY)',
        'fd = os.open("dirfd.txt", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=up)',
        'os.close(fd)',
        'os.fchdir(up)',
        'open("after-fchdir.txt", "w").write("b")',
        'os.rename("sub/rel.txt", "sub/renamed.txt")',
      ].join('\n'));
      return [PY, 'rel.py'];
    },
    inputs: (ws) => [path.join(ws, 'sub', 'read-me.txt')],
    outputs: (ws) => [path.join(ws, 'sub', 'renamed.txt'), path.join(ws, 'dirfd.txt'), path.join(ws, 'after-fchdir.txt')],
  },
  {
    name: 'paths with spaces and non-ASCII characters',
    setup: (ws) => {
      write(ws, 'in put ü.txt', 'x\n');
      return ['sh', '-c', 'cat "in put ü.txt" > "a b é 😀.txt"'];
    },
    inputs: (ws) => [path.join(ws, 'in put ü.txt')],
    outputs: (ws) => [path.join(ws, 'a b é 😀.txt')],
  },
  {
    name: '1,000 files created in a loop',
    setup: () => ['sh', '-c', 'i=0; while [ $i -lt 1000 ]; do echo $i > f_$i.txt; i=$((i+1)); done'],
    inputs: () => [],
    outputs: (ws) => Array.from({ length: 1000 }, (_, i) => path.join(ws, `f_${i}.txt`)),
  },
  {
    name: '200 short-lived children, each opening a file, none lost',
    setup: (ws) => {
      for (let i = 0; i < 200; i++) write(ws, `in_${i}.txt`, `${i}\n`);
      return ['sh', '-c', 'i=0; while [ $i -lt 200 ]; do cat in_$i.txt > /dev/null & i=$((i+1)); done; wait'];
    },
    inputs: (ws) => Array.from({ length: 200 }, (_, i) => path.join(ws, `in_${i}.txt`)),
    outputs: () => [],
  },
  {
    name: 'a failing open (ENOENT) is not an input',
    setup: (ws) => {
      write(ws, 'present.txt', 'p\n');
      return ['sh', '-c', 'cat missing.txt 2>/dev/null; cat present.txt > copy.txt'];
    },
    inputs: (ws) => [path.join(ws, 'present.txt')],
    notInputs: (ws) => [path.join(ws, 'missing.txt')],
    outputs: (ws) => [path.join(ws, 'copy.txt')],
  },
];
