#!/usr/bin/env bash
# Creates .tfenv, a Python venv with real TensorFlow (CPU), the oracle of the differential tests.
# Idempotent: a venv that already imports tensorflow is kept. When TensorFlow cannot be installed
# (no python3, no venv module, no network, pip refused) it says so and exits 0, so that the
# differential suite skips with a clear message instead of failing the whole run.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tfenv"
py="$venv/bin/python"

tf_version() { "$py" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null; }

if [ -x "$py" ] && version="$(tf_version)" && [ -n "$version" ]; then
  echo "setup-tfenv: $venv already has TensorFlow $version"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup-tfenv: python3 is not installed; the differential tests against real TensorFlow will be skipped."
  exit 0
fi

if [ ! -x "$py" ]; then
  # A broken leftover (e.g. a dangling symlink) is removed before creating the venv.
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/tmp/tapescope-venv.log 2>&1; then
    echo "setup-tfenv: could not create a venv (python3 -m venv failed: $(tail -n 1 /tmp/tapescope-venv.log)); the differential tests will be skipped."
    rm -rf "$venv"
    exit 0
  fi
fi

echo "setup-tfenv: installing tensorflow-cpu into $venv (about 40 s) ..."
log="$(mktemp -t tapescope-pip.XXXXXX)"
if ! "$venv/bin/pip" install --disable-pip-version-check --retries 0 --quiet tensorflow-cpu >"$log" 2>&1; then
  echo "setup-tfenv: pip could not install tensorflow-cpu (no network or refused); the differential tests will be skipped. pip said:"
  grep -v "^WARNING: Location" "$log" | tail -n 5
  rm -f "$log"
  exit 0
fi
rm -f "$log"

if version="$(tf_version)" && [ -n "$version" ]; then
  echo "setup-tfenv: TensorFlow $version is ready in $venv"
else
  echo "setup-tfenv: tensorflow-cpu installed but does not import; the differential tests will be skipped."
fi
exit 0
