// Every audit sink names the writer of each record (one hash chain per
// writer), so a sink refuses to open without one. One check for all sinks.
import { GateError } from './errors.js';

export function assertAuditWriter(writer: string): void {
  if (writer.length === 0) throw new GateError('config-invalid', 'audit writer id must not be empty');
}
