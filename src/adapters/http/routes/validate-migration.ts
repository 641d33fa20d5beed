// POST /api/v1/validate/migration: JSON {manifest, config} or multipart
// (migration_manifest, app_config). ALLOW 200, BLOCK 422, malformed 400 as
// problem+json; a malformed request is audited as a BLOCK too.
import type { IncomingMessage } from 'node:http';
import { GateError, isGateError } from '../../../core/errors.js';
import { MigrationJsonRequestSchema } from '../../../core/contracts/api.js';
import { isPlainObject, parseStrictJson } from '../../../core/strict-parse.js';
import { validateMigration, type MigrationRequest } from '../../../services/validate-migration.js';
import type { ApiDeps, ApiLimits } from '../api-deps.js';
import { mediaType, readBody } from '../body.js';
import { collectParts, requirePart } from '../multipart.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';
import { answerMalformed } from './malformed.js';

export async function validateMigrationRoute(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  let input: MigrationRequest;
  try {
    input = await readMigrationInput(ctx.req, deps.limits);
  } catch (e) {
    if (!isGateError(e)) throw e;
    return answerMalformed(ctx, deps, 'T1', e);
  }
  const report = await validateMigration(deps.gate, { ...input, subject: { ...input.subject, source: 'api' } }, {
    requestId: ctx.requestId, ...(ctx.correlationId !== undefined ? { correlationId: ctx.correlationId } : {}), source: 'api', maxConfigBytes: deps.limits.maxConfigBytes,
  });
  sendJson(ctx.res, report.decision === 'ALLOW' ? 200 : 422, report);
}

export async function readMigrationInput(req: IncomingMessage, limits: ApiLimits): Promise<MigrationRequest> {
  const type = mediaType(req);
  if (type === 'application/json') return fromJson(await readBody(req, limits.maxBodyBytes), limits);
  if (type === 'multipart/form-data') {
    const parts = await collectParts(req, { maxPartBytes: limits.maxConfigBytes, maxParts: 4, allowed: ['migration_manifest', 'app_config'] });
    return { manifest: requirePart(parts, 'migration_manifest'), config: requirePart(parts, 'app_config') };
  }
  req.resume();
  throw new GateError('unsupported-media-type', `content type "${type.slice(0, 80) || '(none)'}" is not accepted; send application/json or multipart/form-data`);
}

function fromJson(body: Buffer, limits: ApiLimits): MigrationRequest {
  const parsed = parseStrictJson(body, 'request body', { maxBytes: limits.maxBodyBytes, maxAliases: 0, maxDepth: 64 });
  if (!parsed.ok) throw new GateError('bad-request', parsed.message);
  const value = parsed.value;
  if (!isPlainObject(value)) throw new GateError('bad-request', 'request body must be a JSON object {"manifest": {...}, "config": "<text>"}');
  for (const field of ['manifest', 'config']) {
    if (value[field] === undefined) throw new GateError('missing-part', `request body field "${field}" is missing`);
  }
  const checked = MigrationJsonRequestSchema.safeParse(value);
  if (!checked.success) {
    const i = checked.error.issues[0]!;
    const what = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.slice(0, 5).map((k) => `"${k.slice(0, 40)}"`).join(', ')}` : `field "${i.path.join('.')}": ${i.message}`;
    throw new GateError('bad-request', `request body: ${what}`);
  }
  const { manifest, config } = checked.data;
  return { manifest: typeof manifest === 'string' ? Buffer.from(manifest, 'utf8') : manifest, config: Buffer.from(config, 'utf8') };
}
