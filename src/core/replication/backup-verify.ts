// Step 6: what pg_verifybackup checks, against the entries seen in the tar:
// the manifest's own checksum, the exact file set, every size and checksum.
import { digestsEqual } from '../hashing.js';
import type { Finding } from '../contracts/report.js';
import { blockFinding, safeName, type T2Rule } from './findings.js';
import { parseBackupManifest, type BackupManifest, type BackupFile } from './backup-manifest.js';
import type { EntryRecord } from './entry-digests.js';

/**
 * pg_verifybackup's default ignore list (src/bin/pg_verifybackup): these may
 * legitimately differ from the manifest (pg_basebackup -R rewrites
 * postgresql.auto.conf and adds standby.signal; WAL is checked separately).
 * A path is ignored when it equals an entry or lies beneath it.
 */
export const PG_VERIFYBACKUP_IGNORED = [
  'backup_manifest',
  'pg_wal',
  'postgresql.auto.conf',
  'recovery.signal',
  'standby.signal',
] as const;

export function isIgnoredPath(rel: string): boolean {
  return PG_VERIFYBACKUP_IGNORED.some((p) => rel === p || rel.startsWith(`${p}/`));
}

/** At most this many findings per rule; the rest are summarised, so a report stays readable. */
const MAX_PER_RULE = 20;

export interface BackupVerification {
  hasManifest: boolean;
  verified: boolean;
  manifest?: BackupManifest;
  findings: Finding[];
  detail: string;
}

export function verifyBackup(
  records: readonly EntryRecord[],
  candidates: ReadonlyMap<string, Uint8Array>,
): BackupVerification {
  if (candidates.size === 0)
    return {
      hasManifest: false,
      verified: false,
      findings: [],
      detail: 'no backup_manifest in the snapshot',
    };
  if (candidates.size > 1) {
    const names = [...candidates.keys()].map((k) => safeName(k)).join(', ');
    const f = blockFinding(
      'backup-manifest-ambiguous',
      `the snapshot holds several backup_manifest files (${names}); cannot tell which backup it is`,
    );
    return { hasManifest: true, verified: false, findings: [f], detail: f.message };
  }
  const [path, bytes] = [...candidates][0]!;
  const parsed = parseBackupManifest(bytes);
  if (!parsed.ok) {
    const f = blockFinding(parsed.rule, parsed.message, path);
    return { hasManifest: true, verified: false, findings: [f], detail: f.message };
  }
  // The backup root is the directory holding backup_manifest ("" or one top-level dir).
  const root = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const findings = compareFiles(parsed.manifest.files, records, root);
  const verified = findings.length === 0;
  const detail = verified
    ? `backup_manifest v${parsed.manifest.version}: ${parsed.manifest.files.length} files verified`
    : `${findings.length} backup_manifest problem(s)`;
  return { hasManifest: true, verified, manifest: parsed.manifest, findings, detail };
}

export function compareFiles(
  files: readonly BackupFile[],
  records: readonly EntryRecord[],
  root: string,
): Finding[] {
  const out = new Collector();
  const inTar = new Map<string, EntryRecord>();
  for (const r of records) {
    if (root !== '' && !r.path.startsWith(root)) {
      out.add(
        'backup-file-extra',
        `${safeName(r.path)} is in the snapshot but outside the backup directory`,
        r.path,
      );
      continue;
    }
    inTar.set(r.path.slice(root.length), r);
  }
  const listed = new Set<string>();
  for (const f of files) {
    if (listed.has(f.path))
      out.add('backup-manifest-invalid', `backup_manifest lists ${safeName(f.path)} twice`, f.path);
    listed.add(f.path);
    if (isIgnoredPath(f.path)) continue;
    const r = inTar.get(f.path);
    if (!r)
      out.add(
        'backup-file-missing',
        `${safeName(f.path)} is in backup_manifest but not in the snapshot`,
        f.path,
      );
    else checkFile(f, r, out);
  }
  for (const rel of inTar.keys()) {
    if (!listed.has(rel) && !isIgnoredPath(rel))
      out.add('backup-file-extra', `${safeName(rel)} is in the snapshot but not in backup_manifest`, rel);
  }
  return out.done();
}

function checkFile(f: BackupFile, r: EntryRecord, out: Collector): void {
  if (r.size !== f.size) {
    out.add(
      'backup-file-size-mismatch',
      `${safeName(f.path)} has size ${r.size} but backup_manifest says ${f.size}`,
      f.path,
    );
    return;
  }
  if (!f.algorithm || !f.checksum) return;
  const actual = r.digests[f.algorithm];
  if (actual === undefined) {
    out.add(
      'backup-file-checksum-unverifiable',
      `${safeName(f.path)}: ${f.algorithm} was not computed (backup_manifest came after it in the tar; put it first or use CRC32C/SHA256)`,
      f.path,
    );
  } else if (!digestsEqual(actual, f.checksum)) {
    out.add(
      'backup-file-checksum-mismatch',
      `${safeName(f.path)} has ${f.algorithm} ${actual} but backup_manifest says ${f.checksum}`,
      f.path,
    );
  }
}

class Collector {
  private readonly findings: Finding[] = [];
  private readonly counts = new Map<T2Rule, number>();

  add(rule: T2Rule, message: string, path: string): void {
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n <= MAX_PER_RULE) this.findings.push(blockFinding(rule, message, path.slice(0, 200)));
  }

  done(): Finding[] {
    for (const [rule, n] of this.counts) {
      if (n > MAX_PER_RULE)
        this.findings.push(blockFinding(rule, `…and ${n - MAX_PER_RULE} more ${rule} problem(s)`));
    }
    return this.findings;
  }
}
