// Steps 1-2: parse replication_manifest.yaml strictly, then the schema and
// the hash-algorithm policy. Uses the same strict parser and zod-to-finding
// mapping as T1 so both scenarios report parse problems identically.
import { parseDigest, type StrongAlgorithm } from '../hashing.js';
import { parseStrict, isPlainObject } from '../strict-parse.js';
import { zodIssuesToFindings } from '../zod-findings.js';
import { quotedName, safePath } from '../safe-text.js';
import { ReplicationManifestSchema, REPLICATION_MANIFEST_FIELDS, type ReplicationManifest } from '../contracts/replication-manifest.js';
import type { Finding } from '../contracts/report.js';
import { blockFinding, warnFinding } from './findings.js';
import type { ReplicationLimits } from './limits.js';

export type ParsedManifest = { ok: true; raw: Record<string, unknown> } | { ok: false; findings: Finding[] };

export function parseManifest(bytes: Uint8Array, limits: ReplicationLimits): ParsedManifest {
  const r = parseStrict(bytes, 'replication manifest', { maxBytes: limits.maxManifestBytes, maxAliases: limits.maxAliasCount, maxDepth: 16 });
  if (!r.ok) return { ok: false, findings: [blockFinding('manifest-parse-error', r.message)] };
  if (!isPlainObject(r.value)) return { ok: false, findings: [blockFinding('manifest-parse-error', 'replication manifest must be a mapping at the top level')] };
  return { ok: true, raw: r.value };
}

export interface CheckedManifest {
  manifest: ReplicationManifest;
  snapshotDigest: { algorithm: StrongAlgorithm; hex: string };
}

/** Schema + digest policy. Warnings (unknown fields) are returned alongside a success. */
export function checkManifest(raw: Record<string, unknown>): { value?: CheckedManifest; findings: Finding[] } {
  const findings: Finding[] = [];
  for (const key of Object.keys(raw)) {
    if (!REPLICATION_MANIFEST_FIELDS.includes(key)) {
      findings.push(warnFinding('manifest-unknown-field', `unknown manifest field ${quotedName(key)} is ignored`, safePath([key])));
    }
  }
  const parsed = ReplicationManifestSchema.safeParse(raw);
  if (!parsed.success) return { findings: [...findings, ...zodIssuesToFindings(parsed.error.issues, raw, 'manifest')] };
  const manifest = parsed.data;
  const digest = parseDigest(manifest.expected_snapshot_hash);
  if (!digest.ok) {
    findings.push(digestFinding(digest.kind, `expected_snapshot_hash: ${digest.message}`, 'expected_snapshot_hash'));
  }
  (manifest.wal_files ?? []).forEach((w, i) => {
    const d = parseDigest(w.sha256, ['sha256']);
    if (!d.ok) findings.push(digestFinding(d.kind, `wal_files[${i}].sha256: ${d.message}`, `wal_files.${i}.sha256`));
  });
  if (!digest.ok || findings.some((f) => f.action === 'block')) return { findings };
  return { value: { manifest, snapshotDigest: { algorithm: digest.algorithm, hex: digest.hex } }, findings };
}

function digestFinding(kind: 'outdated' | 'unknown' | 'malformed', message: string, path: string): Finding {
  const rule = kind === 'outdated' ? 'outdated-hash-algorithm' : kind === 'unknown' ? 'unknown-hash-algorithm' : 'manifest-invalid-hash';
  return blockFinding(rule, message, path);
}
