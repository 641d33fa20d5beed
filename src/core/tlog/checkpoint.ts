// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
// `<origin>\n<size>\n<base64 root>\n`. One meaning: decimal without leading
// zeros, canonical base64 of exactly 32 bytes, no extension lines. Pure.
import { HASH_SIZE } from './rfc6962.js';
import { parseNote, strictBase64, verifiedBy, type Note, type NoteVerifier } from './signed-note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function parseCheckpointText(
  text: string,
): { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string } {
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '')
    return { ok: false, problem: 'a checkpoint is three lines: origin, size, root hash' };
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0) return { ok: false, problem: 'the checkpoint origin is empty' };
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    return { ok: false, problem: 'the checkpoint size is not a decimal number' };
  const root = strictBase64(rootText);
  if (!root || root.length !== HASH_SIZE)
    return { ok: false, problem: 'the checkpoint root is not base64 of 32 bytes' };
  return { ok: true, checkpoint: { origin, size: Number(sizeText), root } };
}

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  note: Note;
  /** The note as it was given, signatures included. */
  text: string;
}

/**
 * What a signed note claims as a checkpoint, signature NOT checked: for
 * picking and filing notes (which size a note is of) by code that holds no
 * key; anything that trusts the checkpoint opens it with openCheckpoint.
 */
export function claimedCheckpoint(noteText: string): Checkpoint | undefined {
  const parsed = parseNote(noteText);
  if (!parsed.ok) return undefined;
  const body = parseCheckpointText(parsed.note.text);
  return body.ok ? body.checkpoint : undefined;
}

/**
 * A signed checkpoint from `key` whose origin is `<key name>/...` (one key
 * signs every writer's tree of one installation), or the reason it is not.
 */
export function openCheckpoint(
  noteText: string,
  key: NoteVerifier,
): { ok: true; value: VerifiedCheckpoint } | { ok: false; problem: string } {
  const parsed = parseNote(noteText);
  if (!parsed.ok) return parsed;
  const body = parseCheckpointText(parsed.note.text);
  if (!body.ok) return body;
  if (!verifiedBy(parsed.note, key))
    return { ok: false, problem: `no valid signature by ${key.name} on the checkpoint` };
  if (!body.checkpoint.origin.startsWith(`${key.name}/`))
    return {
      ok: false,
      problem: `checkpoint origin ${body.checkpoint.origin} is not under the key's name ${key.name}`,
    };
  return { ok: true, value: { checkpoint: body.checkpoint, note: parsed.note, text: noteText } };
}

/**
 * Several signed notes one after the other (a checkpoint history, as log
 * shipping or a witness keeps it): a new note starts at the first line
 * after a signature block that is not itself a signature line.
 */
export function splitNotes(text: string): string[] {
  const notes: string[] = [];
  let current: string[] = [];
  let inSignatures = false;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (inSignatures && !line.startsWith('\u2014 ')) {
      notes.push(`${current.join('\n')}\n`);
      current = [];
      inSignatures = false;
      if (line === '') continue; // blank lines between notes are allowed
    }
    if (!inSignatures && line === '' && current.length > 0) inSignatures = true;
    current.push(line);
  }
  if (current.length > 0) notes.push(`${current.join('\n')}\n`);
  return notes;
}
