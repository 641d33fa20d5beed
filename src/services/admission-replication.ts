// MigrationRequest admission -> T2. The spec says where the snapshot, WAL
// files and signature are (file:// under the artifact root, https:// on
// allow-listed hosts); they are streamed through the same T2 pipeline as the
// REST API, under the admission deadline's AbortSignal.
import { canonicalManifestBytes, parseMigrationRequest, specMatchesManifest, type MigrationRequestSpec } from '../core/admission/migration-request.js';
import type { Evaluation, Subject } from '../core/contracts/report.js';
import { isGateError } from '../core/errors.js';
import type { ArtifactSource, ByteSource } from '../core/ports.js';
import type { ReplicationLimits } from '../core/replication/pipeline.js';
import { parseStrict } from '../core/strict-parse.js';
import type { ReplicationAdmitter } from './admit.js';
import type { GateContext } from './gate-context.js';
import { rejected } from './rejections.js';
import { evaluateReplicationWith } from './validate-replication.js';

export interface ReplicationAdmissionDeps {
  artifacts: ArtifactSource;
  limits: ReplicationLimits;
}

export function replicationAdmitter(ctx: GateContext, deps: ReplicationAdmissionDeps): ReplicationAdmitter {
  return async (request, subject, signal) => {
    const parsed = parseMigrationRequest(request.object);
    if (!parsed.ok) return rejected('T2', subject, 'migrationrequest-invalid', parsed.message, 'parse');
    const spec = parsed.spec;
    let signed: Signed;
    let snapshot: ByteSource;
    try {
      signed = await signedManifest(spec, deps, signal);
      if (!signed.matches) {
        return rejected('T2', subject, 'spec-manifest-mismatch', 'the spec does not match the signed replication manifest at signature.manifestUrl; the gate verifies what was signed, so both must say the same', 'parse');
      }
      snapshot = await deps.artifacts.open(spec.snapshot.url, signal);
    } catch (e) {
      return artifactProblem(e, subject);
    }
    return evaluateReplicationWith(ctx, {
      manifestBytes: signed.manifest,
      ...(signed.signature ? { signature: signed.signature } : {}),
      snapshot,
      wal: walSources(ctx, spec, deps.artifacts, signal),
      subject,
      signal,
    }, deps.limits);
  };
}

interface Signed {
  manifest: Uint8Array;
  signature?: { kind: 'detached' | 'dsse'; bytes: Uint8Array };
  matches: boolean;
}

async function signedManifest(spec: MigrationRequestSpec, deps: ReplicationAdmissionDeps, signal: AbortSignal): Promise<Signed> {
  const sig = spec.signature;
  const manifest = sig?.manifestUrl ? await readAll(await deps.artifacts.open(sig.manifestUrl, signal), deps.limits.maxManifestBytes) : canonicalManifestBytes(spec);
  let matches = true;
  if (sig?.manifestUrl) {
    const p = parseStrict(manifest, 'signed replication manifest', { maxBytes: deps.limits.maxManifestBytes, maxAliases: deps.limits.maxAliasCount, maxDepth: 16 });
    // Unparseable: let the pipeline name the parse error itself.
    matches = !p.ok || specMatchesManifest(spec, p.value);
  }
  if (!sig) return { manifest, matches };
  const bytes = sig.value !== undefined ? Buffer.from(sig.value, 'utf8') : await readAll(await deps.artifacts.open(sig.url!, signal), deps.limits.maxSignatureBytes);
  return { manifest, signature: { kind: sig.format, bytes }, matches };
}

async function* walSources(ctx: GateContext, spec: MigrationRequestSpec, artifacts: ArtifactSource, signal: AbortSignal): AsyncIterable<{ name: string; source: ByteSource }> {
  // Opened one at a time, after the snapshot: never more than one stream open.
  // A listed file that cannot be opened is simply not supplied: the list is
  // exhaustive, so the pipeline blocks it as [wal-missing], naming the file.
  for (const w of spec.walFiles ?? []) {
    let source: ByteSource;
    try {
      source = await artifacts.open(w.url, signal);
    } catch (e) {
      ctx.logger.warn('WAL artifact not readable; reported as missing', { wal: w.name, error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    yield { name: w.name, source };
  }
}

async function readAll(source: ByteSource, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of source.stream) {
    total += c.byteLength;
    if (total > limit) throw new RangeError(`${source.name} is larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks, total);
}

function artifactProblem(e: unknown, subject: Subject): Evaluation {
  const message = isGateError(e) || e instanceof RangeError ? e.message : 'the artifact could not be read';
  return rejected('T2', subject, 'artifact-unavailable', `${message}; check the URLs in the MigrationRequest spec`, 'snapshot');
}

