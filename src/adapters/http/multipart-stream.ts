// Streams multipart parts in arrival order: each part's bytes flow straight
// from the socket to whoever reads the part (busboy applies backpressure while
// nobody reads), so a snapshot is never held whole in memory or put on disk.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { GateError, describeError } from '../../core/errors.js';
import { PartCharsetWatch } from './part-charset-watch.js';
import { safeDetail, quotedName } from '../../core/safe-text.js';

/** Plain (non-file) fields are small by nature: manifests, signatures, configs sent as text. */
const FIELD_LIMIT = 2 * 1024 * 1024;

export interface StreamedPart {
  name: string;
  filename?: string;
  stream: Readable;
}

export interface StreamLimits {
  maxParts: number;
  maxPartBytes: number;
}

export async function* streamParts(req: IncomingMessage, limits: StreamLimits): AsyncGenerator<StreamedPart> {
  let bb: busboy.Busboy;
  try {
    // preservePath: the core must see (and refuse, naming it) a WAL part called ../../etc/passwd.
    // defCharset latin1: an undeclared field decodes byte for byte, and is re-encoded the same way below.
    bb = busboy({
      headers: req.headers,
      preservePath: true,
      defCharset: 'latin1',
      limits: {
        parts: limits.maxParts,
        files: limits.maxParts,
        fields: limits.maxParts,
        fileSize: limits.maxPartBytes,
        fieldSize: FIELD_LIMIT,
      },
    });
  } catch (e) {
    throw new GateError('bad-request', `malformed multipart request: ${safeDetail(describeError(e))}`);
  }
  const queue: StreamedPart[] = [];
  let done = false;
  let failure: GateError | undefined;
  let wake: (() => void) | undefined;
  const open = new Set<Readable>();
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const fail = (e: GateError): void => {
    failure ??= e;
    // A part being read when the client vanished must end with an error,
    // or its reader would wait forever.
    for (const s of open) s.destroy(e);
    notify();
  };

  const watch = new PartCharsetWatch(req.headers['content-type']);
  const charsetDeclared = (name: string): boolean => {
    if (watch.declared === undefined) return false;
    fail(
      new GateError(
        'bad-request',
        `multipart part "${name.slice(0, 64)}" (or one before it) declares a charset in its ${watch.declared} header; the gate hashes the exact bytes it receives, so send parts without a charset (UTF-8 text as-is, or as a file part)`,
      ),
    );
    return true;
  };
  bb.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => {
    if (charsetDeclared(name)) {
      stream.resume();
      return;
    }
    open.add(stream);
    // fail() destroys open parts with its error, also parts still queued that
    // no reader holds yet: without a listener of our own that error would be
    // uncaught and take the process down. Readers still get it when they read.
    stream.on('error', () => undefined);
    stream.once('close', () => open.delete(stream));
    stream.once('end', () => open.delete(stream));
    stream.on('limit', () =>
      stream.destroy(
        new GateError(
          'payload-too-large',
          `multipart part ${quotedName(name)} exceeds ${limits.maxPartBytes} bytes`,
        ),
      ),
    );
    queue.push({ name, ...(info.filename ? { filename: info.filename } : {}), stream });
    notify();
  });
  bb.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
    // busboy cuts an over-long field short and says so: never hand on a truncated value.
    if (info.valueTruncated)
      return fail(
        new GateError(
          'payload-too-large',
          `multipart field ${quotedName(name)} exceeds ${FIELD_LIMIT} bytes`,
        ),
      );
    if (charsetDeclared(name)) return;
    // The exact bytes that were sent (decoded as latin1 above, so this is lossless).
    queue.push({ name, stream: Readable.from([Buffer.from(value, 'latin1')]) });
    notify();
  });
  for (const ev of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const)
    bb.on(ev, () =>
      fail(new GateError('bad-request', `too many multipart parts (limit ${limits.maxParts})`)),
    );
  bb.on('error', (e: unknown) =>
    fail(new GateError('bad-request', `malformed multipart body: ${safeDetail(describeError(e))}`)),
  );
  bb.on('close', () => {
    done = true;
    notify();
  });
  req.on('aborted', () => fail(new GateError('bad-request', 'the client stopped sending mid-upload')));
  req.on('close', () => {
    if (!req.complete) fail(new GateError('bad-request', 'the client stopped sending mid-upload'));
  });
  req.pipe(watch).pipe(bb);

  let previous: StreamedPart | undefined;
  try {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        previous = next;
        continue;
      }
      // Asking for the next part means the reader is done with the previous
      // one: drain what it left, or busboy waits on it and never emits more.
      if (previous && !previous.stream.readableEnded) previous.stream.resume();
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // Whatever the consumer did not read is drained so the socket is freed.
    for (const p of queue) p.stream.resume();
    previous?.stream.resume();
    req.unpipe(watch);
    watch.unpipe(bb);
    if (!req.complete) req.resume();
  }
}

/** Reads a (small) part fully, under a limit. */
export async function readPart(part: StreamedPart, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of part.stream as AsyncIterable<Buffer>) {
    total += c.length;
    if (total > limit) {
      part.stream.resume();
      throw new GateError(
        'payload-too-large',
        `multipart part ${quotedName(part.name)} exceeds ${limit} bytes`,
      );
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks, total);
}
