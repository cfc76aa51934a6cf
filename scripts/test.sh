#!/usr/bin/env bash
# The test command: set-up, type check, then every test layer in one run
# of node's test runner (so its summary is the last thing printed). The
# last layer, test/e2e, runs the extension inside a real VS Code
# (code-server, installed under test/host/ on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s typecheck
exec node --import tsx --test --test-reporter=spec --test-concurrency=1 \
  test/unit/*.test.ts test/native/*.test.ts test/e2e/*.test.ts
