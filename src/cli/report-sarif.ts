// A decision report as SARIF: T1 findings with a config path land on that
// line of the config; manifest findings on the manifest; the rest (a hash
// mismatch is about the whole file) on line 1 of the file they concern.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DecisionReport, Finding } from '../core/contracts/report.js';
import { sarifLog, type SarifFinding } from './sarif.js';
import { locatePath } from './yaml-locate.js';

export interface ReportFiles {
  /** The file findings point at by default (T1: the config; T2: the replication manifest). */
  primary: { file: string; text?: string };
  manifest: { file: string };
  cwd: string;
}

/** Findings about the manifest rather than the config (rule-id prefixes). */
const MANIFEST_RULES =
  /^(manifest-|outdated-hash|unknown-hash|env-mismatch|signature-|t1-signature|t2-signature)/;

export function artifactUri(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return pathToFileURL(abs).href;
  return rel.split(path.sep).join('/');
}

export function reportSarif(report: DecisionReport, files: ReportFiles): unknown {
  const primary = artifactUri(files.primary.file, files.cwd);
  const manifest = artifactUri(files.manifest.file, files.cwd);
  const where = (f: Finding): Pick<SarifFinding, 'file' | 'region'> => {
    if (report.scenario === 'T1' && MANIFEST_RULES.test(f.rule)) return { file: manifest };
    const region =
      report.scenario === 'T1' && files.primary.text !== undefined
        ? locatePath(files.primary.text, f.path)
        : undefined;
    return { file: primary, ...(region ? { region } : {}) };
  };
  const props = { decision: report.decision, request_id: report.request_id, scenario: report.scenario };
  const results: SarifFinding[] = report.findings.map((f) => ({
    rule: f.rule,
    level: f.action === 'block' ? 'error' : 'warning',
    severity: f.severity,
    message: f.path ? `${f.message} (at ${f.path})` : f.message,
    ...where(f),
    properties: props,
  }));
  // A BLOCK whose reason has no finding of its own (a failed step) still shows up.
  const covered = new Set(report.findings.map((f) => f.rule));
  for (const reason of report.reasons) {
    const id = /^\[([a-z0-9-]+)\]/.exec(reason)?.[1] ?? 'blocked';
    if (!covered.has(id))
      results.push({ rule: id, level: 'error', message: reason, file: primary, properties: props });
  }
  return sarifLog(results);
}
