// A plain ASCII table, columns padded to the widest cell (like kyverno
// test); ASCII so every CI log viewer shows it as written.
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  return [rule, fmt(head), rule, ...rows.map(fmt), rule].join('\n');
}
