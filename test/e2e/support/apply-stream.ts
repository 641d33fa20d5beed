// A stream of kubectl applies while something disruptive happens (a rollout
// restart, a drain, a CA rotation): alternately a good signed ConfigMap and a
// bad one, each under a fresh name, each its own admission request. The
// verdict that matters: no bad object admitted, no good one refused.
import type { PodCluster } from '../harness/node.js';
import { exampleCases, type ExampleCase } from './gate-cluster.js';

export interface StreamResult {
  goodAdmitted: number;
  goodFailed: string[];
  badAdmitted: string[];
  badDenied: number;
}

export interface ApplyStream {
  stop(): Promise<StreamResult>;
  /** Applies so far. */
  count(): number;
}

const renamed = (c: ExampleCase, name: string) => c.text.replace(`name: ${c.name}\n`, `name: ${name}\n`);

export function startApplyStream(cl: PodCluster, prefix: string): ApplyStream {
  const cases = exampleCases();
  const good = cases.find((c) => c.file === 'good-configmap.yaml');
  const bad = cases.find((c) => c.file === 'bad-tls-off.yaml');
  if (!good || !bad) throw new Error('examples/k8s good-configmap.yaml / bad-tls-off.yaml missing');
  const res: StreamResult = { goodAdmitted: 0, goodFailed: [], badAdmitted: [], badDenied: 0 };
  let n = 0;
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const i = n++;
      const isGood = i % 2 === 0;
      const name = `${prefix}-${isGood ? 'good' : 'bad'}-${i}`;
      const r = await cl.kubectl(['create', '-f', '-'], {
        input: renamed(isGood ? good : bad, name),
        timeoutMs: 60_000,
      });
      if (isGood) {
        if (r.code === 0) res.goodAdmitted++;
        else res.goodFailed.push(`${name}: ${r.stderr.trim()}`);
      } else if (r.code === 0) {
        res.badAdmitted.push(name);
      } else if (r.stderr.includes('migration-gate BLOCKED') && r.stderr.includes('[prod-requires-tls]')) {
        res.badDenied++;
      } else {
        // Refused, but not by the gate's judgement (e.g. the webhook was
        // unreachable): still not admitted, yet the gate was not there.
        res.goodFailed.push(`${name} (bad one, refused without the gate's reason): ${r.stderr.trim()}`);
      }
    }
  })();
  return {
    count: () => n,
    stop: async () => {
      stopping = true;
      await loop;
      return res;
    },
  };
}
