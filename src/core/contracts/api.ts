// Request bodies of the REST API (the OpenAPI document is generated from these).
import { z } from 'zod';

export const MigrationJsonRequestSchema = z.object({
  manifest: z.union([z.record(z.string(), z.unknown()), z.string()])
    .describe('migration_manifest.json as an object, or its exact text'),
  config: z.string().describe('app-config.yaml (or JSON) text; its UTF-8 bytes are hashed'),
}).strict();

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  request_id: z.string(),
  decision: z.literal('BLOCK').optional(),
  reasons: z.array(z.string()).optional(),
});
