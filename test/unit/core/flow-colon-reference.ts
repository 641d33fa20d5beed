// The char-by-char scan flow-colon.ts replaced (issue 11 speed work), kept as the oracle
// its faster rewrite must agree with on every text (flow-colon-equivalence.test.ts).
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

/** Index of the first such `:` in the text, or -1. */
// eslint-disable-next-line complexity -- the old scan, kept verbatim as the oracle
export function referenceFlowColon(text: string): number {
  let depth = 0;
  let prev = '\n';
  let indicators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') indicators = 0;
    // Block context: a second `: ` on one line after a tag or an anchor
    // (`log: !!str k: v`) is a nested mapping to js-yaml, an error to the
    // others (without one, js-yaml refuses it too). Counted from the tag on.
    if (depth === 0 && (c === '!' || c === '&') && ' \t'.includes(prev) && indicators > 0) indicators = 1.5;
    if (c === ':' && depth === 0 && ' \t\r\n'.includes(text[i + 1] ?? '\n') && (indicators += 1) > 2)
      return i;
    const skipTo = skipped(text, i, prev);
    if (skipTo !== undefined) {
      i = skipTo;
      prev = c === '#' ? '\n' : c;
      if (c === '#') indicators = 0;
      continue;
    }
    if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ':' && depth > 0 && flowColonDiffers(prev, text[i + 1] ?? '\n')) return i;
    prev = c;
  }
  return -1;
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
    if (q === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return text.length;
}
