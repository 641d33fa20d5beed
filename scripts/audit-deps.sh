#!/usr/bin/env bash
# npm audit of the production dependency tree: fails (exit 1) on any high or
# critical advisory. When the registry's advisory service cannot be reached
# (some mirrors and proxies answer its endpoint with 405), it says so and
# exits 3: "not audited" must never read as "audited, clean".
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(npm audit --omit=dev --audit-level=high --json 2>/dev/null)
status=$?
if ! printf '%s' "$out" | node -e '
  let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
    try { const r = JSON.parse(s); process.exit(r.metadata && r.metadata.vulnerabilities ? 0 : 1); } catch { process.exit(1); }
  });'; then
  echo "audit-deps: NOT AUDITED: the npm advisory service did not answer (see: npm audit --omit=dev)" >&2
  exit 3
fi
printf '%s' "$out" | node -e '
  let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
    const v = JSON.parse(s).metadata.vulnerabilities;
    console.log(`audit-deps: production dependencies: ${v.critical} critical, ${v.high} high, ${v.moderate} moderate, ${v.low} low`);
  });'
if [ "$status" -ne 0 ]; then
  npm audit --omit=dev --audit-level=high >&2 || true
  exit 1
fi
