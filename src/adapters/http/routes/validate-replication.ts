// POST /api/v1/validate/replication.
//  - multipart, streamed, parts in this order: replication_manifest, optional
//    signature (detached) or dsse (envelope), snapshot, then wal_files
//    repeated (each part's filename is the WAL file name);
//    A pg_basebackup directory instead of the snapshot: backup_manifest,
//    then one backup_file part per tar (filename = its name there, any order);
//    small parts (manifest, signature, backup_manifest) in any order first;
//  - JSON {manifest, signature?|dsse?, snapshot_url | backup_url, prior_backup_urls?, wal_files?: [{name, url}]};
//    an incremental chain (prior_backup_urls, oldest first) only this way: a multipart body carries one backup.
// ALLOW 200, BLOCK 422, malformed 4xx problem+json (audited as BLOCK); a
// manifest env the token may not vouch for: 403, audited (token-envs.ts).
import { ReplicationJsonRequestSchema } from '../../../core/contracts/api.js';
import { GateError, isGateError } from '../../../core/errors.js';
import type { ArtifactSource, ByteSource } from '../../../core/ports/artifacts.js';
import type { ReplicationLimits } from '../../../core/replication/pipeline.js';
import { parseStrictJson } from '../../../core/strict-parse.js';
import {
  backupFromArtifacts,
  validateReplication,
  type ReplicationRequest,
} from '../../../services/validation/validate-replication.js';
import type { ApiDeps } from '../api-deps.js';
import { mediaType, readBody } from '../body.js';
import type { StreamedPart } from '../multipart-stream.js';
import { readReplicationParts, replicationPartStream } from '../replication-parts.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';
import { answerMalformed } from './malformed.js';
import { safeMediaType } from '../../../core/safe-text.js';
import { describeZodIssue } from '../../../core/zod-findings.js';
import { statusOf, tokenEnvBinding } from './token-envs.js';

export interface ReplicationRouteDeps {
  artifacts: ArtifactSource;
  limits: ReplicationLimits;
}

export async function validateReplicationRoute(
  ctx: RequestContext,
  deps: ApiDeps,
  t2: ReplicationRouteDeps,
): Promise<void> {
  const type = mediaType(ctx.req);
  let parts: AsyncGenerator<StreamedPart> | undefined;
  try {
    let request: ReplicationRequest;
    if (type === 'multipart/form-data') {
      parts = replicationPartStream(ctx.req, t2.limits);
      request = await readReplicationParts(parts, { skipEmptyFileInputs: false }, t2.limits);
    } else if (type === 'application/json') {
      request = await fromJson(await readBody(ctx.req, deps.limits.maxBodyBytes), t2.artifacts);
    } else {
      ctx.req.resume();
      throw new GateError(
        'unsupported-media-type',
        `content type ${safeMediaType(type)} is not accepted; send multipart/form-data or application/json`,
      );
    }
    const report = await validateReplication(
      deps.gate,
      { ...request, subject: { source: 'api' }, envBinding: tokenEnvBinding(ctx) },
      {
        requestId: ctx.requestId,
        ...(ctx.correlationId !== undefined ? { correlationId: ctx.correlationId } : {}),
        source: 'api',
        limits: t2.limits,
      },
    );
    if (!ctx.res.destroyed) sendJson(ctx.res, statusOf(report), report);
  } catch (e) {
    if (!isGateError(e)) throw e;
    return answerMalformed(ctx, deps, 'T2', e);
  } finally {
    await parts?.return(undefined);
  }
}

async function fromJson(body: Buffer, artifacts: ArtifactSource): Promise<ReplicationRequest> {
  const parsed = parseStrictJson(body, 'request body');
  if (!parsed.ok) throw new GateError('bad-request', parsed.message);
  const checked = ReplicationJsonRequestSchema.safeParse(parsed.value);
  if (!checked.success) {
    const i = checked.error.issues[0]!;
    throw new GateError('bad-request', `request body: ${describeZodIssue(i)}`);
  }
  const req = checked.data;
  if (req.signature && req.dsse) throw new GateError('bad-request', 'send "signature" or "dsse", not both');
  const signature = req.dsse
    ? { kind: 'dsse' as const, bytes: Buffer.from(req.dsse, 'utf8') }
    : req.signature
      ? { kind: 'detached' as const, bytes: Buffer.from(req.signature, 'utf8') }
      : undefined;
  if ((req.snapshot_url === undefined) === (req.backup_url === undefined))
    throw new GateError(
      'bad-request',
      'send exactly one of "snapshot_url" (one archive) and "backup_url" (a pg_basebackup directory, file://…/)',
    );
  async function* wal(): AsyncGenerator<{ name: string; source: ByteSource }> {
    for (const w of req.wal_files ?? []) yield { name: w.name, source: await artifacts.open(w.url) };
  }
  const base = {
    manifestBytes: Buffer.from(req.manifest, 'utf8'),
    ...(signature ? { signature } : {}),
    wal: wal(),
  };
  if (req.prior_backup_urls !== undefined && req.backup_url === undefined)
    throw new GateError(
      'bad-request',
      '"prior_backup_urls" names the chain of an incremental "backup_url": send that too',
    );
  if (req.backup_url !== undefined)
    return {
      ...base,
      backup: await backupFromArtifacts(artifacts, req.backup_url, undefined, req.prior_backup_urls ?? []),
    };
  return { ...base, snapshot: await artifacts.open(req.snapshot_url!) };
}
