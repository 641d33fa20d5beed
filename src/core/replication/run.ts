// Collects steps and findings as the pipeline goes. Every T2 step appears in
// the report, in order, even when an earlier failure meant it never ran.
import type { Finding, StepResult, StepStatus } from '../contracts/report.js';

export const T2_STEPS = [
  'parse',
  'schema',
  'signature',
  'snapshot',
  'archive',
  'backup-manifest',
  'wal',
  'policies',
] as const;
export type T2Step = (typeof T2_STEPS)[number];

export class Run {
  readonly findings: Finding[] = [];
  private readonly results = new Map<T2Step, StepResult>();
  private stopReason: string | undefined;

  record(step: T2Step, status: StepStatus, detail?: string): void {
    this.results.set(step, { step, status, ...(detail ? { detail: detail.slice(0, 500) } : {}) });
    if (status === 'fail' && this.stopReason === undefined) this.stopReason = `${step} failed`;
  }

  /** Records a failed step from its blocking findings (the findings are added too). */
  fail(step: T2Step, findings: readonly Finding[], detail?: string): void {
    this.findings.push(...findings);
    this.record(step, 'fail', detail ?? findings.map((f) => f.message).join('; '));
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  steps(): StepResult[] {
    return T2_STEPS.map(
      (step) =>
        this.results.get(step) ?? {
          step,
          status: 'skipped' as const,
          detail: this.stopReason ? `not run: ${this.stopReason}` : 'not run',
        },
    );
  }
}
