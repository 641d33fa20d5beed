// Issue 12 item 1: the REST front door and the CLI take a T1 manifest
// signature (detached or DSSE) and the report names the key that verified.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pae } from '../../src/core/replication/dsse.js';
import { MIGRATION_MANIFEST_PAYLOAD_TYPE } from '../../src/core/signing/payload-types.js';
import { postJson, startGate, type RunningGate } from '../support/gate-harness.js';

const dir = 'examples/t1_good';
const manifest = readFileSync(`${dir}/migration_manifest.json`);
const config = readFileSync(`${dir}/app-config.yaml`);
const sig = readFileSync(`${dir}/migration_manifest.json.sig`);
const exampleKey = createPrivateKey(
  readFileSync('examples/keys/example-ed25519.key.pem', 'utf8').replace(/^#.*\n/, ''),
);

type Res = { status: number; body: Record<string, unknown> };
const signatureStep = (r: Res): Record<string, unknown> =>
  (r.body.steps as Array<Record<string, unknown>>).find((s) => s.step === 'signature')!;

async function form(gate: RunningGate, parts: Record<string, Buffer>): Promise<Res> {
  const f = new FormData();
  for (const [name, bytes] of Object.entries(parts)) f.append(name, new Blob([bytes]), name);
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: gate.auth,
    body: f,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('T1 manifest signature: REST and CLI (issue 12)', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('multipart manifest_signature: ALLOW, the report names the key', async () => {
    const r = await form(gate, { migration_manifest: manifest, app_config: config, manifest_signature: sig });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(signatureStep(r)).to.deep.include({ status: 'pass' });
    expect(String(signatureStep(r).detail)).to.contain('example-ed25519');
  });

  it('JSON manifest_signature and manifest_dsse (T1 payloadType)', async () => {
    const a = await postJson(gate, '/api/v1/validate/migration', {
      manifest: manifest.toString(),
      config: config.toString(),
      manifest_signature: sig.toString(),
    });
    expect(a.status, JSON.stringify(a.body)).to.equal(200);
    expect(String(signatureStep(a).detail)).to.contain('example-ed25519');
    const env = {
      payloadType: MIGRATION_MANIFEST_PAYLOAD_TYPE,
      payload: manifest.toString('base64'),
      signatures: [
        {
          keyid: 'example-ed25519',
          sig: sign(null, pae(MIGRATION_MANIFEST_PAYLOAD_TYPE, manifest), exampleKey).toString('base64'),
        },
      ],
    };
    const b = await postJson(gate, '/api/v1/validate/migration', {
      manifest: manifest.toString(),
      config: config.toString(),
      manifest_dsse: env,
    });
    expect(b.status, JSON.stringify(b.body)).to.equal(200);
    expect(signatureStep(b)).to.deep.include({ status: 'pass' });
    const c = await form(gate, {
      migration_manifest: manifest,
      app_config: config,
      manifest_dsse: Buffer.from(JSON.stringify(env)),
    });
    expect(c.status).to.equal(200);
  });

  it('a signature over an edited manifest is a BLOCK [signature-invalid]; both forms at once are refused', async () => {
    const edited = Buffer.from(manifest.toString().replace('2026.11.3', '2026.11.4'));
    const r = await form(gate, { migration_manifest: edited, app_config: config, manifest_signature: sig });
    expect(r.status).to.equal(422);
    expect((r.body.reasons as string[]).join('\n')).to.contain('[signature-invalid]');
    const both = await form(gate, {
      migration_manifest: manifest,
      app_config: config,
      manifest_signature: sig,
      manifest_dsse: Buffer.from('{}'),
    });
    expect(both.status).to.equal(400);
  });

  it('a signature with the manifest as a JSON object is refused: the bytes are what is signed', async () => {
    const r = await postJson(gate, '/api/v1/validate/migration', {
      manifest: JSON.parse(manifest.toString()) as unknown,
      config: config.toString(),
      manifest_signature: sig.toString(),
    });
    expect(r.status).to.equal(422);
    expect((r.body.reasons as string[]).join('\n')).to.contain('[signature-malformed]');
  });

  it('CLI: manifest sign writes FILE.sig, validate migration --signature verifies it (local and --server)', async () => {
    const run = promisify(execFile);
    const tmp = mkdtempSync(path.join(tmpdir(), 'gate-sign-'));
    const m = path.join(tmp, 'migration_manifest.json');
    copyFileSync(`${dir}/migration_manifest.json`, m);
    const env = { ...process.env, GATE_API_TOKEN: '', GATE_KEYS_DIR: 'examples/keys/trusted' };
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'manifest',
        'sign',
        '--key',
        'examples/keys/example-ed25519.key.pem',
        m,
      ],
      { env },
    );
    const local = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'validate',
        'migration',
        '--manifest',
        m,
        '--config',
        `${dir}/app-config.yaml`,
        '--signature',
        `${m}.sig`,
        '--json',
      ],
      { env },
    );
    const report = JSON.parse(local.stdout) as Res['body'];
    expect(report.decision).to.equal('ALLOW');
    expect(String(signatureStep({ status: 0, body: report }).detail)).to.contain('example-ed25519');
    const remote = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'validate',
        'migration',
        '--manifest',
        m,
        '--config',
        `${dir}/app-config.yaml`,
        '--signature',
        `${m}.sig`,
        '--server',
        gate.url,
        '--token',
        String(gate.auth.authorization ?? gate.auth.Authorization).replace(/^Bearer /, ''),
        '--json',
      ],
      { env },
    );
    expect(
      String(signatureStep({ status: 0, body: JSON.parse(remote.stdout) as Res['body'] }).detail),
    ).to.contain('example-ed25519');
  });
});
