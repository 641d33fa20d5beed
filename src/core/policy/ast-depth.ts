// Nesting depth of comprehension macros in a parsed CEL AST. Each nested
// all()/exists()/map()/filter() multiplies evaluation work by the size of the
// list it walks, and the library has no runtime cost limit (see limits.ts).

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

interface AstLike {
  op: string;
  args: unknown;
}

function isAstNode(v: unknown): v is AstLike {
  return typeof v === 'object' && v !== null && typeof (v as { op?: unknown }).op === 'string' && 'args' in v;
}

/** Greatest number of comprehensions on any root-to-leaf path. */
export function comprehensionDepth(node: unknown): number {
  if (Array.isArray(node))
    return node.reduce((max: number, child) => Math.max(max, comprehensionDepth(child)), 0);
  if (!isAstNode(node)) return 0;
  const inner = comprehensionDepth(node.args);
  const args = node.args;
  const isComprehension =
    node.op === 'rcall' && Array.isArray(args) && typeof args[0] === 'string' && COMPREHENSIONS.has(args[0]);
  return inner + (isComprehension ? 1 : 0);
}
