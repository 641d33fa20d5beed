// The fields of app-config.yaml the baseline policies understand. Everything
// else passes through to the policies untouched. A wrong type on a known
// field is an error, not a coercion: `tls.enabled: "false"` must not read as on.
import { z } from 'zod';

const Port = z
  .object({
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().optional(),
    bind: z.string().optional(),
    public: z.boolean().optional(),
  })
  .loose();

export const AppConfigSchema = z
  .object({
    tls: z
      .object({
        enabled: z.boolean().optional(),
        min_version: z.union([z.string(), z.number()]).optional(),
        verify: z.boolean().optional(),
      })
      .loose()
      .optional(),
    verify_ssl: z.boolean().optional(),
    ports: z.array(Port).optional(),
    secrets_ref: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    debug: z.boolean().optional(),
    cors: z
      .object({
        allowed_origins: z.union([z.string(), z.array(z.string())]).optional(),
      })
      .loose()
      .optional(),
    secret_key: z.string().optional(),
    pbkdf2_iterations: z.number().int().optional(),
    audit: z.object({ enabled: z.boolean().optional() }).loose().optional(),
  })
  .loose();
export type AppConfig = z.infer<typeof AppConfigSchema>;

const KNOWN_FIELDS = Object.keys(AppConfigSchema.shape);

/**
 * AppConfigSchema's verdict on a config, from its known fields only. The
 * schema is loose: unknown keys are never an issue, and zod copying every
 * one of them (a 4 KB config has a hundred) was most of the cost. The
 * issues, their paths and their order are the same as for the whole config.
 */
export function checkAppConfig(
  config: Record<string, unknown>,
): ReturnType<typeof AppConfigSchema.safeParse> {
  const known: Record<string, unknown> = {};
  for (const field of KNOWN_FIELDS) if (Object.hasOwn(config, field)) known[field] = config[field];
  return AppConfigSchema.safeParse(known);
}
