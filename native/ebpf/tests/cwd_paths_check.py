#!/usr/bin/env python3
# Runs cwd_paths under the tracer and checks every expected event arrived:
#   cc -O2 -o /tmp/cwd_paths native/ebpf/tests/cwd_paths.c -lpthread
#   python3 native/ebpf/tests/cwd_paths_check.py native/build/roar-tracer-ebpf /tmp/cwd_paths
import json, os, shutil, subprocess, sys, tempfile

tracer, prog = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix='roar-cwd-')
base = os.path.join(work, 'base')
ev = os.path.join(work, 'events.jsonl')
r = subprocess.run([tracer, '--events', ev, '--', prog, base], capture_output=True)
out = r.stdout.decode('utf-8', 'surrogateescape')
if r.returncode != 0:
    print('ops failed', r.returncode, r.stderr.decode()[-2000:]); sys.exit(1)
exp = []; expev = []
for l in out.splitlines():
    if l.startswith('EXPECT '):
        _, pid, path = l.split(' ', 2)
        exp.append((int(pid), path))
    elif l.startswith('EXPECTEV '):
        _, evn, pid, rest = l.split(' ', 3)
        p1, p2 = rest.split('\t')
        expev.append((evn, int(pid), p1, p2 or None))
opens = {}
lines = open(ev, encoding='utf-8', errors='surrogateescape').read().splitlines()
evs = [json.loads(l) for l in lines]
for e in evs:
    if e['ev'] == 'open':
        opens.setdefault((e['pid'], e['path']), []).append(e)
        if e.get('truncated') and e['path'].startswith(base): print('TRUNCATED', e)
miss = [x for x in exp if x not in opens]
evset = set((e['ev'], e.get('pid'), e.get('path'), e.get('path2')) for e in evs)
for x in expev:
    if x not in evset:
        print('  MISSING EV', x, [e for e in evs if e['ev'] == x[0] and e.get('pid') == x[1]])
        miss.append(x)
print('expected events', len(expev))
end = evs[-1]
print('expected', len(exp), 'missing', len(miss), 'end', end)
for m in [x for x in miss if len(x) == 2][:20]:
    cands = [e for e in evs if e['ev']=='open' and e['pid']==m[0] and os.path.basename(e['path'])==os.path.basename(m[1])]
    print('  MISSING', m, '-> got', [c['path'] for c in cands])
ok = not miss and not end.get('lost') and end.get('status') == 0
if ok:
    shutil.rmtree(work, ignore_errors=True)
sys.exit(0 if ok else 1)
