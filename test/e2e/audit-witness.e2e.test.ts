// Signed audit checkpoints with the ConfigMap sink against a real
// kube-apiserver: the gate sends every checkpoint to a witness
// (`migration-gate witness`'s server); a cluster admin who cuts off the
// newest records, or rewrites one and recomputes the whole hash chain, is
// caught by the witness (it refuses the restarted gate's checkpoint and the
// gate raises a critical alert) and by offline verification of an export.
// Another replica proves this writer's decisions against its checkpoint on
// the ConfigMap board, and reads pages and decisions through the read index
// (a metadata-only list, then only the segments it shows).
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/audit-witness.e2e.test.ts
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { ConfigMapReadIndex } from '../../src/adapters/audit/configmap-read-index.js';
import { openConfigMapAuditSink } from '../../src/adapters/audit/configmap-sink.js';
import { METADATA_ONLY } from '../../src/adapters/k8s/client-node-configmaps.js';
import { connectKube } from '../../src/adapters/k8s/kube-connection.js';
import { startWitness } from '../../src/adapters/witness/witness-server.js';
import { verifyProofText } from '../../src/cli/audit-tlog.js';
import type { ConfigMapStore } from '../../src/core/ports/configmaps.js';
import { findAuditRecords, queryAudit } from '../../src/services/audit/read-audit.js';
import { chainRecord } from '../../src/core/audit-record.js';
import {
  encodeVerifierKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE,
  verifierFor,
} from '../../src/core/tlog/signed-note.js';
import { report } from '../unit/audit/report-fixture.js';
import { startGate, type RunningGate } from '../support/gate-harness.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';

const NS = 'e2e-witness';
const SEGMENT = 'migration-gate-audit-test-writer-000001';
const run = promisify(execFile);

interface CmJson {
  metadata: { name: string };
  data?: Record<string, string>;
}

