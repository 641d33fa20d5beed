// Turns zod issues into findings and messages that name the field, never
// echoing a value (a config value may be a secret) nor a field name that is
// not a plain identifier (an unknown key may be a token): safe-text.ts.
import type { z } from 'zod';
import type { Finding } from './contracts/report.js';
import { quotedName, safeDetail, safePath } from './safe-text.js';

export function zodIssuesToFindings(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  what: 'manifest' | 'config',
): Finding[] {
  return issues.map((issue) => {
    const path = safePath(issue.path);
    const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
    const rule =
      what === 'manifest' ? (missing ? 'manifest-missing-field' : 'manifest-invalid-field') : 'config-schema';
    const message = missing
      ? `${what} field "${path}" is required`
      : `${what} field "${path || '(root)'}" ${describeIssue(issue)}`;
    return { rule, severity: 'critical', action: 'block', ...(path ? { path } : {}), message };
  });
}

/** `field "a.b": must be string`, `unknown field(s) "x", (a name … not shown)`: one line for a 400. */
export function describeZodIssue(issue: z.core.$ZodIssue | undefined, noun = 'field'): string {
  if (!issue) return 'invalid';
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue.keys, noun);
  return `${noun} "${safePath(issue.path) || '(root)'}" ${describeIssue(issue)}`;
}

function unknownKeys(keys: readonly string[], noun: string): string {
  const shown = keys.slice(0, 5).map(quotedName);
  return `unknown ${noun}(s) ${shown.join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return safeDetail(issue.message || 'is too small');
    case 'too_big':
      return safeDetail(issue.message || 'is too big');
    case 'unrecognized_keys':
      return `has ${unknownKeys(issue.keys, 'field')}`;
    case 'invalid_key':
      return 'has a key that is not allowed';
    default:
      return safeDetail(issue.message);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
