// C2SP tlog-proof@v1 (https://c2sp.org/tlog-proof): an offline-verifiable
// proof that one entry is in a checkpointed tree. `extra` carries the
// audit record's canonical bytes: not authenticated by itself, but its leaf
// hash must lead to the signed root, so nothing else is trusted. Pure.
import { strictBase64 } from './signed-note.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  extra?: Buffer;
  index: number;
  proof: Buffer[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

export function formatTlogProof(p: TlogProof): string {
  const extra = p.extra ? `extra ${p.extra.toString('base64')}\n` : '';
  return `${TLOG_PROOF_HEADER}\n${extra}index ${p.index}\n${p.proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${p.checkpoint}`;
}

export function parseTlogProof(
  text: string,
): { ok: true; proof: TlogProof } | { ok: false; problem: string } {
  const lines = text.split('\n');
  let i = 0;
  if (lines[i++] !== TLOG_PROOF_HEADER)
    return { ok: false, problem: `the first line is not ${TLOG_PROOF_HEADER}` };
  let extra: Buffer | undefined;
  if (lines[i]?.startsWith('extra ')) {
    extra = strictBase64(lines[i]!.slice(6));
    if (!extra) return { ok: false, problem: 'the extra line is not base64' };
    i++;
  }
  const m = /^index (0|[1-9][0-9]{0,15})$/.exec(lines[i++] ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1]))) return { ok: false, problem: 'no "index <n>" line' };
  const proof: Buffer[] = [];
  for (; i < lines.length && lines[i] !== ''; i++) {
    const h = strictBase64(lines[i]!);
    if (!h || h.length !== 32) return { ok: false, problem: `proof line ${i + 1} is not base64 of 32 bytes` };
    proof.push(h);
  }
  if (lines[i] !== '') return { ok: false, problem: 'no blank line before the checkpoint' };
  if (proof.length > 63) return { ok: false, problem: 'an inclusion proof has at most 63 hashes' };
  const checkpoint = lines.slice(i + 1).join('\n');
  return { ok: true, proof: { ...(extra ? { extra } : {}), index: Number(m[1]), proof, checkpoint } };
}
