// Plain scalars with a `:` inside flow collections are read differently by
// the YAML parsers themselves: js-yaml reads `[a:]` as [{a: null}] and
// accepts `[::x]`, where libyaml (PyYAML), Go yaml and SnakeYAML read the
// string "a:" or refuse the document. Found by the config differential fuzz
// (test/differential/). Refused: inside a flow collection, outside quotes
// and comments, a `:` that starts a plain scalar (after `[`, `{`, `,`, `:`
// or a space, and not followed by a space), or one right before `]`, `}`,
// `,` or `:`. `{a: 1}`, `[http://x]` and quoted "[::1]:80" pass. In block
// context, a second mapping indicator on one line (`log: !!str k: v`,
// found by the fuzz too) is refused: js-yaml nests a mapping, the others
// refuse the document.

/**
 * The only characters the scan acts on; everything between them is jumped
 * over natively. A line end only resets the per-line count, so it is not a
 * stop: the scan asks whether one was passed since the last stop (`nl`, the
 * next line end, found once per line: linear on one long line too).
 */
const ACTS_ON = /[:[\]{}!&"'#]/g;

/** Index of the first such `:` in the text, or -1. */
export function ambiguousFlowColon(text: string): number {
  const scan = { depth: 0, indicators: 0 };
  const re = new RegExp(ACTS_ON.source, 'g');
  const lines = { from: 0, nl: text.indexOf('\n') };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const i = m.index;
    const c = text[i]!;
    if (lineEndPassed(text, lines, i)) scan.indicators = 0;
    // What precedes i: a quoted scalar or comment is jumped over whole, and
    // ends in its closing quote or newline, so this is the scan's `prev`.
    const prev = i === 0 ? '\n' : text[i - 1]!;
    if (blockColonDiffers(text, i, c, prev, scan)) return i;
    const skipTo = skipped(text, i, prev);
    if (skipTo !== undefined) {
      if (c === '#') scan.indicators = 0;
      re.lastIndex = skipTo + 1;
      lines.from = re.lastIndex;
      continue;
    }
    if (flowDiffers(text, i, c, prev, scan)) return i;
    lines.from = re.lastIndex;
  }
  return -1;
}

/** Flow context: track the nesting; true at a `:` that reads differently there. */
function flowDiffers(text: string, i: number, c: string, prev: string, scan: { depth: number }): boolean {
  if (c === '[' || c === '{') scan.depth++;
  else if ((c === ']' || c === '}') && scan.depth > 0) scan.depth--;
  else return c === ':' && scan.depth > 0 && flowColonDiffers(prev, text[i + 1] ?? '\n');
  return false;
}

/**
 * Whether a line end lies between the last stop (`from`) and `i`. One
 * inside a jumped-over quoted scalar or comment (before `from`) does not
 * count; `nl`, the next line end, is looked up once per line.
 */
function lineEndPassed(text: string, lines: { from: number; nl: number }, i: number): boolean {
  if (lines.nl !== -1 && lines.nl < lines.from) lines.nl = text.indexOf('\n', lines.from);
  if (lines.nl === -1 || lines.nl >= i) return false;
  lines.nl = text.indexOf('\n', i);
  return true;
}

/**
 * Block context: a second `: ` on one line after a tag or an anchor
 * (`log: !!str k: v`) is a nested mapping to js-yaml, an error to the
 * others (without one, js-yaml refuses it too). Counted from the tag on.
 */
function blockColonDiffers(
  text: string,
  i: number,
  c: string,
  prev: string,
  scan: { depth: number; indicators: number },
): boolean {
  if (scan.depth !== 0) return false;
  if ((c === '!' || c === '&') && ' \t'.includes(prev) && scan.indicators > 0) scan.indicators = 1.5;
  return c === ':' && ' \t\r\n'.includes(text[i + 1] ?? '\n') && (scan.indicators += 1) > 2;
}

/** `[a:]`, `[:x]`, `{k: :x}`, `[a::b]`: a colon that starts or ends a plain scalar in flow context. */
function flowColonDiffers(prev: string, next: string): boolean {
  if (']},:'.includes(next)) return true;
  return '[{,: \t\n'.includes(prev) && !' \t\r\n'.includes(next);
}

/** Where a quoted scalar (opened at a token boundary) or a comment starting at i ends; undefined if none starts there. */
function skipped(text: string, i: number, prev: string): number | undefined {
  const c = text[i];
  if ((c === '"' || c === "'") && ' \t\n[{,:'.includes(prev)) return endOfQuoted(text, i);
  if (c === '#' && ' \t\n'.includes(prev)) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  return undefined;
}

function endOfQuoted(text: string, start: number): number {
  const q = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    // Jump to the next quote (or, in double quotes, backslash) natively.
    const next = nextOf(text, q, i);
    if (next < 0) return text.length;
    i = next;
    if (q === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (q === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return text.length;
}

// Set before each use (lastIndex), so sharing them between calls is safe: the scan is synchronous.
const DOUBLE_QUOTED_STOP = /["\\]/g;

function nextOf(text: string, q: string, from: number): number {
  if (q !== '"') return text.indexOf(q, from);
  DOUBLE_QUOTED_STOP.lastIndex = from;
  return DOUBLE_QUOTED_STOP.exec(text)?.index ?? -1;
}
