// Step 7: the WAL files shipped with the snapshot. Names, listed digests and
// sizes (the list is exhaustive when present), duplicates, the first page
// header, gaps per timeline, and coverage of the backup's WAL-Ranges.
import type { ByteSource } from '../ports/artifacts.js';
import type { Finding } from '../contracts/report.js';
import type { WalFileEntry } from '../contracts/replication-manifest.js';
import { digestsEqual, parseDigest } from '../hashing.js';
import { nextOrAbort, releaseIterator } from './abort.js';
import type { WalRange } from './backup-manifest.js';
import { blockFinding, fail, safeName, VerificationFailure, warnFinding } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import { headerProblems, readLongHeader } from './wal-header.js';
import {
  DEFAULT_WAL_SEGMENT_SIZE,
  isValidSegmentSize,
  parseWalName,
  segmentNumber,
  segmentStartLsn,
  walFileName,
  type WalName,
} from './wal-name.js';
import { readWalFile, type WalRead } from './wal-read.js';
import { compressedWalName, readCompressedWal } from './wal-compressed.js';
import { findGaps } from './wal-sequence.js';
import type { EmbeddedWal } from './wal-scan.js';
import { restorabilityFindings, type UsableSegment } from './restorability.js';
import { parseHistory, timelineFindings, type HistoryEntry } from './timelines.js';

export interface WalFacts {
  listed: number;
  received: number;
  continuous: boolean;
  covers_backup: boolean;
}

export interface WalInput {
  files: AsyncIterable<{ name: string; source: ByteSource }>;
  listed: readonly WalFileEntry[] | undefined;
  /** The backup's WAL-Ranges; undefined when the snapshot has no backup_manifest. */
  walRanges: readonly WalRange[] | undefined;
  /** Segments found inside the backup (pg_wal/, pg_wal.tar). */
  embedded?: readonly EmbeddedWal[];
  /** The backup's system identifier (global/pg_control); every segment must carry it. */
  systemId?: bigint;
  /** Used when no segment's header says it (backup_label's start LSN and file name agree on one). */
  segmentSizeHint?: number;
  /** Checks that need the timeline histories the WAL carries (an incremental chain's, backup-chain.ts). */
  historyChecks?: (histories: ReadonlyMap<number, HistoryEntry[]>) => Finding[];
  limits: ReplicationLimits;
  signal?: AbortSignal;
  onBytes: (n: number) => void;
}

export interface WalOutcome {
  facts: WalFacts;
  findings: Finding[];
  detail: string;
}

type Segment = { name: string; parsed: Extract<WalName, { kind: 'segment' }>; read: WalRead; from: string };

