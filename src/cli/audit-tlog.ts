// `audit verify --checkpoint`, `audit prove`, `audit verify-proof`: offline
// checks of the audit log against signed checkpoints, with nothing but the
// gate's public key (and, for proofs, the proof file).
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { recordHash } from '../core/audit-record.js';
import { AuditRecordSchema } from '../core/contracts/audit.js';
import { openCheckpoint, splitNotes, type Checkpoint } from '../core/tlog/checkpoint.js';
import { LogVerifier, type LogVerification } from '../core/tlog/log-verify.js';
import { verifyInclusion } from '../core/tlog/proof-verify.js';
import { leafHash } from '../core/tlog/rfc6962.js';
import { parseVerifierKey, type NoteVerifier } from '../core/tlog/signed-note.js';
import { parseTlogProof } from '../core/tlog/tlog-proof.js';
import type { RawAuditEntry } from '../core/ports/audit.js';
import { readJsonLines } from '../adapters/audit/file-sink.js';

export class CliInputError extends Error {}

export async function readVerifierKey(file: string): Promise<NoteVerifier> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliInputError(`--key ${file} cannot be read`);
  });
  try {
    return parseVerifierKey(text.trim());
  } catch (e) {
    throw new CliInputError(`--key ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Every checkpoint in FILE, each signed by `key`; one that is not is an error, never skipped. */
export async function readCheckpoints(file: string, key: NoteVerifier): Promise<Checkpoint[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliInputError(`--checkpoint ${file} cannot be read`);
  });
  const notes = splitNotes(text);
  if (notes.length === 0) throw new CliInputError(`--checkpoint ${file} holds no checkpoint`);
  return notes.map((note, i) => {
    const opened = openCheckpoint(note, key);
    if (!opened.ok) throw new CliInputError(`--checkpoint ${file}: checkpoint ${i + 1}: ${opened.problem}`);
    return opened.value.checkpoint;
  });
}

/** The stored lines: one file, a directory (a data dir, or an export of segments as *.jsonl), or a server's export. */
export async function* logEntries(source: {
  file?: string;
  dir?: string;
  server?: { url: string; token?: string };
}): AsyncGenerator<RawAuditEntry> {
  if (source.file) {
    yield* readJsonLines(source.file);
    return;
  }
  if (source.dir) {
    const data = path.join(source.dir, 'audit.jsonl');
    if (
      await stat(data).then(
        () => true,
        () => false,
      )
    ) {
      yield* readJsonLines(data);
      return;
    }
    const files = (await readdir(source.dir)).filter((f) => f.endsWith('.jsonl')).sort();
    if (files.length === 0)
      throw new CliInputError(`--dir ${source.dir} holds neither audit.jsonl nor exported *.jsonl segments`);
    for (const f of files) yield* readJsonLines(path.join(source.dir, f));
    return;
  }
  if (source.server) {
    const res = await fetch(new URL('/api/v1/audit/export', source.server.url), {
      headers: source.server.token ? { authorization: `Bearer ${source.server.token}` } : {},
    });
    if (res.status !== 200)
      throw new CliInputError(`the server answered HTTP ${res.status} to /api/v1/audit/export`);
    const lines = (await res.text()).split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const [i, text] of lines.entries()) yield { location: `export line ${i + 1}`, text };
    return;
  }
  throw new CliInputError('give --file, --dir or --server');
}

export async function verifyLogAgainst(
  key: NoteVerifier,
  checkpoints: Checkpoint[],
  entries: AsyncIterable<RawAuditEntry>,
): Promise<LogVerification> {
  const prefix = `${key.name}/`;
  const verifier = new LogVerifier(checkpoints, (origin) =>
    origin.startsWith(prefix) ? origin.slice(prefix.length) : undefined,
  );
  for await (const entry of entries) verifier.add(entry);
  return verifier.result();
}

export interface ProofVerification {
  ok: boolean;
  problem?: string;
  origin?: string;
  index?: number;
  tree_size?: number;
  record?: { request_id: string; writer: string; seq: number; decision: string; timestamp: string };
}

/** Checks a tlog-proof file: signed checkpoint, inclusion of the record's leaf, and that the record is the writer's. */
export function verifyProofText(text: string, key: NoteVerifier): ProofVerification {
  const parsed = parseTlogProof(text);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const { proof } = parsed;
  const opened = openCheckpoint(proof.checkpoint, key);
  if (!opened.ok) return { ok: false, problem: opened.problem };
  const cp = opened.value.checkpoint;
  const base = { origin: cp.origin, index: proof.index, tree_size: cp.size };
  if (!proof.extra) return { ok: false, ...base, problem: 'the proof carries no record (extra line)' };
  if (!verifyInclusion(proof.index, cp.size, leafHash(proof.extra), proof.proof, cp.root)) {
    return {
      ok: false,
      ...base,
      problem: `the record is not leaf ${proof.index} of the signed tree of size ${cp.size}`,
    };
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(proof.extra.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, ...base, problem: 'the record is not JSON' };
  }
  const record = AuditRecordSchema.safeParse(raw);
  if (!record.success) return { ok: false, ...base, problem: 'the record is not an audit record' };
  const r = record.data;
  if (cp.origin !== `${key.name}/${r.writer}`)
    return {
      ok: false,
      ...base,
      problem: `the record's writer ${r.writer} does not own origin ${cp.origin}`,
    };
  const { hash: _h, ...unhashed } = raw;
  if (recordHash(unhashed) !== r.hash)
    return { ok: false, ...base, problem: 'the record does not hash to its own hash field' };
  return {
    ok: true,
    ...base,
    record: {
      request_id: r.request_id,
      writer: r.writer,
      seq: r.seq,
      decision: r.decision,
      timestamp: r.timestamp,
    },
  };
}

export async function fetchProof(
  server: string,
  token: string | undefined,
  requestId: string,
  out: string,
): Promise<string> {
  const url = new URL('/api/v1/audit/proof', server);
  url.searchParams.set('request_id', requestId);
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await res.text();
  if (res.status !== 200)
    throw new CliInputError(`the server answered HTTP ${res.status}: ${body.slice(0, 500)}`);
  await writeFile(out, body);
  return out;
}
