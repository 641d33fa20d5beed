// Shared by the policy tests: the real baseline file and small helpers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  compilePolicySet,
  evaluatePolicies,
  type CompiledPolicySet,
} from '../../../src/core/policy/index.js';
import type { Finding } from '../../../src/core/contracts/report.js';
import type { PolicyEnv } from '../../../src/core/contracts/policy-file.js';

export const BASELINE_TEXT = readFileSync(
  fileURLToPath(new URL('../../../policies/baseline.yaml', import.meta.url)),
  'utf8',
);

export function baseline(): CompiledPolicySet {
  const r = compilePolicySet([{ name: 'baseline.yaml', text: BASELINE_TEXT }]);
  if (!r.ok) throw new Error(`baseline does not compile:\n${r.errors.join('\n')}`);
  return r.set;
}

/** A prod config every baseline T1 rule accepts. */
export function goodConfig(): Record<string, unknown> {
  return {
    tls: { enabled: true, min_version: '1.2' },
    ports: [{ port: 8443, host: '127.0.0.1' }],
    secrets_ref: 'vault:kv/orders-api',
    debug: false,
    cors: { allowed_origins: ['https://shop.example.com'] },
    secret_key: '${APP_SECRET_KEY}',
    pbkdf2_iterations: 600000,
    audit: { enabled: true },
  };
}

const MANIFEST = { app_id: 'orders-api', env: 'prod', version: '1.4.2', config_sha256: 'a'.repeat(64) };

/** A signature that verified: what every baseline T1 rule but t1-signature-required sees by default. */
export const VERIFIED_SIGNATURE = { present: true, verified: true, format: 'detached', key_id: 'k1' };

export function t1(
  set: CompiledPolicySet,
  config: unknown,
  env: PolicyEnv = 'prod',
  signature: Record<string, unknown> = VERIFIED_SIGNATURE,
): Finding[] {
  return evaluatePolicies(set, {
    scenario: 'T1',
    env,
    vars: { config, manifest: { ...MANIFEST, env }, env, signature },
  });
}

/** T2 facts that every baseline T2 rule accepts, with overrides. */
export function t2Vars(over: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    manifest: {
      source_db: 'pg-old',
      target_db: 'pg-new',
      expected_snapshot_hash: `sha256:${'b'.repeat(64)}`,
      sync_mode: 'sync',
      wal_files: [],
      env: 'prod',
      ...over.manifest,
    },
    signature: { present: true, verified: true, format: 'dsse', key_id: 'k1', ...over.signature },
    hash: { algorithm: 'sha256', ...over.hash },
    wal: { listed: 3, received: 3, continuous: true, covers_backup: true, ...over.wal },
    backup: { has_manifest: true, verified: true, ...over.backup },
  };
}

export function t2(
  set: CompiledPolicySet,
  vars: Record<string, unknown>,
  env: PolicyEnv = 'prod',
): Finding[] {
  return evaluatePolicies(set, { scenario: 'T2', env, vars: { ...vars, env } });
}

export const rulesOf = (fs: readonly Finding[]): string[] => fs.map((f) => f.rule);
export const only = (fs: readonly Finding[], rule: string): Finding[] => fs.filter((f) => f.rule === rule);
