#!/usr/bin/env bash
# Makes sure promtool (Prometheus' rule checker and rule unit-test runner) is
# in the tool cache and prints its path on stdout. It is the usr/bin/promtool
# of Debian's `prometheus` package, taken with `apt-get download` + `dpkg-deb
# -x`: nothing is installed, no Prometheus server is started. Cached under
# ${MIGRATION_GATE_TOOLS_CACHE:-~/.cache/migration-gate-tools}/promtool-<version>.
# Used by test/e2e/chart-values.e2e.test.ts (the chart's PrometheusRule).
set -euo pipefail
CACHE="${MIGRATION_GATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-gate-tools}"
log() { echo "[ensure-promtool] $*" >&2; }
command -v apt-get >/dev/null || { echo "FATAL: apt-get is needed to fetch Debian's prometheus package (promtool)" >&2; exit 1; }
mkdir -p "$CACHE"
# The newest existing cache entry, when apt is not asked (warm runs stay offline).
for d in "$CACHE"/promtool-*/; do
  [ -x "${d}promtool" ] && { echo "${d}promtool"; exit 0; }
done
fetch() {
  local tmp version d
  # Another run may have filled the cache while this one waited for the lock.
  for d in "$CACHE"/promtool-*/; do [ -x "${d}promtool" ] && { echo "${d}promtool"; return 0; }; done
  tmp="$(mktemp -d "$CACHE/.promtool-XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  log "apt-get download prometheus"
  (cd "$tmp" && apt-get download prometheus >&2 2>/dev/null) \
    || { apt-get update -qq >&2 && (cd "$tmp" && apt-get download prometheus >&2); } \
    || { echo "FATAL: apt-get download prometheus failed" >&2; return 1; }
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
  version="$(dpkg-deb -f "$tmp"/prometheus_*.deb Version | tr -c 'A-Za-z0-9.+~\n' '_')"
  "$tmp/x/usr/bin/promtool" --version >/dev/null || { echo "FATAL: the packaged promtool does not run" >&2; return 1; }
  mkdir -p "$CACHE/promtool-$version"
  mv "$tmp/x/usr/bin/promtool" "$CACHE/promtool-$version/promtool"
  echo "$CACHE/promtool-$version/promtool"
}
(flock 9 && fetch) 9>"$CACHE/.lock-promtool"
