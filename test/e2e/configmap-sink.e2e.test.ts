// The ConfigMap audit sink and TokenReview against a real kube-apiserver,
// authenticated as a ServiceAccount with exactly the RBAC the chart grants:
// get/list/create/update on ConfigMaps in its namespace (no delete) and
// create on tokenreviews.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/configmap-sink.e2e.test.ts
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import {
  openConfigMapAuditSink,
  type ConfigMapAuditSinkOptions,
} from '../../src/adapters/audit/configmap-sink.js';
import { tokenReviewVerifier } from '../../src/adapters/http/token-review.js';
import { connectKube } from '../../src/adapters/k8s/kube-connection.js';
import { verifyChains } from '../../src/core/audit-record.js';
import type { AuditSink, RawAuditEntry } from '../../src/core/ports/audit.js';
import { report } from '../unit/audit/report-fixture.js';
import { getJson, postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { exampleJsonBody } from '../support/signed-t1.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { freePort } from './harness/ports.js';

const NS = 'e2e-audit';
const GATE_SA = 'migration-gate';
const CLIENT_SA = 'ci-client';
const SEGMENT_SELECTOR = 'migrationgate.io/audit-segment=true';

interface CmJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  immutable?: boolean;
}

// Signed (t1-signature-required); the harness gate trusts examples/keys/trusted.
const t1Good = () => exampleJsonBody('t1_good');

async function collect(it: AsyncIterable<RawAuditEntry>): Promise<RawAuditEntry[]> {
  const out: RawAuditEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

interface OutageProxy {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  /** While true, answers to requests (not TLS handshakes) are swallowed: the request lands, the client hears nothing. */
  dropAnswers: boolean;
  /** Chunks swallowed so far. */
  swallowed: number;
}

/** A TCP forwarder to the apiserver that can be taken down and brought back, to stand for an outage. */
async function startOutageProxy(target: URL): Promise<OutageProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const proxy = { port, dropAnswers: false, swallowed: 0 } as OutageProxy;
  let server: Server | undefined;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        // Let TLS handshakes of new connections through (the server's first
        // flight answers the client's first one, the ClientHello, which alone
        // can exceed 1500 bytes with a resumption ticket, as undici sends) and
        // swallow what follows a request of some size, so the request itself
        // does reach the apiserver.
        let sent = 0;
        let flights = 0;
        client.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          flights += 1;
        });
        client.pipe(upstream);
        upstream.on('data', (chunk: Buffer) => {
          if (!(proxy.dropAnswers && flights >= 2 && sent >= 1500)) client.write(chunk);
          else proxy.swallowed += 1;
        });
        upstream.on('end', () => client.end());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await up();
  return Object.assign(proxy, { up, down });
}

