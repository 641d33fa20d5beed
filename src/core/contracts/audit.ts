// Audit record = decision report + chain fields. The hash is SHA-256 over the
// RFC 8785 canonical JSON of the record without `hash`.
import { z } from 'zod';
import { DecisionReportSchema } from './report.js';
import { AlertEventSchema } from './alert.js';

export const GENESIS_HASH = '0'.repeat(64);

export const AuditRecordSchema = DecisionReportSchema.extend({
  seq: z.number().int().positive(),
  writer: z.string().min(1),
  prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

const ChainFields = {
  seq: z.number().int().positive(),
  writer: z.string().min(1),
  prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
};

/** An alert transition in the store: the event plus the same chain fields. */
export const AlertRecordSchema = AlertEventSchema.extend(ChainFields);
export type AlertRecord = z.infer<typeof AlertRecordSchema>;

/** Any stored line: a decision or an alert transition, one chain per writer for both. */
export type StoredRecord = AuditRecord | AlertRecord;

export function isAlertRecord(r: StoredRecord): r is AlertRecord {
  return (r as { record_type?: unknown }).record_type === 'alert';
}

/** Result of checking every writer's chain. */
export const ChainVerificationSchema = z.object({
  ok: z.boolean(),
  records: z.number().int().nonnegative(),
  writers: z.array(
    z.object({
      writer: z.string(),
      records: z.number().int().nonnegative(),
      last_seq: z.number().int().nonnegative(),
      head: z.string(),
    }),
  ),
  first_bad: z
    .object({
      location: z.string(),
      writer: z.string().optional(),
      seq: z.number().optional(),
      problem: z.string(),
    })
    .optional(),
});
export type ChainVerification = z.infer<typeof ChainVerificationSchema>;
