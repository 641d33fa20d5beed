// Config-check (T1) results remembered by content. The T1 evaluation is a pure function of
// the manifest, the exact config bytes, the parse limits and the policy set,
// and the same ConfigMap reaches the gate again and again: `kubectl apply
// --dry-run=server` before the real apply, retries, GitOps controllers
// re-applying every few minutes, one config rolled out to many namespaces.
// Those are answered from here instead of parsing, scanning and running every
// policy again; every request still gets its own decision, request id and
// audit record.
//
// The key is a SHA-256 over all of those inputs (the policy set and the
// pinned key set by their digests, so a reload of either changes every key). A different byte anywhere is a
// different key: nothing is ever answered for content it was not computed
// for. Entries are frozen and handed out as copies, so no caller can change
// what a later request is answered with.
import type { Evaluation, Subject } from '../../core/contracts/report.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/hashing.js';
import { reusedFor } from '../../core/reused-evaluation.js';
import { LruMap } from '../../core/lru-map.js';

/** Enough for every config of a large cluster's rollout; an entry is a few KB. */
export const T1_MEMO_ENTRIES = 1024;

export interface ConfigCheckMemoInput {
  manifest: Uint8Array | unknown;
  config: Uint8Array;
  maxConfigBytes: number;
  policyDigest: string;
  /** The pinned key set's digest: a key change never serves an old verdict. */
  keyDigest: string;
  signature?: { kind: 'detached' | 'dsse'; bytes: Uint8Array };
  /** Where the request may be judged (an env-mismatch is part of the verdict). */
  envBinding?: { allowed: readonly string[]; rule: string; by: string };
}

export class ConfigCheckMemo {
  readonly #entries: LruMap<string, Evaluation>;
  #hits = 0;
  #misses = 0;

  constructor(readonly capacity = T1_MEMO_ENTRIES) {
    this.#entries = new LruMap(capacity);
  }

  /**
   * The remembered evaluation with this request's subject, or a fresh one
   * from `evaluate` (called with an empty subject, remembered, then given the
   * request's). Inputs that cannot be keyed are evaluated every time.
   */
  evaluate(input: ConfigCheckMemoInput, subject: Subject, evaluate: () => Evaluation): Evaluation {
    const key = keyOf(input);
    if (key === undefined) return reusedFor(evaluate(), subject);
    return reusedFor(this.#hit(key) ?? this.#remember(key, evaluate), subject);
  }

  /**
   * The remembered evaluation with this request's subject, counted as a
   * hit; undefined (and nothing counted) when it is not remembered: the
   * caller then evaluates through `evaluate`.
   */
  remembered(input: ConfigCheckMemoInput, subject: Subject): Evaluation | undefined {
    const key = keyOf(input);
    const found = key === undefined ? undefined : this.#hit(key);
    return found && reusedFor(found, subject);
  }

  #hit(key: string): Evaluation | undefined {
    const found = this.#entries.get(key);
    if (found) this.#hits++;
    return found;
  }

  #remember(key: string, evaluate: () => Evaluation): Evaluation {
    this.#misses++;
    const found = frozen(evaluate());
    this.#entries.set(key, found);
    return found;
  }

  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }
}

function keyOf(input: ConfigCheckMemoInput): string | undefined {
  let manifest: Uint8Array;
  try {
    manifest =
      input.manifest instanceof Uint8Array
        ? input.manifest
        : Buffer.from(`value:${canonicalJson(input.manifest)}`, 'utf8');
  } catch {
    return undefined;
  }
  // Every field length-prefixed: no bytes can be shifted from one field into the next.
  const hash = createHash('sha256').update(
    `${input.policyDigest}\n${input.keyDigest}\n${input.maxConfigBytes}\n${input.manifest instanceof Uint8Array ? 'bytes' : 'value'}\n`,
  );
  const binding = Buffer.from(input.envBinding ? canonicalJson(input.envBinding) : '', 'utf8');
  hash.update(`${binding.byteLength}\n`).update(binding).update('\n');
  hash
    .update(`${manifest.byteLength}\n`)
    .update(manifest)
    .update(`\n${input.config.byteLength}\n`)
    .update(input.config);
  const sig = input.signature;
  return hash
    .update(sig ? `\nsig ${sig.kind} ${sig.bytes.byteLength}\n` : '\nnosig\n')
    .update(sig ? sig.bytes : new Uint8Array())
    .digest('hex');
}

function frozen(e: Evaluation): Evaluation {
  for (const s of e.steps) Object.freeze(s);
  for (const f of e.findings) Object.freeze(f);
  Object.freeze(e.steps);
  Object.freeze(e.findings);
  Object.freeze(e.subject);
  return Object.freeze(e);
}
