// The AdmissionReview admission.k8s.io/v1 envelope the apiserver POSTs to a
// validating webhook. Strict about what the gate relies on (version, kind,
// uid, resource, operation); tolerant of fields a newer apiserver may add,
// because rejecting them would turn a Kubernetes upgrade into an outage.
import { z } from 'zod';
import { describeZodIssue } from '../zod-findings.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

const GroupVersionKindSchema = z.object({
  group: z.string(),
  version: z.string(),
  kind: z.string().min(1),
});

const GroupVersionResourceSchema = z.object({
  group: z.string(),
  version: z.string(),
  resource: z.string().min(1),
});

export const OperationSchema = z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
export type Operation = z.infer<typeof OperationSchema>;

export const UserInfoSchema = z.object({
  username: z.string().optional(),
  uid: z.string().optional(),
  groups: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.array(z.string())).optional(),
});

export const AdmissionRequestSchema = z.object({
  // The apiserver sends a UUID; anything non-empty and short is echoed back.
  uid: z.string().min(1).max(128),
  kind: GroupVersionKindSchema,
  resource: GroupVersionResourceSchema,
  subResource: z.string().optional(),
  requestKind: GroupVersionKindSchema.optional(),
  requestResource: GroupVersionResourceSchema.optional(),
  requestSubResource: z.string().optional(),
  // Empty on CREATE with metadata.generateName.
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: OperationSchema,
  userInfo: UserInfoSchema.default({}),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
  options: z.unknown().optional(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequestSchema>;

export const AdmissionReviewSchema = z.object({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal(ADMISSION_KIND),
  request: AdmissionRequestSchema,
});
export type AdmissionReview = z.infer<typeof AdmissionReviewSchema>;

export const AdmissionStatusSchema = z.object({
  code: z.number().int(),
  reason: z.string(),
  message: z.string(),
});

export const AdmissionResponseSchema = z.object({
  uid: z.string(),
  allowed: z.boolean(),
  status: AdmissionStatusSchema.optional(),
  warnings: z.array(z.string()).optional(),
});
export type AdmissionResponse = z.infer<typeof AdmissionResponseSchema>;

export const AdmissionReviewResponseSchema = z.object({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal(ADMISSION_KIND),
  response: AdmissionResponseSchema,
});
export type AdmissionReviewResponse = z.infer<typeof AdmissionReviewResponseSchema>;

export type ParsedReview = { ok: true; review: AdmissionReview } | { ok: false; message: string };

/** One human line naming the first problem: what the 400 body and the audit record say. */
export function parseAdmissionReview(value: unknown): ParsedReview {
  const r = AdmissionReviewSchema.safeParse(value);
  if (r.success) return { ok: true, review: r.data };
  return {
    ok: false,
    message: `not an AdmissionReview ${ADMISSION_API_VERSION}: ${describeZodIssue(r.error.issues[0])}`.slice(
      0,
      300,
    ),
  };
}
