// The always-allow webhook floor of the cluster bench: the cheapest HTTPS
// validating webhook there can be, on the same path as the gate (apiserver
// -> Service -> pod on the node, TLS with a caBundle), so the bench can say
// how much of the gate's added latency any webhook pays and how much is the
// gate's own. It runs in two pods of the gate's image (the same Node, the
// same node and runtime), ~20 lines of node:https: read the AdmissionReview,
// answer allowed with its uid. It denies only names starting with
// `floor-probe-`, so the bench can see it is in the path before measuring.
import { issueCa, issueServing } from '../../src/adapters/tls/issue-certs.js';
import type { PodCluster } from '../e2e/harness/node.js';
import type { GateImage } from '../e2e/support/pod-gate.js';

export const FLOOR_NS = 'bench-floor';
export const FLOOR_NAME = 'allow-floor';
export const FLOOR_PROBE_PREFIX = 'floor-probe-';

const SERVER = `import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const server = createServer(
  { key: readFileSync('/tls/tls.key'), cert: readFileSync('/tls/tls.crt') },
  (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let uid = '', name = '';
      try {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        uid = review.request?.uid ?? '';
        name = review.request?.object?.metadata?.name ?? '';
      } catch {}
      const allowed = !name.startsWith('${FLOOR_PROBE_PREFIX}');
      const body = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid, allowed, ...(allowed ? {} : { status: { code: 403, message: 'allow-floor probe' } }) },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.keepAliveTimeout = 65_000;
server.listen(8443);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Everything the floor needs, as one kubectl List (namespace first). */
export async function allowFloorObjects(img: GateImage, enforceLabel: string): Promise<object[]> {
  const now = new Date();
  const ca = await issueCa(now, { commonName: 'bench allow-floor CA' });
  const tls = await issueServing(ca, [`${FLOOR_NAME}.${FLOOR_NS}.svc`], now);
  const labels = { app: FLOOR_NAME };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLOOR_NS } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: FLOOR_NAME, namespace: FLOOR_NS },
      stringData: { 'tls.crt': tls.cert, 'tls.key': tls.key },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: FLOOR_NAME, namespace: FLOOR_NS },
      data: { 'server.mjs': SERVER },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: FLOOR_NAME, namespace: FLOOR_NS },
      spec: {
        // As many replicas as the gate's default, behind a Service the same way.
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'floor',
                image: img.ref,
                imagePullPolicy: 'IfNotPresent',
                command: ['node', '/floor/server.mjs'],
                ports: [{ name: 'https', containerPort: 8443 }],
                readinessProbe: { tcpSocket: { port: 8443 }, periodSeconds: 2 },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                volumeMounts: [
                  { name: 'tls', mountPath: '/tls', readOnly: true },
                  { name: 'code', mountPath: '/floor', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: FLOOR_NAME } },
              { name: 'code', configMap: { name: FLOOR_NAME } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: FLOOR_NAME, namespace: FLOOR_NS },
      spec: { selector: labels, ports: [{ port: 443, targetPort: 8443 }] },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: `bench-${FLOOR_NAME}` },
      webhooks: [
        {
          name: 'allow-floor.bench.migrationgate.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 10,
          clientConfig: {
            service: { name: FLOOR_NAME, namespace: FLOOR_NS, path: '/validate', port: 443 },
            caBundle: Buffer.from(ca.cert).toString('base64'),
          },
          namespaceSelector: { matchLabels: { [enforceLabel]: 'true' } },
          rules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['configmaps'],
              scope: 'Namespaced',
            },
          ],
        },
      ],
    },
  ];
}

export async function installAllowFloor(cl: PodCluster, img: GateImage, enforceLabel: string): Promise<void> {
  const list = { apiVersion: 'v1', kind: 'List', items: await allowFloorObjects(img, enforceLabel) };
  const r = await cl.kubectl(['apply', '-f', '-'], { input: JSON.stringify(list) });
  if (r.code !== 0) throw new Error(`allow-floor apply: ${r.stderr}`);
  const st = await cl.kubectl(
    ['rollout', 'status', `deployment/${FLOOR_NAME}`, '-n', FLOOR_NS, '--timeout=180s'],
    { timeoutMs: 200_000 },
  );
  if (st.code !== 0) throw new Error(`allow-floor pods not ready: ${st.stderr}\n${await cl.logTails(20)}`);
}

export async function removeAllowFloor(cl: PodCluster): Promise<void> {
  const r = await cl.kubectl(['delete', 'validatingwebhookconfiguration', `bench-${FLOOR_NAME}`]);
  if (r.code !== 0) throw new Error(`allow-floor delete: ${r.stderr}`);
  await cl.kubectl(['delete', 'namespace', FLOOR_NS, '--wait=false']);
}
