// Small multipart bodies collected in memory (T1: two documents), built on
// the streaming reader so there is one busboy wrapper with one set of limits.
import type { IncomingMessage } from 'node:http';
import { GateError } from '../../core/errors.js';
import { readPart, streamParts, type StreamedPart } from './multipart-stream.js';
import { quotedName } from '../../core/safe-text.js';

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

export async function collectParts(
  req: IncomingMessage,
  limits: CollectLimits,
): Promise<Map<string, CollectedPart>> {
  return collectStream(
    streamParts(req, { maxParts: limits.maxParts, maxPartBytes: limits.maxPartBytes }),
    limits,
  );
}

/** The rest of a part stream, collected (the UI forms check their CSRF field first, then this). */
export async function collectStream(
  stream: AsyncGenerator<StreamedPart>,
  limits: CollectLimits,
): Promise<Map<string, CollectedPart>> {
  const parts = new Map<string, CollectedPart>();
  try {
    for await (const part of stream) {
      if (!limits.allowed.includes(part.name)) {
        part.stream.resume();
        throw new GateError(
          'bad-request',
          `unexpected multipart part ${quotedName(part.name)}; expected ${limits.allowed.join(', ')}`,
        );
      }
      if (parts.has(part.name))
        throw new GateError('bad-request', `multipart part ${quotedName(part.name)} appears twice`);
      parts.set(part.name, {
        name: part.name,
        ...(part.filename ? { filename: part.filename } : {}),
        bytes: await readPart(part, limits.maxPartBytes),
      });
    }
  } finally {
    await stream.return(undefined);
  }
  return parts;
}

export function requirePart(parts: Map<string, CollectedPart>, name: string): Buffer {
  const p = parts.get(name);
  if (!p) throw new GateError('missing-part', `multipart part "${name}" is missing`);
  return p.bytes;
}
