// Reads a T2 multipart body in arrival order: manifest and signature in
// memory (small, capped), then the snapshot and WAL parts handed on as
// streams, never buffered whole. Used by the REST route and the UI form.
import type { Readable } from 'node:stream';
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports/artifacts.js';
import type { ReplicationRequest } from '../../services/validation/validate-replication.js';
import type { IncomingMessage } from 'node:http';
import type { ReplicationLimits } from '../../core/replication/pipeline.js';
import { bodyDeadlineAsProgress } from './body-deadline.js';
import { readPart, streamParts, type StreamedPart } from './multipart-stream.js';
import { quotedName } from '../../core/safe-text.js';

const SMALL_PART = 1024 * 1024;
const SIGNATURE_PART = 64 * 1024;

export interface ReplicationPartsOptions {
  /**
   * Browser forms send a part with no filename for an optional file input
   * left empty: skip those. API clients get no such leniency (an unnamed WAL
   * part is refused by the core, naming it).
   */
  skipEmptyFileInputs: boolean;
}

/** A T2 body's parts as they arrive: manifest, signature or dsse, snapshot, then at most maxWalFiles WAL files. */
export function replicationPartStream(req: IncomingMessage, limits: ReplicationLimits): AsyncGenerator<StreamedPart> {
  // A multi-GB upload may take long: the body deadline only asks that it keeps moving.
  bodyDeadlineAsProgress(req);
  return streamParts(req, { maxParts: limits.maxWalFiles + 4, maxPartBytes: limits.maxCompressedBytes });
}

export async function readReplicationParts(parts: AsyncGenerator<StreamedPart>, opts: ReplicationPartsOptions): Promise<ReplicationRequest> {
  let manifestBytes: Buffer | undefined;
  let signature: ReplicationRequest['signature'];
  for (;;) {
    const next = await parts.next();
    if (next.done) throw new GateError('missing-part', manifestBytes ? 'multipart part "snapshot" is missing' : 'multipart part "replication_manifest" is missing');
    const part = next.value;
    if (part.name === 'replication_manifest') {
      if (manifestBytes) throw new GateError('bad-request', 'multipart part "replication_manifest" appears twice');
      manifestBytes = await readPart(part, SMALL_PART);
    } else if (part.name === 'signature' || part.name === 'dsse') {
      const bytes = await readPart(part, SIGNATURE_PART);
      if (bytes.length === 0 && opts.skipEmptyFileInputs) continue;
      if (signature) throw new GateError('bad-request', 'send one signature part: "signature" (detached) or "dsse" (envelope)');
      signature = { kind: signatureKind(part.name, bytes), bytes };
    } else if (part.name === 'snapshot') {
      if (!manifestBytes || manifestBytes.length === 0) throw new GateError('bad-request', 'multipart part "replication_manifest" must come before "snapshot"');
      return { manifestBytes, ...(signature ? { signature } : {}), snapshot: partSource(part), wal: walParts(parts, opts) };
    } else {
      part.stream.resume();
      throw new GateError('bad-request', `unexpected multipart part ${quotedName(part.name)} before the snapshot; expected replication_manifest, signature or dsse, snapshot, wal_files`);
    }
  }
}

/** A part named `dsse` is an envelope; so is a `signature` part holding JSON (a detached base64 signature never starts with "{"). */
function signatureKind(name: string, bytes: Buffer): 'dsse' | 'detached' {
  return name === 'dsse' || bytes.toString('utf8').trimStart().startsWith('{') ? 'dsse' : 'detached';
}

function partSource(part: StreamedPart): ByteSource {
  return { stream: part.stream as Readable & AsyncIterable<Uint8Array>, name: part.filename ?? part.name };
}

/** WAL parts after the snapshot; the filename is the WAL name (checked by the core, never used as a path). */
async function* walParts(parts: AsyncGenerator<StreamedPart>, opts: ReplicationPartsOptions): AsyncGenerator<{ name: string; source: ByteSource }> {
  for await (const part of { [Symbol.asyncIterator]: () => parts }) {
    if (part.name !== 'wal_files') {
      part.stream.resume();
      throw new GateError('bad-request', `unexpected multipart part ${quotedName(part.name)} after the snapshot; only wal_files may follow`);
    }
    if (part.filename === undefined && opts.skipEmptyFileInputs) {
      part.stream.resume();
      continue;
    }
    yield { name: part.filename ?? '', source: partSource(part) };
  }
}
