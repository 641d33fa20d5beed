// Every T1 example through the real REST API (multipart, as the README's curl
// lines do), then the audit log lists them and the chain verifies.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, startGate, type RunningGate } from '../support/gate-harness.js';

interface Expected {
  decision: 'ALLOW' | 'BLOCK';
  rule: string;
  why: string;
}

function exampleDirs(): string[] {
  const bad = readdirSync('examples/t1_bad').map((d) => path.join('examples/t1_bad', d));
  return ['examples/t1_good', 'examples/t1_staging_warn', ...bad];
}

async function postExample(
  gate: RunningGate,
  dir: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append(
    'migration_manifest',
    new Blob([readFileSync(path.join(dir, 'migration_manifest.json'))]),
    'migration_manifest.json',
  );
  form.append('app_config', new Blob([readFileSync(path.join(dir, 'app-config.yaml'))]), 'app-config.yaml');
  const sig = path.join(dir, 'migration_manifest.json.sig');
  if (existsSync(sig))
    form.append('manifest_signature', new Blob([readFileSync(sig)]), 'migration_manifest.json.sig');
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: gate.auth,
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('REST T1: every example gets its expected decision', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  for (const dir of exampleDirs()) {
    const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
    it(`${dir} -> ${expected.decision}${expected.rule ? ` [${expected.rule}]` : ''}`, async () => {
      const { status, body } = await postExample(gate, dir);
      expect(body.decision, JSON.stringify(body.reasons)).to.equal(expected.decision);
      expect(status).to.equal(expected.decision === 'ALLOW' ? 200 : 422);
      const lines = [...(body.reasons as string[]), ...(body.warnings as string[])];
      if (expected.rule)
        expect(
          lines.some((l) => l.startsWith(`[${expected.rule}]`)),
          lines.join('\n'),
        ).to.equal(true);
      if (expected.decision === 'ALLOW') expect(body.reasons).to.deep.equal([]);
      expect((body.steps as unknown[]).length).to.equal(6);
      // A signed example names the key that verified it.
      if (existsSync(path.join(dir, 'migration_manifest.json.sig')))
        expect(JSON.stringify(body.steps)).to.contain('verified with key example-ed25519');
    });
  }

  it('lists every decision in the audit log, newest first, and the chain is intact', async () => {
    const logs = await getJson(gate, '/api/v1/audit/logs?limit=500');
    const items = logs.body.items as Array<{ scenario: string; seq: number }>;
    expect(items.length).to.equal(exampleDirs().length);
    expect(items[0]!.seq).to.be.greaterThan(items.at(-1)!.seq);
    const blocks = await getJson(gate, '/api/v1/audit/logs?decision=BLOCK&limit=500');
    expect((blocks.body.items as unknown[]).length).to.equal(exampleDirs().length - 2);
    const verify = await getJson(gate, '/api/v1/audit/verify');
    expect(verify.status).to.equal(200);
    expect(verify.body.ok).to.equal(true);
  });

  it('pages with an opaque continue token', async () => {
    const first = await getJson(gate, '/api/v1/audit/logs?limit=3');
    const token = first.body.continue as string;
    expect(token).to.be.a('string');
    const second = await getJson(gate, `/api/v1/audit/logs?limit=3&continue=${encodeURIComponent(token)}`);
    const ids = (p: { body: Record<string, unknown> }) =>
      (p.body.items as Array<{ request_id: string }>).map((r) => r.request_id);
    expect(ids(second)).to.have.length(3);
    expect(ids(first).filter((id) => ids(second).includes(id))).to.deep.equal([]);
    const bad = await getJson(gate, '/api/v1/audit/logs?continue=garbage');
    expect(bad.status).to.equal(400);
  });
});
