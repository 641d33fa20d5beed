#!/usr/bin/env bash
# Builds the tlog probe (golang.org/x/mod/sumdb/tlog and note from the Go
# module proxy) once into ~/.cache/migration-gate-tools/tlog-probe-<hash>/
# (the hash covers main.go, go.mod and go.sum, so an edit rebuilds) and prints
# the binary's path. Idempotent; fails loudly when go or a module is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || { echo "tlog probe: go is missing: apt-get install -y golang-go (Go >= 1.22)" >&2; exit 1; }
hash="$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)"
dir="${MIGRATION_GATE_TOOLS:-$HOME/.cache/migration-gate-tools}/tlog-probe-$hash"
bin="$dir/tlog-probe"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  (cd "$here" && GOFLAGS=-mod=readonly go build -trimpath -o "$bin.tmp" .) || { echo "tlog probe: go build failed (needs the Go module proxy for golang.org/x/mod v0.22.0)" >&2; exit 1; }
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
