// A gate context for evaluating on this machine without a server: the
// bundled (or given) policies, no audit history (local checks are a
// developer's dry run; the audited decision is the server's).
import type { AuditSink } from '../core/ports/audit.js';
import type { DecisionReport } from '../core/contracts/report.js';
import { AlertBook } from '../services/alerts.js';
import type { GateContext } from '../services/gate-context.js';
import { noMetrics } from '../core/ports/metrics.js';
import { PolicyStore } from '../services/policy/policy-store.js';
import { silentLogger } from '../adapters/log.js';
import { loadPinnedKeys } from '../adapters/pinned-keys.js';
import { readPolicyDir } from '../adapters/policy-files.js';
import { systemClock, ulidGenerator } from '../adapters/system.js';
import { CliError, EXIT } from './exit-codes.js';
import { createGateTarWalks } from '../wiring/tar-walks.js';
import { nodeRsChecksums } from '../adapters/checksums/node-rs-crc32c.js';

const noAudit: AuditSink = {
  kind: 'memory',
  append: async (report: DecisionReport) => ({
    ...report,
    seq: 1,
    writer: 'cli',
    prev_hash: '0'.repeat(64),
    hash: '0'.repeat(64),
  }),
  async *readRaw() {},
  health: () => ({ ok: true, detail: 'local evaluation: not recorded' }),
  close: async () => {},
};

export async function loadPolicyStore(policyDir: string): Promise<PolicyStore> {
  let files;
  try {
    files = await readPolicyDir(policyDir);
  } catch (e) {
    throw new CliError(
      `cannot read the policy directory ${policyDir} (${(e as { code?: string }).code ?? String(e)})`,
      EXIT.usage,
    );
  }
  const policies = new PolicyStore();
  if (!policies.reload(files, new Date())) {
    throw new CliError(
      `no valid policy set in ${policyDir}:\n  ${policies.status().errors.join('\n  ')}`,
      EXIT.usage,
    );
  }
  return policies;
}

export async function localGate(policyDir: string, keysDir: string): Promise<GateContext> {
  const policies = await loadPolicyStore(policyDir);
  return {
    clock: systemClock,
    ids: ulidGenerator(),
    audit: noAudit,
    policies,
    alerts: new AlertBook(),
    logger: silentLogger,
    metrics: noMetrics,
    keys: await loadPinnedKeys(keysDir, silentLogger),
    auditFailClosed: true,
    tarWalks: createGateTarWalks(),
    ...optionalChecksums(),
  };
}

function optionalChecksums(): Pick<GateContext, 'checksums'> {
  const checksums = nodeRsChecksums();
  return checksums ? { checksums } : {};
}
