// The group-commit queue every audit sink puts reports through: each report
// is checked against its schema before it joins a batch, and one flush makes
// the whole batch durable. Sinks differ only in how they flush.
import type { AuditRecord } from '../../core/contracts/audit.js';
import { auditableReport, type AuditableReport, type AuditEntry } from '../../core/audit-record.js';
import { GroupCommitQueue, type GroupCommitOptions } from './group-commit.js';

/** The queue settings a sink passes through from its own options. */
export type QueueTuning = Partial<
  Pick<GroupCommitOptions<AuditableReport, AuditRecord>, 'lingerMs' | 'maxPending' | 'maxBatch' | 'onFlush'>
>;

export class ReportQueue {
  readonly #queue: GroupCommitQueue<AuditableReport, AuditRecord>;

  constructor(flush: (reports: AuditableReport[]) => Promise<AuditRecord[]>, tuning: QueueTuning) {
    // The queue applies its defaults to unset (undefined) settings.
    this.#queue = new GroupCommitQueue({ flush, ...tuning });
  }

  /** Resolves once the record is durable; a malformed report rejects at once. */
  append(report: AuditEntry): Promise<AuditRecord> {
    try {
      return this.#queue.submit(auditableReport(report));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): Promise<void> {
    return this.#queue.close();
  }
}
