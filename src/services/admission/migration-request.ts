// MigrationRequest admission -> T2, plus T1 when the spec references an app
// config. The spec says where the snapshot, WAL files and signature are
// (file:// under the artifact root, https:// on allow-listed hosts); they are
// streamed through the same T2 pipeline as the REST API. A verification that
// cannot finish inside the admission deadline keeps running
// (verifications.ts) and the request gets a BLOCK saying how far it
// got; the retried apply is answered from the result.
//
// spec.config (migration-request-config.ts) is checked in the request itself, on
// every admission, and folded into the T2 evaluation: one decision, one
// audit record. Only the T2 half is ever cached, for two reasons:
// - the bytes behind config.url may change between two applies of the same
//   spec, so a cached T1 verdict could allow a config edited since; reading
//   and checking a config is cheap, re-doing it costs nothing worth saving;
// - the T2 verification depends on the T2 part of the spec only, so it is
//   keyed by that part: a user who fixes only the config and applies again
//   picks up the snapshot verification already running instead of starting
//   a multi-gigabyte read over.
import {
  parseMigrationRequest,
  replicationPartOf,
  canonicalManifestBytes,
  specMatchesManifest,
  type MigrationRequestSpec,
} from '../../core/admission/migration-request.js';
import { withConfigCheck } from '../../core/admission/config-check-merge.js';
import { specEnvMismatch } from '../../core/admission/webhook-env.js';
import { reusedFor } from '../../core/reused-evaluation.js';
import type { Evaluation, Subject } from '../../core/contracts/report.js';
import { isGateError, describeError } from '../../core/errors.js';
import { canonicalJson, sha256Hex } from '../../core/hashing.js';
import type { ArtifactSource, ByteSource } from '../../core/ports/artifacts.js';
import type { ReplicationLimits } from '../../core/replication/pipeline.js';
import { parseStrict } from '../../core/strict-parse.js';
import type { ReplicationAdmitter } from './admit.js';
import { checkConfig } from './migration-request-config.js';
import type { GateContext } from '../gate-context.js';
import { internalError, rejected } from '../decision/rejections.js';
import { raceDeadline } from './deadline.js';
import type { BackgroundVerifications, Progress } from './verifications.js';
import { readCapped } from './read-capped.js';
import { backupFromArtifacts, evaluateReplicationWith } from '../validation/validate-replication.js';
import type { NativeBackupInput } from '../../core/replication/native-backup.js';

export interface ReplicationAdmissionDeps {
  artifacts: ArtifactSource;
  limits: ReplicationLimits;
  /** Verifications that outlive their request (large snapshots). */
  verifications: BackgroundVerifications;
  /** A background verification is abandoned after this long. */
  backgroundTimeoutMs: number;
}

/** Answer "still verifying" this long before the admission deadline, so the outer race never has to. */
const ANSWER_MARGIN_MS = 100;

export function replicationAdmitter(ctx: GateContext, deps: ReplicationAdmissionDeps): ReplicationAdmitter {
  return async (request, subject, _signal, budgetMs, bound) => {
    const parsed = parseMigrationRequest(request.object);
    if (!parsed.ok) return rejected('T2', subject, 'migrationrequest-invalid', parsed.message, 'parse');
    const spec = parsed.spec;
    // Before any artifact is read: spec.env must be the namespace's
    // environment; the T2 policies and spec.config's T1 manifest then use it.
    const mismatch = specEnvMismatch(spec.env, bound.env, bound.path);
    if (mismatch)
      return rejected('T2', { ...subject, env: spec.env ?? 'prod' }, 'env-mismatch', mismatch, 'parse');
    const answerWithinMs = budgetMs - ANSWER_MARGIN_MS;
    // Both halves at once: the T2 wait and the config read overlap.
    const [replication, config] = await Promise.all([
      replicationPart(ctx, spec, deps, subject, answerWithinMs),
      // GATE_MAX_CONFIG_BYTES is also the manifest cap (config/derived.ts): the config gets the same limit as on the REST API.
      checkConfig(
        ctx,
        spec,
        { artifacts: deps.artifacts, maxConfigBytes: deps.limits.maxManifestBytes },
        answerWithinMs,
      ),
    ]);
    return config ? withConfigCheck(replication, config) : replication;
  };
}

