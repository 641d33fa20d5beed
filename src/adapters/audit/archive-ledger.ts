// The archive ledger: one small ConfigMap beside the segments that says, per
// writer, up to which segment (and chain head) the archiver has exported.
// Written by the archiver only (its own ServiceAccount); read by the gate so
// that verification of the live segments starts where the archive ends
// instead of reporting the archived records as missing.
import type { ChainHead } from '../../core/audit-record.js';
import type { ChainStart } from '../../core/ports/audit.js';
import type { ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';
import { CompactRange } from '../../core/tlog/compact-range.js';
import { isKubeError } from '../../core/ports/kube-errors.js';

export const LEDGER_NAME = 'migration-gate-audit-archive';
export const LEDGER_LABEL = 'migrationgate.io/audit-archive-ledger';

export interface LedgerEntry extends ChainHead {
  /** The newest archived segment number of this writer. */
  segment: number;
  archived_at: string;
  /** The compact range of the Merkle tree over every archived record of this writer (base64, largest subtree first). */
  tree?: string[];
}

export interface Ledger {
  stored: StoredConfigMap | undefined;
  entries: Map<string, LedgerEntry>;
}

function parseEntry(text: string): LedgerEntry | undefined {
  try {
    const v = JSON.parse(text) as Partial<LedgerEntry>;
    if (
      Number.isSafeInteger(v.segment) &&
      Number.isSafeInteger(v.seq) &&
      typeof v.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(v.hash) &&
      (v.tree === undefined || isCompactRange(v.seq!, v.tree))
    ) {
      return {
        segment: v.segment!,
        seq: v.seq!,
        hash: v.hash,
        archived_at: String(v.archived_at ?? ''),
        ...(v.tree ? { tree: v.tree } : {}),
      };
    }
  } catch {
    // reported below as unreadable
  }
  return undefined;
}

/** Exactly the hashes a compact range of `size` leaves has, each 32 bytes of canonical base64. */
function isCompactRange(size: number, tree: unknown): tree is string[] {
  if (!Array.isArray(tree) || !tree.every((h) => typeof h === 'string')) return false;
  const hashes = tree.map((h: string) => Buffer.from(h, 'base64'));
  if (hashes.some((h, i) => h.length !== 32 || h.toString('base64') !== tree[i])) return false;
  try {
    new CompactRange(size, hashes);
    return true;
  } catch {
    return false;
  }
}

/** The archived prefix of a writer's tree, ready to extend (undefined: an entry from before the ledger kept it). */
export function archivedRange(entry: LedgerEntry | undefined): CompactRange | undefined {
  if (!entry) return new CompactRange();
  if (!entry.tree) return entry.seq === 0 ? new CompactRange() : undefined;
  return new CompactRange(
    entry.seq,
    entry.tree.map((h) => Buffer.from(h, 'base64')),
  );
}

/** Reads the ledger; a missing one is empty. An unreadable entry throws: verification must not silently start at genesis. */
export async function readLedger(store: ConfigMapStore): Promise<Ledger> {
  let stored: StoredConfigMap | undefined;
  try {
    stored = await store.get(LEDGER_NAME);
  } catch (e) {
    if (isKubeError(e, 'not-found')) return { stored: undefined, entries: new Map() };
    throw e;
  }
  const entries = new Map<string, LedgerEntry>();
  for (const [writer, text] of Object.entries(stored.data)) {
    const entry = parseEntry(text);
    if (!entry)
      throw new Error(`archive ledger ${LEDGER_NAME}: the entry for writer ${writer} is unreadable`);
    entries.set(writer, entry);
  }
  return { stored, entries };
}

/** Records that `writer` is archived up to `entry` (optimistic: a concurrent archiver run fails with conflict). */
export async function advanceLedger(
  store: ConfigMapStore,
  ledger: Ledger,
  writer: string,
  entry: LedgerEntry,
): Promise<Ledger> {
  const data = { ...(ledger.stored?.data ?? {}), [writer]: JSON.stringify(entry) };
  const stored = ledger.stored
    ? await store.replace({ ...ledger.stored, data })
    : await store.create({
        name: LEDGER_NAME,
        labels: { [LEDGER_LABEL]: 'true' },
        annotations: {},
        data,
        immutable: false,
      });
  return { stored, entries: new Map(ledger.entries).set(writer, entry) };
}

/** The ledger as chain starts for the verifier and the trees. */
export function ledgerStarts(ledger: Ledger): Map<string, ChainStart> {
  return new Map(
    [...ledger.entries].map(([w, e]) => [
      w,
      { seq: e.seq, hash: e.hash, ...(e.tree ? { tree: e.tree } : {}) },
    ]),
  );
}
