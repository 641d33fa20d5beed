// The shared audit sink suite (test/support/audit-sink-contract.ts) on the
// ConfigMap sink against a real kube-apiserver + etcd, as the gate's
// ServiceAccount with the chart's verbs (no delete). Each test gets a fresh
// namespace; tampering is done as the cluster admin, the attacker the
// chain is for.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/sink-contract.e2e.test.ts
import { openConfigMapAuditSink } from '../../src/adapters/audit/configmap-sink.js';
import { connectKube } from '../../src/adapters/k8s/kube-connection.js';
import { auditSinkContract } from '../support/audit-sink-contract.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';

describe('ConfigMap sink on a real kube-apiserver', function () {
  let cp: ControlPlane;
  let ns = '';
  let n = 0;
  let gateKc = '';
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await cp?.stop();
  });

  auditSinkContract('configmap (real apiserver)', {
    sharedByWriters: true,
    async reset() {
      ns = `contract-${++n}`;
      const run = async (args: string[]) => {
        const r = await cp.kubectl(args);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      };
      await run(['create', 'namespace', ns]);
      gateKc = await cp.mintServiceAccountKubeconfig(ns, 'migration-gate');
      await run([
        'create',
        'role',
        'gate',
        '-n',
        ns,
        '--verb=get,list,watch,create,update',
        '--resource=configmaps',
      ]);
      await run([
        'create',
        'rolebinding',
        'gate',
        '-n',
        ns,
        '--role=gate',
        `--serviceaccount=${ns}:migration-gate`,
      ]);
    },
    open: (writer, tuning) =>
      openConfigMapAuditSink({
        store: connectKube({ kubeconfigPath: gateKc }).configMaps(ns),
        writer,
        lingerMs: 0,
        ...tuning,
      }),
    async tamper(writer, seq, edit) {
      const admin = connectKube({ kubeconfigPath: cp.kubeconfigPath }).configMaps(ns);
      const mark = `"seq":${seq},"writer":"${writer}"`;
      for (const cm of await admin.list(`migrationgate.io/writer=${writer}`)) {
        const text = cm.data['records.jsonl'] ?? '';
        if (!text.includes(mark)) continue;
        await admin.replace({
          ...cm,
          data: {
            ...cm.data,
            'records.jsonl': text
              .split('\n')
              .map((l) => (l.includes(mark) ? edit(l) : l))
              .join('\n'),
          },
        });
      }
    },
  });
});
