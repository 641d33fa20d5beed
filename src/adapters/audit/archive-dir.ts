// Archive store on a directory (a PVC in the cluster): one file per sealed
// segment with exactly the segment's records text, and a small JSON beside
// it saying what it holds (chain link in, chain head out, SHA-256). Written
// to a temporary name, fsync'd, renamed, directory fsync'd: a segment is in
// the archive completely or not at all, and only then may it be deleted.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveTarget } from '../../core/audit-archive.js';
import type { RawAuditEntry } from '../../core/ports/audit.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

async function writeDurably(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function directoryArchive(root: string): ArchiveTarget {
  return {
    name: `directory ${root}`,
    async put(seg) {
      const dir = path.join(root, seg.writer);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `${seg.name}.jsonl`);
      const existing = await readIfExists(file);
      // A rerun after a crash between export and delete finds its own copy: fine if identical, never overwritten.
      if (existing !== undefined && existing !== seg.text)
        throw new Error(
          `archive ${file} exists with other content; refusing to overwrite or delete the live segment`,
        );
      if (existing === undefined) await writeDurably(file, seg.text);
      const meta = {
        segment: seg.name,
        writer: seg.writer,
        n: seg.n,
        previous: seg.previous,
        last: seg.last,
        records: seg.records,
        sha256: sha256(seg.text),
      };
      await writeDurably(path.join(dir, `${seg.name}.meta.json`), `${JSON.stringify(meta, null, 2)}\n`);
      // The writer's signed checkpoint of exactly this segment's last record: what the auditor verifies against.
      if (seg.checkpoint !== undefined)
        await writeDurably(path.join(dir, `${seg.name}.checkpoint`), seg.checkpoint);
      await syncDir(dir);
      if ((await readFile(file, 'utf8')) !== seg.text)
        throw new Error(`archive ${file} does not read back as written`);
    },
  };
}

/** Every checkpoint the archive carries (`<writer>/<segment>.checkpoint`), by writer and segment. */
export async function archivedCheckpoints(root: string): Promise<{ file: string; note: string }[]> {
  const out: { file: string; note: string }[] = [];
  const writers = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const writer of writers)
    for (const f of (await readdir(path.join(root, writer)))
      .filter((f) => f.endsWith('.checkpoint'))
      .sort()) {
      const file = path.join(root, writer, f);
      out.push({ file, note: await readFile(file, 'utf8') });
    }
  return out;
}

/**
 * Every archived line, writer by writer, segment by segment, named
 * `archive <segment> line <n>`: the input of `audit verify --archive`.
 */
export async function* archivedEntries(root: string): AsyncGenerator<RawAuditEntry> {
  const writers = (await readdir(root, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const writer of writers) {
    const files = (await readdir(path.join(root, writer))).filter((f) => f.endsWith('.jsonl')).sort();
    for (const f of files) {
      const text = await readFile(path.join(root, writer, f), 'utf8');
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const name = f.slice(0, -'.jsonl'.length);
      for (const [i, line] of lines.entries())
        yield { location: `archive ${name} line ${i + 1}`, text: line };
    }
  }
}
