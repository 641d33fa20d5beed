// JSON.parse silently keeps the last of two equal keys. This scanner runs
// over text that JSON.parse has already accepted and reports the first
// duplicated key, and the nesting depth, in one linear pass without recursion.

export interface JsonShape {
  duplicate?: string;
  depth: number;
}

export function scanJsonShape(text: string, maxDepth: number): JsonShape {
  const keys: Array<Set<string> | null> = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = keys[keys.length - 1];
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.has(key)) return { duplicate: key, depth };
        top.add(key);
      }
      expectKey = false;
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth = Math.max(depth, keys.length + 1);
      if (depth > maxDepth) return { depth };
      keys.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keys.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = keys[keys.length - 1] != null;
    }
  }
  return { depth };
}

/** Index of the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length - 1;
}
