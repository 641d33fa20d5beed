// POST /api/v1/validate/replication.
//  - multipart, streamed, parts in this order: replication_manifest, optional
//    signature (detached) or dsse (envelope), snapshot, then wal_files
//    repeated (each part's filename is the WAL file name);
//  - JSON {manifest, signature?|dsse?, snapshot_url, wal_files?: [{name, url}]}.
// ALLOW 200, BLOCK 422, malformed 4xx problem+json (audited as BLOCK).
import type { Readable } from 'node:stream';
import { ReplicationJsonRequestSchema } from '../../../core/contracts/api.js';
import { GateError, isGateError } from '../../../core/errors.js';
import type { ArtifactSource, ByteSource } from '../../../core/ports.js';
import type { ReplicationLimits } from '../../../core/replication/pipeline.js';
import { parseStrictJson } from '../../../core/strict-parse.js';
import { validateReplication, type ReplicationRequest } from '../../../services/validate-replication.js';
import type { ApiDeps } from '../api-deps.js';
import { mediaType, readBody } from '../body.js';
import { readPart, streamParts, type StreamedPart } from '../multipart-stream.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';
import { answerMalformed } from './malformed.js';

export interface ReplicationRouteDeps {
  artifacts: ArtifactSource;
  limits: ReplicationLimits;
}

const SMALL_PART = 1024 * 1024;

export async function validateReplicationRoute(ctx: RequestContext, deps: ApiDeps, t2: ReplicationRouteDeps): Promise<void> {
  const type = mediaType(ctx.req);
  let parts: AsyncGenerator<StreamedPart> | undefined;
  try {
    let request: ReplicationRequest;
    if (type === 'multipart/form-data') {
      parts = streamParts(ctx.req, { maxParts: t2.limits.maxWalFiles + 4, maxPartBytes: t2.limits.maxCompressedBytes });
      request = await fromMultipart(parts);
    } else if (type === 'application/json') {
      request = await fromJson(await readBody(ctx.req, deps.limits.maxBodyBytes), t2.artifacts);
    } else {
      ctx.req.resume();
      throw new GateError('unsupported-media-type', `content type "${type.slice(0, 80) || '(none)'}" is not accepted; send multipart/form-data or application/json`);
    }
    const report = await validateReplication(deps.gate, { ...request, subject: { source: 'api' } }, { requestId: ctx.requestId, source: 'api', limits: t2.limits });
    if (!ctx.res.destroyed) sendJson(ctx.res, report.decision === 'ALLOW' ? 200 : 422, report);
  } catch (e) {
    if (!isGateError(e)) throw e;
    return answerMalformed(ctx, deps, 'T2', e);
  } finally {
    await parts?.return(undefined);
  }
}

async function fromMultipart(parts: AsyncGenerator<StreamedPart>): Promise<ReplicationRequest> {
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
      if (signature) throw new GateError('bad-request', 'send one signature part: "signature" (detached) or "dsse" (envelope)');
      signature = { kind: part.name === 'dsse' ? 'dsse' : 'detached', bytes: await readPart(part, 64 * 1024) };
    } else if (part.name === 'snapshot') {
      if (!manifestBytes) throw new GateError('bad-request', 'multipart part "replication_manifest" must come before "snapshot"');
      return { manifestBytes, ...(signature ? { signature } : {}), snapshot: partSource(part), wal: walParts(parts) };
    } else {
      part.stream.resume();
      throw new GateError('bad-request', `unexpected multipart part "${part.name.slice(0, 64)}" before the snapshot; expected replication_manifest, signature or dsse, snapshot, wal_files`);
    }
  }
}

function partSource(part: StreamedPart): ByteSource {
  return { stream: part.stream as Readable & AsyncIterable<Uint8Array>, name: part.filename ?? part.name };
}

/** WAL parts after the snapshot; the part's filename is the WAL name (checked by the core, never used as a path). */
async function* walParts(parts: AsyncGenerator<StreamedPart>): AsyncGenerator<{ name: string; source: ByteSource }> {
  for await (const part of { [Symbol.asyncIterator]: () => parts }) {
    if (part.name !== 'wal_files') {
      part.stream.resume();
      throw new GateError('bad-request', `unexpected multipart part "${part.name.slice(0, 64)}" after the snapshot; only wal_files may follow`);
    }
    yield { name: part.filename ?? '', source: partSource(part) };
  }
}

async function fromJson(body: Buffer, artifacts: ArtifactSource): Promise<ReplicationRequest> {
  const parsed = parseStrictJson(body, 'request body');
  if (!parsed.ok) throw new GateError('bad-request', parsed.message);
  const checked = ReplicationJsonRequestSchema.safeParse(parsed.value);
  if (!checked.success) {
    const i = checked.error.issues[0]!;
    throw new GateError('bad-request', `request body: ${i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : `field "${i.path.join('.')}": ${i.message}`}`);
  }
  const req = checked.data;
  if (req.signature && req.dsse) throw new GateError('bad-request', 'send "signature" or "dsse", not both');
  const signature = req.dsse ? { kind: 'dsse' as const, bytes: Buffer.from(req.dsse, 'utf8') }
    : req.signature ? { kind: 'detached' as const, bytes: Buffer.from(req.signature, 'utf8') } : undefined;
  const snapshot = await artifacts.open(req.snapshot_url);
  async function* wal(): AsyncGenerator<{ name: string; source: ByteSource }> {
    for (const w of req.wal_files ?? []) yield { name: w.name, source: await artifacts.open(w.url) };
  }
  return { manifestBytes: Buffer.from(req.manifest, 'utf8'), ...(signature ? { signature } : {}), snapshot, wal: wal() };
}
