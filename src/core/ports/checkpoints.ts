// The ports of the audit log's signed checkpoints (services/audit/audit-trees.ts):
// the signing key, where checkpoints go outside the store (log shipping, a
// witness) and the board replicas share their latest checkpoint on.
import type { KeyObject } from 'node:crypto';

/** The key that signs the audit log's checkpoints (its own, never the TLS key). */
export interface AuditSigningKey {
  /** The signed-note key name, `migration-gate/<cluster>`; origins are `<name>/<writer>`. */
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A signed checkpoint as it is handed to a destination outside the store. */
export interface OutgoingCheckpoint {
  origin: string;
  writer: string;
  size: number;
  /** The signed note. */
  note: string;
  /** RFC 6962 consistency proof from an earlier size of the same tree to this one. */
  consistencyFrom(size: number): Buffer[];
}

/** Where checkpoints go so the gate's own writer cannot rewrite them: log shipping, a witness. */
export interface CheckpointDestination {
  readonly name: string;
  send(checkpoint: OutgoingCheckpoint): Promise<{ ok: boolean; detail: string; cosigned?: boolean }>;
}

/** What a writer last published about its tree: its signed checkpoint and whether the witness took it. */
export interface CheckpointBoardEntry {
  writer: string;
  note: string;
  signed_at: string;
  witness?: { ok: boolean; detail: string };
  /**
   * The checkpoints it signed at its latest segment seals (newest last, a
   * few): each covers exactly a sealed segment's last record, so the
   * archiver sends it along with that segment (audit verify --archive).
   */
  sealed?: string[];
}

/**
 * Where replicas post their latest checkpoint so any replica can show every
 * writer's (ConfigMaps in cluster). A convenience for the status page and
 * API only: what is read back is signature-checked, and trust rests on the
 * witness and shipped logs, not on this board.
 */
export interface CheckpointBoard {
  put(entry: CheckpointBoardEntry): Promise<void>;
  list(): Promise<CheckpointBoardEntry[]>;
}
