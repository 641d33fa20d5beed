// An alert transition as it is kept in the audit store: one record per
// fire, resolve or acknowledge. Alerts are conditions that need a person
// (a broken audit chain, a failing audit store, a broken policy or key set,
// a certificate near expiry, a checkpoint the witnesses disagree with, a
// snapshot whose content was tampered with); ordinary BLOCKs are decisions,
// not alerts. Kept beside the decisions, chained like them, so alerts
// survive restarts and every replica folds the same history into the same
// list (core/alert-state.ts).
import { z } from 'zod';
import { SeveritySchema } from './report.js';

export const AlertKindSchema = z.enum([
  'audit-chain',
  'audit-sink',
  'policy-load',
  'key-load',
  'cert-expiry',
  'checkpoint',
  'snapshot-integrity',
  'audit-segments',
]);
export type AlertKind = z.infer<typeof AlertKindSchema>;

export const AlertTransitionSchema = z.enum(['fire', 'resolve', 'acknowledge']);
export type AlertTransition = z.infer<typeof AlertTransitionSchema>;

/** Stable keys: a kind, optionally `/` and what it is about (a writer, a digest). */
export const ALERT_KEY = /^[a-z][a-z0-9-]*(\/[A-Za-z0-9._:-]{1,160})?$/;

export const AlertEventSchema = z.object({
  /** Marks the record as an alert transition, not a decision. */
  record_type: z.literal('alert'),
  /** Unique per event (a ULID): folding the same event twice changes nothing. */
  event_id: z.string().min(1),
  timestamp: z.string(),
  key: z.string().regex(ALERT_KEY),
  transition: AlertTransitionSchema,
  kind: AlertKindSchema,
  severity: SeveritySchema,
  message: z.string(),
  /** fire: when this firing began (a severity change keeps the first time). */
  since: z.string().optional(),
  /** The replica that noticed it. */
  reporter: z.string().optional(),
  /** acknowledge: who (the authenticated principal) and why. */
  by: z.string().optional(),
  why: z.string().optional(),
  /** A decision this alert is about (snapshot-integrity). */
  request_id: z.string().optional(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
