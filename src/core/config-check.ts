// The config check (T1), in a fixed order: parse -> schema ->
// signature -> hash -> compare -> policies. The first hard failure stops the
// pipeline; every step is still listed (pass / fail / skipped) so the report
// shows how far it got. (The URL, CLI and manifest keep the older word
// "migration" for it: /api/v1/validate/migration, migration_manifest.json.)
import type { Evaluation, Finding, StepResult, Subject } from './contracts/report.js';
import {
  MigrationManifestSchema,
  MIGRATION_MANIFEST_FIELDS,
  type Environment,
  type MigrationManifest,
} from './contracts/migration-manifest.js';
import { checkAppConfig } from './contracts/app-config.js';
import { digestsEqual, parseDigest, sha256Hex } from './hashing.js';
import {
  DEFAULT_PARSE_LIMITS,
  isPlainObject,
  parseStrictConfig,
  parseStrictJson,
  type ParseLimits,
} from './strict-parse.js';
import { zodIssuesToFindings } from './zod-findings.js';
import type { PinnedKey } from './ports/keys.js';
import { MIGRATION_MANIFEST_PAYLOAD_TYPE } from './signing/payload-types.js';
import {
  verifyManifestSignature,
  type SignatureFacts,
  type SignatureInput,
  type SignatureOutcome,
  type VerifyOptions,
} from './signing/verify.js';
import { quotedName, safeIdentifier, safePath } from './safe-text.js';
import { canonicalConfig } from './config-canonical.js';
import { literalReaderProblems } from './config-literal-readers.js';
import { describeError } from './errors.js';

export const T1_STEPS = ['parse', 'schema', 'signature', 'hash', 'compare', 'policies'] as const;

/** A detached or DSSE signature is at most this big (the T2 default too). */
export const MAX_T1_SIGNATURE_BYTES = 64 * 1024;

export interface ConfigCheckInput {
  /** migration_manifest.json: raw bytes, or an already-decoded object (JSON API, annotation). */
  manifest: Uint8Array | unknown;
  /** app-config.yaml exact bytes: these are what is hashed. */
  config: Uint8Array;
  /** Policy evaluation, injected: the caller owns the loaded policy set. */
  policies: (vars: {
    config: Record<string, unknown>;
    manifest: MigrationManifest;
    env: Environment;
    signature: SignatureFacts;
  }) => Finding[];
  /** The manifest's signature (over its exact bytes); whether one is required is a policy (t1-signature-required). */
  signature?: SignatureInput;
  /** Pinned public keys the signature may verify against. */
  keys?: readonly PinnedKey[];
  /**
   * The signature already checked elsewhere (off the event loop:
   * services/validation/signature-off-loop.ts). Taken only when it was
   * checked for these very objects (manifest bytes, signature, key set);
   * anything else, a key reload in between included, is verified here.
   */
  signatureChecked?: SignatureChecked;
  subject?: Subject;
  limits?: ParseLimits;
  /**
   * The environments the caller may be judged in, decided by where the
   * request came from (the webhook path, the API token), never by the
   * manifest: its `env` must be one of them, or the request is refused under
   * `rule`. Absent: the manifest's env is taken as is (pure library use).
   */
  envBinding?: EnvBinding;
}

export interface SignatureChecked {
  manifest: Uint8Array;
  signature: SignatureInput;
  keys: readonly PinnedKey[];
  outcome: SignatureOutcome;
}

/** How T1 verifies a migration manifest's signature, inline or not. */
export const T1_SIGNATURE_OPTIONS: VerifyOptions = Object.freeze({
  maxBytes: MAX_T1_SIGNATURE_BYTES,
  payloadType: MIGRATION_MANIFEST_PAYLOAD_TYPE,
  document: 'migration manifest',
});

export interface EnvBinding {
  allowed: readonly Environment[];
  /** `env-mismatch` (webhook path) or `env-not-permitted` (API token). */
  rule: string;
  /** Who decided, for the message: "the namespace (webhook path /validate/prod)". */
  by: string;
}

interface Run {
  steps: StepResult[];
  findings: Finding[];
  subject: Subject;
}

const critical = (rule: string, message: string, path?: string): Finding => ({
  rule,
  severity: 'critical',
  action: 'block',
  message,
  ...(path ? { path } : {}),
});

export function evaluateConfigCheck(input: ConfigCheckInput): Evaluation {
  const run: Run = { steps: [], findings: [], subject: { ...input.subject } };
  const limits = input.limits ?? DEFAULT_PARSE_LIMITS;
  const finish = (): Evaluation => {
    for (const name of T1_STEPS.slice(run.steps.length)) run.steps.push({ step: name, status: 'skipped' });
    return { scenario: 'T1', subject: run.subject, steps: run.steps, findings: run.findings };
  };

  const parsed = parseStep(input, limits, run);
  if (!parsed) return finish();
  const manifest = schemaStep(parsed.manifest, parsed.config, run, input.envBinding);
  if (!manifest) return finish();
  const signature = signatureStep(input, run);
  if (!signature) return finish();
  const expected = hashStep(manifest, input.config, run);
  if (!expected) return finish();
  if (!compareStep(expected.actual, expected.wanted, run)) return finish();
  policyStep(input, parsed.config as Record<string, unknown>, manifest, signature, run, parsed.spelled);
  return finish();
}

