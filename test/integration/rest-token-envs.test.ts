// Issue 12 item 2, REST half: each API token carries the environments it may
// vouch for (GATE_API_TOKENS_FILE `sha256:<hex> envs=...`); a manifest that
// claims another environment is refused with 403 and audited as a BLOCK
// [env-not-permitted], on the T1 and the T2 route. Real HTTP, real app.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashToken } from '../../src/adapters/http/auth.js';
import { csrfFor } from '../../src/adapters/http/ui/session.js';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import { startGate, type RunningGate } from '../support/gate-harness.js';
import { t2Form } from '../support/t2-upload.js';
import { exampleJsonBody } from '../support/signed-t1.js';

const t1 = exampleJsonBody;
const digest = (t: string): string => `sha256:${hashToken(t).toString('hex')}`;
const TOKENS = {
  prod: 'prod-only-token-0123456789',
  staging: 'staging-only-token-0123456789',
  both: 'legacy-line-token-0123456789',
};

describe('REST: the token decides which environments a request may claim', () => {
  let gate: RunningGate;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-tokens-'));
  const file = path.join(dir, 'tokens');
  before(async () => {
    writeFileSync(
      file,
      [
        '# CI for prod, CI for staging, and a line in the old format (every environment)',
        `${digest(TOKENS.prod)} envs=prod`,
        `${digest(TOKENS.staging)}\tenvs=staging`,
        digest(TOKENS.both),
      ].join('\n'),
    );
    gate = await startGate({ GATE_API_TOKENS_FILE: file, GATE_ARTIFACT_ROOT: path.resolve('examples') });
  });
  after(async () => {
    await gate.stop();
  });

  const postT1 = async (
    token: string,
    example: string,
  ): Promise<{ status: number; body: DecisionReport }> => {
    const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(t1(example)),
    });
    return { status: res.status, body: (await res.json()) as DecisionReport };
  };
  const lastRecord = async (): Promise<DecisionReport> => {
    const res = await fetch(`${gate.url}/api/v1/audit/logs?limit=1`, { headers: gate.auth });
    return ((await res.json()) as { items: DecisionReport[] }).items[0]!;
  };

  it('a prod-only token claiming staging: 403, BLOCK [env-not-permitted], audited under its request id', async () => {
    const r = await postT1(TOKENS.prod, 't1_staging_warn');
    expect(r.status).to.equal(403);
    expect(r.body.decision).to.equal('BLOCK');
    expect(r.body.findings.map((f) => f.rule)).to.deep.equal(['env-not-permitted']);
    expect(r.body.reasons[0]).to.match(
      /^\[env-not-permitted\] the manifest says env "staging" but the API token allows only "prod"/,
    );
    const rec = await lastRecord();
    expect(rec.request_id).to.equal(r.body.request_id);
    expect(rec.findings.map((f) => f.rule)).to.deep.equal(['env-not-permitted']);
  });

  it('a staging-only token claiming prod: 403 (it cannot get a prod verdict either)', async () => {
    const r = await postT1(TOKENS.staging, 't1_good');
    expect(r.status).to.equal(403);
    expect(r.body.findings.map((f) => f.rule)).to.deep.equal(['env-not-permitted']);
  });

  it('each token keeps its own environment; a line without envs= (and GATE_API_TOKEN) may use both', async () => {
    expect((await postT1(TOKENS.prod, 't1_good')).status).to.equal(200);
    expect((await postT1(TOKENS.staging, 't1_staging_warn')).status).to.equal(200);
    for (const token of [TOKENS.both, gate.auth.authorization!.slice('Bearer '.length)]) {
      expect((await postT1(token, 't1_good')).status).to.equal(200);
      expect((await postT1(token, 't1_staging_warn')).status).to.equal(200);
    }
  });

  it('T2: a staging-only token posting a prod replication manifest is 403 [env-not-permitted], audited; the prod token is judged', async () => {
    const refused = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.staging}` },
      body: t2Form('examples/t2_good'),
    });
    const body = (await refused.json()) as DecisionReport;
    expect(refused.status).to.equal(403);
    expect(body.findings.map((f) => f.rule)).to.deep.equal(['env-not-permitted']);
    expect((await lastRecord()).request_id).to.equal(body.request_id);
    const judged = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.prod}` },
      body: t2Form('examples/t2_good'),
    });
    const judgedBody = (await judged.json()) as DecisionReport;
    expect(judgedBody.findings.map((f) => f.rule)).not.to.include('env-not-permitted');
    expect(judged.status).to.be.oneOf([200, 422]);
  });

  it('a token line with an unknown or repeated environment stops the start, naming the line, never echoing it', async () => {
    for (const [line, why] of [
      [`${digest('x')} envs=dev`, /line 1: envs must be a list of prod, staging/],
      [`${digest('x')} envs=prod,prod`, /line 1: envs lists prod twice/],
      ['my-plaintext-secret envs=prod', /line 1: expected sha256:<64 hex> \[envs=prod,staging\]$/],
    ] as const) {
      const bad = path.join(dir, 'bad');
      writeFileSync(bad, `${line}\n`);
      let message = '';
      try {
        const g = await startGate({ GATE_API_TOKENS_FILE: bad });
        await g.stop();
      } catch (e) {
        message = e instanceof Error ? e.message : String(e);
      }
      expect(message).to.match(why);
      expect(message).not.to.contain('my-plaintext-secret');
    }
  });

  it('the UI form is bound the same way: a prod-only session posting a staging manifest gets [env-not-permitted], audited', async () => {
    const form = new FormData();
    form.append('csrf', csrfFor(TOKENS.prod));
    form.append(
      'migration_manifest',
      new Blob([readFileSync('examples/t1_staging_warn/migration_manifest.json')]),
      'migration_manifest.json',
    );
    form.append(
      'app_config',
      new Blob([readFileSync('examples/t1_staging_warn/app-config.yaml')]),
      'app-config.yaml',
    );
    const res = await fetch(`${gate.url}/ui/migration`, {
      method: 'POST',
      headers: { cookie: `mg_session=${encodeURIComponent(TOKENS.prod)}` },
      body: form,
    });
    const page = await res.text();
    expect(page).to.contain('env-not-permitted');
    expect((await lastRecord()).findings.map((f) => f.rule)).to.deep.equal(['env-not-permitted']);
  });

  it('GATE_API_TOKEN_REVIEW_ENVS accepts only prod and staging', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    expect(loadConfig({ GATE_API_TOKEN_REVIEW_ENVS: 'staging' }).apiTokenReviewEnvs).to.deep.equal([
      'staging',
    ]);
    expect(loadConfig({}).apiTokenReviewEnvs).to.deep.equal(['prod', 'staging']);
    expect(() => loadConfig({ GATE_API_TOKEN_REVIEW_ENVS: 'dev' })).to.throw(/GATE_API_TOKEN_REVIEW_ENVS/);
  });
});
