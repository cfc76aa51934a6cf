#!/usr/bin/env bash
# The CLI demo (no VS Code): set-up, then a traced
# demo run of a small pipeline, with its preflight report and run summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
root=$PWD
demo=$(mktemp -d /tmp/roar-demo-XXXXXX)
cp -r examples/sample-workspace/. "$demo/"
cd "$demo"
echo "== roar tracer check (auto, for this command)"
"$root/bin/roar" tracer check --command python3 train.py || true
echo
echo "== roar run -- python3 train.py   (in $demo)"
"$root/bin/roar" run -- python3 train.py
echo
echo "== the run record"
record=$(ls -t .roar/runs/*.json | head -1)
node -e '
const r = require(process.argv[1]);
console.log(`tracer: ${r.tracer.used} (requested ${r.tracer.requested}), exit ${r.exit.code}, ${r.status}`);
console.log("inputs (outside /usr and /lib):");
for (const i of r.inputs.filter(i => !/^\/(usr|lib|etc\/ld)/.test(i.path) && !i.path.includes("/.pyenv/"))) console.log("  " + i.path);
console.log("outputs:");
for (const o of r.outputs) console.log(`  ${o.path}  sha256 ${o.sha256}`);
console.log(`processes: ${r.processes.length}, events: ${r.events}`);
' "$PWD/$record"
echo "record: $demo/$record"
