// /openapi.json, generated from the same zod schemas the code validates with.
import { z } from 'zod';
import { DecisionReportSchema } from '../../core/contracts/report.js';
import { AuditRecordSchema, ChainVerificationSchema } from '../../core/contracts/audit.js';
import { MigrationJsonRequestSchema, ProblemSchema } from '../../core/contracts/api.js';
import { MigrationManifestSchema } from '../../core/contracts/migration-manifest.js';

const schema = (s: z.ZodType): unknown =>
  z.toJSONSchema(s, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const problem = {
  description: 'malformed request (audited as a BLOCK)',
  content: { 'application/problem+json': { schema: ref('Problem') } },
};
const bearer = [{ bearer: [] }];

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'migration-gate',
      version,
      description: 'Fail-closed security gate for infrastructure migrations.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        DecisionReport: schema(DecisionReportSchema),
        AuditRecord: schema(AuditRecordSchema),
        ChainVerification: schema(ChainVerificationSchema),
        MigrationJsonRequest: schema(MigrationJsonRequestSchema),
        MigrationManifest: schema(MigrationManifestSchema),
        Problem: schema(ProblemSchema),
      },
    },
    paths: {
      '/api/v1/validate/migration': {
        post: {
          summary: 'T1: validate an app config against its signed-off manifest and the policies',
          security: bearer,
          requestBody: {
            required: true,
            content: {
              ...json('MigrationJsonRequest'),
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['migration_manifest', 'app_config'],
                  properties: {
                    migration_manifest: { type: 'string', format: 'binary' },
                    app_config: { type: 'string', format: 'binary' },
                  },
                },
              },
            },
          },
          responses: {
            200: { description: 'ALLOW', content: json('DecisionReport') },
            422: { description: 'BLOCK', content: json('DecisionReport') },
            400: problem,
            401: problem,
            413: problem,
            415: problem,
          },
        },
      },
      '/api/v1/audit/logs': {
        get: {
          summary: 'Audit records, newest first',
          security: bearer,
          parameters: [
            'scenario',
            'decision',
            'since',
            'app_id',
            'rule',
            'request_id',
            'limit',
            'continue',
          ].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          responses: {
            200: {
              description: 'a page of records',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      items: { type: 'array', items: ref('AuditRecord') },
                      continue: { type: 'string' },
                    },
                  },
                },
              },
            },
            400: problem,
            401: problem,
          },
        },
      },
      '/api/v1/audit/verify': {
        get: {
          summary: "Check every writer's hash chain",
          security: bearer,
          responses: {
            200: { description: 'intact', content: json('ChainVerification') },
            409: { description: 'broken: first_bad names the record', content: json('ChainVerification') },
            401: problem,
          },
        },
      },
      '/api/v1/alerts': {
        get: {
          summary: 'Alerts firing (items) and recently resolved: conditions that need a person, not BLOCKs',
          security: bearer,
          responses: { 200: { description: 'alerts' }, 401: problem },
        },
      },
      '/api/v1/alerts/acknowledge': {
        post: {
          summary:
            'Acknowledge a firing alert: {"key", "reason"}; who is the caller, recorded in the audit log',
          security: bearer,
          responses: {
            200: { description: 'the alert, acknowledged' },
            400: problem,
            401: problem,
            404: problem,
            415: problem,
            503: problem,
          },
        },
      },
      '/api/v1/alerts/resolve': {
        post: {
          summary: 'Resolve a firing alert by hand (an integrity incident): {"key", "reason"}, audited',
          security: bearer,
          responses: {
            200: { description: 'the alert, resolved' },
            400: problem,
            401: problem,
            404: problem,
            415: problem,
            503: problem,
          },
        },
      },
      '/api/v1/verifications': {
        get: {
          summary: 'Background snapshot verifications with their progress',
          security: bearer,
          responses: { 200: { description: 'verifications' }, 401: problem },
        },
      },
      '/api/v1/verifications/{id}': {
        get: {
          summary:
            'One background verification: bytes done, total, rate, ETA; the id a [still-verifying] denial names',
          security: bearer,
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
          ],
          responses: { 200: { description: 'progress' }, 400: problem, 401: problem, 404: problem },
        },
      },
      '/api/v1/audit/checkpoint': {
        get: {
          summary:
            'Latest signed checkpoint (C2SP tlog-checkpoint) per writer, the verifier key, destination status',
          security: bearer,
          parameters: [
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['note'] } },
          ],
          responses: {
            200: { description: 'checkpoints (JSON), or the note (text/plain) with format=note' },
            401: problem,
            404: problem,
          },
        },
      },
      '/api/v1/audit/proof': {
        get: {
          summary: 'c2sp.org/tlog-proof@v1 inclusion proof of a decision',
          security: bearer,
          parameters: ['request_id', 'writer', 'index'].map((name) => ({
            name,
            in: 'query',
            required: name === 'request_id',
            schema: { type: 'string' },
          })),
          responses: {
            200: { description: 'the proof (text/plain)' },
            400: problem,
            401: problem,
            404: problem,
          },
        },
      },
      '/api/v1/audit/consistency': {
        get: {
          summary: 'RFC 6962 consistency proof between two tree sizes',
          security: bearer,
          parameters: ['writer', 'from', 'to'].map((name) => ({
            name,
            in: 'query',
            required: name !== 'writer',
            schema: { type: 'string' },
          })),
          responses: {
            200: { description: '{origin, from, to, proof: [base64]}' },
            400: problem,
            401: problem,
            404: problem,
          },
        },
      },
      '/api/v1/audit/export': {
        get: {
          summary: 'Every stored audit line, as stored (application/x-ndjson)',
          security: bearer,
          responses: { 200: { description: 'JSON lines' }, 401: problem },
        },
      },
      '/api/v1/audit/key': {
        get: {
          summary: 'The checkpoint verifier key (signed-note vkey)',
          responses: { 200: { description: 'text/plain' } },
        },
      },
      '/api/v1/policies': {
        get: {
          summary: 'Loaded rules and the policy set digest',
          security: bearer,
          responses: { 200: { description: 'policies' }, 401: problem },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'alive' } } } },
      '/readyz': {
        get: {
          summary:
            'Readiness: a policy set in force, the audit store taking writes, a serving certificate; firing alerts listed by key',
          responses: {
            200: { description: 'ready' },
            503: { description: 'not ready, with the failing checks' },
          },
        },
      },
    },
  };
}
