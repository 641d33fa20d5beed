// A native pg_basebackup directory, tar format (-Ft) or plain (-Fp, tarred
// on the fly by the caller): backup_manifest beside base.tar, one <oid>.tar
// per tablespace and pg_wal.tar, each possibly gzip/lz4/zstd-compressed
// (detected from the bytes, compared with what the name claims). Every tar
// is walked once with the archive rules; entries get exactly the checksums
// the backup_manifest names (it is known before any tar is read). Up to
// `parallel` tars are decoded at once: zlib's work runs on the libuv pool.
import type { ByteSource } from '../ports/artifacts.js';
import type { Finding } from '../contracts/report.js';
import { nextOrAbort, releaseIterator } from './abort.js';
import { streamArchive } from './archive-pass.js';
import type { BackupManifest } from './backup-manifest.js';
import { claimedCompression, COMPRESSIONS, type Compression } from './compression.js';
import type { EntryRecord, PgChecksumAlgorithm } from './entry-digests.js';
import { blockFinding, safeName, VerificationFailure } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import { SnapshotWalker, type IncrementalRecord } from './snapshot-walker.js';
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
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
}

export async function streamBackupSet(
  files: AsyncIterable<BackupFileSource>,
  opts: BackupSetOptions,
): Promise<BackupSetOutcome> {
  const out: BackupSetOutcome = {
    records: [],
    embeddedWal: [],
    kept: new Map(),
    incrementals: [],
    tars: [],
    compressed: 0,
    uncompressed: 0,
  };
  const algorithms = [
    ...new Set(
      opts.manifest.files.map((f) => f.algorithm).filter((a): a is PgChecksumAlgorithm => a !== undefined),
    ),
  ];
  const seen = new Map<string, string>();
  const running = new Set<Promise<void>>();
  const it = files[Symbol.asyncIterator]();
  let finished = false;
  const stop = (f: Finding): void => {
    out.failure ??= f;
  };
  try {
    for (;;) {
      if (out.failure) break;
      while (running.size >= Math.max(1, opts.parallel)) await Promise.race(running);
      if (out.failure) break;
      const r = await nextOrAbort(it, opts.signal);
      if (r.done) {
        finished = true;
        break;
      }
      const { name, source } = r.value;
      const prefix = checkName(name, seen);
      if (typeof prefix !== 'string') {
        releaseIterator(source.stream[Symbol.asyncIterator]());
        stop(prefix);
        break;
      }
      if (out.tars.length + running.size >= opts.limits.maxWalFiles) {
        releaseIterator(source.stream[Symbol.asyncIterator]());
        stop(
          blockFinding('backup-file-name-invalid', `more than ${opts.limits.maxWalFiles} tars in one backup`),
        );
        break;
      }
      const p = walkTar(name, prefix, source, algorithms, opts, out).then((f) => {
        if (f) stop(f);
      });
      const tracked = p.finally(() => running.delete(tracked));
      running.add(tracked);
    }
  } catch (e) {
    stop(
      e instanceof VerificationFailure
        ? e.finding
        : blockFinding(
            'snapshot-read-error',
            `receiving the backup's tars failed: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
          ),
    );
  } finally {
    await Promise.all(running);
    if (!finished) releaseIterator(it);
  }
  if (!out.failure) checkDuplicates(out);
  return out;
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

async function walkTar(
  name: string,
  prefix: string,
  source: ByteSource,
  algorithms: PgChecksumAlgorithm[],
  opts: BackupSetOptions,
  out: BackupSetOutcome,
): Promise<Finding | undefined> {
  const walker = new SnapshotWalker(opts.limits, { prefix, from: name, manifestInside: false });
  walker.useAlgorithms(algorithms);
  let last = 0;
  const r = await streamArchive(source, walker, opts.limits, {
    accept: COMPRESSIONS,
    label: name,
    currentPath: () => walker.currentPath,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onBytes: (n) => {
      opts.onBytes?.(n - last);
      last = n;
    },
  });
  out.compressed += r.compressed;
  out.uncompressed += r.uncompressed;
  if (r.finding) return r.finding;
  const claimed = claimedCompression(name)!;
  if (r.compression !== claimed) {
    return blockFinding(
      'archive-compression-mismatch',
      `${safeName(name)} is named as ${claimed === 'none' ? 'an uncompressed tar' : claimed} but its bytes are ${r.compression === 'none' ? 'an uncompressed tar' : r.compression}; pg_verifybackup and tar read it by its name`,
      name,
    );
  }
  if (walker.records.some((rec) => rec.path === 'backup_manifest')) {
    // Native backups carry backup_manifest beside the tars; one inside would be a second, unverified claim.
    return blockFinding(
      'backup-manifest-ambiguous',
      `${safeName(name)} holds a backup_manifest; in a tar-format backup it belongs beside the tars, not inside them`,
      name,
    );
  }
  out.records.push(...walker.records);
  out.embeddedWal.push(...walker.embeddedWal);
  out.incrementals.push(...walker.incrementals);
  for (const [k, v] of walker.kept) out.kept.set(k, v);
  out.tars.push({ name, compression: r.compression!, bytes: r.compressed });
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