describe('audit checkpoints and a witness with the ConfigMap sink (real kube-apiserver)', function () {
  let cp: ControlPlane;
  let gateKubeconfig: string;
  let witness: Awaited<ReturnType<typeof startWitness>>;
  let gate: RunningGate | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-witness-'));
  const keyFile = path.join(dir, 'signing.key');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const vkey = encodeVerifierKey(verifierFor('migration-gate/e2e', createPublicKey(privateKey)));
  const vkeyFile = path.join(dir, 'gate.vkey');
  writeFileSync(vkeyFile, `${vkey}\n`);
  const wk = generateKeyPairSync('ed25519');
  const witnessed = path.join(dir, 'witnessed.checkpoint');

  const kubectlOk = async (args: string[], input?: string): Promise<string> => {
    const r = await cp.kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const records = async (): Promise<string> =>
    ((JSON.parse(await kubectlOk(['get', 'configmap', SEGMENT, '-n', NS, '-o', 'json'])) as CmJson).data ??
      {})['records.jsonl'] ?? '';
  /** As a cluster admin would: the segment is not sealed yet, so it is updatable. */
  const rewrite = async (text: string): Promise<void> => {
    await kubectlOk([
      'patch',
      'configmap',
      SEGMENT,
      '-n',
      NS,
      '--type=merge',
      '-p',
      JSON.stringify({ data: { 'records.jsonl': text } }),
    ]);
  };
  /** An export of every segment, one *.jsonl per ConfigMap, for `audit verify --dir`. */
  const exportTo = async (): Promise<string> => {
    const out = path.join(dir, `export-${Date.now()}`);
    mkdirSync(out);
    const list = JSON.parse(
      await kubectlOk([
        'get',
        'configmaps',
        '-n',
        NS,
        '-l',
        'migrationgate.io/audit-segment=true',
        '-o',
        'json',
      ]),
    ) as { items: CmJson[] };
    for (const cm of list.items)
      writeFileSync(path.join(out, `${cm.metadata.name}.jsonl`), cm.data?.['records.jsonl'] ?? '');
    return out;
  };
  const verifyOffline = async (exportDir: string) => {
    try {
      const { stdout } = await run(process.execPath, [
        '--import',
        'tsx',
        'src/cli.ts',
        'audit',
        'verify',
        '--checkpoint',
        witnessed,
        '--key',
        vkeyFile,
        '--dir',
        exportDir,
      ]);
      return {
        code: 0,
        out: JSON.parse(stdout) as {
          checkpoints: Array<{ status: string }>;
          first_bad?: { location: string; problem: string };
        },
      };
    } catch (e) {
      const err = e as { code: number; stdout: string };
      return {
        code: err.code,
        out: JSON.parse(err.stdout) as {
          checkpoints: Array<{ status: string }>;
          first_bad?: { location: string; problem: string };
        },
      };
    }
  };
  const env = () => ({
    GATE_AUDIT_SINK: 'configmap',
    GATE_KUBECONFIG: gateKubeconfig,
    GATE_NAMESPACE: NS,
    GATE_CLUSTER_NAME: 'e2e',
    GATE_AUDIT_SIGNING_KEY_FILE: keyFile,
    GATE_AUDIT_WITNESS_URL: `http://127.0.0.1:${witness.port}`,
    GATE_AUDIT_WITNESS_KEY: encodeVerifierKey(verifierFor('e2e-witness', wk.publicKey, SIG_TYPE_COSIGNATURE)),
    GATE_AUDIT_CHECKPOINT_SECONDS: '3600',
  });
  const restartAndCheckpoint = async () => {
    gate = await startGate(env());
    await gate.app.auditTrees.tick();
    await gate.app.auditTrees.settled();
    const w = gate.app.auditTrees.status().destinations.find((d) => d.name.startsWith('witness'))!;
    const alerted = gate.app.gate.alerts
      .list()
      .some((a) => a.severity === 'critical' && a.message.includes(w.detail));
    await gate.stop();
    gate = undefined;
    return { ...w, alerted };
  };

  before(async () => {
    cp = await startControlPlane();
    await kubectlOk(['create', 'namespace', NS]);
    gateKubeconfig = await cp.mintServiceAccountKubeconfig(NS, 'migration-gate');
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
      `--serviceaccount=${NS}:migration-gate`,
    ]);
    witness = await startWitness(
      {
        name: 'e2e-witness',
        privateKey: wk.privateKey,
        publicKey: wk.publicKey,
        logKeys: [parseVerifierKey(vkey)],
        stateFile: path.join(dir, 'witness.json'),
        now: () => new Date(),
        log: () => {},
      },
      0,
    );
  });
  after(async () => {
    await gate?.stop();
    await witness?.close();
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs the ConfigMap log's tree, the witness cosigns it, and the export verifies offline", async () => {
    gate = await startGate(env());
    for (let n = 1; n <= 6; n++) await gate.app.gate.audit.append(report(n));
    await gate.app.auditTrees.tick();
    await gate.app.auditTrees.settled();
    expect(gate.app.auditTrees.status().destinations.find((d) => d.name.startsWith('witness'))).to.include({
      ok: true,
      detail: 'cosigned size 6',
    });
    await gate.stop();
    gate = undefined;
    const res = await fetch(
      `http://127.0.0.1:${witness.port}/checkpoint?origin=${encodeURIComponent('migration-gate/e2e/test-writer')}`,
    );
    expect(res.status).to.equal(200);
    writeFileSync(witnessed, await res.text());
    const ok = await verifyOffline(await exportTo());
    expect(ok.code).to.equal(0);
    expect(ok.out.checkpoints[0]!.status).to.equal('ok');
    // Another replica (writer) shows this writer's checkpoint from the ConfigMap board, with the witness's verdict.
    const other = await startGate(env(), { writerId: 'other-writer' });
    try {
      const all = (await (
        await fetch(`${other.url}/api/v1/audit/checkpoint`, { headers: other.auth })
      ).json()) as {
        writer: string;
        peers: Array<{ writer: string; size: number; witness?: { ok: boolean } }>;
      };
      expect(all.writer).to.equal('other-writer');
      expect(all.peers.find((p) => p.writer === 'test-writer')).to.deep.include({
        size: 6,
        witness: { ok: true, detail: 'cosigned size 6' },
      });
      // A peer proof: this replica proves test-writer's decision against test-writer's checkpoint from the board.
      const proof = await fetch(`${other.url}/api/v1/audit/proof?request_id=req-3`, { headers: other.auth });
      const text = await proof.text();
      expect(proof.status, text).to.equal(200);
      expect(verifyProofText(text, parseVerifierKey(vkey))).to.deep.include({
        ok: true,
        origin: 'migration-gate/e2e/test-writer',
        index: 2,
        tree_size: 6,
      });
      // Its logs page reads through the read index (metadata-only list of the segments).
      const page = (await (
        await fetch(`${other.url}/api/v1/audit/logs?limit=2`, { headers: other.auth })
      ).json()) as { items: Array<{ writer: string; seq: number }> };
      expect(page.items.map((r) => `${r.writer}/${r.seq}`)).to.deep.equal(['test-writer/6', 'test-writer/5']);
    } finally {
      await other.stop();
    }
  });

  it('the read index lists segments with metadata only and fetches only what a read shows (real apiserver)', async () => {
    // The apiserver answers our Accept with a metadata-only list: no segment data crosses the wire.
    const raw = await new Promise<{
      kind?: string;
      items: Array<{ metadata: { name: string }; data?: unknown }>;
    }>((resolve, reject) => {
      const req = request(
        `${cp.server}/api/v1/namespaces/${NS}/configmaps?labelSelector=${encodeURIComponent('migrationgate.io/audit-segment=true')}`,
        { ca: cp.caPem, cert: cp.admin.certPem, key: cp.admin.keyPem, headers: { Accept: METADATA_ONLY } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => resolve(JSON.parse(body) as never));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(raw.kind).to.equal('PartialObjectMetadataList');
    expect(raw.items.map((i) => i.metadata.name)).to.deep.equal([SEGMENT]);
    expect(raw.items[0]).to.not.have.property('data');
    // Through the port, with the gate's ServiceAccount: what each read fetched.
    const store = connectKube({ kubeconfigPath: gateKubeconfig }).configMaps(NS);
    const calls: string[] = [];
    const counted: ConfigMapStore = {
      ...store,
      get: (name) => (calls.push(`get ${name}`), store.get(name)),
      list: (sel) => (calls.push('list'), store.list(sel)),
      listMeta: (sel) => (calls.push('listMeta'), store.listMeta(sel)),
    };
    const annotate = (kv: string) =>
      kubectlOk(['annotate', 'configmap', SEGMENT, '-n', NS, kv, '--overwrite']);
    const index = new ConfigMapReadIndex(counted);
    const reader = await openConfigMapAuditSink({ store: counted, writer: 'e2e-reader', readIndex: index });
    try {
      expect((await queryAudit(reader, { limit: 3 })).items.map((r) => r.seq)).to.deep.equal([6, 5, 4]);
      calls.length = 0;
      // Warm: a page and a lookup list metadata and read the ledger; the unchanged segment is not fetched again.
      expect((await queryAudit(reader, { limit: 2 })).items.map((r) => r.seq)).to.deep.equal([6, 5]);
      expect((await findAuditRecords(reader, 'req-4', 5)).records.map((r) => r.seq)).to.deep.equal([4]);
      expect(calls.filter((c) => c === 'list' || c === `get ${SEGMENT}`)).to.deep.equal([]);
      expect(calls.filter((c) => c === 'listMeta')).to.have.length(2);
      // An annotation rewritten by a cluster admin moves the resourceVersion: the segment is fetched and read as stored.
      await annotate('migrationgate.io/previous-seq=99');
      calls.length = 0;
      expect((await findAuditRecords(reader, 'req-4', 5)).records.map((r) => r.seq)).to.deep.equal([4]);
      expect(calls).to.include(`get ${SEGMENT}`);
      await annotate('migrationgate.io/previous-seq=0');
    } finally {
      await reader.close();
    }
  });

  it('catches the newest records cut off by a cluster admin: offline and at the witness', async () => {
    const intact = await records();
    await rewrite(`${intact.split('\n').slice(0, 4).join('\n')}\n`);
    const cut = await verifyOffline(await exportTo());
    expect(cut.code).to.equal(1);
    expect(cut.out.checkpoints[0]!.status).to.equal('truncated');
    expect(cut.out.first_bad!.location).to.equal(`after ${SEGMENT}.jsonl:4`);
    const w = await restartAndCheckpoint();
    expect(w.ok).to.equal(false);
    expect(w.detail).to.match(/cosigned 6 records .* holds 4: records were removed/);
    expect(w.alerted).to.equal(true);
    await rewrite(intact);
  });

  it('catches a record rewritten with the hash chain recomputed: offline and at the witness', async () => {
    const intact = await records();
    const rs = intact
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    let prev = rs[1]!.hash as string;
    const forged = rs.map((r, i) => {
      if (i < 2) return r;
      const { seq: _s, writer: _w, prev_hash: _p, hash: _h, ...rest } = r;
      const next = chainRecord(
        (i === 2 ? { ...rest, decision: rest.decision === 'ALLOW' ? 'BLOCK' : 'ALLOW' } : rest) as never,
        'test-writer',
        i + 1,
        prev,
      ) as unknown as Record<string, unknown>;
      prev = next.hash as string;
      return next;
    });
    await rewrite(forged.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const bad = await verifyOffline(await exportTo());
    expect(bad.code, 'the chain was recomputed, the tree still sees it').to.equal(1);
    expect(bad.out.first_bad!.location).to.equal(`${SEGMENT}.jsonl:1`);
    expect(bad.out.checkpoints[0]!.status).to.equal('rewritten');
    const w = await restartAndCheckpoint();
    expect(w.ok).to.equal(false);
    expect(w.detail).to.match(/another tree of size 6/);
    expect(w.alerted).to.equal(true);
  });
});
