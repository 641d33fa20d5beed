// Turns zod issues into findings that name the field, never echoing a value
// (a config value may be a secret).
import type { z } from 'zod';
import type { Finding } from './contracts/report.js';

export function zodIssuesToFindings(issues: readonly z.core.$ZodIssue[], input: unknown, what: 'manifest' | 'config'): Finding[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
    const rule = what === 'manifest' ? (missing ? 'manifest-missing-field' : 'manifest-invalid-field') : 'config-schema';
    const message = missing
      ? `${what} field "${path}" is required`
      : `${what} field "${path || '(root)'}" ${describeIssue(issue)}`;
    return { rule, severity: 'critical', action: 'block', ...(path ? { path } : {}), message };
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return `must be ${issue.expected}`;
    case 'invalid_value': return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': return issue.message || 'is too small';
    case 'too_big': return issue.message || 'is too big';
    default: return issue.message;
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
