// PostgreSQL 17+ incremental chains: an incremental backup restores only
// through pg_combinebackup with every backup it depends on, oldest (the
// full backup) first. Each link is verified as a backup of its own
// (native-backup.ts); this checks what binds them, as pg_combinebackup
// does (check_backup_label_files, check_control_files, the manifest lookup
// in reconstruct.c) and more: the full backup at the root and only there,
// each incremental's INCREMENTAL FROM LSN / TLI equal to the prior link's
// start LSN and timeline (so no link is missing, none out of order, no
// cycle: starts strictly increase), the prior's WAL ended before the next
// link began, one System-Identifier throughout, every INCREMENTAL file
// backed by the same relation file (full or incremental) in the prior
// link, and every INCREMENTAL header well formed. The timeline check needs
// the WAL's history files and runs in the WAL step (chainTimelineFindings).
import type { Finding } from '../contracts/report.js';
import type { BackupLabel } from './backup-identity.js';
import type { BackupManifest } from './backup-manifest.js';
import { blockFinding, safeName, type T2Rule } from './findings.js';
import { incrementalTarget, isIncrementalPath } from './incremental-file.js';
import type { IncrementalRecord } from './snapshot-walker.js';
import { walHistoryName as historyName, type HistoryEntry } from './timelines.js';
import { formatLsn } from './wal-name.js';

export interface ChainLink {
  /** For messages: "prior backup 1 (oldest)", …, "the backup". */
  name: string;
  manifest: BackupManifest;
  label: BackupLabel;
  /** From global/pg_control. */
  systemId?: bigint;
  incrementals: readonly IncrementalRecord[];
}

/** At most this many findings per rule and link; the rest are counted in the last one. */
const MAX_PER_LINK = 10;

export function chainFindings(links: readonly ChainLink[]): Finding[] {
  const out: Finding[] = [];
  for (const link of links) out.push(...capped(headerFindings(link)));
  const last = links.at(-1)!;
  if (links.length === 1) {
    if (isIncremental(last))
      out.push(
        blockFinding(
          'backup-chain-missing',
          `the backup is a PostgreSQL incremental backup (INCREMENTAL FROM LSN ${fromText(last)}): it restores only with the backups it depends on; send them, oldest (the full backup) first, each pinned in expected_prior_backup_manifest_hashes (--prior DIR, prior_backup_urls, spec.backup.priors)`,
          'backup_label',
        ),
      );
    return out;
  }
  out.push(...orderFindings(links), ...systemIdFindings(links));
  for (let i = 1; i < links.length; i++) {
    out.push(...linkFindings(links[i - 1]!, links[i]!));
    out.push(...capped(ancestryFindings(links[i - 1]!, links[i]!)));
  }
  return out;
}

function isIncremental(link: ChainLink): boolean {
  return link.label.incrementalFrom !== undefined;
}

function fromText(link: ChainLink): string {
  const f = link.label.incrementalFrom;
  return f ? `${formatLsn(f.lsn)} on timeline ${f.timeline}` : 'none';
}

function headerFindings(link: ChainLink): Finding[] {
  return link.incrementals
    .filter((r): r is { path: string; problem: string } => 'problem' in r)
    .map((r) =>
      blockFinding(
        'backup-incremental-header-invalid',
        `${link.name}: ${safeName(r.path)} is not a valid incremental file: ${r.problem}`,
        r.path,
      ),
    );
}

/** The full backup first, and only there; an incremental label and INCREMENTAL files go together. */
function orderFindings(links: readonly ChainLink[]): Finding[] {
  const out: Finding[] = [];
  links.forEach((link, i) => {
    const files = link.manifest.files.filter((f) => isIncrementalPath(f.path));
    if (i === 0 && isIncremental(link))
      out.push(
        order(
          `${link.name} is itself an incremental backup (INCREMENTAL FROM LSN ${fromText(link)}): the chain must start with its full backup; a link is missing at the root`,
        ),
      );
    else if (i > 0 && !isIncremental(link))
      out.push(
        order(
          `${link.name} is a full backup, but only the first (oldest) link of a chain may be: the prior backups are out of order or not one chain${i === links.length - 1 ? ' (a full backup needs no prior backups: send none)' : ''}`,
        ),
      );
    if (!isIncremental(link) && files.length > 0)
      out.push(
        order(
          `${link.name} is a full backup (no INCREMENTAL FROM in backup_label) but holds incremental file ${safeName(files[0]!.path)}`,
          files[0]!.path,
        ),
      );
  });
  return out;
}

function order(message: string, path = 'backup_label'): Finding {
  return blockFinding('backup-chain-order', message, path);
}

