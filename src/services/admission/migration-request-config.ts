// The T1 half of a MigrationRequest that carries spec.config: read the app
// config through the same ArtifactSource as the snapshot (size-capped), then
// run the T1 pipeline on it with the manifest from the spec. A config is
// small, so this runs inside the admission request, on every admission
// (migration-request.ts says why it is never cached).
import { configManifestOf, type MigrationRequestSpec } from '../../core/admission/migration-request.js';
import type { Evaluation, StepResult } from '../../core/contracts/report.js';
import { isGateError } from '../../core/errors.js';
import { T1_STEPS } from '../../core/config-check.js';
import type { ArtifactSource } from '../../core/ports/artifacts.js';
import { raceDeadline } from './deadline.js';
import type { GateContext } from '../gate-context.js';
import { readCapped } from './read-capped.js';
import { evaluateConfigWith, type ConfigCheckRequest } from '../validation/validate-config.js';

export interface ConfigCheckDeps {
  artifacts: ArtifactSource;
  /** GATE_MAX_CONFIG_BYTES: the same cap as a config sent to the REST API. */
  maxConfigBytes: number;
}

/** The T1 evaluation, its first step `read`; undefined when the spec has no config reference. Never throws. */
export async function checkConfig(
  ctx: GateContext,
  spec: MigrationRequestSpec,
  deps: ConfigCheckDeps,
  withinMs: number,
): Promise<Evaluation | undefined> {
  const manifest = configManifestOf(spec);
  if (!spec.config) return undefined;
  // The schema allows no config without a manifest; should one get here, it is refused, never skipped.
  if (!manifest)
    return unreadable(
      'migrationrequest-invalid',
      'MigrationRequest spec.config: exactly one of config.manifest and config.manifestJson',
      'spec.config',
    );
  const url = spec.config.url;
  const raced = await raceDeadline((signal) => read(url, deps, signal), withinMs);
  if (!raced.done)
    return unreadable(
      'config-unavailable',
      `app config could not be read within the admission deadline (${Math.round(withinMs)} ms)`,
    );
  if (!raced.value.ok) return unreadable(raced.value.rule, raced.value.message);
  const bytes = raced.value.bytes;
  const t1 = evaluateConfigWith(
    ctx,
    { manifest, config: bytes, subject: {}, ...configCheckExtras(spec) },
    deps.maxConfigBytes,
  );
  const readStep: StepResult = { step: 'read', status: 'pass', detail: `${bytes.byteLength} bytes` };
  return { ...t1, steps: [readStep, ...t1.steps] };
}

/**
 * With manifestJson: its signature (over those exact bytes), and its `env`
 * bound to spec.env (itself bound to the namespace): one environment per request.
 */
function configCheckExtras(spec: MigrationRequestSpec): Pick<ConfigCheckRequest, 'signature' | 'envBinding'> {
  const c = spec.config;
  if (c?.manifestJson === undefined) return {};
  const env = spec.env ?? 'prod';
  return {
    ...(c.signature
      ? { signature: { kind: c.signature.format, bytes: Buffer.from(c.signature.value, 'utf8') } }
      : {}),
    envBinding: { allowed: [env], rule: 'spec-manifest-mismatch', by: `spec.env ("${env}")` },
  };
}

type Read =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; rule: 'config-unavailable' | 'config-too-large'; message: string };

async function read(url: string, deps: ConfigCheckDeps, signal: AbortSignal): Promise<Read> {
  try {
    return {
      ok: true,
      bytes: await readCapped(await deps.artifacts.open(url, signal), deps.maxConfigBytes, signal),
    };
  } catch (e) {
    // Artifact errors name the URL's path or host and what is wrong with it,
    // never content; anything else (a stream error) is not shown at all.
    if (isGateError(e) && e.code === 'payload-too-large')
      return {
        ok: false,
        rule: 'config-too-large',
        message: `app config: ${e.message} (GATE_MAX_CONFIG_BYTES)`,
      };
    const why = isGateError(e) ? e.message : 'the config could not be read';
    return { ok: false, rule: 'config-unavailable', message: `app config: ${why}` };
  }
}

/** Unreadable: a failed `read`, every T1 step skipped (the report still shows how far it got), one blocking finding. */
function unreadable(rule: string, message: string, path = 'spec.config.url'): Evaluation {
  return {
    scenario: 'T1',
    subject: {},
    steps: [
      { step: 'read', status: 'fail', detail: message },
      ...T1_STEPS.map((step): StepResult => ({ step, status: 'skipped' })),
    ],
    findings: [{ rule, severity: 'high', action: 'block', path, message }],
  };
}
