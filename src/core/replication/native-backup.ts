// The native-backup branch of the T2 pipeline (steps snapshot → archive →
// backup-manifest): the backup_manifest's digest against
// expected_backup_manifest_hash, its own checksum, every tar of the
// directory walked once (backup-set.ts), then the exact file set, sizes and
// checksums across all tars, the tablespace tars against the manifest, and
// the backup's identity (backup-identity.ts). WAL and restorability follow
// in the pipeline's WAL step. An incremental backup comes with its chain:
// every link pinned, read and checked the same way, then what binds them
// (backup-chain.ts).
import { createHash } from 'node:crypto';
import type { Subject } from '../contracts/report.js';
import { digestsEqual, shortHex, type StrongAlgorithm } from '../hashing.js';
import type { Finding } from '../contracts/report.js';
import { chainFindings, type ChainLink } from './backup-chain.js';
import { checkIdentity, type BackupIdentity } from './backup-identity.js';
import { parseBackupManifest, type BackupManifest } from './backup-manifest.js';
import { streamBackupSet, type BackupFileSource, type BackupSetOutcome } from './backup-set.js';
import { compareFiles, type BackupVerification } from './backup-verify.js';
import { blockFinding, safeName } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import type { ChecksumPort } from '../ports/checksums.js';
import type { Run } from './run.js';
import type { TarWalkRunner } from './tar-walk.js';
import type { EmbeddedWal } from './wal-scan.js';

/** One backup directory: its backup_manifest and its tars. */
export interface BackupLinkInput {
  /** backup_manifest, exact bytes (pinned in the replication manifest). */
  manifestBytes: Uint8Array;
  /** The tars of the directory, by name there, in any order; each consumed once. */
  files: AsyncIterable<BackupFileSource>;
}

export interface NativeBackupInput extends BackupLinkInput {
  /** Tars decoded at once (files on disk: the machine's cores; one request body: 1). */
  parallel?: number;
  /** Where each tar is walked: a worker pool from the composition root, else this thread. */
  walk?: TarWalkRunner;
  /**
   * For a PostgreSQL 17+ incremental backup: the backups it depends on,
   * oldest (the full backup) first, each a directory of its own, each
   * pinned by expected_prior_backup_manifest_hashes in the same order.
   */
  priors?: readonly BackupLinkInput[];
}

/** What the WAL step needs from either branch. */
export interface NativeOutcome {
  backup: BackupVerification;
  embeddedWal: EmbeddedWal[];
  bytes: number;
  systemId?: bigint;
  /** From backup_label, for a backup that carries no WAL of its own. */
  segmentSize?: number;
  /** An incremental chain, oldest first (the backup last): its timelines are checked against the WAL's history. */
  chain?: ChainLink[];
}

export interface NativeOptions {
  limits: ReplicationLimits;
  checksums?: ChecksumPort;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes?: number) => void;
}

type Pin = { algorithm: StrongAlgorithm; hex: string };

/** One link read and checked as a backup in its own right. */
interface LinkOutcome {
  name: string;
  manifest: BackupManifest;
  set: BackupSetOutcome;
  identity: BackupIdentity;
  findings: Finding[];
}

export async function nativeBackupSteps(
  input: NativeBackupInput | undefined,
  pin: Pin,
  priorPins: readonly Pin[],
  run: Run,
  subject: Subject,
  opts: NativeOptions,
): Promise<NativeOutcome | undefined> {
  if (!input) {
    run.fail('snapshot', [
      blockFinding(
        'backup-missing',
        'the manifest pins a backup_manifest (expected_backup_manifest_hash) but no backup directory was sent (backup_manifest and its tars)',
      ),
    ]);
    return undefined;
  }
  const priors = input.priors ?? [];
  const links = [
    ...priors.map((p, i) => ({ input: p, name: priorName(i, priors.length) })),
    { input: input as BackupLinkInput, name: 'the backup' },
  ];
  if (!pinSteps(links, pin, priorPins, run, subject, opts.limits)) return undefined;
  const manifests = parseManifests(links, run);
  if (!manifests) return undefined;
  const read = await readLinks(
    links,
    manifests,
    { parallel: input.parallel ?? 1, walk: input.walk },
    run,
    opts,
  );
  if (!read) return undefined;
  const bytes = read.bytes;
  run.record('archive', 'pass', archiveDetail(read.links));
  const final = read.links.at(-1)!;
  const findings = read.links.flatMap((l) => l.findings);
  const chain = chainOf(read.links);
  if (chain) findings.push(...chainFindings(chain));
  const verified = findings.length === 0;
  const detail = verified ? verifiedDetail(read.links) : `${findings.length} backup_manifest problem(s)`;
  const backup: BackupVerification = {
    hasManifest: true,
    verified,
    manifest: final.manifest,
    findings,
    detail,
  };
  if (!verified) {
    run.fail('backup-manifest', findings, detail);
    return undefined;
  }
  run.record('backup-manifest', 'pass', detail);
  return {
    backup,
    embeddedWal: final.set.embeddedWal,
    bytes,
    ...(final.identity.systemId !== undefined ? { systemId: final.identity.systemId } : {}),
    ...(final.identity.label?.segmentSize ? { segmentSize: final.identity.label.segmentSize } : {}),
    ...(chain && chain.length > 1 ? { chain } : {}),
  };
}

