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
