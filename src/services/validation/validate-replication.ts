// Use case: the replication check (T2). Replication manifest, optional signature, snapshot and WAL in;
// recorded decision out. Streams are consumed once, in order.
import { evaluatePolicies } from '../../core/policy/evaluate.js';
import { verifyReplication, type ReplicationLimits } from '../../core/replication/pipeline.js';
import type { DecisionReport, Evaluation, Subject } from '../../core/contracts/report.js';
import type { ArtifactSource, ByteSource } from '../../core/ports/artifacts.js';
import { GateError } from '../../core/errors.js';
import type { BackupLinkInput, NativeBackupInput } from '../../core/replication/native-backup.js';
import type { EnvBinding } from '../../core/config-check.js';
import type { GateContext } from '../gate-context.js';
import { recordDecision, type RecordOptions } from '../decision/record-decision.js';
import { policyUnavailable } from '../decision/rejections.js';

export interface ReplicationRequest {
  manifestBytes: Uint8Array;
  signature?: { kind: 'detached' | 'dsse'; bytes: Uint8Array };
  snapshot?: ByteSource;
  /** A native pg_basebackup directory instead of the single archive. */
  backup?: NativeBackupInput;
  wal: AsyncIterable<{ name: string; source: ByteSource }>;
  subject?: Subject;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes?: number) => void;
  envBinding?: EnvBinding;
}

export async function evaluateReplicationWith(
  ctx: GateContext,
  req: ReplicationRequest,
  limits: ReplicationLimits,
): Promise<Evaluation> {
  const set = ctx.policies.current();
  if (!set) return policyUnavailable('T2', req.subject ?? {});
  const started = performance.now();
  let bytes = 0;
  const evaluation = await verifyReplication({
    manifestBytes: req.manifestBytes,
    ...(req.signature ? { signature: req.signature } : {}),
    ...(req.snapshot ? { snapshot: req.snapshot } : {}),
    ...(req.backup ? { backup: withWalker(req.backup, ctx) } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.envBinding ? { envBinding: req.envBinding } : {}),
    ...(ctx.checksums ? { checksums: ctx.checksums } : {}),
    wal: req.wal,
    keys: ctx.keys.keys(),
    limits,
    policies: (facts) => evaluatePolicies(set, { scenario: 'T2', env: facts.env, vars: { ...facts } }),
    onProgress: (read, total) => {
      bytes = read;
      req.onProgress?.(read, total);
    },
  });
  ctx.metrics.snapshotBytes(bytes, (performance.now() - started) / 1000);
  return { ...evaluation, subject: { ...req.subject, ...evaluation.subject } };
}

export async function validateReplication(
  ctx: GateContext,
  req: ReplicationRequest,
  opts: RecordOptions & { limits: ReplicationLimits },
): Promise<DecisionReport> {
  return recordDecision(ctx, await evaluateReplicationWith(ctx, req, opts.limits), opts);
}

/** The gate's tar-walk pool for a backup whose tars may be read at once (files on disk; one request body stays at 1). */
function withWalker(backup: NativeBackupInput, ctx: GateContext): NativeBackupInput {
  if (backup.walk || !ctx.tarWalks) return backup;
  const parallel = (backup.parallel ?? 1) > 1 ? Math.max(backup.parallel!, ctx.tarWalks.size) : 1;
  return { ...backup, walk: ctx.tarWalks.run, parallel };
}

/**
 * A backup directory artifact: its backup_manifest read whole, its tars
 * opened one at a time as the core asks (walked at once on the gate's cores:
 * withWalker); an incremental backup's prior directories (oldest first) the
 * same way.
 */
export async function backupFromArtifacts(
  artifacts: ArtifactSource,
  url: string,
  signal?: AbortSignal,
  priorUrls: readonly string[] = [],
): Promise<NativeBackupInput> {
  const open = artifacts.openBackupDir?.bind(artifacts);
  if (!open)
    throw new GateError('bad-request', 'backup directories are not available from this artifact source');
  const link = async (u: string): Promise<BackupLinkInput> => {
    const dir = await open(u, signal);
    async function* files(): AsyncGenerator<{ name: string; source: ByteSource }> {
      for (const f of dir.files) yield { name: f.name, source: await f.open() };
    }
    return { manifestBytes: dir.manifestBytes, files: files() };
  };
  const backup = await link(url);
  const priors: BackupLinkInput[] = [];
  for (const u of priorUrls) priors.push(await link(u));
  return { ...backup, parallel: 2, ...(priors.length > 0 ? { priors } : {}) };
}
