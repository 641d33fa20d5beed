// T2 through the real REST API: every example (streamed multipart and JSON
// with file:// artifact URLs), and bad uploads.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { getJson, postJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { t2Form } from '../support/t2-upload.js';

interface Expected {
  decision: 'ALLOW' | 'BLOCK';
  rule?: string;
  why: string;
}
const dirs = [
  'examples/t2_good',
  ...readdirSync('examples/t2_bad').map((d) => path.join('examples/t2_bad', d)),
];
const expectedOf = (dir: string): Expected =>
  dir.endsWith('t2_good')
    ? { decision: 'ALLOW', why: 'good' }
    : (JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected);

async function upload(
  gate: RunningGate,
  form: FormData,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
    method: 'POST',
    headers: gate.auth,
    body: form,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function check(dir: string, res: { status: number; body: Record<string, unknown> }): void {
  const exp = expectedOf(dir);
  expect(res.body.decision, JSON.stringify(res.body.reasons ?? res.body)).to.equal(exp.decision);
  expect(res.status).to.equal(exp.decision === 'ALLOW' ? 200 : 422);
  if (exp.rule)
    expect(
      (res.body.reasons as string[]).some((r) => r.startsWith(`[${exp.rule}]`)),
      (res.body.reasons as string[]).join('\n'),
    ).to.equal(true);
}

describe('REST T2: examples', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate({ GATE_ARTIFACT_ROOT: path.resolve('examples') });
  });
  after(async () => {
    await gate.stop();
  });

  for (const dir of dirs) {
    it(`multipart ${dir} -> ${expectedOf(dir).decision} ${expectedOf(dir).rule ?? ''}`, async () => {
      check(dir, await upload(gate, t2Form(dir)));
    });
  }

  for (const dir of dirs) {
    it(`JSON with file:// artifacts ${dir} -> ${expectedOf(dir).decision}`, async () => {
      const root = path.resolve('examples');
      const rel = (p: string): string => `file://${path.join(root, path.relative('examples', p))}`;
      const walDir = path.join(dir, 'wal');
      const wal = readdirSync(dir).includes('wal')
        ? readdirSync(walDir)
            .sort()
            .map((name) => ({ name, url: rel(path.join(walDir, name)) }))
        : [];
      const sig = readdirSync(dir).includes('replication_manifest.yaml.sig')
        ? { signature: readFileSync(path.join(dir, 'replication_manifest.yaml.sig'), 'utf8') }
        : {};
      const res = await postJson(gate, '/api/v1/validate/replication', {
        manifest: readFileSync(path.join(dir, 'replication_manifest.yaml'), 'utf8'),
        ...sig,
        snapshot_url: rel(path.join(dir, 'snapshot.tar.gz')),
        wal_files: wal,
      });
      check(dir, res);
    });
  }

  it('refuses a file:// artifact outside the artifact root, audited', async () => {
    const res = await postJson(gate, '/api/v1/validate/replication', {
      manifest: 'source_db: a',
      snapshot_url: 'file:///etc/passwd',
    });
    // The caller's URL is refused (422), not an upstream failure (502 Bad Gateway, as it once was).
    expect(res.status).to.equal(422);
    expect(res.body.code).to.equal('artifact-refused');
    expect((res.body.reasons as string[])[0]).to.match(/^\[artifact-refused\] /);
    expect(String(res.body.detail)).to.contain('is not a file under the artifact root');
    // A file that does not exist gets the same status and words: no probing outside the root.
    const missing = await postJson(gate, '/api/v1/validate/replication', {
      manifest: 'source_db: a',
      snapshot_url: 'file:///etc/no-such-file',
    });
    expect(missing.status).to.equal(res.status);
    expect(String(missing.body.detail).replace('/etc/no-such-file', 'P')).to.equal(
      String(res.body.detail).replace('/etc/passwd', 'P'),
    );
    const logs = await getJson(gate, '/api/v1/audit/logs?scenario=T2&limit=500');
    expect(
      (logs.body.items as Array<{ request_id: string }>).some(
        (r) => r.request_id === res.headers.get('x-request-id'),
      ),
    ).to.equal(true);
  });

  it('refuses an https artifact host that is not allow-listed', async () => {
    const res = await postJson(gate, '/api/v1/validate/replication', {
      manifest: 'source_db: a',
      snapshot_url: 'https://evil.example/snap.tgz',
    });
    expect(res.status).to.equal(403);
    expect(String(res.body.detail)).to.contain('GATE_ARTIFACT_HOSTS');
  });
});

