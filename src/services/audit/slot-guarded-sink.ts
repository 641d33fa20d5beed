// An audit sink that writes only while its writer slot is held
// (src/adapters/k8s/writer-slot.ts): after a lapsed lease another pod may
// take the slot and continue the same chain, so this one must stop first.
// Refusing is failing closed: the decision BLOCKs with audit-unavailable.
import { GateError } from '../../core/errors.js';
import type { AuditSink } from '../../core/ports/audit.js';

export function slotGuardedSink(
  sink: AuditSink,
  slot: { writer: string; held(): boolean; release(): Promise<void> },
): AuditSink {
  const lapsed = (): string =>
    `audit writer slot ${slot.writer} is no longer held (lease renewal lapsed); not writing into a chain another replica may now own`;
  const guarded: AuditSink = {
    kind: sink.kind,
    append: (report) =>
      slot.held() ? sink.append(report) : Promise.reject(new GateError('audit-unavailable', lapsed())),
    readRaw: () => sink.readRaw(),
    health: () => (slot.held() ? sink.health() : { ok: false, detail: lapsed() }),
    async close() {
      try {
        await sink.close();
      } finally {
        await slot.release();
      }
    },
  };
  if (sink.indexed) Object.assign(guarded, { indexed: sink.indexed });
  // Reads do not need the slot: the indexes go through as they are.
  if (sink.index) Object.assign(guarded, { index: sink.index });
  if (sink.readIndex) guarded.readIndex = () => sink.readIndex!();
  if (sink.chainStarts) guarded.chainStarts = () => sink.chainStarts!();
  return guarded;
}
