#!/usr/bin/env bash
# Quick start, step 1: from a fresh clone, install everything Tapescope and its tests need, build it,
# and run the bundled example (the seed notebook's script) through the CLI, writing its tape view.
#   - npm dependencies (npm ci), then the bundles (npm run build)
#   - the end-to-end environment: Debian chromium, Node 24 and code-server under .e2e/ (scripts/e2e-setup.sh)
#   - the TensorFlow oracle for differential tests in .tfenv/ (scripts/setup-tfenv.sh; skipped offline)
# Every step is idempotent: a second run takes seconds. SKIP_E2E=1 / SKIP_TFENV=1 skip those parts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
T0=$(date +%s)
say() { echo "[setup +$(( $(date +%s) - T0 ))s] $*"; }

say "npm ci"
npm ci --no-audit --no-fund
say "npm run build"
npm run build

if [ "${SKIP_E2E:-0}" != 1 ]; then
  say "end-to-end environment (chromium, code-server)"
  rc=0; bash scripts/e2e-setup.sh || rc=$?
  if [ "$rc" = 3 ]; then say "end-to-end environment unavailable here: the browser and VS Code tests will skip (see .e2e/setup-unavailable.txt)";
  elif [ "$rc" != 0 ]; then say "e2e setup failed (exit $rc)"; exit "$rc"; fi
fi

if [ "${SKIP_TFENV:-0}" != 1 ]; then
  say "TensorFlow oracle (.tfenv)"
  bash scripts/setup-tfenv.sh
fi

mkdir -p out
say "running examples/gradient_tape_basics.py"
node bin/tapescope.js run examples/gradient_tape_basics.py \
  --trace out/gradient_tape_basics.trace.json --html out/gradient_tape_basics.html
say "done: the tape view is in out/gradient_tape_basics.html (open it in a browser), the trace in out/gradient_tape_basics.trace.json"