describe('REST T2: a server without an artifact root', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('answers a file:// artifact with a server configuration error naming GATE_ARTIFACT_ROOT, audited', async () => {
    const res = await postJson(gate, '/api/v1/validate/replication', {
      manifest: 'source_db: a',
      snapshot_url: 'file:///srv/artifacts/snap.tgz',
    });
    expect(res.status).to.equal(500);
    expect(res.body.code).to.equal('server-not-configured');
    expect((res.body.reasons as string[])[0]).to.match(/^\[server-not-configured\] /);
    expect(String(res.body.detail)).to.contain('GATE_ARTIFACT_ROOT is not set');
    const logs = await getJson(gate, '/api/v1/audit/logs?scenario=T2&limit=500');
    const record = (logs.body.items as Array<{ request_id: string; decision: string }>).find(
      (r) => r.request_id === res.headers.get('x-request-id'),
    );
    expect(record?.decision).to.equal('BLOCK');
  });
});

describe('REST T2: bad uploads', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });
  afterEach(async () => {
    expect((await getJson(gate, '/healthz', {})).status).to.equal(200);
  });

  it('a WAL part named ../../etc/passwd is a BLOCK naming it', async () => {
    const res = await upload(
      gate,
      t2Form('examples/t2_good', { walNames: { '000000010000000000000001': '../../etc/passwd' } }),
    );
    expect(res.status).to.equal(422);
    expect((res.body.reasons as string[]).join('\n')).to.contain('../../etc/passwd');
  });

  it('corrupted gzip is a BLOCK', async () => {
    const form = new FormData();
    form.append(
      'replication_manifest',
      new Blob([readFileSync('examples/t2_good/replication_manifest.yaml')]),
      'm.yaml',
    );
    form.append(
      'snapshot',
      new Blob([Buffer.from('\x1f\x8b\x08\x00garbage-not-deflate-data'.repeat(20))]),
      'snapshot.tar.gz',
    );
    const res = await upload(gate, form);
    expect(res.status).to.equal(422);
    expect((res.body.reasons as string[]).join('\n')).to.match(/gzip|digest|snapshot/i);
  });

  it('a missing snapshot part is a 400 naming it, audited', async () => {
    const form = new FormData();
    form.append(
      'replication_manifest',
      new Blob([readFileSync('examples/t2_good/replication_manifest.yaml')]),
      'm.yaml',
    );
    const res = await upload(gate, form);
    expect(res.status).to.equal(400);
    expect(res.body.detail).to.contain('"snapshot" is missing');
    expect(res.body.decision).to.equal('BLOCK');
  });

  it('a snapshot before the manifest is a 400', async () => {
    const form = new FormData();
    form.append('snapshot', new Blob([readFileSync('examples/t2_good/snapshot.tar.gz')]), 'snapshot.tar.gz');
    form.append(
      'replication_manifest',
      new Blob([readFileSync('examples/t2_good/replication_manifest.yaml')]),
      'm.yaml',
    );
    const res = await upload(gate, form);
    expect(res.status).to.equal(400);
    expect(res.body.detail).to.contain('must come before');
  });

  it('a wrong content type is a 415', async () => {
    const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: { ...gate.auth, 'content-type': 'application/x-tar' },
      body: 'x',
    });
    expect(res.status).to.equal(415);
  });

  it('a client that stops sending mid-upload gets an audited BLOCK and the gate stays up', async () => {
    const before = ((await getJson(gate, '/api/v1/audit/logs?scenario=T2&limit=500')).body.items as unknown[])
      .length;
    const boundary = 'xxBOUNDARYxx';
    const manifest = readFileSync('examples/t2_good/replication_manifest.yaml');
    const snapshot = readFileSync('examples/t2_good/snapshot.tar.gz');
    const head = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="replication_manifest"; filename="m.yaml"\r\n\r\n`,
      ),
      manifest,
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="snapshot"; filename="s.tgz"\r\nContent-Type: application/gzip\r\n\r\n`,
      ),
      snapshot.subarray(0, Math.floor(snapshot.length / 2)),
    ]);
    const url = new URL(gate.url);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: '/api/v1/validate/replication',
        method: 'POST',
        headers: {
          ...gate.auth,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length * 2,
        },
      });
      req.on('error', () => resolve());
      req.write(head, () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200),
      );
    });
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = ((await getJson(gate, '/api/v1/audit/logs?scenario=T2&limit=500')).body.items as unknown[])
        .length;
    }
    expect(after).to.equal(before + 1);
    const latest = (
      (await getJson(gate, '/api/v1/audit/logs?scenario=T2&limit=1')).body.items as Array<{
        decision: string;
        reasons: string[];
      }>
    )[0]!;
    expect(latest.decision).to.equal('BLOCK');
    expect(latest.reasons.join('\n')).to.match(/stopped sending|aborted|truncated|unexpected end/i);
  });
});
