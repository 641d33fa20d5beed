// The audit log's signed checkpoints end to end with the file sink: the gate
// signs and sends checkpoints to a real witness over HTTP, serves proofs,
// and a truncated or rewritten log (even one whose hash chain was
// recomputed) is caught by the witness and by offline verification
// (the real CLI).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startWitness } from '../../src/adapters/witness/witness-server.js';
import { chainRecord } from '../../src/core/audit-record.js';
import { checkpointText } from '../../src/core/tlog/checkpoint.js';
import { verifyConsistency } from '../../src/core/tlog/proof-verify.js';
import {
  encodeVerifierKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE,
  signNoteText,
  verifierFor,
} from '../../src/core/tlog/signed-note.js';
import { verifyProofText } from '../../src/cli/audit-tlog.js';
import { startGate, type RunningGate } from '../support/gate-harness.js';
import { report } from '../unit/audit/report-fixture.js';

const run = promisify(execFile);
/** The overview page as a logged-in operator sees it. */
const overview = async (gate: RunningGate): Promise<string> => {
  const login = await fetch(`${gate.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: 'test-token-0123456789abcdef', next: '/' }).toString(),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return (await fetch(`${gate.url}/`, { headers: { cookie } })).text();
};
const cli = async (args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('audit checkpoints, witness and offline verification (file sink)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-tlog-'));
  const keyFile = path.join(dir, 'signing.key');
  const logFile = path.join(dir, 'audit.jsonl');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const witnessKeys = generateKeyPairSync('ed25519');
  const witnessVkey = encodeVerifierKey(
    verifierFor('test-witness', witnessKeys.publicKey, SIG_TYPE_COSIGNATURE),
  );
  let witness: Awaited<ReturnType<typeof startWitness>>;
  let gate: RunningGate | undefined;
  let vkey: string;
  const env = () => ({
    GATE_AUDIT_FILE: logFile,
    GATE_AUDIT_SIGNING_KEY_FILE: keyFile,
    GATE_CLUSTER_NAME: 'itest',
    GATE_AUDIT_WITNESS_URL: `http://127.0.0.1:${witness.port}`,
    GATE_AUDIT_WITNESS_KEY: witnessVkey,
    GATE_AUDIT_CHECKPOINT_SECONDS: '3600',
  });
  const keyPath = path.join(dir, 'gate.vkey');
  const witnessed = path.join(dir, 'witnessed.checkpoint');

  before(async () => {
    const { createPublicKey } = await import('node:crypto');
    vkey = encodeVerifierKey(verifierFor('migration-gate/itest', createPublicKey(privateKey)));
    writeFileSync(keyPath, `${vkey}\n`);
    witness = await startWitness(
      {
        name: 'test-witness',
        privateKey: witnessKeys.privateKey,
        publicKey: witnessKeys.publicKey,
        logKeys: [parseVerifierKey(vkey)],
        stateFile: path.join(dir, 'witness-state.json'),
        now: () => new Date(),
        log: () => {},
      },
      0,
    );
  });
  after(async () => {
    await gate?.stop();
    await witness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs, sends to the witness, serves the key, checkpoint, proofs and consistency proofs', async () => {
    gate = await startGate(env());
    for (let n = 1; n <= 5; n++) await gate.app.gate.audit.append(report(n));
    await gate.app.auditTrees.tick();
    await gate.app.auditTrees.settled();
    const key = await fetch(`${gate.url}/api/v1/audit/key`);
    expect((await key.text()).trim()).to.equal(vkey);
    const cp = (await (
      await fetch(`${gate.url}/api/v1/audit/checkpoint`, { headers: gate.auth })
    ).json()) as {
      checkpoints: Array<{ size: number; origin: string; note: string }>;
      destinations: Array<{ name: string; ok: boolean; detail: string }>;
    };
    expect(cp.checkpoints[0]!.size).to.equal(5);
    expect(cp.checkpoints[0]!.origin).to.equal('migration-gate/itest/test-writer');
    expect(cp.destinations.find((d) => d.name.startsWith('witness'))).to.include({
      ok: true,
      detail: 'cosigned size 5',
    });
    const page = await overview(gate);
    expect(page).to.match(
      /<li data-writer="test-writer"><strong>test-writer<\/strong>: size <span data-size="5">/,
    );
    expect(page).to.include('data-witness="agrees"');
    const proofRes = await fetch(`${gate.url}/api/v1/audit/proof?request_id=req-3`, { headers: gate.auth });
    expect(proofRes.status).to.equal(200);
    const proof = await proofRes.text();
    const verified = verifyProofText(proof, parseVerifierKey(vkey));
    expect(verified).to.deep.include({ ok: true, index: 2, tree_size: 5 });
    expect(verified.record).to.include({ request_id: 'req-3', seq: 3 });
    // A proof whose record was edited (BLOCK -> ALLOW) no longer leads to the signed root.
    const lines = proof.split('\n');
    const extra = JSON.parse(Buffer.from(lines[1]!.slice(6), 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    lines[1] = `extra ${Buffer.from(JSON.stringify({ ...extra, decision: extra.decision === 'ALLOW' ? 'BLOCK' : 'ALLOW' })).toString('base64')}`;
    expect(verifyProofText(lines.join('\n'), parseVerifierKey(vkey)).ok).to.equal(false);
    expect(
      (await fetch(`${gate.url}/api/v1/audit/proof?request_id=nope`, { headers: gate.auth })).status,
    ).to.equal(404);
    // The consistency proof served links the tree of size 2 to the signed one of size 5.
    const cons = (await (
      await fetch(`${gate.url}/api/v1/audit/consistency?from=2&to=5`, { headers: gate.auth })
    ).json()) as { proof: string[] };
    const root5 = Buffer.from(cp.checkpoints[0]!.note.split('\n')[2]!, 'base64');
    expect(
      verifyConsistency(
        2,
        5,
        cons.proof.map((h) => Buffer.from(h, 'base64')),
        gate.app.auditTrees.rootAt(2),
        root5,
      ),
    ).to.equal(true);
    // The CLI writes the same proof file and verifies it with the public key alone.
    const proofFile = path.join(dir, 'req-3.tlog-proof');
    expect(
      (
        await cli([
          'audit',
          'prove',
          'req-3',
          '--server',
          gate.url,
          '--token',
          'test-token-0123456789abcdef',
          '--out',
          proofFile,
        ])
      ).code,
    ).to.equal(0);
    const ok = await cli(['audit', 'verify-proof', '--key', keyPath, proofFile]);
    expect(ok.code, ok.stderr).to.equal(0);
    writeFileSync(proofFile, lines.join('\n'));
    expect((await cli(['audit', 'verify-proof', '--key', keyPath, proofFile])).code).to.equal(1);
    // What an auditor keeps: the checkpoint the witness cosigned.
    const origin = encodeURIComponent('migration-gate/itest/test-writer');
    const w = await fetch(`http://127.0.0.1:${witness.port}/checkpoint?origin=${origin}`);
    expect(w.status).to.equal(200);
    writeFileSync(witnessed, await w.text());
    await gate.stop();
    gate = undefined;
  });

  it('verifies the intact log offline against the witnessed checkpoint', async () => {
    const r = await cli(['audit', 'verify', '--checkpoint', witnessed, '--key', keyPath, '--file', logFile]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).checkpoints[0]).to.include({ status: 'ok', size: 5 });
  });

  it("detects the newest records cut off: offline, and the witness refuses the restarted gate's checkpoint", async () => {
    const intact = readFileSync(logFile, 'utf8');
    const cut = `${intact.split('\n').slice(0, 3).join('\n')}\n`;
    writeFileSync(logFile, cut);
    rmSync(`${logFile}.head`, { force: true }); // the attacker removes the local head too
    const r = await cli(['audit', 'verify', '--checkpoint', witnessed, '--key', keyPath, '--file', logFile]);
    expect(r.code).to.equal(1);
    const out = JSON.parse(r.stdout);
    expect(out.checkpoints[0].status).to.equal('truncated');
    expect(out.first_bad.location).to.equal('after audit.jsonl:3');
    expect(r.stderr).to.match(/newest 2 were removed/);
    gate = await startGate(env());
    await gate.app.auditTrees.tick();
    await gate.app.auditTrees.settled();
    const st = gate.app.auditTrees.status().destinations.find((d) => d.name.startsWith('witness'))!;
    expect(st.ok).to.equal(false);
    expect(st.detail).to.match(/cosigned 5 records .* holds 3: records were removed/);
    expect(
      gate.app.gate.alerts
        .list()
        .some((a) => a.severity === 'critical' && /records were removed/.test(a.message)),
    ).to.equal(true);
    // The status page says the witness disagrees, and why.
    const page = await overview(gate);
    expect(page).to.include('data-witness="disagrees"');
    expect(page).to.match(/DISAGREES<\/span> — the witness cosigned 5 records/);
    await gate.stop();
    gate = undefined;
    writeFileSync(logFile, intact);
  });

  it('detects a record rewritten with its whole hash chain recomputed, naming where the bad stretch starts', async () => {
    const intact = readFileSync(logFile, 'utf8');
    const records = intact
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Rewrite record 4 (a BLOCK becomes an ALLOW) and re-chain 4 and 5 so the chain check passes.
    let prev = records[2]!.hash as string;
    const forged = records.map((r, i) => {
      if (i < 3) return r;
      const { seq: _s, writer: _w, prev_hash: _p, hash: _h, ...rest } = r;
      const rep = i === 3 ? { ...rest, decision: 'ALLOW', reasons: [] } : rest;
      const next = chainRecord(rep as never, 'test-writer', i + 1, prev) as unknown as Record<
        string,
        unknown
      >;
      prev = next.hash as string;
      return next;
    });
    writeFileSync(logFile, forged.map((r) => `${JSON.stringify(r)}\n`).join(''));
    rmSync(`${logFile}.head`, { force: true });
    const chainOnly = await cli(['audit', 'verify', '--file', logFile]);
    expect(chainOnly.code, 'the chain alone cannot see it').to.equal(0);
    const r = await cli(['audit', 'verify', '--checkpoint', witnessed, '--key', keyPath, '--file', logFile]);
    expect(r.code).to.equal(1);
    const out = JSON.parse(r.stdout);
    expect(out.checkpoints[0].status).to.equal('rewritten');
    expect(out.first_bad.problem).to.match(/rewritten/);
    gate = await startGate(env());
    await gate.app.auditTrees.tick();
    await gate.app.auditTrees.settled();
    const st = gate.app.auditTrees.status().destinations.find((d) => d.name.startsWith('witness'))!;
    expect(st.ok).to.equal(false);
    expect(st.detail).to.match(/another tree of size 5/);
    await gate.stop();
    gate = undefined;
    writeFileSync(logFile, intact);
  });

  it('reports a fork: two signed checkpoints of one origin that cannot both be true', async () => {
    const text = readFileSync(witnessed, 'utf8');
    const origin = 'migration-gate/itest/test-writer';
    const { createPublicKey } = await import('node:crypto');
    const other = checkpointText({ origin, size: 5, root: Buffer.alloc(32, 7) });
    const forged = `${other}\n${signNoteText(other, 'migration-gate/itest', privateKey, createPublicKey(privateKey))}`;
    const both = path.join(dir, 'both.checkpoint');
    writeFileSync(both, `${text}${forged}`);
    const r = await cli(['audit', 'verify', '--checkpoint', both, '--key', keyPath, '--file', logFile]);
    expect(r.code).to.equal(1);
    const statuses = (JSON.parse(r.stdout).checkpoints as Array<{ status: string }>)
      .map((c) => c.status)
      .sort();
    expect(statuses).to.deep.equal(['fork', 'ok']);
    // A checkpoint signed by another key is refused outright, never skipped.
    const stranger = generateKeyPairSync('ed25519');
    const foreign = `${other}\n${signNoteText(other, 'migration-gate/itest', stranger.privateKey, stranger.publicKey)}`;
    writeFileSync(both, foreign);
    const refused = await cli(['audit', 'verify', '--checkpoint', both, '--key', keyPath, '--file', logFile]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/no valid signature/);
  });
});
