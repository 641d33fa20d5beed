// Which cluster and which point in its WAL a backup is: the system
// identifier in global/pg_control (checked against the manifest's
// System-Identifier, as pg_verifybackup does for manifest v2) and the start
// LSN and timeline in backup_label (checked against the manifest's
// WAL-Ranges, which pg_verifybackup does not do). A native backup must have
// both files; the single archive is checked when it holds them.
import type { Finding } from '../contracts/report.js';
import type { BackupManifest } from './backup-manifest.js';
import { parseLsn } from './backup-manifest.js';
import { blockFinding } from './findings.js';
import { isIncrementalPath } from './incremental-file.js';
import { formatLsn, segmentOf, walFileName } from './wal-name.js';

export interface BackupLabel {
  startLsn: bigint;
  startTimeline: number;
  /** The segment size the label's start LSN and file name agree on. */
  segmentSize?: number;
  /** PostgreSQL 17+ incremental backups: the prior backup's start (INCREMENTAL FROM LSN / TLI). */
  incrementalFrom?: { lsn: bigint; timeline: number };
}

export interface BackupIdentity {
  systemId?: bigint;
  label?: BackupLabel;
  findings: Finding[];
}

/** pg_control begins with system_identifier (uint64, host order: little-endian on every platform PostgreSQL ships here). */
export function controlSystemId(bytes: Uint8Array): bigint | undefined {
  if (bytes.length < 8) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

export function parseBackupLabel(bytes: Uint8Array): BackupLabel | string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'backup_label is not UTF-8 text';
  }
  const start = /^START WAL LOCATION: ([0-9A-F]{1,8}\/[0-9A-F]{1,8}) \(file ([0-9A-F]{24})\)$/m.exec(text);
  const tli = /^START TIMELINE: ([0-9]{1,10})$/m.exec(text);
  if (!start || !tli) return 'backup_label lacks its START WAL LOCATION or START TIMELINE line';
  if (text.split('\n').filter((l) => l.startsWith('START WAL LOCATION:')).length !== 1)
    return 'backup_label has more than one START WAL LOCATION line';
  const inc = incrementalFrom(text);
  if (typeof inc === 'string') return inc;
  const startLsn = parseLsn(start[1]!);
  const segmentSize = segmentSizeFor(startLsn, Number(tli[1]), start[2]!);
  return {
    startLsn,
    startTimeline: Number(tli[1]),
    ...(segmentSize ? { segmentSize } : {}),
    ...(inc ? { incrementalFrom: inc } : {}),
  };
}

/** Both INCREMENTAL FROM lines once each, or neither (basebackup writes them together). */
function incrementalFrom(text: string): { lsn: bigint; timeline: number } | undefined | string {
  const lines = text.split('\n');
  const lsnLines = lines.filter((l) => l.startsWith('INCREMENTAL FROM LSN:'));
  const tliLines = lines.filter((l) => l.startsWith('INCREMENTAL FROM TLI:'));
  if (lsnLines.length === 0 && tliLines.length === 0) return undefined;
  const lsn = /^INCREMENTAL FROM LSN: ([0-9A-F]{1,8}\/[0-9A-F]{1,8})$/.exec(lsnLines[0] ?? '');
  const tli = /^INCREMENTAL FROM TLI: ([1-9][0-9]{0,9})$/.exec(tliLines[0] ?? '');
  if (lsnLines.length !== 1 || tliLines.length !== 1 || !lsn || !tli || Number(tli[1]) > 0xffffffff)
    return 'backup_label must have one INCREMENTAL FROM LSN and one INCREMENTAL FROM TLI line, well formed, or neither';
  return { lsn: parseLsn(lsn[1]!), timeline: Number(tli[1]) };
}

/** The WAL segment size (1 MiB..1 GiB) for which `lsn` lies in the segment named `file`. */
function segmentSizeFor(lsn: bigint, timeline: number, file: string): number | undefined {
  for (let size = 1024 * 1024; size <= 1024 * 1024 * 1024; size *= 2) {
    if (walFileName(timeline, segmentOf(lsn, size), size) === file) return size;
  }
  return undefined;
}

export function checkIdentity(
  manifest: BackupManifest,
  kept: ReadonlyMap<string, Uint8Array>,
  required: boolean,
  /** A native backup may be one link of a chain (backup-chain.ts); a single archive cannot carry its chain. */
  incremental: 'refuse' | 'chain' = 'refuse',
): BackupIdentity {
  const findings: Finding[] = [];
  const pick = (name: string): Uint8Array | undefined =>
    kept.get(name) ?? [...kept].find(([k]) => k.endsWith(`/${name}`))?.[1];
  const control = pick('global/pg_control');
  const labelBytes = pick('backup_label');
  const out: BackupIdentity = { findings };
  if (control) {
    const id = controlSystemId(control);
    if (id !== undefined) out.systemId = id;
    if (id !== undefined && manifest.systemId !== undefined && id !== manifest.systemId) {
      findings.push(
        blockFinding(
          'backup-system-id-mismatch',
          `global/pg_control has system identifier ${id} but backup_manifest says ${manifest.systemId}: the files come from another cluster`,
          'global/pg_control',
        ),
      );
    }
  } else if (required) {
    findings.push(
      blockFinding('backup-file-missing', 'the backup has no global/pg_control', 'global/pg_control'),
    );
  }
  if (!labelBytes) {
    if (required)
      findings.push(
        blockFinding(
          'backup-label-mismatch',
          'the backup has no backup_label: restored without it, PostgreSQL would treat the copy as a crashed primary and not replay from the backup start',
          'backup_label',
        ),
      );
    return out;
  }
  const label = parseBackupLabel(labelBytes);
  if (typeof label === 'string') {
    findings.push(blockFinding('backup-label-mismatch', label, 'backup_label'));
    return out;
  }
  out.label = label;
  if (incremental === 'refuse') findings.push(...incrementalInArchive(manifest, label));
  const match = manifest.walRanges.some(
    (r) => r.start === label.startLsn && r.timeline === label.startTimeline,
  );
  if (!match) {
    const ranges =
      manifest.walRanges
        .map((r) => `timeline ${r.timeline} ${formatLsn(r.start)}..${formatLsn(r.end)}`)
        .join(', ') || 'none';
    findings.push(
      blockFinding(
        'backup-label-mismatch',
        `backup_label starts at ${formatLsn(label.startLsn)} on timeline ${label.startTimeline} but backup_manifest's WAL-Ranges are ${ranges}: the label and the manifest describe different backups`,
        'backup_label',
      ),
    );
  }
  return out;
}

/**
 * One link of an incremental chain restores to a broken cluster, and a single
 * archive cannot carry the chain it depends on. A native backup directory can
 * (backup-chain.ts); or send the combined backup.
 */
function incrementalInArchive(manifest: BackupManifest, label: BackupLabel): Finding[] {
  if (label.incrementalFrom === undefined && !manifest.files.some((f) => isIncrementalPath(f.path)))
    return [];
  return [
    blockFinding(
      'backup-incremental-unsupported',
      `this is a PostgreSQL incremental backup (INCREMENTAL FROM LSN ${label.incrementalFrom !== undefined ? formatLsn(label.incrementalFrom.lsn) : '?'}): it cannot be restored alone; send it as a backup directory with its prior backups (--backup with --prior, backup_url with prior_backup_urls), or combine the chain with pg_combinebackup and send the combined backup`,
      'backup_label',
    ),
  ];
}
