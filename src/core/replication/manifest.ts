// Steps 1-2: parse replication_manifest.yaml strictly, then the schema and
// the hash-algorithm policy. Uses the same strict parser and zod-to-finding
// mapping as T1 so both scenarios report parse problems identically.
import { parseDigest, type StrongAlgorithm } from '../hashing.js';
import { parseStrict, isPlainObject } from '../strict-parse.js';
import { zodIssuesToFindings } from '../zod-findings.js';
import { quotedName, safePath } from '../safe-text.js';
import {
  ReplicationManifestSchema,
  REPLICATION_MANIFEST_FIELDS,
  type ReplicationManifest,
} from '../contracts/replication-manifest.js';
import type { Finding } from '../contracts/report.js';
import { blockFinding, warnFinding } from './findings.js';
import type { ReplicationLimits } from './limits.js';

export type ParsedManifest = { ok: true; raw: Record<string, unknown> } | { ok: false; findings: Finding[] };

export function parseManifest(bytes: Uint8Array, limits: ReplicationLimits): ParsedManifest {
  const r = parseStrict(bytes, 'replication manifest', {
    maxBytes: limits.maxManifestBytes,
    maxAliases: limits.maxAliasCount,
    maxDepth: 16,
  });
  if (!r.ok) return { ok: false, findings: [blockFinding('manifest-parse-error', r.message)] };
  if (!isPlainObject(r.value))
    return {
      ok: false,
      findings: [
        blockFinding('manifest-parse-error', 'replication manifest must be a mapping at the top level'),
      ],
    };
  return { ok: true, raw: r.value };
}

export type PinField = 'expected_snapshot_hash' | 'expected_backup_manifest_hash';

export interface CheckedManifest {
  manifest: ReplicationManifest;
  /** What the manifest pins: the single archive, or a native backup's backup_manifest. */
  pin: PinField;
  snapshotDigest: { algorithm: StrongAlgorithm; hex: string };
  /** An incremental backup's prior links, oldest first (empty otherwise). */
  priorDigests: { algorithm: StrongAlgorithm; hex: string }[];
}

/** Schema + digest policy. Warnings (unknown fields) are returned alongside a success. */
export function checkManifest(raw: Record<string, unknown>): {
  value?: CheckedManifest;
  findings: Finding[];
} {
  const findings: Finding[] = [];
  for (const key of Object.keys(raw)) {
    if (!REPLICATION_MANIFEST_FIELDS.includes(key)) {
      findings.push(
        warnFinding(
          'manifest-unknown-field',
          `unknown manifest field ${quotedName(key)} is ignored`,
          safePath([key]),
        ),
      );
    }
  }
  const unquoted = unquotedWalNames(raw);
  if (unquoted.length > 0) return { findings: [...findings, ...unquoted] };
  const parsed = ReplicationManifestSchema.safeParse(raw);
  if (!parsed.success)
    return { findings: [...findings, ...zodIssuesToFindings(parsed.error.issues, raw, 'manifest')] };
  const manifest = parsed.data;
  const pins = (['expected_snapshot_hash', 'expected_backup_manifest_hash'] as const).filter(
    (k) => manifest[k] !== undefined,
  );
  if (pins.length !== 1) {
    const message =
      pins.length === 0
        ? 'manifest field "expected_snapshot_hash" is required (or, for a native pg_basebackup directory, "expected_backup_manifest_hash")'
        : 'manifest has both "expected_snapshot_hash" and "expected_backup_manifest_hash": pin either the single archive or the backup_manifest, not both';
    return {
      findings: [
        ...findings,
        blockFinding(
          pins.length === 0 ? 'manifest-missing-field' : 'manifest-invalid-field',
          message,
          pins.length === 0 ? 'expected_snapshot_hash' : 'expected_backup_manifest_hash',
        ),
      ],
    };
  }
  const pin = pins[0]!;
  const digest = parseDigest(manifest[pin]!);
  if (!digest.ok) {
    findings.push(digestFinding(digest.kind, `${pin}: ${digest.message}`, pin));
  }
  const priorDigests: CheckedManifest['priorDigests'] = [];
  (manifest.expected_prior_backup_manifest_hashes ?? []).forEach((h, i) => {
    const field = `expected_prior_backup_manifest_hashes.${i}`;
    const d = parseDigest(h);
    if (d.ok) priorDigests.push({ algorithm: d.algorithm, hex: d.hex });
    else
      findings.push(
        digestFinding(d.kind, `expected_prior_backup_manifest_hashes[${i}]: ${d.message}`, field),
      );
  });
  (manifest.wal_files ?? []).forEach((w, i) => {
    const d = parseDigest(w.sha256, ['sha256']);
    if (!d.ok)
      findings.push(digestFinding(d.kind, `wal_files[${i}].sha256: ${d.message}`, `wal_files.${i}.sha256`));
  });
  if (!digest.ok || findings.some((f) => f.action === 'block')) return { findings };
  return {
    value: {
      manifest,
      pin,
      snapshotDigest: { algorithm: digest.algorithm, hex: digest.hex },
      priorDigests,
    },
    findings,
  };
}

/**
 * `name: 000000010000000000000001` unquoted is a number to YAML (and YAML 1.1
 * loaders read some digit-only names as octal): the text the operator wrote
 * is gone, and loaders disagree on what it was. Decision: refuse, saying to
 * quote it, rather than guess the name back from a number (README "WAL names").
 */
function unquotedWalNames(raw: Record<string, unknown>): Finding[] {
  const wal = raw.wal_files;
  if (!Array.isArray(wal)) return [];
  const out: Finding[] = [];
  wal.forEach((w: unknown, i) => {
    if (isPlainObject(w) && (typeof w.name === 'number' || typeof w.name === 'bigint')) {
      out.push(
        blockFinding(
          'manifest-invalid-field',
          `wal_files[${i}].name is a number to YAML: WAL names are 24 hex digits and all-digit ones must be quoted, e.g. name: '000000010000000000000001'`,
          `wal_files.${i}.name`,
        ),
      );
    }
  });
  return out.slice(0, 20);
}

function digestFinding(kind: 'outdated' | 'unknown' | 'malformed', message: string, path: string): Finding {
  const rule =
    kind === 'outdated'
      ? 'outdated-hash-algorithm'
      : kind === 'unknown'
        ? 'unknown-hash-algorithm'
        : 'manifest-invalid-hash';
  return blockFinding(rule, message, path);
}
