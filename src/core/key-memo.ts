// Facts about a config KEY (its relaxed-binding fold, its snake_case name,
// whether it names a credential), remembered by the key text. Every admission
// walks every key of its config several times (canonical view, secret scan,
// secret_key length), and the keys of one app's configs are the same from
// request to request: computing the facts once per key text instead of once
// per key visit is most of what those walks cost.
//
// Only keys are remembered, never values (a value may be a secret), and not a
// key the caller says looks like a secret itself (a token used as a key name);
// only short ones; the table is bounded and emptied when full, so a flood of
// distinct keys costs at most the uncached work. The functions are pure, so a
// remembered answer is the answer: this changes speed, never a verdict.

/** Keys longer than this are computed every time (real config keys are far shorter). */
const MAX_KEY_LENGTH = 96;
/** Distinct keys remembered per function before the table is emptied. */
const CAPACITY = 8192;

/**
 * `f`, remembered per key text (bounded; see above). `secretLike(key, fact)`:
 * true for a key that must not be kept in memory (it is computed every time).
 */
export function memoizeKeyFact<T>(
  f: (key: string) => T,
  secretLike: (key: string, fact: T) => boolean,
): (key: string) => T {
  const table = new Map<string, T>();
  return (key: string): T => {
    const hit = table.get(key);
    if (hit !== undefined || table.has(key)) return hit as T;
    const fact = f(key);
    if (key.length > MAX_KEY_LENGTH || secretLike(key, fact)) return fact;
    if (table.size >= CAPACITY) table.clear();
    table.set(key, fact);
    return fact;
  };
}
