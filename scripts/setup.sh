#!/bin/sh
# Install sitebot into .venv and build the browser runtime. Sourced by demo.sh and test.sh.
# Needs: python3 (≥ 3.11) and node/npm. Installs nothing outside the repository but, when
# missing, Debian's python3-venv (and, for tests, chromium) through apt-get.
set -eu
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv 2>/dev/null || { apt_install python3-venv && python3 -m venv .venv; }
fi
# pip -q is silent for a minute or two on a fresh machine: say what is happening first.
echo "Installing sitebot and its dependencies into .venv (a minute or two)…" >&2
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${SITEBOT_EXTRAS:-}"
# The widget, the worker and onnxruntime-web's wasm, built into generator/sitebot/runtime/.
echo "Building the browser widget (runtime_js, npm)…" >&2
(cd runtime_js && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
