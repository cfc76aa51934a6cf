#!/usr/bin/env bash
# The main job: set up and build, package the extension (.vsix with the
# engine and the tracers), then open the real VS Code — code-server on
# 127.0.0.1 — with the .vsix installed and a fresh copy of
# examples/sample-workspace. Prints the URL and serves until Ctrl-C.
#   ROAR_PORT=8080 bash scripts/main.sh     # a fixed port (default: 8080 if free)
# The traced CLI demo without VS Code: bash scripts/demo-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/setup.sh
eval "$(bash scripts/setup-vscode-host.sh)" # sets N24_BIN and CODE_SERVER

work=$root/.vscode-test/main
mkdir -p "$work"
vsix=$work/roar-vscode.vsix
node scripts/package-vsix.mjs --out "$vsix" >/dev/null

ws=$(mktemp -d /tmp/roar-sample-XXXXXX)
cp -r examples/sample-workspace/. "$ws/"

# a clean profile with the extension installed from the .vsix, as a user would
rm -rf "$work/user-data" "$work/extensions"
mkdir -p "$work/user-data/User" "$work/extensions"
cat > "$work/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "telemetry.telemetryLevel": "off",
  "chat.disableAIFeatures": true,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none"
}
JSON
printf 'auth: none\ncert: false\n' > "$work/config.yaml"
cs() { PATH="$N24_BIN:$PATH" "$CODE_SERVER" --config "$work/config.yaml" --user-data-dir "$work/user-data" --extensions-dir "$work/extensions" "$@"; }
cs --install-extension "$vsix" >/dev/null
echo "roar: installed $(cs --list-extensions --show-versions | grep roar)"

port=${ROAR_PORT:-}
if [ -z "$port" ]; then
  port=$(node -e '
    const net = require("net");
    const probe = (p) => new Promise((ok) => { const s = net.createServer().once("error", () => ok(0)).listen(p, "127.0.0.1", () => { const q = s.address().port; s.close(() => ok(q)); }); });
    probe(8080).then((p) => p || probe(0)).then((p) => console.log(p));')
fi

# its own session, so that Ctrl-C (or any exit) stops every process it started
PATH="$N24_BIN:$PATH" setsid "$CODE_SERVER" --config "$work/config.yaml" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --user-data-dir "$work/user-data" --extensions-dir "$work/extensions" \
  >"$work/server.log" 2>&1 &
pgid=$!
stop() { kill -- -"$pgid" 2>/dev/null || true; }
trap 'stop; echo; echo "roar: stopped"; exit 0' INT TERM
trap stop EXIT

for _ in $(seq 300); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/healthz" && break
  kill -0 "$pgid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

url="http://127.0.0.1:$port/?folder=$ws"
cat <<MSG

  roar for VS Code is running in code-server (VS Code $(cs --version | awk '/with Code/ {print $NF}')):

      $url

  Sample workspace: $ws (train.py reads data.csv and writes out/model.json).
  It opens in Restricted Mode: roar shows the host's tracer readiness (Roar
  view in the activity bar, status bar). Trust the folder (banner: Manage) to
  run commands: open train.py, then "Roar: Run with roar" (or the play menu in
  the editor title). Server log: $work/server.log
  Ctrl-C stops it.

MSG
wait "$pgid"
