// Where a dotted finding path (`tls.enabled`, `ports[1].host`) sits in the
// config text, so SARIF can put the finding on its line. Best effort over
// block-style YAML and indented JSON (what people write and review): it
// reads indentation, not a full grammar, and answers undefined rather than
// a wrong line; the caller then points at the top of the file.

export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

type Segment = { key: string } | { index: number };

function segments(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) out.push({ key: m[1] });
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push({ index: Number(idx[1]) });
  }
  return out.length > 0 ? out : undefined;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function isContent(line: string): boolean {
  const t = line.trim();
  return t.length > 0 && !t.startsWith('#') && t !== '---';
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Where the search for one segment stands: below line `from`, deeper than column `parentCol`. */
interface Cursor {
  from: number;
  parentCol: number;
}

/** The lines inside the parent's block, from its own line on (the parent's line can hold `- key:`). */
function* blockLines(lines: string[], at: Cursor): Generator<{ i: number; line: string }> {
  for (let i = at.from; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isContent(line)) continue;
    if (i > at.from && indentOf(line) <= at.parentCol) return;
    yield { i, line };
  }
}

function regionOf(i: number, col: number, line: string): Region {
  return { startLine: i + 1, startColumn: col + 1, endLine: i + 1, endColumn: line.trimEnd().length + 1 };
}

function findKey(lines: string[], at: Cursor, key: string): { cursor: Cursor; region: Region } | undefined {
  const re = new RegExp(`^(\\s*(?:-\\s+)?)(["']?)(${escape(key)})\\2\\s*:(?:\\s|$)`);
  let childCol: number | undefined;
  for (const { i, line } of blockLines(lines, at)) {
    // The children's column is the first one inside the block; only direct
    // children count (a deeper key of the same name belongs to someone else).
    const col = /^\s*(?:-\s+)?/.exec(line)![0].length;
    if (col <= at.parentCol) continue;
    childCol ??= col;
    if (col === childCol && re.test(line))
      return { cursor: { from: i, parentCol: col }, region: regionOf(i, col, line) };
  }
  return undefined;
}

function findItem(
  lines: string[],
  at: Cursor,
  index: number,
): { cursor: Cursor; region: Region } | undefined {
  let childCol: number | undefined;
  let count = 0;
  for (const { i, line } of blockLines(lines, at)) {
    const col = /^(\s*)-(?:\s|$)/.exec(line)?.[1]!.length;
    if (col === undefined) continue;
    childCol ??= col;
    if (col === childCol && count++ === index)
      return { cursor: { from: i, parentCol: col }, region: regionOf(i, col, line) };
  }
  return undefined;
}

export function locatePath(text: string, path: string | undefined): Region | undefined {
  const segs = path ? segments(path) : undefined;
  if (!segs) return undefined;
  const lines = text.split(/\r?\n/);
  let cursor: Cursor = { from: 0, parentCol: -1 };
  let region: Region | undefined;
  for (const seg of segs) {
    const hit = 'key' in seg ? findKey(lines, cursor, seg.key) : findItem(lines, cursor, seg.index);
    if (!hit) return undefined;
    ({ cursor, region } = hit);
  }
  return region;
}
