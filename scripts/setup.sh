#!/usr/bin/env bash
# Installs what roar needs on a Debian machine and builds it. Safe to run
# again: it only installs what is missing. As root it uses apt-get; as
# another user it prints the exact apt-get line and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: compilers and libbpf for the tracers; strace for the
# benchmark's comparison; libcap2-bin (setcap) and util-linux (setpriv)
# for the privilege tests.
# chromium drives the VS Code tests headless; libkrb5-dev lets the pinned
# code-server (test/host/cs) build its kerberos addon.
DEB_PACKAGES=(gcc g++ make clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool strace libcap2-bin util-linux python3 ca-certificates chromium libkrb5-dev)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "roar setup: missing Debian packages: ${missing[*]}" >&2
    echo "roar setup: run as root:  $line" >&2
    exit 1
  fi
  echo "roar setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  echo "roar setup: Node.js 20 or later is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm ci when the lock file changed since the last install
stamp=node_modules/.roar-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

npm run -s build
