// A native pg_basebackup directory, tar format (-Ft) or plain (-Fp, tarred
// on the fly by the caller): backup_manifest beside base.tar, one <oid>.tar
// per tablespace and pg_wal.tar, each possibly gzip/lz4/zstd-compressed
// (detected from the bytes, compared with what the name claims). Every tar
// is walked once with the archive rules; entries get exactly the checksums
// the backup_manifest names (it is known before any tar is read). Up to
// `parallel` tars are walked at once, each by the injected TarWalkRunner
// (a worker thread per tar where the composition root provides a pool, so
// decoding and hashing use every core); the results are merged in the
// order the tars were sent.
import type { ByteSource } from '../ports/artifacts.js';
import type { ChecksumPort } from '../ports/checksums.js';
import type { Finding } from '../contracts/report.js';
import { nextOrAbort, releaseIterator } from './abort.js';
import type { BackupManifest } from './backup-manifest.js';
import { claimedCompression, type Compression } from './compression.js';
import type { EntryRecord, PgChecksumAlgorithm } from './entry-digests.js';
import { blockFinding, safeName, VerificationFailure } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import { failedWalk, walkTarHere, type TarWalk, type TarWalkRunner } from './tar-walk.js';
import type { IncrementalRecord } from './snapshot-walker.js';
import type { EmbeddedWal } from './wal-scan.js';

export interface BackupFileSource {
  /** The file's name in the backup directory (base.tar.zst, 16384.tar, pg_wal.tar.gz). */
  name: string;
  source: ByteSource;
}

export interface BackupSetOutcome {
  records: EntryRecord[];
  embeddedWal: EmbeddedWal[];
  kept: Map<string, Uint8Array>;
  /** Every INCREMENTAL.* file's header (PostgreSQL 17+ incremental backups). */
  incrementals: IncrementalRecord[];
  /** The tars read, with what their bytes were. */
  tars: { name: string; compression: Compression; bytes: number }[];
  compressed: number;
  uncompressed: number;
  failure?: Finding;
}

/** base, pg_wal, or a tablespace OID (PostgreSQL OIDs are 32-bit, never 0). */
const TAR_NAME = /^(base|pg_wal|[1-9][0-9]{0,9})\.tar(\.gz|\.lz4|\.zst)?$/;

export function tarPrefix(name: string): string | undefined {
  const m = TAR_NAME.exec(name);
  if (!m) return undefined;
  if (m[1] === 'base') return '';
  if (m[1] === 'pg_wal') return 'pg_wal/';
  return Number(m[1]) <= 0xffffffff ? `pg_tblspc/${m[1]}/` : undefined;
}

export interface BackupSetOptions {
  limits: ReplicationLimits;
  manifest: BackupManifest;
  parallel: number;
  /** Where each tar is walked (default: this thread). */
  walk?: TarWalkRunner;
  /** Native checksums for a tar walked in this thread (a worker brings its own). */
  checksums?: ChecksumPort;
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
}

/** A tar that finished, at its place in the order the tars were sent. */
interface Settled {
  index: number;
  name: string;
  walk: TarWalk;
}

