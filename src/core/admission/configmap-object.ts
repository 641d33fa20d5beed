// The parts of a ConfigMap the gate reads. Loose on purpose: the apiserver has
// already validated the object's schema before validating webhooks run, and
// a newer Kubernetes may add fields.
import { z } from 'zod';

export const ObjectMetaSchema = z.object({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  annotations: z.record(z.string(), z.string()).nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
});

export const ConfigMapObjectSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMetaSchema.default({}),
  data: z.record(z.string(), z.string()).nullish(),
  binaryData: z.record(z.string(), z.string()).nullish(),
});
export type ConfigMapObject = z.infer<typeof ConfigMapObjectSchema>;
