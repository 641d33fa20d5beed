// What `audit archive` and the offline readers of archive + live segments
// are built from: the archive targets (a directory, a PostgreSQL table), the
// ConfigMap store in the gate's namespace and its checkpoint board. Wiring
// only: the CLI command parses and reports, the adapters do the work.
import { archiveSealedSegments, type ArchiveRun } from '../adapters/audit/configmap-archiver.js';
import { archivedEntries, directoryArchive } from '../adapters/audit/archive-dir.js';
import { configMapCheckpointBoard } from '../adapters/audit/configmap-checkpoint-board.js';
import { liveSegmentEntries } from '../adapters/audit/configmap-sink.js';
import { connectKube, type KubeConnection } from '../adapters/k8s/kube-connection.js';
import type { ArchiveTarget } from '../core/audit-archive.js';
import type { Logger } from '../core/ports/runtime.js';

export interface ClusterSettings {
  /** GATE_KUBECONFIG; absent: in-cluster or the default kubeconfig. */
  kubeconfig?: string;
  namespace: string;
}

type Entries = AsyncIterable<{ location: string; text: string }>;

function kube(c: ClusterSettings): KubeConnection {
  return connectKube(
    c.kubeconfig ? { kubeconfigPath: c.kubeconfig, requestTimeoutMs: 30_000 } : { requestTimeoutMs: 30_000 },
  );
}

/**
 * Archives every sealed segment to every target (a directory and/or a
 * PostgreSQL archive), deleting a segment only once all took it. At least
 * one target is required; the caller says so in its own words.
 */
export async function archiveToTargets(
  o: ClusterSettings & { dir?: string; postgresUrl?: string; logger: Logger },
): Promise<ArchiveRun> {
  const targets: ArchiveTarget[] = [];
  const closers: (() => Promise<void>)[] = [];
  if (o.dir) targets.push(directoryArchive(o.dir));
  try {
    if (o.postgresUrl) {
      const { postgresArchive } = await import('../adapters/postgres/pg-archive.js');
      const t = await postgresArchive(o.postgresUrl, o.logger);
      targets.push(t);
      closers.push(() => t.close());
    }
    const store = kube(o).archivableConfigMaps(o.namespace);
    return await archiveSealedSegments({
      store,
      targets,
      clock: () => new Date(),
      logger: o.logger,
      // Read-only use: the seal checkpoints go into the archive with their segments.
      board: configMapCheckpointBoard(store),
    });
  } finally {
    for (const c of closers) await c();
  }
}

/** The archive directory's lines, then (with `live`) the live segments': one chain per writer from genesis. */
export function archiveEntries(dir: string, live: ClusterSettings | undefined): Entries {
  return withLive(archivedEntries(dir), live);
}

/** `archived`, then (with `live`) the live ConfigMap segments in the cluster. */
export function withLive(archived: Entries, live: ClusterSettings | undefined): Entries {
  if (!live) return archived;
  // Connected now: a kubeconfig that does not load is the command's error, not a read error mid-walk.
  const store = kube(live).configMaps(live.namespace);
  return (async function* () {
    yield* archived;
    yield* liveSegmentEntries(store);
  })();
}