export async function streamBackupSet(
  files: AsyncIterable<BackupFileSource>,
  opts: BackupSetOptions,
): Promise<BackupSetOutcome> {
  const algorithms = [
    ...new Set(
      opts.manifest.files.map((f) => f.algorithm).filter((a): a is PgChecksumAlgorithm => a !== undefined),
    ),
  ];
  const walk = opts.walk ?? walkTarHere;
  const seen = new Map<string, string>();
  const running = new Set<Promise<void>>();
  const settled: Settled[] = [];
  /** A refusal before any tar of that index was walked (a bad name, a read error): at its index too. */
  let early: { index: number; finding: Finding } | undefined;
  const it = files[Symbol.asyncIterator]();
  let finished = false;
  let index = 0;
  const failed = (): boolean => early !== undefined || settled.some((s) => tarFinding(s) !== undefined);
  try {
    for (; ; index++) {
      if (failed()) break;
      while (running.size >= Math.max(1, opts.parallel)) await Promise.race(running);
      if (failed()) break;
      const r = await nextOrAbort(it, opts.signal);
      if (r.done) {
        finished = true;
        break;
      }
      const { name, source } = r.value;
      const prefix = checkName(name, seen);
      if (typeof prefix !== 'string') {
        releaseIterator(source.stream[Symbol.asyncIterator]());
        early = { index, finding: prefix };
        break;
      }
      if (index >= opts.limits.maxWalFiles) {
        releaseIterator(source.stream[Symbol.asyncIterator]());
        early = {
          index,
          finding: blockFinding(
            'backup-file-name-invalid',
            `more than ${opts.limits.maxWalFiles} tars in one backup`,
          ),
        };
        break;
      }
      const at = index;
      let last = 0;
      const p = walk({ name, prefix, algorithms, limits: opts.limits }, source, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.checksums ? { checksums: opts.checksums } : {}),
        onBytes: (n) => {
          opts.onBytes?.(n - last);
          last = n;
        },
      })
        .catch((e: unknown) => runnerFailure(name, e))
        .then((w) => {
          settled.push({ index: at, name, walk: w });
        });
      const tracked = p.finally(() => running.delete(tracked));
      running.add(tracked);
    }
  } catch (e) {
    early = {
      index,
      finding:
        e instanceof VerificationFailure
          ? e.finding
          : blockFinding(
              'snapshot-read-error',
              `receiving the backup's tars failed: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
            ),
    };
  } finally {
    await Promise.all(running);
    if (!finished) releaseIterator(it);
  }
  return merge(settled, early);
}

function checkName(name: string, seen: Map<string, string>): string | Finding {
  const prefix = tarPrefix(name);
  if (prefix === undefined) {
    return blockFinding(
      'backup-file-name-invalid',
      `${safeName(name)} is not a pg_basebackup file name (base.tar, <tablespace oid>.tar or pg_wal.tar, optionally .gz, .lz4 or .zst)`,
      name.slice(0, 200),
    );
  }
  const stem = name.slice(0, name.indexOf('.tar'));
  const prior = seen.get(stem);
  if (prior !== undefined) {
    const how = prior === name ? 'was sent twice' : `and ${safeName(prior)} are the same tar (${stem}) twice`;
    return blockFinding('backup-file-duplicate', `${safeName(name)} ${how}; a backup has one of each`, name);
  }
  seen.set(stem, name);
  return prefix;
}

/** A runner that rejects (it should not) is a refusal of that tar, never a pass. */
function runnerFailure(name: string, e: unknown): TarWalk {
  return failedWalk(
    blockFinding(
      'internal-error',
      `verifying ${safeName(name)} failed: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
    ),
  );
}

/**
 * The outcome in the order the tars were sent, whichever finished first: the
 * same backup gives the same records, the same duplicate message and the
 * same refusal (the first tar, in that order, that was refused).
 */
function merge(settled: Settled[], early: { index: number; finding: Finding } | undefined): BackupSetOutcome {
  const out: BackupSetOutcome = {
    records: [],
    embeddedWal: [],
    kept: new Map(),
    incrementals: [],
    tars: [],
    compressed: 0,
    uncompressed: 0,
  };
  let failure = early;
  for (const s of settled.sort((a, b) => a.index - b.index)) {
    out.compressed += s.walk.compressed;
    out.uncompressed += s.walk.uncompressed;
    const f = tarFinding(s);
    if (f) {
      if (!failure || s.index < failure.index) failure = { index: s.index, finding: f };
      continue;
    }
    out.records.push(...s.walk.records);
    out.embeddedWal.push(...s.walk.embeddedWal);
    out.incrementals.push(...s.walk.incrementals);
    for (const [k, v] of s.walk.kept) out.kept.set(k, v);
    out.tars.push({ name: s.name, compression: s.walk.compression!, bytes: s.walk.compressed });
  }
  if (failure) out.failure = failure.finding;
  else checkDuplicates(out);
  return out;
}

/** The tar's own refusal, or what the name claims against what the bytes are. */
function tarFinding({ name, walk }: Settled): Finding | undefined {
  if (walk.finding) return walk.finding;
  const claimed = claimedCompression(name)!;
  if (walk.compression !== claimed) {
    return blockFinding(
      'archive-compression-mismatch',
      `${safeName(name)} is named as ${claimed === 'none' ? 'an uncompressed tar' : claimed} but its bytes are ${walk.compression === 'none' ? 'an uncompressed tar' : (walk.compression ?? 'unreadable')}; pg_verifybackup and tar read it by its name`,
      name,
    );
  }
  if (walk.records.some((rec) => rec.path === 'backup_manifest')) {
    // Native backups carry backup_manifest beside the tars; one inside would be a second, unverified claim.
    return blockFinding(
      'backup-manifest-ambiguous',
      `${safeName(name)} holds a backup_manifest; in a tar-format backup it belongs beside the tars, not inside them`,
      name,
    );
  }
  return undefined;
}

/** Two tars naming the same file (pg_wal.tar and base.tar's pg_wal/, a tablespace twice): one would overwrite the other. */
function checkDuplicates(out: BackupSetOutcome): void {
  const seen = new Set<string>();
  for (const r of out.records) {
    if (seen.has(r.path)) {
      out.failure = blockFinding(
        'archive-duplicate-entry',
        `${safeName(r.path)} is in more than one tar of the backup; extracting them would keep only one`,
        r.path,
      );
      return;
    }
    seen.add(r.path);
  }
  if (!out.tars.some((t) => t.name.startsWith('base.tar'))) {
    out.failure = blockFinding(
      'backup-tar-missing',
      'the backup has no base.tar (or base.tar.gz/.lz4/.zst): the main data directory is missing',
    );
  }
}