describe('ConfigMap audit sink and TokenReview against a real kube-apiserver', function () {
  let cp: ControlPlane;
  let gateKubeconfig: string;
  const sinks: AuditSink[] = [];

  async function kubectlOk(
    args: string[],
    opts: { input?: string; kubeconfig?: string } = {},
  ): Promise<string> {
    const r = await cp.kubectl(args, opts);
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  }

  const segments = async (): Promise<CmJson[]> =>
    (
      JSON.parse(await kubectlOk(['get', 'configmaps', '-n', NS, '-l', SEGMENT_SELECTOR, '-o', 'json'])) as {
        items: CmJson[];
      }
    ).items;

  const open = async (
    writer: string,
    extra: Partial<ConfigMapAuditSinkOptions> = {},
    kubeconfig = gateKubeconfig,
  ): Promise<AuditSink> => {
    const store = connectKube({ kubeconfigPath: kubeconfig }).configMaps(NS);
    const sink = await openConfigMapAuditSink({ store, writer, lingerMs: 2, ...extra });
    sinks.push(sink);
    return sink;
  };

  // One token per ServiceAccount: the harness's mint cannot be called twice
  // for one account (it misses kubectl's "already exists" message).
  const tokens = new Map<string, string>();
  const tokenOf = async (sa: string): Promise<string> => {
    if (!tokens.has(sa)) {
      const kc = JSON.parse(await readFile(await cp.mintServiceAccountKubeconfig(NS, sa), 'utf8')) as {
        users: [{ user: { token: string } }];
      };
      tokens.set(sa, kc.users[0].user.token);
    }
    return tokens.get(sa)!;
  };

  before(async function () {
    cp = await startControlPlane();
    await kubectlOk(['create', 'namespace', NS]);
    gateKubeconfig = await cp.mintServiceAccountKubeconfig(NS, GATE_SA);
    // Exactly the sink's verbs: no delete, no patch.
    await kubectlOk([
      'create',
      'role',
      'audit-writer',
      '-n',
      NS,
      '--verb=get,list,create,update',
      '--resource=configmaps',
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'audit-writer',
      '-n',
      NS,
      '--role=audit-writer',
      `--serviceaccount=${NS}:${GATE_SA}`,
    ]);
    await kubectlOk([
      'create',
      'clusterrole',
      'e2e-token-reviewer',
      '--verb=create',
      '--resource=tokenreviews.authentication.k8s.io',
    ]);
    await kubectlOk([
      'create',
      'clusterrolebinding',
      'e2e-token-reviewer',
      '--clusterrole=e2e-token-reviewer',
      `--serviceaccount=${NS}:${GATE_SA}`,
    ]);
  });

  after(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await cp?.stop();
  });

  it('stores records as JSON lines in a labelled segment ConfigMap', async () => {
    const sink = await open('pod-a');
    const records = await Promise.all([1, 2, 3].map((i) => sink.append(report(i))));
    expect(records.map((r) => r.seq)).to.deep.equal([1, 2, 3]);
    const cm = (await segments()).find((s) => s.metadata.name === 'migration-gate-audit-pod-a-000001');
    expect(cm, 'segment 000001').to.not.equal(undefined);
    expect(cm!.metadata.labels).to.include({
      'migrationgate.io/audit-segment': 'true',
      'migrationgate.io/writer': 'pod-a',
    });
    const lines = cm!
      .data!['records.jsonl']!.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    expect(lines.map((l) => l.seq)).to.deep.equal([1, 2, 3]);
    expect(lines[2]!.hash).to.equal(records[2]!.hash);
    const entries = (await collect(sink.readRaw())).filter((e) => e.location.includes('pod-a-'));
    expect(entries[0]!.location).to.equal('configmap migration-gate-audit-pod-a-000001 line 1');
    expect((await verifyChains(entries)).ok).to.equal(true);
    expect(sink.health().ok).to.equal(true);
  });

  it('seals a full segment (immutable: true) and continues the chain in the next one', async () => {
    const sink = await open('pod-seal', { segmentMaxBytes: 8 * 1024 });
    for (let i = 1; i <= 40; i++) await sink.append(report(i));
    const mine = (await segments())
      .filter((s) => s.metadata.labels?.['migrationgate.io/writer'] === 'pod-seal')
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    expect(mine.length).to.be.greaterThan(2);
    for (const s of mine.slice(0, -1)) expect(s.immutable, s.metadata.name).to.equal(true);
    expect(mine.at(-1)!.immutable ?? false).to.equal(false);
    const lastOfFirst = JSON.parse(mine[0]!.data!['records.jsonl']!.trimEnd().split('\n').at(-1)!) as {
      seq: number;
      hash: string;
    };
    expect(mine[1]!.metadata.annotations).to.include({
      'migrationgate.io/previous-segment': 'migration-gate-audit-pod-seal-000001',
      'migrationgate.io/previous-hash': lastOfFirst.hash,
    });
    // The apiserver itself refuses to change a sealed segment, even for an admin.
    const edit = await cp.kubectl([
      'patch',
      'configmap',
      mine[0]!.metadata.name,
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"data":{"records.jsonl":"x\\n"}}',
    ]);
    expect(edit.code).to.not.equal(0);
    expect(edit.stderr).to.match(/immutable/i);
    // A restarted writer resumes from its newest segment.
    await sink.close();
    const again = await open('pod-seal', { segmentMaxBytes: 8 * 1024 });
    expect((await again.append(report(41))).seq).to.equal(41);
    const v = await verifyChains(await collect(again.readRaw()));
    expect(v.ok, JSON.stringify(v.first_bad)).to.equal(true);
    expect(v.writers.find((x) => x.writer === 'pod-seal')).to.deep.include({ records: 41, last_seq: 41 });
  });

  it('two writers interleave 200 concurrent appends each without loss', async () => {
    const [w1, w2] = [
      await open('pod-w1', { segmentMaxBytes: 64 * 1024 }),
      await open('pod-w2', { segmentMaxBytes: 64 * 1024 }),
    ];
    const started = Date.now();
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) => [w1.append(report(i)), w2.append(report(i + 1000))]).flat(),
    );
    const elapsed = Date.now() - started;
    expect(all).to.have.length(400);
    const v = await verifyChains(await collect(w1.readRaw()));
    expect(v.ok, JSON.stringify(v.first_bad)).to.equal(true);
    for (const id of ['pod-w1', 'pod-w2'])
      expect(
        v.writers.find((x) => x.writer === id),
        id,
      ).to.deep.include({ records: 200, last_seq: 200 });
    console.log(`      400 concurrent appends by two writers: ${elapsed} ms`);
  });

  it('the gate ServiceAccount really cannot delete a segment (403 Forbidden)', async () => {
    expect(
      (
        await cp.kubectl(['auth', 'can-i', 'delete', 'configmaps', '-n', NS], { kubeconfig: gateKubeconfig })
      ).stdout.trim(),
    ).to.equal('no');
    const del = await cp.kubectl(['delete', 'configmap', 'migration-gate-audit-pod-a-000001', '-n', NS], {
      kubeconfig: gateKubeconfig,
    });
    expect(del.code).to.not.equal(0);
    expect(del.stderr)
      .to.match(/Forbidden/)
      .and.to.contain('cannot delete resource "configmaps"');
    expect((await segments()).some((s) => s.metadata.name === 'migration-gate-audit-pod-a-000001')).to.equal(
      true,
    );
  });

  it('fails closed while the apiserver is unreachable and recovers when it is back', async () => {
    const proxy = await startOutageProxy(new URL(cp.server));
    const kc = JSON.parse(readFileSync(gateKubeconfig, 'utf8')) as {
      clusters: [{ cluster: { server: string } }];
    };
    kc.clusters[0].cluster.server = `https://127.0.0.1:${proxy.port}`;
    const viaProxy = `${cp.dir}/gate-via-proxy.kubeconfig`;
    await writeFile(viaProxy, JSON.stringify(kc), { mode: 0o600 });
    const sink = await open('pod-outage', { probeIntervalMs: 200 }, viaProxy);
    expect((await sink.append(report(1))).seq).to.equal(1);

    await proxy.down();
    let err: (Error & { code?: string }) | undefined;
    try {
      await sink.append(report(2));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.code).to.equal('audit-unavailable');
    expect(sink.health().ok).to.equal(false);
    expect(sink.health().detail).to.match(/ECONNREFUSED|other side closed|fetch failed/);

    await proxy.up();
    for (let i = 0; i < 150 && !sink.health().ok; i++) await new Promise((r) => setTimeout(r, 100));
    expect(sink.health().ok, sink.health().detail).to.equal(true);
    expect((await sink.append(report(3))).seq).to.equal(2);
    const v = await verifyChains(await collect(sink.readRaw()));
    expect(v.ok).to.equal(true);
    expect(v.writers.find((x) => x.writer === 'pod-outage')).to.deep.include({ records: 2, last_seq: 2 });
    await sink.close();
    await proxy.down();
  });

  it('an update whose answer is lost (it landed) is detected on re-read and not written twice', async () => {
    const proxy = await startOutageProxy(new URL(cp.server));
    const kc = JSON.parse(readFileSync(gateKubeconfig, 'utf8')) as {
      clusters: [{ cluster: { server: string } }];
    };
    kc.clusters[0].cluster.server = `https://127.0.0.1:${proxy.port}`;
    const viaProxy = `${cp.dir}/gate-lossy.kubeconfig`;
    await writeFile(viaProxy, JSON.stringify(kc), { mode: 0o600 });
    const logged: string[] = [];
    const logger = {
      debug() {},
      info: (m: string) => {
        logged.push(m);
      },
      warn() {},
      error() {},
    };
    const store = connectKube({ kubeconfigPath: viaProxy, requestTimeoutMs: 1000 }).configMaps(NS);
    const sink = await openConfigMapAuditSink({ store, writer: 'pod-lossy', lingerMs: 0, logger });
    sinks.push(sink);
    try {
      await sink.append(report(1));
      proxy.dropAnswers = true;
      const pending = sink.append(report(2));
      // The PUT reaches the apiserver; once its answer has been swallowed the
      // link heals, and the client (deaf on that connection) gives up after 1 s.
      for (let i = 0; i < 200 && proxy.swallowed === 0; i++) await new Promise((r) => setTimeout(r, 25));
      proxy.dropAnswers = false;
      expect(proxy.swallowed).to.be.greaterThan(0);
      expect((await pending).seq).to.equal(2);
      expect(
        logged.some((m) => m.includes('landed although its answer was lost')),
        logged.join('; '),
      ).to.equal(true);
      expect((await sink.append(report(3))).seq).to.equal(3);
      const v = await verifyChains(
        (await collect(sink.readRaw())).filter((e) => e.location.includes('pod-lossy-')),
      );
      expect(v.ok, JSON.stringify(v.first_bad)).to.equal(true);
      expect(v.writers).to.deep.equal([
        { writer: 'pod-lossy', records: 3, last_seq: 3, head: v.writers[0]!.head },
      ]);
    } finally {
      await proxy.down();
    }
  });

  it('TokenReview: a ServiceAccount token is accepted, another identity and a garbage token are not', async () => {
    const reviewer = connectKube({ kubeconfigPath: gateKubeconfig }).tokenReviewer();
    const verifier = tokenReviewVerifier(reviewer, {
      allowedUsers: [`system:serviceaccount:${NS}:${CLIENT_SA}`],
      cacheSeconds: 30,
    });
    expect(await verifier.verify(await tokenOf(CLIENT_SA))).to.equal(
      `system:serviceaccount:${NS}:${CLIENT_SA}`,
    );
    expect(await verifier.verify(await tokenOf('someone-else'))).to.equal(undefined);
    expect(await verifier.verify('garbage.garbage.garbage')).to.equal(undefined);
  });
  it('the app BLOCKs (fail-closed), raises an alert and is not ready while the apiserver is unreachable; recovers after', async () => {
    const proxy = await startOutageProxy(new URL(cp.server));
    const kc = JSON.parse(readFileSync(gateKubeconfig, 'utf8')) as {
      clusters: [{ cluster: { server: string } }];
    };
    kc.clusters[0].cluster.server = `https://127.0.0.1:${proxy.port}`;
    const viaProxy = `${cp.dir}/app-via-proxy.kubeconfig`;
    await writeFile(viaProxy, JSON.stringify(kc), { mode: 0o600 });
    const gate = await startGate(
      { GATE_AUDIT_SINK: 'configmap', GATE_KUBECONFIG: viaProxy, GATE_NAMESPACE: NS },
      { writerId: 'app-outage' },
    );
    try {
      expect((await postJson(gate, '/api/v1/validate/migration', t1Good())).body.decision).to.equal('ALLOW');
      await proxy.down();
      const blocked = await postJson(gate, '/api/v1/validate/migration', t1Good());
      expect(blocked.body.decision).to.equal('BLOCK');
      expect((blocked.body.reasons as string[]).join('\n')).to.contain('[audit-unavailable]');
      // The audit-sink condition is raised from the sink's failure, beside the answer: wait for it (at most 10 s).
      let firing = false;
      for (let i = 0; i < 100 && !firing; i++) {
        const alerts = (await getJson(gate, '/api/v1/alerts')).body.items as Array<{
          kind: string;
          severity: string;
        }>;
        firing = alerts.some((a) => a.kind === 'audit-sink' && a.severity === 'critical');
        if (!firing) await new Promise((r) => setTimeout(r, 100));
      }
      expect(firing, 'an audit-sink critical alert fires').to.equal(true);
      expect((await fetch(`${gate.url}/readyz`)).status).to.equal(503);

      await proxy.up();
      let ready = 0;
      for (let i = 0; i < 120 && ready !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        ready = (await fetch(`${gate.url}/readyz`)).status;
      }
      expect(ready, 'ready again (background probe, default every 5 s)').to.equal(200);
      expect((await postJson(gate, '/api/v1/validate/migration', t1Good())).body.decision).to.equal('ALLOW');
      const verify = await getJson(gate, '/api/v1/audit/verify');
      expect(verify.body.ok, JSON.stringify(verify.body.first_bad)).to.equal(true);
      expect(
        (verify.body.writers as Array<{ writer: string; last_seq: number }>).find(
          (x) => x.writer === 'app-outage',
        )?.last_seq,
        // The two ALLOWs, plus the audit-sink alert's fire and resolve transitions (issue 17), which share the chain.
      ).to.be.at.least(2);
    } finally {
      await gate.stop();
      await proxy.down();
    }
  });

  describe('the app with GATE_AUDIT_SINK=configmap', () => {
    let gate: RunningGate;
    before(async () => {
      gate = await startGate({
        GATE_AUDIT_SINK: 'configmap',
        GATE_KUBECONFIG: gateKubeconfig,
        GATE_NAMESPACE: NS,
        GATE_API_TOKEN_REVIEW: 'true',
        GATE_API_ALLOWED_USERS: `system:serviceaccount:${NS}:${CLIENT_SA}`,
      });
    });
    after(async () => {
      await gate?.stop();
    });

    it('records a T1 validation in a segment; /api/v1/audit/verify is ok, also with a ServiceAccount token', async () => {
      const res = await postJson(gate, '/api/v1/validate/migration', t1Good());
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.decision).to.equal('ALLOW');
      expect(
        (await segments()).some((s) => s.metadata.name === 'migration-gate-audit-test-writer-000001'),
      ).to.equal(true);

      const verify = await getJson(gate, '/api/v1/audit/verify', { authorization: `Bearer ${TEST_TOKEN}` });
      expect(verify.status).to.equal(200);
      expect(verify.body).to.deep.include({ ok: true, sink: 'configmap' });
      expect((verify.body.writers as Array<{ writer: string }>).map((w) => w.writer)).to.include(
        'test-writer',
      );

      const asSa = await getJson(gate, '/api/v1/audit/verify', {
        authorization: `Bearer ${await tokenOf(CLIENT_SA)}`,
      });
      expect(asSa.status).to.equal(200);
      const logs = await getJson(gate, '/api/v1/audit/logs', {
        authorization: `Bearer ${await tokenOf(CLIENT_SA)}`,
      });
      expect(logs.status).to.equal(200);
      expect((logs.body.items as Array<{ writer: string }>).some((r) => r.writer === 'test-writer')).to.equal(
        true,
      );
      expect(
        (await getJson(gate, '/api/v1/audit/verify', { authorization: 'Bearer garbage' })).status,
      ).to.equal(401);
    });
  });
});
