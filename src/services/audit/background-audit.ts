// Background audit: objects that existed before enforcement, or were
// admitted under an older policy set (or in a warn/audit namespace), are
// judged again, periodically and whenever the policy set changes, with the
// same T1 pipeline as admission. The results go to OpenReports (one Report
// per enforced namespace), to metrics, and to the status page. They are
// not decisions: nothing is admitted or denied, and nothing is written to
// the audit log (which records what the gate answered).
import { webhookEnvBinding } from '../../core/admission/webhook-env.js';
import {
  emptyReport,
  namespaceReports,
  type AuditedObject,
  type OpenReport,
} from '../../core/background-audit/open-report.js';
import type { DecisionReport } from '../../core/contracts/report.js';
import { decide } from '../../core/decision.js';
import { safeIdentifier } from '../../core/safe-text.js';
import { evaluateConfigMapObject, type ConfigMapSettings } from '../admission/configmap.js';
import type { GateContext } from '../gate-context.js';
import { internalError } from '../decision/rejections.js';
import type { ClusterReader, EnforcedNamespace, ReportWriter } from '../../core/ports/background-audit.js';

export type { ClusterReader, EnforcedNamespace, ReportWriter } from '../../core/ports/background-audit.js';

export interface BackgroundAuditSummary {
  /** 'periodic' | 'policy-change' | 'start'. */
  reason: string;
  startedAt: string;
  finishedAt: string;
  policyDigest?: string;
  namespaces: number;
  objects: number;
  /** OpenReports result counts over all namespaces. */
  results: { pass: number; fail: number; warn: number; error: number };
  /** Objects whose judged outcome is BLOCK, for the status page (namespace/name and rule ids only). */
  failing: Array<{ namespace: string; name: string; rules: string[] }>;
  /** Reading the cluster or writing a report failed; the run's results are partial. */
  errors: string[];
}

export interface BackgroundAuditOptions extends ConfigMapSettings {
  reader: ClusterReader;
  writer: ReportWriter;
  /** Receives every finished run (metrics). */
  onRun?: (s: BackgroundAuditSummary) => void;
}

const MAX_FAILING_SHOWN = 50;

export class BackgroundAudit {
  #last: BackgroundAuditSummary | undefined;
  #running: Promise<BackgroundAuditSummary> | undefined;
  #again: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: GateContext,
    private readonly opts: BackgroundAuditOptions,
  ) {}

  last(): BackgroundAuditSummary | undefined {
    return this.#last;
  }

  /** Runs now; a run asked for while one is going starts once it ends (the newest policy set wins). */
  run(reason: string): Promise<BackgroundAuditSummary> {
    if (this.#running) {
      this.#again = reason;
      return this.#running;
    }
    this.#running = this.#runOnce(reason).finally(() => {
      this.#running = undefined;
      const again = this.#again;
      this.#again = undefined;
      if (again) void this.run(again);
    });
    return this.#running;
  }

  start(intervalMs: number): void {
    this.ctx.policies.onChange((s) => {
      if (s.ok) void this.run('policy-change');
    });
    void this.run('start');
    this.#timer = setInterval(() => {
      void this.run('periodic');
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #runOnce(reason: string): Promise<BackgroundAuditSummary> {
    const startedAt = this.ctx.clock.now();
    const errors: string[] = [];
    const audited: AuditedObject[] = [];
    let namespaces: EnforcedNamespace[] = [];
    try {
      namespaces = await this.opts.reader.enforcedNamespaces();
    } catch (e) {
      errors.push(`listing namespaces: ${message(e)}`);
    }
    const policyDigest = this.ctx.policies.current()?.digest;
    const reports: OpenReport[] = [];
    for (const ns of namespaces) {
      let objects: unknown[];
      try {
        objects = await this.opts.reader.configMaps(ns.name);
      } catch (e) {
        errors.push(`listing configmaps in ${ns.name}: ${message(e)}`);
        continue;
      }
      const judged = objects.flatMap((o) => this.#judge(o, ns));
      audited.push(...judged);
      reports.push(
        ...(judged.length > 0
          ? namespaceReports(judged, startedAt, policyDigest)
          : [emptyReport(ns.name, startedAt, policyDigest)]),
      );
    }
    for (const r of reports) {
      try {
        await this.opts.writer.write(r);
      } catch (e) {
        errors.push(`writing the report in ${r.metadata.namespace}: ${message(e)}`);
      }
    }
    const results = { pass: 0, fail: 0, warn: 0, error: 0 };
    for (const r of reports)
      for (const k of ['pass', 'fail', 'warn', 'error'] as const) results[k] += r.summary[k];
    const summary: BackgroundAuditSummary = {
      reason,
      startedAt: startedAt.toISOString(),
      finishedAt: this.ctx.clock.now().toISOString(),
      ...(policyDigest ? { policyDigest } : {}),
      namespaces: namespaces.length,
      objects: audited.length,
      results,
      failing: audited
        .filter((o) => o.report.decision === 'BLOCK')
        .slice(0, MAX_FAILING_SHOWN)
        .map((o) => ({
          namespace: o.ref.namespace,
          name: o.ref.name,
          rules: [...new Set(o.report.findings.filter((f) => f.action === 'block').map((f) => f.rule))],
        })),
      errors,
    };
    for (const e of errors) this.ctx.logger.error('background audit', { reason, error: e });
    this.ctx.logger.info('background audit run', {
      reason,
      namespaces: summary.namespaces,
      objects: summary.objects,
      fail: results.fail,
      errors: errors.length,
    });
    this.#last = summary;
    this.opts.onRun?.(summary);
    return summary;
  }

  /** One ConfigMap: judged as admission would (same binding by namespace), or nothing when it holds no gated key. */
  #judge(object: unknown, ns: EnforcedNamespace): AuditedObject[] {
    const meta = (object as { metadata?: { name?: unknown; uid?: unknown } }).metadata ?? {};
    const name = typeof meta.name === 'string' ? safeIdentifier(meta.name) : '(unnamed)';
    const subject = { kind: 'ConfigMap', namespace: ns.name, name, source: 'background-audit' };
    let report: DecisionReport;
    try {
      const evaluation = evaluateConfigMapObject(
        this.ctx,
        object,
        subject,
        this.opts,
        webhookEnvBinding(ns.env, `/validate/${ns.env}`),
      );
      if (!evaluation) return [];
      report = decide(evaluation, {
        requestId: this.ctx.ids.next(),
        timestamp: this.ctx.clock.now().toISOString(),
      });
    } catch (e) {
      report = decide(internalError('T1', message(e), subject), {
        requestId: this.ctx.ids.next(),
        timestamp: this.ctx.clock.now().toISOString(),
      });
    }
    return [
      {
        ref: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: ns.name,
          name,
          ...(typeof meta.uid === 'string' ? { uid: meta.uid } : {}),
        },
        report,
      },
    ];
  }
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 300);
}
