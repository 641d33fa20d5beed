// Policy file text -> validated PolicyFile, or error lines naming the file
// and the rule. YAML is parsed by the same strict parser as app configs:
// duplicate keys are errors (a second `action:` must not quietly win), YAML
// 1.2 core schema (no merge keys, no custom tags), aliases capped, one
// document per file.
import type { z } from 'zod';
import { parseStrict } from '../strict-parse.js';
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
  if (!result.success)
    return { ok: false, errors: result.error.issues.map((i) => `${name}: ${describeIssue(i, data.value)}`) };
  return { ok: true, file: result.data };
}

const WHAT = 'policy file';

function parseYaml(
  name: string,
  text: string,
): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  const r = parseStrict(Buffer.from(text, 'utf8'), WHAT, {
    maxBytes: MAX_POLICY_FILE_BYTES,
    maxAliases: MAX_POLICY_YAML_ALIASES,
    maxDepth: 64,
  });
  if (r.ok) return { ok: true, value: r.value };
  const why = r.message.startsWith(`${WHAT} is not valid YAML/JSON: `)
    ? r.message.slice(`${WHAT} is not valid YAML/JSON: `.length)
    : r.message;
  return { ok: false, errors: [`${name}: invalid YAML: ${firstLine(why)}`] };
}

/** `rules[3] (id "x"): unknown key "expresion"` rather than a bare zod path. */
function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const path = issue.path;
  let where =
    path.length === 0
      ? '(root)'
      : path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '');
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const id = ruleIdAt(value, path[1]);
    const rest = path.slice(2).map(String).join('.');
    where = `rule ${id ? `"${id}"` : `#${path[1] + 1}`}${rest ? ` field ${rest}` : ''}`;
  }
  const message =
    issue.code === 'unrecognized_keys'
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