/** The incremental was taken from the prior link: its INCREMENTAL FROM is the prior's start, and the prior ended before it began. */
function linkFindings(prior: ChainLink, next: ChainLink): Finding[] {
  const from = next.label.incrementalFrom;
  if (!from) return [];
  if (from.lsn !== prior.label.startLsn || from.timeline !== prior.label.startTimeline)
    return [
      blockFinding(
        'backup-chain-broken',
        `${next.name} was taken incrementally from the backup that started at ${formatLsn(from.lsn)} on timeline ${from.timeline}, but ${prior.name} started at ${formatLsn(prior.label.startLsn)} on timeline ${prior.label.startTimeline}: it is not the backup ${next.name} depends on (a wrong prior, priors out of order, or a link missing)`,
        'backup_label',
      ),
    ];
  const end = prior.manifest.walRanges.reduce((m, r) => (r.end > m ? r.end : m), 0n);
  if (end > next.label.startLsn)
    return [
      blockFinding(
        'backup-chain-broken',
        `${prior.name}'s WAL runs to ${formatLsn(end)}, after ${next.name} started at ${formatLsn(next.label.startLsn)}: an incremental backup begins after the backup it depends on has ended`,
        'backup_manifest',
      ),
    ];
  return [];
}

function systemIdFindings(links: readonly ChainLink[]): Finding[] {
  const last = links.at(-1)!;
  const want = last.manifest.systemId ?? last.systemId;
  const out: Finding[] = [];
  for (const link of links) {
    for (const [id, where] of [
      [link.manifest.systemId, 'backup_manifest'],
      [link.systemId, 'global/pg_control'],
    ] as const) {
      if (link.manifest.version === 1 && where === 'backup_manifest') continue;
      if (id === undefined || want === undefined || id !== want) {
        out.push(
          blockFinding(
            'backup-chain-system-id-mismatch',
            `${link.name}'s ${where} has system identifier ${id ?? 'unreadable'}, but ${last.name} is of cluster ${want ?? 'unknown'}: every link of a chain comes from one cluster`,
            where,
          ),
        );
        break;
      }
    }
  }
  return out;
}

/** pg_combinebackup looks every INCREMENTAL file's relation up in the prior link; one it cannot find has no base to rebuild on. */
function ancestryFindings(prior: ChainLink, next: ChainLink): Finding[] {
  const have = new Set(prior.manifest.files.map((f) => f.path));
  const out: Finding[] = [];
  for (const f of next.manifest.files) {
    if (!isIncrementalPath(f.path)) continue;
    const target = incrementalTarget(f.path);
    // A malformed name is the header check's finding.
    if (target === undefined || have.has(target) || have.has(f.path)) continue;
    out.push(
      blockFinding(
        'backup-chain-file-missing',
        `${next.name} holds ${safeName(f.path)}, the changed blocks of ${safeName(target)}, but ${prior.name} has neither ${safeName(target)} nor an incremental copy of it: nothing to rebuild it on`,
        f.path,
      ),
    );
  }
  return out;
}

function capped(findings: Finding[]): Finding[] {
  if (findings.length <= MAX_PER_LINK) return findings;
  const rule = findings[0]!.rule as T2Rule;
  return [
    ...findings.slice(0, MAX_PER_LINK),
    blockFinding(rule, `…and ${findings.length - MAX_PER_LINK} more ${rule} problem(s)`),
  ];
}

/**
 * The failure mode of an open PostgreSQL bug: a prior link whose WAL range
 * runs on a timeline past the point where the later link's history left
 * it. pg_combinebackup would combine pages written on the abandoned
 * history with the new one, and the result restores silently. Every prior
 * range must be on the next link's own timeline, or on an ancestor of it
 * ending at or before that ancestor's switch point, per the history of the
 * final link's timeline (every earlier history is a prefix of it).
 */
export function chainTimelineFindings(
  links: readonly Pick<ChainLink, 'name' | 'label' | 'manifest'>[],
  histories: ReadonlyMap<number, HistoryEntry[]>,
): Finding[] {
  const newest = links.at(-1)!.label.startTimeline;
  const history = newest > 1 ? histories.get(newest) : [];
  const out: Finding[] = [];
  for (let i = 1; i < links.length; i++) {
    const prior = links[i - 1]!;
    const next = links[i]!;
    const tli = next.label.startTimeline;
    for (const r of prior.manifest.walRanges) {
      if (r.timeline === tli) continue;
      const range = `timeline ${r.timeline} ${formatLsn(r.start)}..${formatLsn(r.end)}`;
      if (history === undefined) {
        out.push(
          blockFinding(
            'wal-timeline-history-missing',
            `${prior.name}'s WAL runs on ${range} but ${next.name} starts on timeline ${tli}: ${historyName(newest)} is needed to check the chain across the switch, and was not sent`,
            historyName(newest),
          ),
        );
        return out;
      }
      const switchOf = history.find((e) => e.parent === r.timeline);
      const onPath = tli === newest || history.some((e) => e.parent === tli);
      if (!switchOf || !onPath || r.timeline > tli) {
        out.push(
          blockFinding(
            'backup-chain-timeline-switch',
            `${prior.name}'s WAL runs on ${range}, which is not an earlier timeline of ${next.name}'s timeline ${tli} in ${historyName(newest)}: the links come from different histories`,
            historyName(newest),
          ),
        );
      } else if (r.end > switchOf.switchpoint) {
        out.push(
          blockFinding(
            'backup-chain-timeline-switch',
            `${prior.name}'s WAL (${range}) runs past ${formatLsn(switchOf.switchpoint)}, where timeline ${r.timeline} was left for the history ${next.name} (timeline ${tli}, starting ${formatLsn(next.label.startLsn)}) follows: combined, the chain would restore pages from the abandoned timeline without a word`,
            historyName(newest),
          ),
        );
      }
    }
  }
  return out;
}