interface Parsed {
  manifest: unknown;
  /** The canonical (relaxed-binding) view when the config is a mapping: what schema and policies see. */
  config: unknown;
  /** canonical path -> the spelling the config used, for finding paths. */
  spelled: ReadonlyMap<string, string>;
}

function parseStep(input: ConfigCheckInput, limits: ParseLimits, run: Run): Parsed | undefined {
  const problems: Finding[] = [];
  let manifest: unknown = input.manifest;
  if (input.manifest instanceof Uint8Array) {
    const m = parseStrictJson(input.manifest, 'migration manifest', limits);
    if (m.ok) manifest = m.value;
    else problems.push(critical('manifest-parse-error', m.message));
  }
  const c = parseStrictConfig(input.config, 'app config', limits);
  // A config with two readings: one finding per construct, each naming its path and both readings.
  if (!c.ok && c.ambiguities)
    problems.push(...c.ambiguities.map((a) => critical('config-ambiguous', a.message, a.path)));
  else if (!c.ok) problems.push(critical('config-parse-error', c.message));
  // Relaxed-binding loaders read `TLS`, `tls.enabled` (flat) and `secretKey`
  // as the policy keys: the schema and the rules judge that reading, and two
  // spellings of one key have no single meaning.
  let config: unknown = c.ok ? c.value : undefined;
  let spelled: ReadonlyMap<string, string> = new Map();
  if (isPlainObject(config)) {
    const canon = canonicalConfig(config);
    // A safe value only relaxed-binding loaders see is not what a literal
    // reader (Python dict, Go struct tags) runs with: refuse it too.
    const refused = canon.ok ? literalReaderProblems(canon.relaxed) : canon.problems;
    if (canon.ok && refused.length === 0) ({ config, spelled } = canon);
    else problems.push(...refused.map((m) => critical('config-ambiguous', m)));
  }
  if (problems.length > 0) {
    // The config could not be read, but a readable manifest still says whose
    // it is: the record must carry app_id, or /audit/logs?app_id=… misses
    // exactly the blocks an app team looks for.
    if (isPlainObject(manifest)) setSubjectFrom(manifest, run.subject);
    run.findings.push(...problems);
    run.steps.push({ step: 'parse', status: 'fail', detail: problems.map((p) => p.message).join('; ') });
    return undefined;
  }
  run.steps.push({ step: 'parse', status: 'pass' });
  return { manifest, config, spelled };
}

function schemaStep(
  rawManifest: unknown,
  config: unknown,
  run: Run,
  binding: EnvBinding | undefined,
): MigrationManifest | undefined {
  const before = run.findings.length;
  let manifest: MigrationManifest | undefined;
  if (!isPlainObject(rawManifest)) {
    run.findings.push(critical('manifest-schema', 'migration manifest must be a JSON object'));
  } else {
    const r = MigrationManifestSchema.safeParse(rawManifest);
    if (r.success) manifest = r.data;
    else run.findings.push(...zodIssuesToFindings(r.error.issues, rawManifest, 'manifest'));
    const mismatch = manifest && binding ? envBindingFinding(manifest.env, binding) : undefined;
    if (mismatch) run.findings.push(mismatch);
    setSubjectFrom(rawManifest, run.subject);
    for (const key of Object.keys(rawManifest)) {
      if (!(MIGRATION_MANIFEST_FIELDS as readonly string[]).includes(key)) {
        run.findings.push({
          rule: 'manifest-unknown-field',
          severity: 'low',
          action: 'warn',
          path: safePath([key]),
          message: `unknown manifest field ${quotedName(key)} is ignored`,
        });
      }
    }
  }
  if (!isPlainObject(config)) {
    run.findings.push(critical('config-schema', 'app config must be a mapping at the top level'));
  } else {
    const r = checkAppConfig(config);
    if (!r.success) run.findings.push(...zodIssuesToFindings(r.error.issues, config, 'config'));
  }
  const failed = run.findings.slice(before).filter((f) => f.action === 'block');
  if (failed.length > 0 || !manifest) {
    run.steps.push({ step: 'schema', status: 'fail', detail: failed.map((f) => f.message).join('; ') });
    return undefined;
  }
  run.steps.push({ step: 'schema', status: 'pass' });
  return manifest;
}

/** The manifest's env can only match where the request is bound, never choose it. */
export function envBindingFinding(claimed: Environment, binding: EnvBinding): Finding | undefined {
  if (binding.allowed.includes(claimed)) return undefined;
  return critical(
    binding.rule,
    `the manifest says env "${claimed}" but ${binding.by} allows only ${binding.allowed.map((e) => `"${e}"`).join(', ') || 'no environment'}; the environment is decided by where the request lands, not by the manifest`,
    'env',
  );
}

