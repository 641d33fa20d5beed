// Writer slots from the gate's settings: Leases in the gate's namespace over
// the same client setup as the TLS leader election.
import type { GateConfig } from '../../config/schema.js';
import { GateError } from '../../core/errors.js';
import type { Clock, Logger } from '../../core/ports.js';
import { kubeClients } from './kube-client.js';
import { clientNodeLeaseStore } from './lease-elector.js';
import { acquireWriterSlot, type WriterSlot } from './writer-slot.js';

export async function writerSlotFromConfig(c: Pick<GateConfig, 'kubeconfig' | 'namespace' | 'writerSlots' | 'writerSlotPrefix'>, identity: string, clock: Clock, logger: Logger): Promise<WriterSlot> {
  const k = kubeClients(c.kubeconfig);
  try {
    return await acquireWriterSlot({
      slots: c.writerSlots, prefix: c.writerSlotPrefix, identity, clock, logger,
      leaseStore: (name) => clientNodeLeaseStore(k.coordination, c.namespace, name, k.callOptions),
    });
  } catch (e) {
    throw new GateError('audit-unavailable', `GATE_WRITER_SLOTS: ${e instanceof Error ? e.message : String(e)}`);
  }
}
