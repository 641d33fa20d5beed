// The file audit log's head, kept beside it (`audit.jsonl.head`): the last
// acknowledged record (writer, seq, hash) and the log's length then. A log
// cut back, deleted or swapped while the gate was down would otherwise
// start a fresh chain that verifies; with the head the next start refuses.
// It cannot defend against someone who rewrites both files: that is what
// checkpoints sent outside the store are for (docs/architecture.md, "Trust model").
import { open, readFile, rename } from 'node:fs/promises';
import type { ChainHead } from '../../core/audit-record.js';
import { GateError } from '../../core/errors.js';

export interface AuditHead {
  writer: string;
  seq: number;
  hash: string;
  /** Bytes of the log once this record was durable. */
  size: number;
}

export function headPathOf(logPath: string): string {
  return `${logPath}.head`;
}

/** The recorded head, or undefined when there is none yet (a new log, or one from before heads existed). */
export async function readHead(logPath: string): Promise<AuditHead | undefined> {
  let text: string;
  try {
    text = await readFile(headPathOf(logPath), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GateError(
      'audit-unavailable',
      `audit head file ${headPathOf(logPath)} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      undefined,
      { cause: e },
    );
  }
  const head = parseHead(text);
  if (!head)
    throw new GateError(
      'audit-unavailable',
      `audit head file ${headPathOf(logPath)} is not a valid head record; restore it, or move it and the log aside to start a new log`,
    );
  return head;
}

function parseHead(text: string): AuditHead | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.writer !== 'string' || typeof o.hash !== 'string') return undefined;
  if (
    !Number.isSafeInteger(o.seq) ||
    !Number.isSafeInteger(o.size) ||
    (o.seq as number) < 1 ||
    (o.size as number) < 0
  )
    return undefined;
  return { writer: o.writer, seq: o.seq as number, hash: o.hash, size: o.size as number };
}

/**
 * Replaces the head atomically: a temp file, fsync'd, renamed over it.
 * The rename is not followed by a directory fsync: after a power loss the
 * old head may come back, which lags the log (accepted), never leads it.
 */
export async function writeHead(logPath: string, head: AuditHead): Promise<void> {
  const target = headPathOf(logPath);
  const tmp = `${target}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(head)}\n`, 'utf8');
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, target);
}

/**
 * Why a log does not reach its head, or undefined when it does. A log
 * longer than the head is fine (a crash between the log's fsync and the
 * head's write); shorter, or a different record at the head's seq, is not.
 */
export function checkHead(
  head: AuditHead,
  log: { size: number; last: ChainHead | undefined; hashAtSeq: string | undefined },
): string | undefined {
  const at = `writer ${head.writer} seq ${head.seq}`;
  if (!log.last || log.last.seq < head.seq) {
    return `ends at ${log.last ? `seq ${log.last.seq}` : 'no record'} of writer ${head.writer} but its head file records ${at}: records were removed`;
  }
  if (log.hashAtSeq !== head.hash)
    return `holds a different record at ${at} than its head file records: the log was replaced or rewritten`;
  if (log.size < head.size)
    return `is ${log.size} bytes, shorter than the ${head.size} bytes its head file records at ${at}`;
  return undefined;
}
