#!/usr/bin/env bash
# Builds the probe addon: native/addon/build/Release/roar_probe.node.
#
# Offline by design: node-gyp is the one bundled with npm (or
# $npm_config_node_gyp, which `npm run` sets), and the Node headers come
# from the installed Node (nodedir, as .npmrc says), never from the network.
# Needs node-addon-api in node_modules (npm ci), python3, make and g++.
#   native/addon/build.sh [--debug]      extra arguments go to node-gyp
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

die() { echo "native/addon/build.sh: $*" >&2; exit 1; }

node_bin="$(command -v node)" || die "node is not on PATH"

# node-gyp: npm's own, unless npm told us which one to use.
gyp="${npm_config_node_gyp:-}"
if [[ -z "$gyp" || ! -f "$gyp" ]]; then
  gyp=""
  if npm_bin="$(command -v npm)"; then
    npm_cli="$(readlink -f "$npm_bin")"
    for cand in "$(dirname "$npm_cli")/../node_modules/node-gyp/bin/node-gyp.js" \
                "$(dirname "$npm_bin")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"; do
      [[ -f "$cand" ]] && { gyp="$cand"; break; }
    done
  fi
  [[ -z "$gyp" && -f "$here/../../node_modules/node-gyp/bin/node-gyp.js" ]] &&
    gyp="$here/../../node_modules/node-gyp/bin/node-gyp.js"
fi
[[ -n "$gyp" ]] || die "node-gyp not found (it comes with npm; or set npm_config_node_gyp)"

# Node headers: the installed Node's own (nodesource puts them in
# <prefix>/include/node); without them node-gyp would try to download.
nodedir="${npm_config_nodedir:-}"
if [[ -z "$nodedir" ]]; then
  prefix="$(dirname "$(dirname "$(readlink -f "$node_bin")")")"
  [[ -f "$prefix/include/node/node_api.h" ]] && nodedir="$prefix"
fi
[[ -n "$nodedir" && -f "$nodedir/include/node/node_api.h" ]] ||
  die "no Node headers at ${nodedir:-<node prefix>}/include/node (install Node with its headers, e.g. the nodesource package, or set npm_config_nodedir)"

"$node_bin" -e "require.resolve('node-addon-api')" 2>/dev/null ||
  die "node-addon-api is not installed (run npm ci at the repository root)"

"$node_bin" "$gyp" rebuild --nodedir="$nodedir" --jobs=max --loglevel=warn "$@"
test -f build/Release/roar_probe.node || die "the build produced no build/Release/roar_probe.node"
echo "native/addon: built $here/build/Release/roar_probe.node"
