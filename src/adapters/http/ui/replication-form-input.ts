// Reads the replication form's multipart body in arrival order, streaming
// the snapshot and WAL parts straight into the T2 service (never buffered
// whole), like the REST route. Browsers differ from API clients in two ways
// handled here: an optional file input left empty still sends a part with no
// filename (skipped), and the signature file may be a detached signature or
// a DSSE envelope (an envelope is JSON).
import type { Readable } from 'node:stream';
import { GateError } from '../../../core/errors.js';
import type { ByteSource } from '../../../core/ports.js';
import type { ReplicationRequest } from '../../../services/validate-replication.js';
import { readPart, type StreamedPart } from '../multipart-stream.js';

const SMALL_PART = 1024 * 1024;

export async function readReplicationForm(parts: AsyncGenerator<StreamedPart>): Promise<ReplicationRequest> {
  let manifestBytes: Buffer | undefined;
  let signature: ReplicationRequest['signature'];
  for (;;) {
    const next = await parts.next();
    if (next.done) throw new GateError('missing-part', manifestBytes ? 'the form sent no snapshot file' : 'the form sent no replication manifest');
    const part = next.value;
    if (part.name === 'replication_manifest') {
      manifestBytes = await readPart(part, SMALL_PART);
    } else if (part.name === 'signature') {
      const bytes = await readPart(part, 64 * 1024);
      if (bytes.length > 0) signature = { kind: bytes.toString('utf8').trimStart().startsWith('{') ? 'dsse' : 'detached', bytes };
    } else if (part.name === 'snapshot') {
      if (!manifestBytes || manifestBytes.length === 0) throw new GateError('missing-part', 'choose a replication manifest file');
      return { manifestBytes, ...(signature ? { signature } : {}), snapshot: source(part), wal: walParts(parts) };
    } else {
      part.stream.resume();
      throw new GateError('bad-request', `unexpected form field "${part.name.slice(0, 64)}"`);
    }
  }
}

function source(part: StreamedPart): ByteSource {
  return { stream: part.stream as Readable & AsyncIterable<Uint8Array>, name: part.filename ?? part.name };
}

async function* walParts(parts: AsyncGenerator<StreamedPart>): AsyncGenerator<{ name: string; source: ByteSource }> {
  for await (const part of { [Symbol.asyncIterator]: () => parts }) {
    if (part.name !== 'wal_files') {
      part.stream.resume();
      throw new GateError('bad-request', `unexpected form field "${part.name.slice(0, 64)}" after the snapshot`);
    }
    // An empty "choose files" input: a part without a filename. Real WAL files always have one.
    if (part.filename === undefined) {
      part.stream.resume();
      continue;
    }
    // The name goes to the core as sent (it refuses paths and odd names, naming them).
    yield { name: part.filename, source: source(part) };
  }
}
