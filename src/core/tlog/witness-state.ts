// The decision of a C2SP tlog-witness add-checkpoint call
// (https://c2sp.org/tlog-witness): cosign a checkpoint only when it is
// signed by a trusted log key and consistent with the last one cosigned for
// its origin. Pure: the server keeps the state, persists it before
// answering, and serialises calls.
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { verifyConsistency } from './proof-verify.js';
import { strictBase64, type NoteVerifier } from './signed-note.js';

export interface WitnessedTree {
  size: number;
  root: Buffer;
}

export type WitnessDecision =
  | { status: 200; origin: string; checkpoint: Checkpoint; text: string }
  | { status: 400 | 403 | 404 | 409 | 422; problem: string; origin?: string; knownSize?: number };

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  note: string;
}

export function parseAddCheckpoint(
  body: string,
): { ok: true; request: AddCheckpointRequest } | { ok: false; problem: string } {
  const m = /^old (0|[1-9][0-9]{0,15})\n/.exec(body);
  if (!m) return { ok: false, problem: 'the body must start with "old <size>"' };
  const rest = body.slice(m[0].length);
  const blank = rest.indexOf('\n') === 0 ? 0 : rest.indexOf('\n\n') + 1;
  if (blank <= 0 && !rest.startsWith('\n'))
    return { ok: false, problem: 'no blank line after the consistency proof' };
  const proofLines = blank === 0 ? [] : rest.slice(0, blank).split('\n').slice(0, -1);
  if (proofLines.length > 63) return { ok: false, problem: 'more than 63 consistency proof lines' };
  const proof: Buffer[] = [];
  for (const line of proofLines) {
    const h = strictBase64(line);
    if (!h || h.length !== 32)
      return { ok: false, problem: 'a consistency proof line is not base64 of 32 bytes' };
    proof.push(h);
  }
  return { ok: true, request: { oldSize: Number(m[1]), proof, note: rest.slice(blank + 1) } };
}

/** What to answer to `body`, given the trusted log keys and the latest cosigned tree per origin. */
export function decideAddCheckpoint(
  body: string,
  logKeys: readonly NoteVerifier[],
  latest: (origin: string) => WitnessedTree | undefined,
): WitnessDecision {
  const parsed = parseAddCheckpoint(body);
  if (!parsed.ok) return { status: 400, problem: parsed.problem };
  const { oldSize, proof, note } = parsed.request;
  // The origin decides which key must have signed; an origin no key covers is unknown (404).
  const originLine = note.slice(0, Math.max(0, note.indexOf('\n')));
  const key = logKeys.find((k) => originLine.startsWith(`${k.name}/`));
  if (!key) return { status: 404, problem: `unknown log origin ${JSON.stringify(originLine.slice(0, 200))}` };
  const opened = openCheckpoint(note, key);
  if (!opened.ok)
    return {
      status: opened.problem.startsWith('no valid signature') ? 403 : 400,
      problem: opened.problem,
      origin: originLine,
    };
  const { checkpoint } = opened.value;
  const origin = checkpoint.origin;
  if (oldSize > checkpoint.size)
    return {
      status: 400,
      problem: `old size ${oldSize} is larger than the checkpoint size ${checkpoint.size}`,
      origin,
    };
  const known = latest(origin);
  const knownSize = known?.size ?? 0;
  if (oldSize !== knownSize)
    return {
      status: 409,
      problem: `old size ${oldSize} is not the latest cosigned size ${knownSize}`,
      origin,
      knownSize,
    };
  if (known && known.size === checkpoint.size) {
    if (!known.root.equals(checkpoint.root))
      return {
        status: 409,
        problem: `a different tree of size ${known.size} was already cosigned: the log forked or was rewritten`,
        origin,
        knownSize,
      };
    if (proof.length > 0)
      return { status: 422, problem: 'a consistency proof between equal sizes must be empty', origin };
  } else if (known && !verifyConsistency(known.size, checkpoint.size, proof, known.root, checkpoint.root)) {
    return {
      status: 422,
      problem: `the tree of size ${checkpoint.size} is not consistent with the cosigned tree of size ${known.size}: the log was truncated or rewritten`,
      origin,
    };
  } else if (!known && proof.length > 0) {
    return { status: 422, problem: 'the consistency proof from size 0 must be empty', origin };
  }
  return { status: 200, origin, checkpoint, text: opened.value.note.text };
}