/** The T2 verdict: from a finished background verification, a new or running one, or "still verifying". */
async function replicationPart(
  ctx: GateContext,
  spec: MigrationRequestSpec,
  deps: ReplicationAdmissionDeps,
  subject: Subject,
  answerWithinMs: number,
): Promise<Evaluation> {
  // The T2 part of the spec pins every digest and URL: the same part is the
  // same verification, under the same policy set and the same pinned keys.
  const key = sha256Hex(
    canonicalJson({
      spec: replicationPartOf(spec),
      policies: ctx.policies.current()?.digest ?? '',
      keys: ctx.keys.digest(),
    }),
  );
  const existing = deps.verifications.take(key);
  if (existing?.state === 'done') return reusedFor(existing.evaluation, subject);
  const running =
    existing ??
    deps.verifications.start(
      key,
      (onProgress) => verify(ctx, spec, deps, subject, onProgress),
      `${spec.sourceDb} -> ${spec.targetDb}`,
    );
  if (!running) {
    return rejected(
      'T2',
      subject,
      'verifier-busy',
      'too many large snapshots are being verified right now; retry in a minute',
      'snapshot',
    );
  }
  const raced = await raceDeadline(() => running.done, answerWithinMs);
  if (raced.done) {
    deps.verifications.forget(key);
    return reusedFor(raced.value, subject);
  }
  const { read, total } = running.progress;
  // The pipeline knows the total while streaming the snapshot; WAL bytes then add up without one.
  const howFar =
    total !== undefined
      ? `${read} of ${total} bytes of the snapshot read`
      : `${read} bytes of snapshot and WAL read`;
  return rejected(
    'T2',
    subject,
    'still-verifying',
    `still verifying: ${howFar}; the gate keeps going, retry (kubectl apply again) in a little while; progress: GET /api/v1/verifications/${key}`,
    'snapshot',
  );
}

/** Never throws: every failure is an evaluation (a BLOCK with its reason). */
async function verify(
  ctx: GateContext,
  spec: MigrationRequestSpec,
  deps: ReplicationAdmissionDeps,
  subject: Subject,
  onProgress: (p: Progress) => void,
): Promise<Evaluation> {
  // Its own deadline, not the request's: it may outlive the request.
  const signal = AbortSignal.timeout(deps.backgroundTimeoutMs);
  let signed: Signed;
  let data: { snapshot: ByteSource } | { backup: NativeBackupInput };
  try {
    signed = await signedManifest(spec, deps, signal);
    if (!signed.matches) {
      return rejected(
        'T2',
        subject,
        'spec-manifest-mismatch',
        'the spec does not match the signed replication manifest at signature.manifestUrl; the gate verifies what was signed, so both must say the same',
        'parse',
      );
    }
    data = spec.backup
      ? {
          backup: await backupFromArtifacts(
            deps.artifacts,
            spec.backup.url,
            signal,
            (spec.backup.priors ?? []).map((p) => p.url),
          ),
        }
      : { snapshot: await deps.artifacts.open(spec.snapshot!.url, signal) };
  } catch (e) {
    return artifactProblem(e, subject);
  }
  try {
    return await evaluateReplicationWith(
      ctx,
      {
        manifestBytes: signed.manifest,
        ...(signed.signature ? { signature: signed.signature } : {}),
        ...data,
        wal: walSources(ctx, spec, deps.artifacts, signal),
        subject,
        signal,
        onProgress: (read, total) => onProgress({ read, ...(total !== undefined ? { total } : {}) }),
      },
      deps.limits,
    );
  } catch (e) {
    return internalError('T2', e instanceof Error ? e.message.slice(0, 200) : 'verification failed', subject);
  }
}

interface Signed {
  manifest: Uint8Array;
  signature?: { kind: 'detached' | 'dsse'; bytes: Uint8Array };
  matches: boolean;
}

async function signedManifest(
  spec: MigrationRequestSpec,
  deps: ReplicationAdmissionDeps,
  signal: AbortSignal,
): Promise<Signed> {
  const sig = spec.signature;
  const manifest = sig?.manifestUrl
    ? await readCapped(
        await deps.artifacts.open(sig.manifestUrl, signal),
        deps.limits.maxManifestBytes,
        signal,
      )
    : canonicalManifestBytes(spec);
  let matches = true;
  if (sig?.manifestUrl) {
    const p = parseStrict(manifest, 'signed replication manifest', {
      maxBytes: deps.limits.maxManifestBytes,
      maxAliases: deps.limits.maxAliasCount,
      maxDepth: 16,
    });
    // Unparseable: let the pipeline name the parse error itself.
    matches = !p.ok || specMatchesManifest(spec, p.value);
  }
  if (!sig) return { manifest, matches };
  const bytes =
    sig.value !== undefined
      ? Buffer.from(sig.value, 'utf8')
      : await readCapped(await deps.artifacts.open(sig.url!, signal), deps.limits.maxSignatureBytes, signal);
  return { manifest, signature: { kind: sig.format, bytes }, matches };
}

async function* walSources(
  ctx: GateContext,
  spec: MigrationRequestSpec,
  artifacts: ArtifactSource,
  signal: AbortSignal,
): AsyncIterable<{ name: string; source: ByteSource }> {
  // Opened one at a time, after the snapshot: never more than one stream open.
  // A listed file that cannot be opened is simply not supplied: the list is
  // exhaustive, so the pipeline blocks it as [wal-missing], naming the file.
  for (const w of spec.walFiles ?? []) {
    let source: ByteSource;
    try {
      source = await artifacts.open(w.url, signal);
    } catch (e) {
      ctx.logger.warn('WAL artifact not readable; reported as missing', {
        wal: w.name,
        error: describeError(e),
      });
      continue;
    }
    yield { name: w.name, source };
  }
}

function artifactProblem(e: unknown, subject: Subject): Evaluation {
  const message = isGateError(e) ? e.message : 'the artifact could not be read';
  return rejected(
    'T2',
    subject,
    'artifact-unavailable',
    `${message}; check the URLs in the MigrationRequest spec`,
    'snapshot',
  );
}
