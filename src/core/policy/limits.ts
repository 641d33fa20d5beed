// Bounds on what a rule may cost. The CEL library enforces structural limits
// at parse time only (AST size, nesting, literal sizes); it has NO runtime
// cost or time limit, and core has no clock to enforce one. So the cost of an
// evaluation is bounded by bounding both factors: the expression (these parse
// limits, a length cap and a cap on nested comprehensions) and the input
// (node count and depth of the variables, checked before any rule runs).

/** Parse-time limits passed to the CEL Environment. */
export const CEL_LIMITS = {
  maxAstNodes: 2000,
  maxDepth: 48,
  maxListElements: 256,
  maxMapEntries: 256,
  maxCallArguments: 16,
} as const;

/**
 * Comprehensions (all/exists/exists_one/map/filter) nested deeper than this
 * are refused: each level multiplies the work by the input list size.
 */
export const MAX_COMPREHENSION_NESTING = 2;

/** Input caps: above them no rule runs and the evaluation fails closed. */
export const INPUT_LIMITS = {
  maxNodes: 200_000,
  maxDepth: 64,
} as const;

/** Policy file text above this size is refused before YAML parsing. */
export const MAX_POLICY_FILE_BYTES = 512 * 1024;

/** YAML aliases allowed in a policy file (billion-laughs guard). */
export const MAX_POLICY_YAML_ALIASES = 16;

/** A single built-in rule reports at most this many findings, then a summary. */
export const MAX_FINDINGS_PER_RULE = 50;
