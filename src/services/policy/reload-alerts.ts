// What a reload of the policy or key directory means to the gate: the new
// set takes over, or the last good set stays in force and a standing alert
// says why (cleared by the next good reload). Reading and watching the
// directories are adapters; app.ts connects them to these.
import { describeError } from '../../core/errors.js';
import type { GateContext } from '../gate-context.js';
import type { PinnedKeyStore } from './key-store.js';
import type { PolicyFile } from './policy-store.js';

type Gate = Pick<GateContext, 'policies' | 'alerts' | 'clock' | 'logger'>;

/** Reloads the policy set from `read()`; a refused set (or a failed read) keeps the last good one. */
export function policyReloader(
  dir: string,
  read: () => Promise<PolicyFile[]>,
  gate: Gate,
): () => Promise<void> {
  return async () => {
    try {
      const ok = gate.policies.reload(await read(), gate.clock.now());
      const status = gate.policies.status();
      gate.alerts.setCondition(
        'policy-load',
        ok
          ? undefined
          : {
              timestamp: gate.clock.now().toISOString(),
              severity: 'high',
              kind: 'policy-load',
              message: `policy reload failed; keeping the last good set ${status.digest ?? ''}: ${status.errors.join('; ')}`,
            },
      );
      gate.logger[ok ? 'info' : 'error'](
        ok ? 'policies reloaded' : 'policy reload failed; keeping the last good set',
        { digest: status.digest, errors: status.errors },
      );
    } catch (e) {
      gate.logger.error('policy reload failed', { error: describeError(e) });
    }
  };
}

/** Reports the key store's state after a (re)load of `dir`: a refused file is a standing alert and the last good set stays. */
export function keyReloadReporter(
  dir: string,
  store: PinnedKeyStore,
  gate: Omit<Gate, 'policies'>,
): () => void {
  return () => {
    const s = store.status();
    gate.alerts.setCondition(
      'key-load',
      s.ok
        ? undefined
        : {
            id: 'key-load',
            timestamp: gate.clock.now().toISOString(),
            severity: 'high',
            kind: 'key-load',
            message: `pinned key directory ${dir}: ${s.errors.join('; ')}; keeping the last good key set (${s.count} key(s), ${s.digest})`,
          },
    );
    gate.logger[s.ok ? 'info' : 'error'](
      s.ok ? 'pinned keys loaded' : 'pinned key reload refused; keeping the last good set',
      { digest: s.digest, keys: s.count, errors: s.errors },
    );
  };
}
