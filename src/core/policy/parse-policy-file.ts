// Policy file text -> validated PolicyFile, or error lines naming the file
// and the rule. YAML is parsed strictly: duplicate keys are errors (a second
// `action:` must not quietly win), aliases are capped, one document per file.
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicyFileSchema, type PolicyFile } from '../contracts/policy-file.js';
import { MAX_POLICY_FILE_BYTES, MAX_POLICY_YAML_ALIASES } from './limits.js';

export interface PolicyFileSource {
  name: string;
  text: string;
}

export type ParsedPolicyFile = { ok: true; file: PolicyFile } | { ok: false; errors: string[] };

const firstLine = (s: string): string => (s.split('\n', 1)[0] ?? s).replace(/:\s*$/, '');

export function parsePolicyFile(source: PolicyFileSource): ParsedPolicyFile {
  const { name, text } = source;
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_FILE_BYTES) {
    return { ok: false, errors: [`${name}: file is larger than ${MAX_POLICY_FILE_BYTES} bytes`] };
  }
  const data = parseYaml(name, text);
  if (!data.ok) return data;
  const result = PolicyFileSchema.safeParse(data.value);
  if (!result.success) return { ok: false, errors: result.error.issues.map((i) => `${name}: ${describeIssue(i, data.value)}`) };
  return { ok: true, file: result.data };
}

function parseYaml(name: string, text: string): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  const doc = parseDocument(text, {
    uniqueKeys: true,
    strict: true,
    prettyErrors: true,
    merge: false,
    version: '1.2',
    schema: 'core',
  });
  // Warnings (unknown tags, ...) are errors here: a rule file is not guessed at.
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) return { ok: false, errors: problems.map((e) => `${name}: invalid YAML: ${firstLine(e.message)}`) };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_POLICY_YAML_ALIASES }) };
  } catch (e) {
    return { ok: false, errors: [`${name}: invalid YAML: ${firstLine(e instanceof Error ? e.message : String(e))}`] };
  }
}

/** `rules[3] (id "x"): unknown key "expresion"` rather than a bare zod path. */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const path = issue.path;
  let where = path.length === 0 ? '(root)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const id = ruleIdAt(value, path[1]);
    const rest = path.slice(2).map(String).join('.');
    where = `rule ${id ? `"${id}"` : `#${path[1] + 1}`}${rest ? ` field ${rest}` : ''}`;
  }
  const message = issue.code === 'unrecognized_keys'
    ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (a typo would silently change the rule)`
    : issue.message;
  return `${where}: ${message}`;
}

function ruleIdAt(value: unknown, index: number): string | undefined {
  const rules = (value as { rules?: unknown } | null)?.rules;
  const rule: unknown = Array.isArray(rules) ? rules[index] : undefined;
  const id = (rule as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id.length <= 63 ? id : undefined;
}
