// SARIF 2.1.0 for CI code scanning: one result per finding, on the line of
// the input file the finding is about (yaml-locate.ts), or on line 1 when
// the finding has no place in that file (a hash mismatch is about the whole
// file). GitHub reads `security-severity` from the rule's properties.
import { VERSION } from '../version.js';
import type { Region } from './yaml-locate.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifFinding {
  rule: string;
  /** block → error, warn → warning, note → note. */
  level: 'error' | 'warning' | 'note';
  severity?: 'critical' | 'high' | 'medium' | 'low';
  message: string;
  /** Repository-relative path, forward slashes. */
  file: string;
  region?: Partial<Region> & { startLine: number };
  properties?: Record<string, string>;
}

const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' } as const;

export function sarifLog(
  findings: readonly SarifFinding[],
  ruleHelp: ReadonlyMap<string, string> = new Map(),
): unknown {
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const worst = new Map<string, SarifFinding>();
  for (const f of findings) if (!worst.has(f.rule)) worst.set(f.rule, f);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'migration-gate',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: 'https://github.com/migration-gate/migration-gate',
            rules: ruleIds.map((id) => {
              const f = worst.get(id)!;
              return {
                id,
                shortDescription: { text: ruleHelp.get(id) ?? id },
                defaultConfiguration: { level: f.level },
                ...(f.severity
                  ? {
                      properties: {
                        'security-severity': SECURITY_SEVERITY[f.severity],
                        tags: ['security', 'migration-gate'],
                      },
                    }
                  : {}),
              };
            }),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule)!,
          level: f.level,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file },
                region: f.region ?? { startLine: 1, startColumn: 1 },
              },
            },
          ],
          ...(f.properties ? { properties: f.properties } : {}),
        })),
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
}
