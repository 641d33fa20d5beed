// Naming, labels and reading of audit segment ConfigMaps (see
// docs/architecture.md, "Audit log"). Pure: the sink does the I/O.
import { GENESIS_HEAD, parseAuditLine, type ChainHead } from '../../core/audit-record.js';
import type { RawAuditEntry } from '../../core/ports/audit.js';
import type { StoredConfigMap } from '../../core/ports/configmaps.js';

export const SEGMENT_LABEL = 'migrationgate.io/audit-segment';
export const WRITER_LABEL = 'migrationgate.io/writer';
export const PREVIOUS_SEGMENT_ANNOTATION = 'migrationgate.io/previous-segment';
export const PREVIOUS_HASH_ANNOTATION = 'migrationgate.io/previous-hash';
export const PREVIOUS_SEQ_ANNOTATION = 'migrationgate.io/previous-seq';
export const RECORDS_KEY = 'records.jsonl';
const PREFIX = 'migration-gate-audit-';

/** Sealing threshold: the object limit is 1 MiB, and metadata and the JSON envelope need room too. */
export const DEFAULT_SEGMENT_MAX_BYTES = 900 * 1024;

export const ALL_SEGMENTS_SELECTOR = `${SEGMENT_LABEL}=true`;

export function writerSelector(writer: string): string {
  return `${SEGMENT_LABEL}=true,${WRITER_LABEL}=${writer}`;
}

export function segmentName(writer: string, n: number): string {
  return `${PREFIX}${writer}-${String(n).padStart(6, '0')}`;
}

export function segmentLabels(writer: string): Record<string, string> {
  return { [SEGMENT_LABEL]: 'true', [WRITER_LABEL]: writer };
}

/** The segment's writer and number, or undefined when the name does not follow the scheme. */
export function segmentId(
  cm: Pick<StoredConfigMap, 'name' | 'labels'>,
): { writer: string; n: number } | undefined {
  const m = /^migration-gate-audit-(.+)-(\d{6,})$/.exec(cm.name);
  if (!m) return undefined;
  return { writer: cm.labels[WRITER_LABEL] ?? m[1]!, n: Number(m[2]) };
}

export function recordsText(cm: Pick<StoredConfigMap, 'data'>): string {
  return cm.data[RECORDS_KEY] ?? '';
}

/**
 * Where `writer`'s chain stands at the end of this segment: its last
 * parseable record, else (a segment created empty) the head its annotations
 * carried over from the previous segment. Scans from the end: only the tail
 * matters, and segments are large.
 */
export function segmentHead(cm: Pick<StoredConfigMap, 'data' | 'annotations'>, writer: string): ChainHead {
  const text = recordsText(cm);
  let end = text.endsWith('\n') ? text.length - 1 : text.length;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const parsed = parseAuditLine(text.slice(start, end));
    if (parsed.ok && parsed.record.writer === writer)
      return { seq: parsed.record.seq, hash: parsed.record.hash };
    end = start - 1; // skip the newline before this line
  }
  const hash = cm.annotations[PREVIOUS_HASH_ANNOTATION];
  const seq = Number(cm.annotations[PREVIOUS_SEQ_ANNOTATION]);
  return hash !== undefined && Number.isSafeInteger(seq) && seq >= 0 ? { seq, hash } : GENESIS_HEAD;
}

/** Writer, then segment number: the order chains are verified in. Foreign names sort last, by name. */
export function orderSegments<T extends Pick<StoredConfigMap, 'name' | 'labels'>>(cms: readonly T[]): T[] {
  const key = (cm: T) => segmentId(cm) ?? { writer: '\uffff', n: 0 };
  return [...cms].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka.writer !== kb.writer) return ka.writer < kb.writer ? -1 : 1;
    if (ka.n !== kb.n) return ka.n - kb.n;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Every stored line of one segment, named `configmap <name> line <n>`. */
export function* segmentEntries(cm: StoredConfigMap): Generator<RawAuditEntry> {
  const text = recordsText(cm);
  if (text === '') return;
  const lines = text.split('\n');
  // A well-formed segment ends with a newline: the last split piece is empty.
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++)
    yield { location: `configmap ${cm.name} line ${i + 1}`, text: lines[i]! };
}
