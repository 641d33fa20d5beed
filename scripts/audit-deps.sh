#!/usr/bin/env bash
# npm audit of the production dependency tree: fails (exit 1) on any high or
# critical advisory. When the registry's advisory service cannot be reached
# (some mirrors and proxies answer its endpoint with 405), it says so and
# exits 3: "not audited" must never read as "audited, clean".
set -uo pipefail
cd "$(dirname "$0")/.."

npm audit --omit=dev --json 2>/dev/null | node -e '
  let s = "";
  process.stdin.on("data", (c) => (s += c)).on("end", () => {
    let v;
    try { v = JSON.parse(s).metadata.vulnerabilities; } catch { v = undefined; }
    if (!v) {
      console.error("audit-deps: NOT AUDITED: the npm advisory service did not answer (see: npm audit --omit=dev)");
      process.exit(3);
    }
    console.log(`audit-deps: production dependencies: ${v.critical} critical, ${v.high} high, ${v.moderate} moderate, ${v.low} low`);
    if (v.critical + v.high > 0) {
      console.error("audit-deps: high or critical advisories: run npm audit --omit=dev for the details");
      process.exit(1);
    }
  });'