function verifiedDetail(links: readonly LinkOutcome[]): string {
  const final = links.at(-1)!;
  const files = `${final.manifest.files.length} files verified across ${final.set.tars.length} tar(s)`;
  const chain =
    links.length > 1
      ? `; incremental chain of ${links.length} links verified (${incrementalCount(links)} INCREMENTAL files)`
      : '';
  return `backup_manifest v${final.manifest.version}: ${files}${chain}`;
}

function parseManifests(
  links: readonly { input: BackupLinkInput; name: string }[],
  run: Run,
): BackupManifest[] | undefined {
  const out: BackupManifest[] = [];
  for (const l of links) {
    const parsed = parseBackupManifest(l.input.manifestBytes);
    if (!parsed.ok) {
      run.fail('backup-manifest', [
        blockFinding(parsed.rule, named(l.name, parsed.message), 'backup_manifest'),
      ]);
      return undefined;
    }
    out.push(parsed.manifest);
  }
  return out;
}

/** The links as the chain checks see them (every link has a backup_label, or its own findings say why not). */
function chainOf(links: readonly LinkOutcome[]): ChainLink[] | undefined {
  if (!links.every((l) => l.identity.label)) return undefined;
  return links.map((l) => ({
    name: l.name,
    manifest: l.manifest,
    label: l.identity.label!,
    ...(l.identity.systemId !== undefined ? { systemId: l.identity.systemId } : {}),
    incrementals: l.set.incrementals,
  }));
}

