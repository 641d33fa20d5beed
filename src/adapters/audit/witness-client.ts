// Sends each signed checkpoint to a C2SP tlog-witness (add-checkpoint) with
// a consistency proof from the size the witness last cosigned. A witness
// that refuses (409/422) has seen another history of this writer: the log
// was truncated or rewritten since, and the gate raises an alert.
import { cosignedAt } from '../../core/tlog/cosignature.js';
import { parseNote, type NoteVerifier } from '../../core/tlog/signed-note.js';
import type { CheckpointDestination, OutgoingCheckpoint } from '../../core/ports/checkpoints.js';

export interface WitnessClientOptions {
  url: string;
  /** The witness's cosignature key: when given, a 200 without a valid cosignature is a failure. */
  witnessKey?: NoteVerifier;
  timeoutMs?: number;
}

export function witnessDestination(options: WitnessClientOptions): CheckpointDestination {
  const endpoint = new URL(
    'add-checkpoint',
    options.url.endsWith('/') ? options.url : `${options.url}/`,
  ).toString();
  /** The size the witness last cosigned, per origin, as it told us. */
  const known = new Map<string, number>();
  const post = async (c: OutgoingCheckpoint, old: number) => {
    const proof = old === 0 ? [] : c.consistencyFrom(old);
    const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${c.note}`;
    const res = await fetch(endpoint, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      text: (await res.text()).slice(0, 4096),
    };
  };
  return {
    name: `witness ${new URL(options.url).host}`,
    async send(c) {
      let old = known.get(c.origin) ?? 0;
      for (let attempt = 0; attempt < 2; attempt++) {
        if (old > c.size) {
          return {
            ok: false,
            detail: `the witness cosigned ${old} records of ${c.origin}, this gate's log holds ${c.size}: records were removed from the store`,
          };
        }
        const r = await post(c, old);
        if (r.status === 200) {
          if (options.witnessKey) {
            const note = parseNote(`${c.note}${r.text}`);
            if (!note.ok || cosignedAt(note.note, options.witnessKey) === undefined)
              return { ok: false, detail: 'the witness answered without a valid cosignature' };
          }
          known.set(c.origin, c.size);
          return { ok: true, detail: `cosigned size ${c.size}`, cosigned: true };
        }
        if (
          r.status === 409 &&
          r.type.startsWith('text/x.tlog.size') &&
          /^\d+\n$/.test(r.text) &&
          Number(r.text) !== old
        ) {
          old = Number(r.text);
          known.set(c.origin, old);
          continue;
        }
        if (r.status === 409)
          return {
            ok: false,
            detail: `the witness already cosigned another tree of size ${old} of ${c.origin}: the log was rewritten`,
          };
        if (r.status === 422)
          return {
            ok: false,
            detail: `the witness found size ${c.size} not consistent with the ${old} records it cosigned: the log was rewritten`,
          };
        return { ok: false, detail: `the witness answered HTTP ${r.status}: ${r.text.trim().slice(0, 200)}` };
      }
      return { ok: false, detail: 'the witness kept changing its size' };
    },
  };
}
