// POST /api/v1/validate/migration: JSON {manifest, config} or multipart
// (migration_manifest, app_config). ALLOW 200, BLOCK 422, malformed 400 as
// problem+json; a malformed request is audited as a BLOCK too. A manifest
// whose env the bearer token may not vouch for is an audited BLOCK answered
// 403 ([env-not-permitted]).
import type { IncomingMessage } from 'node:http';
import { GateError, isGateError } from '../../../core/errors.js';
import { MigrationJsonRequestSchema } from '../../../core/contracts/api.js';
import { isPlainObject, parseStrictJson } from '../../../core/strict-parse.js';
import { validateConfig, type ConfigCheckRequest } from '../../../services/validation/validate-config.js';
import type { ApiDeps, ApiLimits } from '../api-deps.js';
import { mediaType, readBody } from '../body.js';
import { collectParts, requirePart, type CollectedPart } from '../multipart.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';
import { answerMalformed } from './malformed.js';
import { safeMediaType } from '../../../core/safe-text.js';
import { describeZodIssue } from '../../../core/zod-findings.js';
import { statusOf, tokenEnvBinding } from './token-envs.js';

export async function validateConfigRoute(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  let input: ConfigCheckRequest;
  try {
    input = await readConfigCheckInput(ctx.req, deps.limits);
  } catch (e) {
    if (!isGateError(e)) throw e;
    return answerMalformed(ctx, deps, 'T1', e);
  }
  const report = await validateConfig(
    deps.gate,
    { ...input, subject: { ...input.subject, source: 'api' }, envBinding: tokenEnvBinding(ctx) },
    {
      requestId: ctx.requestId,
      ...(ctx.correlationId !== undefined ? { correlationId: ctx.correlationId } : {}),
      source: 'api',
      maxConfigBytes: deps.limits.maxConfigBytes,
    },
  );
  sendJson(ctx.res, statusOf(report), report);
}

export async function readConfigCheckInput(
  req: IncomingMessage,
  limits: ApiLimits,
): Promise<ConfigCheckRequest> {
  const type = mediaType(req);
  if (type === 'application/json') return fromJson(await readBody(req, limits.maxBodyBytes), limits);
  if (type === 'multipart/form-data')
    return configCheckFromParts(
      await collectParts(req, {
        maxPartBytes: limits.maxConfigBytes,
        maxParts: CONFIG_PARTS.length,
        allowed: CONFIG_PARTS,
      }),
    );
  req.resume();
  throw new GateError(
    'unsupported-media-type',
    `content type ${safeMediaType(type)} is not accepted; send application/json or multipart/form-data`,
  );
}

export const CONFIG_PARTS = ['migration_manifest', 'app_config', 'manifest_signature', 'manifest_dsse'];

/** A T1 request from its collected multipart parts (the REST route and the UI form). */
export function configCheckFromParts(parts: Map<string, CollectedPart>): ConfigCheckRequest {
  const signature = oneSignature(chosen(parts.get('manifest_signature')), chosen(parts.get('manifest_dsse')));
  return {
    manifest: requirePart(parts, 'migration_manifest'),
    config: requirePart(parts, 'app_config'),
    ...(signature ? { signature } : {}),
  };
}

function fromJson(body: Buffer, limits: ApiLimits): ConfigCheckRequest {
  const parsed = parseStrictJson(body, 'request body', {
    maxBytes: limits.maxBodyBytes,
    maxAliases: 0,
    maxDepth: 64,
  });
  if (!parsed.ok) throw new GateError('bad-request', parsed.message);
  const value = parsed.value;
  if (!isPlainObject(value))
    throw new GateError(
      'bad-request',
      'request body must be a JSON object {"manifest": {...}, "config": "<text>"}',
    );
  for (const field of ['manifest', 'config']) {
    if (value[field] === undefined)
      throw new GateError('missing-part', `request body field "${field}" is missing`);
  }
  const checked = MigrationJsonRequestSchema.safeParse(value);
  if (!checked.success) {
    throw new GateError('bad-request', `request body: ${describeZodIssue(checked.error.issues[0])}`);
  }
  const { manifest, config, manifest_signature: detached, manifest_dsse: dsse } = checked.data;
  const signature = oneSignature(
    detached === undefined ? undefined : Buffer.from(detached, 'utf8'),
    dsse === undefined
      ? undefined
      : Buffer.from(typeof dsse === 'string' ? dsse : JSON.stringify(dsse), 'utf8'),
  );
  return {
    manifest: typeof manifest === 'string' ? Buffer.from(manifest, 'utf8') : manifest,
    config: Buffer.from(config, 'utf8'),
    ...(signature ? { signature } : {}),
  };
}

/**
 * An HTML form's file input with no file chosen still sends its part, empty
 * and without a filename: that is "no signature" (the policy decides), not an
 * empty signature.
 */
function chosen(part: { bytes: Buffer; filename?: string } | undefined): Buffer | undefined {
  if (!part || (part.bytes.byteLength === 0 && !part.filename)) return undefined;
  return part.bytes;
}

/** At most one of the two forms: a detached signature or a DSSE envelope. */
function oneSignature(
  detached: Buffer | undefined,
  dsse: Buffer | undefined,
): ConfigCheckRequest['signature'] {
  if (detached && dsse)
    throw new GateError(
      'bad-request',
      'send one manifest signature: "manifest_signature" (detached) or "manifest_dsse" (envelope)',
    );
  if (detached) return { kind: 'detached', bytes: detached };
  if (dsse) return { kind: 'dsse', bytes: dsse };
  return undefined;
}