/** Each link's tars, oldest link first, the backup last; the first failure stops (and names the link). */
async function readLinks(
  links: readonly { input: BackupLinkInput; name: string }[],
  manifests: readonly BackupManifest[],
  tars: { parallel: number; walk: TarWalkRunner | undefined },
  run: Run,
  opts: NativeOptions,
): Promise<{ links: LinkOutcome[]; bytes: number } | undefined> {
  let bytes = links.reduce((n, l) => n + l.input.manifestBytes.byteLength, 0);
  const out: LinkOutcome[] = [];
  for (const [i, l] of links.entries()) {
    const set = await streamBackupSet(l.input.files, {
      limits: opts.limits,
      manifest: manifests[i]!,
      parallel: tars.parallel,
      ...(tars.walk ? { walk: tars.walk } : {}),
      ...(opts.checksums ? { checksums: opts.checksums } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onBytes: (n) => {
        bytes += n;
        opts.onProgress?.(bytes);
      },
    });
    if (set.failure) {
      run.fail('archive', [renamed(l.name, set.failure)]);
      return undefined;
    }
    out.push(checkLink(l.name, manifests[i]!, set));
  }
  return { links: out, bytes };
}

function priorName(i: number, n: number): string {
  return `prior backup ${i + 1} of ${n}${i === 0 ? ' (the full backup)' : ''}`;
}

/** Messages of a prior link say which link; the backup's own keep their wording. */
function named(link: string, message: string): string {
  return link === 'the backup' ? message : `${link}: ${message}`;
}

function renamed(link: string, f: Finding): Finding {
  return { ...f, message: named(link, f.message) };
}

/** Every link is pinned before a byte of its tars is read: an attacker who controls the priors controls what the combined backup holds. */
function pinSteps(
  links: readonly { input: BackupLinkInput; name: string }[],
  pin: Pin,
  priorPins: readonly Pin[],
  run: Run,
  subject: Subject,
  limits: ReplicationLimits,
): boolean {
  const priors = links.length - 1;
  const fail = (f: Finding, detail?: string): false => {
    run.fail('snapshot', [f], detail);
    return false;
  };
  for (const l of links) {
    if (l.input.manifestBytes.byteLength > limits.maxBackupManifestBytes)
      return fail(
        blockFinding(
          'backup-manifest-invalid',
          named(
            l.name,
            `backup_manifest is ${l.input.manifestBytes.byteLength} bytes; the limit is ${limits.maxBackupManifestBytes}`,
          ),
        ),
      );
  }
  const final = links.at(-1)!;
  const actual = createHash(pin.algorithm).update(final.input.manifestBytes).digest('hex');
  subject.snapshot_digest = `${pin.algorithm}:${actual}`;
  if (!digestsEqual(actual, pin.hex)) {
    const detail = `${pin.algorithm} ${shortHex(actual)} ≠ manifest ${shortHex(pin.hex)}`;
    return fail(
      blockFinding(
        'backup-manifest-digest-mismatch',
        `backup_manifest does not match expected_backup_manifest_hash: ${detail}`,
        'expected_backup_manifest_hash',
      ),
      detail,
    );
  }
  if (priors > priorPins.length)
    return fail(
      blockFinding(
        'backup-chain-prior-unpinned',
        `${priors} prior backup(s) were sent but the manifest pins ${priorPins.length} (expected_prior_backup_manifest_hashes): ${links[priorPins.length]!.name} is unpinned, and a gate does not rely on a link nobody signed for`,
        'expected_prior_backup_manifest_hashes',
      ),
    );
  if (priors < priorPins.length)
    return fail(
      blockFinding(
        'backup-chain-link-missing',
        `the manifest pins ${priorPins.length} prior backup(s) (expected_prior_backup_manifest_hashes) but ${priors} were sent: prior backup ${priors + 1} of ${priorPins.length} is missing`,
        'expected_prior_backup_manifest_hashes',
      ),
    );
  for (const [i, p] of priorPins.entries()) {
    const got = createHash(p.algorithm).update(links[i]!.input.manifestBytes).digest('hex');
    if (!digestsEqual(got, p.hex)) {
      const detail = `${p.algorithm} ${shortHex(got)} ≠ manifest ${shortHex(p.hex)}`;
      return fail(
        blockFinding(
          'backup-manifest-digest-mismatch',
          `${links[i]!.name}: its backup_manifest does not match expected_prior_backup_manifest_hashes[${i}]: ${detail} (a wrong prior, or the priors out of order: oldest first)`,
          `expected_prior_backup_manifest_hashes.${i}`,
        ),
        detail,
      );
    }
  }
  const bytes = final.input.manifestBytes.byteLength;
  run.record(
    'snapshot',
    'pass',
    `backup_manifest ${pin.algorithm} ${shortHex(actual)} matches (${bytes} bytes)${priors > 0 ? `; ${priors} prior backup_manifest(s) match their pins` : ''}`,
  );
  return true;
}

/** The link as a backup of its own: file set, sizes, checksums, tablespaces, identity. */
function checkLink(name: string, manifest: BackupManifest, set: BackupSetOutcome): LinkOutcome {
  const identity = checkIdentity(manifest, set.kept, true, 'chain');
  const findings = [
    ...compareFiles(manifest.files, set.records, ''),
    ...tablespaceFindings(
      manifest.files.map((f) => f.path),
      set.tars.map((t) => t.name),
    ),
    ...identity.findings,
  ].map((f) => renamed(name, f));
  return { name, manifest, set, identity, findings };
}

function archiveDetail(read: readonly LinkOutcome[]): string {
  return read
    .map((l) => {
      const tars = l.set.tars
        .map((t) => `${t.name} (${t.compression})`)
        .sort()
        .join(', ');
      const what = `${l.set.tars.length} tar(s): ${tars}; ${l.set.records.length} file entries, ${l.set.uncompressed} bytes uncompressed`;
      return read.length > 1 ? `${l.name}: ${what}` : what;
    })
    .join('; ');
}

function incrementalCount(read: readonly LinkOutcome[]): number {
  return read.reduce((n, l) => n + l.set.incrementals.length, 0);
}

/**
 * The manifest lists files of a tablespace whose tar was not sent. (A tar the
 * manifest knows nothing of is caught file by file as backup-file-extra; an
 * empty tablespace's tar holds only directories and is fine.)
 */
function tablespaceFindings(
  paths: readonly string[],
  tarNames: readonly string[],
): ReturnType<typeof blockFinding>[] {
  const inManifest = new Set(
    paths.map((p) => /^pg_tblspc\/([0-9]+)\//.exec(p)?.[1]).filter((x): x is string => x !== undefined),
  );
  const sent = new Set(
    tarNames.map((n) => /^([0-9]+)\.tar/.exec(n)?.[1]).filter((x): x is string => x !== undefined),
  );
  const out = [];
  for (const oid of inManifest)
    if (!sent.has(oid))
      out.push(
        blockFinding(
          'backup-tar-missing',
          `backup_manifest lists files of tablespace ${oid} but ${safeName(`${oid}.tar`)} was not sent`,
          `${oid}.tar`,
        ),
      );
  return out;
}
