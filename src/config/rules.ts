// The cross-field rules of the configuration: combinations of settings that
// each parse on their own but cannot work together. Pure functions over the
// parsed settings, checked once by the schema (load() fails naming the
// setting, before anything starts) and again by createApp for settings that
// did not come through load(): one rule, one place.
import { GateError } from '../core/errors.js';

/** The settings the rules read (the parsed config, before or after freezing). */
export interface RuleSettings {
  apiTokenReview: boolean;
  apiAllowedUsers: readonly string[];
  apiAllowedGroups: readonly string[];
  tlsMode: 'local' | 'selfManaged' | 'certManager' | 'existingSecret';
  tlsDir?: string | undefined;
  auditSink: 'file' | 'configmap' | 'stdout' | 'postgres';
  auditPostgresUrl?: string | undefined;
  writerSlots: number;
}

/** One broken rule: the setting it is reported on (and its variable), and why. */
export interface ConfigProblem {
  setting: 'apiTokenReview' | 'tlsMode' | 'auditSink' | 'writerSlots';
  variable: 'GATE_API_TOKEN_REVIEW' | 'GATE_TLS_MODE' | 'GATE_AUDIT_SINK' | 'GATE_WRITER_SLOTS';
  message: string;
}

export function configProblems(c: RuleSettings): ConfigProblem[] {
  return [...tokenReviewProblems(c), ...tlsDirProblems(c), ...postgresProblems(c), ...writerSlotProblems(c)];
}

/**
 * TokenReview needs an allow-list: otherwise every ServiceAccount of the
 * cluster could validate (and read the audit log).
 */
function tokenReviewProblems(c: RuleSettings): ConfigProblem[] {
  if (!c.apiTokenReview || c.apiAllowedUsers.length > 0 || c.apiAllowedGroups.length > 0) return [];
  return [
    {
      setting: 'apiTokenReview',
      variable: 'GATE_API_TOKEN_REVIEW',
      message: 'true needs GATE_API_ALLOWED_USERS or GATE_API_ALLOWED_GROUPS',
    },
  ];
}

/** certManager and existingSecret serve a mounted pair; without its directory there is nothing to serve. */
function tlsDirProblems(c: RuleSettings): ConfigProblem[] {
  if ((c.tlsMode !== 'certManager' && c.tlsMode !== 'existingSecret') || c.tlsDir) return [];
  return [
    {
      setting: 'tlsMode',
      variable: 'GATE_TLS_MODE',
      message: `${c.tlsMode} needs GATE_TLS_DIR (the mounted tls.crt and tls.key)`,
    },
  ];
}

/** The postgres sink needs its database (the chart takes the URL from a Secret). */
function postgresProblems(c: RuleSettings): ConfigProblem[] {
  if (c.auditSink !== 'postgres' || c.auditPostgresUrl !== undefined) return [];
  return [
    {
      setting: 'auditSink',
      variable: 'GATE_AUDIT_SINK',
      message: 'postgres needs GATE_AUDIT_POSTGRES_URL (the chart takes it from a Secret)',
    },
  ];
}

/** Writer slots (Leases) share out writer ids among replicas; only the shared sinks have several replicas writing. */
function writerSlotProblems(c: RuleSettings): ConfigProblem[] {
  if (c.writerSlots === 0 || c.auditSink === 'configmap' || c.auditSink === 'postgres') return [];
  return [
    {
      setting: 'writerSlots',
      variable: 'GATE_WRITER_SLOTS',
      message: 'writer slots (Leases) are for the configmap and postgres sinks, which several replicas share',
    },
  ];
}

/** The same rules for settings built without load(): the first problem stops the start. */
export function assertConfigRules(c: RuleSettings): void {
  const [first] = configProblems(c);
  if (first) throw new GateError('config-invalid', `${first.variable}: ${first.message}`);
}

/** The settings that need a Kubernetes API server, for the message when there is none. */
export function kubeUsers(c: RuleSettings): string[] {
  return [
    ...(c.auditSink === 'configmap' ? ['GATE_AUDIT_SINK=configmap'] : []),
    ...(c.apiTokenReview ? ['GATE_API_TOKEN_REVIEW=true'] : []),
    ...(c.tlsMode === 'selfManaged' ? ['GATE_TLS_MODE=selfManaged'] : []),
  ];
}
