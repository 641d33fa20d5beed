// multipart/form-data over busboy. Small parts (manifests, configs) are
// collected in memory under limits; large parts (snapshots, WAL) are handed
// on as streams in arrival order, never buffered whole.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { GateError } from '../../core/errors.js';

export interface CollectedPart {
  name: string;
  filename?: string;
  bytes: Buffer;
}

export interface CollectLimits {
  maxPartBytes: number;
  maxParts: number;
  allowed: readonly string[];
}

/** Collects every part in memory (T1: two small documents). */
export function collectParts(req: IncomingMessage, limits: CollectLimits): Promise<Map<string, CollectedPart>> {
  return new Promise((resolve, reject) => {
    const parts = new Map<string, CollectedPart>();
    let failed = false;
    const fail = (e: GateError): void => {
      if (failed) return;
      failed = true;
      req.unpipe();
      req.resume();
      reject(e);
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: limits.maxPartBytes, fieldSize: limits.maxPartBytes, parts: limits.maxParts, fields: limits.maxParts, files: limits.maxParts } });
    } catch (e) {
      reject(new GateError('bad-request', `malformed multipart request: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const accept = (name: string, filename: string | undefined, bytes: Buffer): void => {
      if (!limits.allowed.includes(name)) return fail(new GateError('bad-request', `unexpected multipart part "${name.slice(0, 64)}"; expected ${limits.allowed.join(', ')}`));
      if (parts.has(name)) return fail(new GateError('bad-request', `multipart part "${name}" appears twice`));
      parts.set(name, { name, ...(filename ? { filename } : {}), bytes });
    };
    bb.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new GateError('payload-too-large', `multipart part "${name.slice(0, 64)}" exceeds ${limits.maxPartBytes} bytes`)));
      stream.on('end', () => { if (!failed) accept(name, info.filename, Buffer.concat(chunks)); });
    });
    bb.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
      if (info.valueTruncated) return fail(new GateError('payload-too-large', `multipart field "${name.slice(0, 64)}" exceeds ${limits.maxPartBytes} bytes`));
      accept(name, undefined, Buffer.from(value, 'utf8'));
    });
    bb.on('partsLimit', () => fail(new GateError('bad-request', `too many multipart parts (limit ${limits.maxParts})`)));
    bb.on('filesLimit', () => fail(new GateError('bad-request', `too many multipart files (limit ${limits.maxParts})`)));
    bb.on('fieldsLimit', () => fail(new GateError('bad-request', `too many multipart fields (limit ${limits.maxParts})`)));
    bb.on('error', (e: unknown) => fail(new GateError('bad-request', `malformed multipart body: ${e instanceof Error ? e.message : String(e)}`)));
    bb.on('close', () => { if (!failed) resolve(parts); });
    req.on('aborted', () => fail(new GateError('bad-request', 'the client aborted the upload')));
    req.pipe(bb);
  });
}

export function requirePart(parts: Map<string, CollectedPart>, name: string): Buffer {
  const p = parts.get(name);
  if (!p) throw new GateError('missing-part', `multipart part "${name}" is missing`);
  return p.bytes;
}
