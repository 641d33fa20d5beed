// The T2 rule vocabulary and the internal error that carries a finding out of
// a deep stream callback to the pipeline, which turns it into a failed step.
import type { Finding, Severity } from '../contracts/report.js';
import { quotedFileName, safeFilePath } from '../safe-text.js';

export const T2_RULES = [
  'manifest-parse-error',
  'manifest-missing-field',
  'manifest-invalid-field',
  'manifest-unknown-field',
  'outdated-hash-algorithm',
  'unknown-hash-algorithm',
  'manifest-invalid-hash',
  'signature-invalid',
  'signature-malformed',
  'signature-payload-mismatch',
  'snapshot-missing',
  'snapshot-digest-mismatch',
  'snapshot-read-error',
  'snapshot-budget-exceeded',
  'archive-corrupt',
  'archive-truncated',
  'archive-trailing-data',
  'archive-gzip-bomb',
  'archive-budget-exceeded',
  'archive-unsafe-path',
  'archive-link',
  'archive-device',
  'archive-unsupported-entry',
  'archive-duplicate-entry',
  'archive-pax-override',
  'archive-ambiguous',
  'backup-manifest-invalid',
  'backup-manifest-checksum-mismatch',
  'backup-manifest-ambiguous',
  'backup-file-missing',
  'backup-file-extra',
  'backup-file-size-mismatch',
  'backup-file-checksum-mismatch',
  'backup-file-checksum-unverifiable',
  'archive-compression-unsupported',
  'archive-compression-mismatch',
  'backup-missing',
  'backup-manifest-digest-mismatch',
  'backup-file-name-invalid',
  'backup-file-duplicate',
  'backup-tar-missing',
  'backup-system-id-mismatch',
  'backup-label-mismatch',
  'backup-wal-missing',
  'wal-system-id-mismatch',
  'backup-incremental-unsupported',
  'backup-incremental-header-invalid',
  'backup-chain-missing',
  'backup-chain-prior-unpinned',
  'backup-chain-link-missing',
  'backup-chain-order',
  'backup-chain-broken',
  'backup-chain-system-id-mismatch',
  'backup-chain-file-missing',
  'backup-chain-timeline-switch',
  'wal-timeline-history-missing',
  'wal-timeline-invalid',
  'wal-history-invalid',
  'wal-compression-mismatch',
  'wal-compression-corrupt',
  'wal-invalid-name',
  'wal-duplicate',
  'wal-unlisted',
  'wal-missing',
  'wal-digest-mismatch',
  'wal-size-mismatch',
  'wal-gap',
  'wal-header-mismatch',
  'wal-budget-exceeded',
  'wal-read-error',
  'wal-not-listed',
  'wal-coverage',
  'verification-aborted',
  'deadline-exceeded',
  'internal-error',
  'policy-evaluation-error',
] as const;
export type T2Rule = (typeof T2_RULES)[number];

export function blockFinding(
  rule: T2Rule,
  message: string,
  path?: string,
  severity: Severity = 'critical',
): Finding {
  return {
    rule,
    severity,
    action: 'block',
    message,
    ...(path !== undefined ? { path: safeFilePath(path) } : {}),
  };
}

export function warnFinding(rule: T2Rule, message: string, path?: string): Finding {
  return {
    rule,
    severity: 'medium',
    action: 'warn',
    message,
    ...(path !== undefined ? { path: safeFilePath(path) } : {}),
  };
}

/** Thrown inside stream callbacks; the pipeline catches it and records the finding. */
export class VerificationFailure extends Error {
  override readonly name = 'VerificationFailure';
  constructor(readonly finding: Finding) {
    super(finding.message);
  }
}

export function fail(rule: T2Rule, message: string, path?: string): never {
  throw new VerificationFailure(blockFinding(rule, message, path));
}

/** Names in messages are attacker-chosen: quoted when plain path characters, else withheld (safe-text.ts). */
export function safeName(name: string): string {
  return quotedFileName(name);
}