export async function verifyWal(input: WalInput): Promise<WalOutcome> {
  const findings: Finding[] = [];
  const listed = listedMap(input.listed, findings);
  const received = new Set<string>();
  const walSeen = new Set<string>();
  const segments: Segment[] = [];
  const histories = new Map<number, HistoryEntry[]>();
  const it = input.files[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const r = await nextOrAbort(it, input.signal);
      if (r.done) break;
      const { name, source } = r.value;
      if (received.size >= input.limits.maxWalFiles) {
        releaseIterator(source.stream[Symbol.asyncIterator]());
        fail('wal-budget-exceeded', `more than ${input.limits.maxWalFiles} WAL files`);
      }
      const seg = await receiveOne(name, source, received, walSeen, listed, input, findings);
      if (seg && 'history' in seg) histories.set(seg.timeline, seg.history);
      else if (seg) segments.push(seg);
    }
    finished = true;
  } catch (e) {
    findings.push(
      e instanceof VerificationFailure
        ? e.finding
        : blockFinding(
            'wal-read-error',
            `receiving WAL files failed after ${received.size} file(s): ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
          ),
    );
  } finally {
    if (!finished) releaseIterator(it);
  }
  if (finished) {
    for (const name of listed.keys()) {
      if (!received.has(name))
        findings.push(
          blockFinding(
            'wal-missing',
            `WAL file ${safeName(name)} is listed in the manifest but was not received`,
            name,
          ),
        );
    }
  }
  return analyse(segments, histories, received.size, input, findings, finished);
}

function listedMap(
  list: readonly WalFileEntry[] | undefined,
  findings: Finding[],
): Map<string, { hex: string; size?: number }> {
  const map = new Map<string, { hex: string; size?: number }>();
  for (const w of list ?? []) {
    if (!parseWalName(compressedWalName(w.name)?.inner ?? w.name))
      findings.push(
        blockFinding(
          'wal-invalid-name',
          `manifest lists an invalid WAL file name ${safeName(w.name)}`,
          w.name,
        ),
      );
    if (map.has(w.name))
      findings.push(
        blockFinding('wal-duplicate', `manifest lists WAL file ${safeName(w.name)} twice`, w.name),
      );
    const d = parseDigest(w.sha256, ['sha256']);
    map.set(w.name, { hex: d.ok ? d.hex : '', ...(w.size !== undefined ? { size: w.size } : {}) });
  }
  return map;
}

async function receiveOne(
  name: string,
  source: ByteSource,
  received: Set<string>,
  walSeen: Set<string>,
  listed: Map<string, { hex: string; size?: number }>,
  input: WalInput,
  findings: Finding[],
): Promise<Segment | { timeline: number; history: HistoryEntry[] } | undefined> {
  // `<segment>.gz|.zst|.lz4` (an archive command's compression) is that segment, decoded.
  const packed = compressedWalName(name);
  const walName = packed?.inner ?? name;
  const parsed = parseWalName(walName);
  // One segment sent twice, plain and compressed, is a duplicate too.
  const duplicate = received.has(name) || walSeen.has(walName);
  received.add(name);
  walSeen.add(walName);
  if (!parsed || duplicate) {
    // Not read at all: its bytes can only be refused.
    releaseIterator(source.stream[Symbol.asyncIterator]());
    findings.push(
      parsed
        ? blockFinding('wal-duplicate', `WAL file ${safeName(name)} was received twice`, name.slice(0, 200))
        : blockFinding(
            'wal-invalid-name',
            `WAL file name ${safeName(name)} is not a WAL segment, .partial, .backup or .history name`,
            name.slice(0, 200),
          ),
    );
    return undefined;
  }
  const { read, sent } = packed
    ? await readCompressedWal(
        name,
        walName,
        packed.claim,
        source,
        input.limits.maxWalFileBytes,
        input.signal,
        input.onBytes,
      )
    : await readWalFile(walName, source, input.limits.maxWalFileBytes, input.signal, input.onBytes).then(
        (r) => ({ read: r, sent: { sha256: r.sha256, size: r.size } }),
      );
  // The manifest's digest and size are of the file as sent (compressed, for a packed one).
  const want = listed.get(name);
  if (want) {
    if (want.size !== undefined && want.size !== sent.size) {
      findings.push(
        blockFinding(
          'wal-size-mismatch',
          `WAL file ${safeName(name)} has ${sent.size} bytes but the manifest says ${want.size}`,
          name,
        ),
      );
    } else if (!digestsEqual(sent.sha256, want.hex)) {
      findings.push(
        blockFinding(
          'wal-digest-mismatch',
          `WAL file ${safeName(name)} sha256 ${sent.sha256} ≠ manifest ${want.hex}`,
          name,
        ),
      );
    }
  } else if (input.listed !== undefined) {
    findings.push(
      blockFinding(
        'wal-unlisted',
        `WAL file ${safeName(name)} was received but is not listed in the manifest (the list is exhaustive)`,
        name,
      ),
    );
  }
  if (parsed.kind === 'history') {
    const h = parseHistory(read.text ?? '', parsed.timeline);
    if (typeof h === 'string') {
      findings.push(
        blockFinding('wal-history-invalid', `${safeName(name)} is not a timeline history file: ${h}`, name),
      );
      return undefined;
    }
    return { timeline: parsed.timeline, history: h };
  }
  return parsed.kind === 'segment'
    ? {
        name: walName,
        parsed,
        read,
        from: packed ? `the WAL files sent, as ${safeName(name)}` : 'the WAL files sent',
      }
    : undefined;
}

function analyse(
  sent: Segment[],
  sentHistories: ReadonlyMap<number, HistoryEntry[]>,
  receivedCount: number,
  input: WalInput,
  findings: Finding[],
  finished: boolean,
): WalOutcome {
  const embedded: Segment[] = (input.embedded ?? []).flatMap((e) => {
    const parsed = parseWalName(e.name);
    return parsed?.kind === 'segment'
      ? [
          {
            name: e.name,
            parsed,
            read: {
              sha256: '',
              size: e.size,
              head: e.head,
              validBytes: e.validBytes,
              ...(e.systemId !== undefined ? { systemId: e.systemId } : {}),
            },
            from: e.from,
          },
        ]
      : [];
  });
  const segments = [...embedded, ...sent];
  const histories = withEmbeddedHistories(sentHistories, input.embedded ?? [], findings);
  const segSize = segmentSizeOf(segments, input.segmentSizeHint);
  const usable = checkSegments(segments, segSize, findings);
  systemIdFindings(segments, input.systemId, findings);
  const good = usable.map((u) => ({ timeline: u.timeline, segno: u.segno }));
  const tl = timelineFindings(
    usable.map((u) => ({
      timeline: u.timeline,
      segno: u.segno,
      name: walFileName(u.timeline, u.segno, segSize),
    })),
    histories,
    segSize,
  );
  findings.push(...tl.findings);
  if (finished) findings.push(...(input.historyChecks?.(histories) ?? []));
  // Along a checked history the hand-over gaps replace the per-timeline ones.
  const gaps = tl.checked ? [] : findGaps(good, segSize);
  if (gaps.length > 0)
    findings.push(
      blockFinding(
        'wal-gap',
        `WAL sequence has a gap: missing ${gaps.slice(0, 5).join(', ')}${gaps.length > 5 ? ', …' : ''}`,
        gaps[0],
      ),
    );
  // A backup_manifest says which WAL a restore needs: without it, the copy cannot start.
  const restore = input.walRanges ? restorabilityFindings(input.walRanges, usable, segSize) : [];
  if (finished) findings.push(...restore);
  const coversBackup =
    finished && input.walRanges !== undefined && input.walRanges.length > 0 && restore.length === 0;
  findings.push(...advisories(input, receivedCount));
  const continuous =
    finished &&
    gaps.length === 0 &&
    !findings.some(
      (f) => f.rule === 'wal-missing' || f.rule === 'wal-gap' || f.rule.startsWith('wal-timeline'),
    );
  const inBackup = embedded.length > 0 ? `, ${embedded.length} in the backup` : '';
  return {
    facts: {
      listed: input.listed?.length ?? 0,
      received: receivedCount,
      continuous,
      covers_backup: coversBackup,
    },
    findings,
    detail: `${receivedCount} WAL file(s)${inBackup}, ${good.length} segment(s) of ${segSize} bytes, ${coverageWords(coversBackup, input.walRanges !== undefined && input.walRanges.length > 0)}`,
  };
}

/**
 * `<TLI>.history` files inside the backup (pg_wal/, pg_wal.tar) get what a
 * sent one gets: parsed, refused when invalid, and followed by the timeline
 * checks. Sent beside the backup too, the two must say the same.
 */
function withEmbeddedHistories(
  sent: ReadonlyMap<number, HistoryEntry[]>,
  embedded: readonly EmbeddedWal[],
  findings: Finding[],
): ReadonlyMap<number, HistoryEntry[]> {
  const out = new Map(sent);
  for (const e of embedded) {
    const parsed = parseWalName(e.name);
    if (parsed?.kind !== 'history' || e.text === undefined) continue;
    const h = parseHistory(e.text, parsed.timeline);
    if (typeof h === 'string') {
      findings.push(
        blockFinding(
          'wal-history-invalid',
          `${safeName(e.name)} (${e.from}) is not a timeline history file: ${h}`,
          e.name,
        ),
      );
      continue;
    }
    const other = out.get(parsed.timeline);
    if (other && !sameHistory(other, h)) {
      findings.push(
        blockFinding(
          'wal-history-invalid',
          `${safeName(e.name)} (${e.from}) and the one sent with the WAL files disagree: one history or refuse`,
          e.name,
        ),
      );
      continue;
    }
    out.set(parsed.timeline, h);
  }
  return out;
}

function sameHistory(a: readonly HistoryEntry[], b: readonly HistoryEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((e, i) => e.parent === b[i]!.parent && e.switchpoint === b[i]!.switchpoint)
  );
}

/**
 * The WAL step's own words about coverage. A step that passes must not read
 * like a failure: when coverage is missing it says so as what it is, a
 * warning the policies decide on (wal-coverage), not as a passing check.
 */
function coverageWords(covers: boolean, hasRanges: boolean): string {
  if (covers) return "covering the backup's WAL-Ranges";
  if (!hasRanges) return 'no backup_manifest WAL-Ranges to check coverage against';
  return "coverage of the backup's WAL-Ranges incomplete: warning wal-coverage (the policies decide whether it blocks)";
}

/** Every segment from one cluster: the backup's (pg_control), or else the first one seen. */
function systemIdFindings(
  segments: readonly Segment[],
  expected: bigint | undefined,
  findings: Finding[],
): void {
  let want = expected;
  let n = 0;
  for (const s of segments) {
    const id = s.read.systemId;
    if (id === undefined) continue;
    want ??= id;
    if (id !== want && n++ < 20) {
      findings.push(
        blockFinding(
          'wal-system-id-mismatch',
          `WAL segment ${safeName(s.name)} (${s.from}) belongs to cluster ${id}, not ${want}${expected !== undefined ? " (the backup's global/pg_control)" : ''}: WAL from another cluster cannot be replayed`,
          s.name,
        ),
      );
    }
  }
}

/** Warnings only: whether they block is the policies' call (facts.wal). */
function advisories(input: WalInput, receivedCount: number): Finding[] {
  const out: Finding[] = [];
  if (receivedCount === 0) return out;
  if (input.listed === undefined) {
    out.push(
      warnFinding(
        'wal-not-listed',
        `${receivedCount} WAL file(s) received but the manifest lists none: their digests are unverified`,
      ),
    );
  }
  return out;
}

/** Segments whose name and first page agree; the others become findings. */
function checkSegments(segments: readonly Segment[], segSize: number, findings: Finding[]): UsableSegment[] {
  const good: UsableSegment[] = [];
  for (const s of segments) {
    const segno = segmentNumber(s.parsed.hi, s.parsed.lo, segSize);
    if (segno === undefined) {
      findings.push(
        blockFinding(
          'wal-invalid-name',
          `WAL file ${safeName(s.name)} is out of range for ${segSize}-byte segments`,
          s.name,
        ),
      );
      continue;
    }
    const problems = segmentProblems(s, segno, segSize);
    if (problems.length > 0) {
      findings.push(
        blockFinding(
          'wal-header-mismatch',
          `WAL file ${safeName(s.name)}${s.from === 'the WAL files sent' ? '' : ` (${s.from})`}: ${problems.join('; ')}`,
          s.name,
        ),
      );
      continue;
    }
    // A .partial segment is incomplete: valid to ship, but it proves no continuity.
    if (!s.parsed.partial)
      good.push({ timeline: s.parsed.timeline, segno, validBytes: s.read.validBytes ?? 0, from: s.from });
  }
  return good;
}

/** The first valid xlp_seg_size found; every other header is then checked against it. */
function segmentSizeOf(segments: readonly Segment[], hint: number | undefined): number {
  for (const s of segments) {
    const h = readLongHeader(s.read.head);
    if (h && isValidSegmentSize(h.segmentSize)) return h.segmentSize;
  }
  return hint ?? DEFAULT_WAL_SEGMENT_SIZE;
}

function segmentProblems(s: Segment, segno: bigint, segSize: number): string[] {
  const h = readLongHeader(s.read.head);
  if (!h) return [`only ${s.read.size} bytes: too short for a WAL page header`];
  const problems = headerProblems(h, {
    timeline: s.parsed.timeline,
    startLsn: segmentStartLsn(segno, segSize),
    segmentSize: segSize,
  });
  if (!s.parsed.partial && s.read.size !== segSize)
    problems.push(`size ${s.read.size} ≠ segment size ${segSize}`);
  return problems;
}