function setSubjectFrom(m: Record<string, unknown>, subject: Subject): void {
  for (const key of ['app_id', 'env', 'version'] as const) {
    const v = m[key];
    if (typeof v === 'string' && v.length > 0 && subject[key] === undefined) subject[key] = safeIdentifier(v);
  }
}

function hashStep(
  manifest: MigrationManifest,
  config: Uint8Array,
  run: Run,
): { actual: string; wanted: string } | undefined {
  const parsed = parseDigest(manifest.config_sha256, ['sha256']);
  if (!parsed.ok) {
    const rule = parsed.kind === 'outdated' ? 'outdated-hash-algorithm' : 'manifest-invalid-hash';
    run.findings.push(critical(rule, `config_sha256: ${parsed.message}`, 'config_sha256'));
    run.steps.push({ step: 'hash', status: 'fail', detail: parsed.message });
    return undefined;
  }
  const actual = sha256Hex(config);
  run.steps.push({ step: 'hash', status: 'pass', detail: `sha256 ${actual}` });
  return { actual, wanted: parsed.hex };
}

function compareStep(actual: string, wanted: string, run: Run): boolean {
  if (digestsEqual(actual, wanted)) {
    run.steps.push({ step: 'compare', status: 'pass', detail: 'config matches the signed-off manifest' });
    return true;
  }
  const detail = `sha256 ${actual} ≠ manifest ${wanted}`;
  run.findings.push(
    critical(
      'config-hash-mismatch',
      `config bytes do not match the manifest: ${detail}; the config changed after sign-off`,
      'config_sha256',
    ),
  );
  run.steps.push({ step: 'compare', status: 'fail', detail });
  return false;
}

/**
 * The one verifier shared with T2, with the T1 payloadType. A signature
 * covers the manifest's exact bytes, so one sent as an already-decoded value
 * (JSON object) cannot be checked and is refused rather than re-serialised.
 */
function signatureStep(input: ConfigCheckInput, run: Run): SignatureFacts | undefined {
  const none: SignatureFacts = { present: false, verified: false, format: 'none', key_id: '' };
  if (!input.signature) {
    run.steps.push({
      step: 'signature',
      status: 'skipped',
      detail: 'no signature supplied (whether one is required is a policy)',
    });
    return none;
  }
  if (!(input.manifest instanceof Uint8Array)) {
    const f = critical(
      'signature-malformed',
      'a signed migration manifest must be sent as its exact bytes (a string or a file part), not as a decoded JSON object',
    );
    run.findings.push(f);
    run.steps.push({ step: 'signature', status: 'fail', detail: f.message });
    return undefined;
  }
  const pre = input.signatureChecked;
  const out =
    pre && pre.manifest === input.manifest && pre.signature === input.signature && pre.keys === input.keys
      ? pre.outcome
      : verifyManifestSignature(input.manifest, input.signature, input.keys ?? [], T1_SIGNATURE_OPTIONS);
  if (out.findings.length > 0) {
    run.findings.push(...out.findings);
    run.steps.push({
      step: 'signature',
      status: 'fail',
      detail: out.findings.map((f) => f.message).join('; '),
    });
    return undefined;
  }
  run.steps.push({
    step: 'signature',
    status: 'pass',
    detail: `${out.facts.format} signature verified with key ${out.facts.key_id}`,
  });
  return out.facts;
}

function policyStep(
  input: ConfigCheckInput,
  config: Record<string, unknown>,
  manifest: MigrationManifest,
  signature: SignatureFacts,
  run: Run,
  spelled: ReadonlyMap<string, string>,
): void {
  let found: Finding[];
  try {
    found = input
      .policies({ config, manifest, env: manifest.env, signature: { ...signature } })
      .map((f) => withSpelledPath(f, spelled));
  } catch (e) {
    found = [critical('policy-evaluation-error', `policy evaluation failed: ${describeError(e)}`)];
  }
  run.findings.push(...found);
  const blocking = found.filter((f) => f.action === 'block');
  run.steps.push(
    blocking.length > 0
      ? {
          step: 'policies',
          status: 'fail',
          detail: `${blocking.length} blocking finding(s), ${found.length - blocking.length} warning(s)`,
        }
      : { step: 'policies', status: 'pass', detail: `${found.length} warning(s)` },
  );
}

/** A finding on `tls.enabled` names `TLS.enabled` when that is how the config spelled it. */
function withSpelledPath(f: Finding, spelled: ReadonlyMap<string, string>): Finding {
  if (f.path === undefined || spelled.size === 0) return f;
  // Built-ins name list items by index (ports[0].host); the spelling map knows them as ports[].
  const segments = f.path.replace(/\[\d+\]/g, '[]').split('.');
  for (let i = segments.length; i > 0; i -= 1) {
    const hit = spelled.get(segments.slice(0, i).join('.'));
    if (hit !== undefined) return { ...f, path: [hit, ...segments.slice(i)].join('.') };
  }
  return f;
}
