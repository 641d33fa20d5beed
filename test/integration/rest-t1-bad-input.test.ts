// Bad input: each gets a clear BLOCK or 400 naming the problem, an audit
// record, and the process stays up.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { getJson, postJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { signedJsonBody } from '../support/signed-t1.js';

const goodConfig = readFileSync('examples/t1_good/app-config.yaml', 'utf8');
const goodManifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;

async function raw(
  gate: RunningGate,
  body: Uint8Array | string,
  contentType: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: { ...gate.auth, 'content-type': contentType },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function auditFor(gate: RunningGate, requestId: string): Promise<Record<string, unknown> | undefined> {
  const logs = await getJson(gate, '/api/v1/audit/logs?limit=500');
  return (logs.body.items as Array<Record<string, unknown>>).find((r) => r.request_id === requestId);
}

describe('REST T1: bad input', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });
  afterEach(async () => {
    expect((await getJson(gate, '/healthz', {})).status, 'the process stays up').to.equal(200);
  });

  const cases: Array<{
    name: string;
    send: (g: RunningGate) => Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
    status: number;
    mentions: RegExp;
    /** The rule id the BLOCK is recorded under, where it is not the generic one. */
    rule?: string;
  }> = [
    {
      name: 'config that is not YAML',
      status: 422,
      mentions: /config-parse-error.*not valid YAML/,
      send: (g) =>
        postJson(g, '/api/v1/validate/migration', { manifest: goodManifest, config: 'a: [1, 2\nb: {' }),
    },
    {
      name: 'binary bytes as config',
      status: 422,
      mentions: /binary data \(NUL byte/,
      send: (g) =>
        postJson(g, '/api/v1/validate/migration', {
          manifest: goodManifest,
          config: 'tls:\u0000\u0001\u0002',
        }),
    },
    {
      name: 'a 10 MB body',
      rule: 'request-too-large',
      status: 413,
      mentions: /limit/,
      send: (g) =>
        raw(
          g,
          JSON.stringify({ manifest: goodManifest, config: 'x'.repeat(10 * 1024 * 1024) }),
          'application/json',
        ),
    },
    {
      name: 'deeply nested JSON config',
      status: 422,
      mentions: /config-parse-error.*(nests deeper than 64|could not be parsed|not valid)/,
      send: (g) =>
        postJson(g, '/api/v1/validate/migration', {
          manifest: goodManifest,
          config: `${'['.repeat(5000)}${']'.repeat(5000)}`,
        }),
    },
    {
      name: 'deeply nested JSON body',
      status: 400,
      mentions: /nests deeper|not valid/,
      send: (g) =>
        raw(g, `{"manifest":${'['.repeat(3000)}${']'.repeat(3000)},"config":"a: 1"}`, 'application/json'),
    },
    {
      name: 'a YAML alias bomb',
      status: 422,
      mentions: /config-parse-error.*alias/i,
      send: (g) => postJson(g, '/api/v1/validate/migration', { manifest: goodManifest, config: aliasBomb() }),
    },
    {
      name: 'a wrong content type',
      rule: 'request-media-type',
      status: 415,
      mentions: /text\/plain.*not accepted/,
      send: (g) => raw(g, 'hello', 'text/plain'),
    },
    {
      name: 'a missing multipart part',
      rule: 'request-missing-part',
      status: 400,
      mentions: /"app_config" is missing/,
      send: (g) => multipart(g, { migration_manifest: JSON.stringify(goodManifest) }),
    },
    {
      name: 'a 3 MB plain multipart field (not truncated silently)',
      rule: 'request-too-large',
      status: 413,
      mentions: /multipart field "app_config" exceeds/,
      send: (g) =>
        fieldForm(g, {
          migration_manifest: JSON.stringify(goodManifest),
          app_config: 'a'.repeat(3 * 1024 * 1024),
        }),
    },
    // Found by the fuzzer: the parts over the limit used to crash the process.
    {
      name: 'more multipart parts than allowed',
      status: 400,
      mentions: /too many multipart parts|unexpected multipart part/,
      send: (g) => multipart(g, { a: 'x', b: 'x', c: 'x', d: 'x', e: 'x', f: 'x', g: 'x' }),
    },
    {
      name: 'more multipart parts than allowed, the known ones first',
      status: 400,
      mentions: /too many multipart parts|unexpected multipart part/,
      send: (g) =>
        multipart(g, {
          migration_manifest: JSON.stringify(goodManifest),
          app_config: goodConfig,
          c: 'x',
          d: 'x',
          e: 'x',
          f: 'x',
        }),
    },
    {
      name: 'an unknown multipart part',
      status: 400,
      mentions: /unexpected multipart part "evil"/,
      send: (g) => multipart(g, { migration_manifest: '{}', app_config: 'a: 1', evil: 'x' }),
    },
    {
      name: 'unknown fields in the JSON body',
      status: 400,
      mentions: /unknown field\(s\) "extra"/,
      send: (g) =>
        postJson(g, '/api/v1/validate/migration', { manifest: goodManifest, config: goodConfig, extra: 1 }),
    },
    {
      name: 'a missing config field',
      status: 400,
      mentions: /"config" is missing/,
      send: (g) => postJson(g, '/api/v1/validate/migration', { manifest: goodManifest }),
    },
    {
      name: 'a body that is not JSON',
      rule: 'malformed-request',
      status: 400,
      mentions: /not valid JSON/,
      send: (g) => raw(g, '{"manifest": ', 'application/json'),
    },
    {
      name: 'duplicate keys in the JSON body',
      status: 400,
      mentions: /duplicate|unique/i,
      send: (g) =>
        raw(
          g,
          `{"manifest": ${JSON.stringify(goodManifest)}, "config": "a: 1", "config": "b: 2"}`,
          'application/json',
        ),
    },
    {
      name: 'invalid UTF-8 in the body',
      status: 400,
      mentions: /not valid UTF-8/,
      send: (g) =>
        raw(
          g,
          Buffer.concat([
            Buffer.from('{"manifest": {}, "config": "'),
            Buffer.from([0xc3, 0x28]),
            Buffer.from('"}'),
          ]),
          'application/json',
        ),
    },
    {
      name: 'invalid UTF-8 in a multipart config',
      status: 422,
      mentions: /not valid UTF-8/,
      send: (g) =>
        multipart(g, {
          migration_manifest: JSON.stringify(goodManifest),
          app_config: Buffer.from([0x74, 0x6c, 0x73, 0x3a, 0xff, 0xfe]),
        }),
    },
  ];

  for (const c of cases) {
    it(`${c.name} -> ${c.status}, named, audited`, async () => {
      const res = await c.send(gate);
      expect(res.status, JSON.stringify(res.body)).to.equal(c.status);
      const text = Object.values(res.body)
        .flat()
        .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
        .join('\n');
      expect(text).to.match(c.mentions);
      const requestId = res.headers.get('x-request-id')!;
      expect(requestId).to.be.a('string');
      if (c.status >= 400 && c.status !== 422)
        expect(res.headers.get('content-type')).to.contain('application/problem+json');
      const record = await auditFor(gate, requestId);
      expect(record, 'audit record').to.not.equal(undefined);
      expect(record!.decision).to.equal('BLOCK');
      if (c.rule) {
        expect(JSON.stringify(record)).to.contain(`[${c.rule}]`);
        expect(text).to.contain(`[${c.rule}]`);
      }
    });
  }

  it('warns about unknown manifest fields but still decides', async () => {
    const res = await postJson(
      gate,
      '/api/v1/validate/migration',
      signedJsonBody({ ...goodManifest, reviewer: 'bob' }, goodConfig),
    );
    expect(res.body.decision).to.equal('ALLOW');
    expect((res.body.warnings as string[]).join('\n')).to.contain('[manifest-unknown-field]');
  });

  it("keeps a caller X-Request-Id as correlation_id (echoed as X-Correlation-Id); request_id is always the gate's own, unique", async () => {
    const send = () =>
      postJson(
        gate,
        '/api/v1/validate/migration',
        { manifest: goodManifest, config: goodConfig },
        { 'x-request-id': 'ci-run-42.step-3' },
      );
    const [a, b] = [await send(), await send()];
    for (const res of [a, b]) {
      expect(res.headers.get('x-correlation-id')).to.equal('ci-run-42.step-3');
      expect(res.body.correlation_id).to.equal('ci-run-42.step-3');
      expect(res.body.request_id).to.match(/^[0-9A-Z]{26}$/);
      expect(res.headers.get('x-request-id')).to.equal(res.body.request_id);
      const record = (await auditFor(gate, res.body.request_id as string)) as
        { correlation_id?: string } | undefined;
      expect(record?.correlation_id).to.equal('ci-run-42.step-3');
    }
    // A reused caller id no longer makes two records with one id.
    expect(a.body.request_id).to.not.equal(b.body.request_id);
  });

  it('drops a caller id that is not a plain token or looks like a secret: not echoed, not recorded', async () => {
    const secretLooking = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;
    for (const given of [secretLooking, 'has space', 'x'.repeat(129)]) {
      const res = await postJson(
        gate,
        '/api/v1/validate/migration',
        { manifest: goodManifest, config: goodConfig },
        { 'x-request-id': given },
      );
      expect(res.headers.get('x-correlation-id'), given).to.equal(null);
      expect(res.body, given).to.not.have.property('correlation_id');
      const record = await auditFor(gate, res.body.request_id as string);
      expect(JSON.stringify(record), given).to.not.contain(given);
    }
  });
});

function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function multipart(
  gate: RunningGate,
  parts: Record<string, string | Buffer>,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(parts)) form.append(k, new Blob([v]), `${k}.txt`);
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: gate.auth,
    body: form,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Parts sent as plain form fields (no filename), as an HTML form without file inputs does. */
async function fieldForm(
  gate: RunningGate,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: gate.auth,
    body: form,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
