// Offline verification of an audit log against signed checkpoints that were
// kept outside it (a witness, log shipping, an auditor's copy). Walks the
// stored lines once, in constant memory per writer: the per-record chain
// (ChainVerifier) names single edits exactly; a compact range per writer
// recomputes the tree root at every checkpoint size, which catches what the
// chain cannot: a rewrite that recomputed every hash, newest records cut
// off, and two signed checkpoints that cannot both be true (a fork). Pure.
import { ChainVerifier } from '../audit-record.js';
import type { ChainVerification } from '../contracts/audit.js';
import type { RawAuditEntry } from '../ports/audit.js';
import { recordLeafHash } from './audit-leaf.js';
import type { Checkpoint } from './checkpoint.js';
import { CompactRange } from './compact-range.js';

export type CheckpointStatus = 'ok' | 'truncated' | 'rewritten' | 'fork';

export interface CheckpointResult {
  origin: string;
  writer: string;
  size: number;
  root: string;
  status: CheckpointStatus;
  detail: string;
}

export interface LogVerification {
  ok: boolean;
  chain: ChainVerification;
  checkpoints: CheckpointResult[];
  /** The first record that is wrong or missing, when something is. */
  first_bad?: { writer?: string; location: string; problem: string };
  /** Writers the checkpoints do not cover: their records are checked by the chain only. */
  uncovered_writers: string[];
}

interface WriterWalk {
  range: CompactRange;
  /** Sizes still to reach, ascending, with the checkpoints of that size. */
  pending: Array<{ size: number; items: Checkpoint[] }>;
  /** The location of leaf `index` for each index a mismatch may have to name. */
  locations: Map<number, string>;
  lastLocation?: string;
  results: Map<Checkpoint, CheckpointResult>;
}

export class LogVerifier {
  readonly #chain = new ChainVerifier();
  readonly #walks = new Map<string, WriterWalk>();
  readonly #all: Array<{ checkpoint: Checkpoint; writer: string }> = [];
  readonly #seen = new Set<string>();

  /** `checkpoints` are already signature-checked; `writerOf` maps an origin to its writer. */
  constructor(checkpoints: readonly Checkpoint[], writerOf: (origin: string) => string | undefined) {
    for (const checkpoint of checkpoints) {
      const writer = writerOf(checkpoint.origin);
      if (writer === undefined) continue;
      this.#all.push({ checkpoint, writer });
      const walk: WriterWalk = this.#walks.get(writer) ?? {
        range: new CompactRange(),
        pending: [],
        locations: new Map(),
        results: new Map(),
      };
      const at = walk.pending.find((p) => p.size === checkpoint.size);
      if (at) at.items.push(checkpoint);
      else walk.pending.push({ size: checkpoint.size, items: [checkpoint] });
      this.#walks.set(writer, walk);
    }
    for (const walk of this.#walks.values()) {
      walk.pending.sort((a, b) => a.size - b.size);
      // Every checkpoint size (and 0) starts a stretch whose first record a mismatch names.
      walk.locations.set(0, '');
      for (const p of walk.pending) walk.locations.set(p.size, '');
      this.#settle(walk); // size-0 checkpoints
    }
  }

  add(entry: RawAuditEntry): void {
    const line = this.#chain.add(entry);
    if (!line.ok) return;
    const writer = line.record.writer;
    this.#seen.add(writer);
    const walk = this.#walks.get(writer);
    if (!walk) return;
    if (walk.locations.has(walk.range.size)) walk.locations.set(walk.range.size, entry.location);
    walk.lastLocation = entry.location;
    walk.range.append(recordLeafHash(line.raw));
    this.#settle(walk);
  }

  #settle(walk: WriterWalk): void {
    while (walk.pending.length > 0 && walk.pending[0]!.size === walk.range.size) {
      const { items } = walk.pending.shift()!;
      const root = walk.range.root();
      for (const c of items) {
        const ok = root.equals(c.root);
        walk.results.set(
          c,
          this.#result(c, ok ? 'ok' : 'rewritten', ok ? `the log's first ${c.size} records match` : ''),
        );
      }
    }
  }

  #result(c: Checkpoint, status: CheckpointStatus, detail: string): CheckpointResult {
    const writer = this.#all.find((x) => x.checkpoint === c)!.writer;
    return { origin: c.origin, writer, size: c.size, root: c.root.toString('base64'), status, detail };
  }

  result(): LogVerification {
    const chain = this.#chain.result();
    const results: CheckpointResult[] = [];
    let firstBad: LogVerification['first_bad'] = chain.first_bad
      ? {
          ...(chain.first_bad.writer ? { writer: chain.first_bad.writer } : {}),
          location: chain.first_bad.location,
          problem: chain.first_bad.problem,
        }
      : undefined;
    for (const [writer, walk] of [...this.#walks.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const n = walk.range.size;
      for (const p of walk.pending) {
        for (const c of p.items) {
          const missing = c.size - n;
          walk.results.set(
            c,
            this.#result(
              c,
              'truncated',
              `the log holds ${n} records of writer ${writer}; the checkpoint signed ${c.size}: the newest ${missing} were removed`,
            ),
          );
        }
      }
      const ordered = [...walk.results.values()].sort((a, b) => a.size - b.size);
      const largestOk = Math.max(-1, ...ordered.filter((r) => r.status === 'ok').map((r) => r.size));
      for (const r of ordered) {
        if (r.status === 'rewritten') {
          const from = ordered
            .filter((o) => o.status === 'ok' && o.size < r.size)
            .reduce((m, o) => Math.max(m, o.size), 0);
          const where = walk.locations.get(from) || '(start of log)';
          const twin = ordered.find((o) => o !== r && o.size === r.size && o.root !== r.root);
          if (largestOk > r.size || twin) {
            r.status = 'fork';
            const other = twin
              ? `another checkpoint of the same size ${r.size}`
              : `the one of size ${largestOk}`;
            r.detail = `fork: this checkpoint and ${other} are both signed but cannot both be true (they disagree within records ${from + 1}..${r.size} of writer ${writer})`;
          } else {
            r.detail = `the log's first ${r.size} records of writer ${writer} hash to another root: a record among ${from + 1}..${r.size} (from ${where}) was rewritten, inserted or removed`;
          }
          firstBad ??= { writer, location: where, problem: r.detail };
        }
        if (r.status === 'truncated')
          firstBad ??= {
            writer,
            location: walk.lastLocation ? `after ${walk.lastLocation}` : '(empty log)',
            problem: r.detail,
          };
        results.push(r);
      }
    }
    const uncovered = [...this.#seen].filter((w) => !this.#walks.has(w)).sort();
    const ok = chain.ok && results.every((r) => r.status === 'ok');
    return {
      ok,
      chain,
      checkpoints: results,
      ...(firstBad ? { first_bad: firstBad } : {}),
      uncovered_writers: uncovered,
    };
  }
}
