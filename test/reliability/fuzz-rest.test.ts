// Fuzzing the REST boundary of a running gate: random bodies, content types
// and multipart shapes. Each request gets an answer (no hang: a generous
// liveness cut-off, not a speed check) with a status from the documented set,
// and every answered validation has its audit record.
import { expect } from 'chai';
import fc from 'fast-check';
import { getJson, startGate, type RunningGate } from '../support/gate-harness.js';

const RUNS = Math.max(20, Math.floor(Number(process.env.FUZZ_RUNS ?? 150) / 3));
const ALLOWED = new Set([200, 400, 413, 415, 422]);

describe(`fuzz: REST validation routes (${RUNS} runs each)`, function () {
  this.timeout(180_000);
  let gate: RunningGate;
  const answered: string[] = [];
  before(async () => {
    gate = await startGate({ GATE_ARTIFACT_ROOT: process.cwd() });
  });
  after(async () => {
    await gate.stop();
  });

  const contentTypes = fc.constantFrom(
    'application/json',
    'multipart/form-data; boundary=zz',
    'multipart/form-data',
    'text/plain',
    'application/json; charset=latin1',
    '',
  );
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc.jsonValue({ maxDepth: 5 }).map((v) => new TextEncoder().encode(JSON.stringify(v) ?? 'null')),
    fc
      .record(
        { manifest: fc.oneof(fc.jsonValue(), fc.string()), config: fc.oneof(fc.string(), fc.jsonValue()) },
        { requiredKeys: [] },
      )
      .map((v) => new TextEncoder().encode(JSON.stringify(v))),
    fc
      .array(
        fc.tuple(
          fc.constantFrom(
            'migration_manifest',
            'app_config',
            'replication_manifest',
            'snapshot',
            'wal_files',
            'x',
          ),
          fc.string({ maxLength: 200 }),
        ),
        { maxLength: 5 },
      )
      .map((parts) =>
        new TextEncoder().encode(
          `${parts.map(([n, v]) => `--zz\r\nContent-Disposition: form-data; name="${n}"; filename="${n}"\r\n\r\n${v}\r\n`).join('')}--zz--\r\n`,
        ),
      ),
  );

  for (const route of ['/api/v1/validate/migration', '/api/v1/validate/replication']) {
    it(`${route}: documented status, an answer, an audit record`, async () => {
      await fc.assert(
        fc.asyncProperty(contentTypes, bodies, async (type, body) => {
          const id = `fuzz-${Math.random().toString(36).slice(2)}`;
          const res = await fetch(`${gate.url}${route}`, {
            method: 'POST',
            body,
            signal: AbortSignal.timeout(20_000),
            headers: { ...gate.auth, 'x-request-id': id, ...(type ? { 'content-type': type } : {}) },
          });
          const text = await res.text();
          expect(ALLOWED.has(res.status), `${res.status} ${text.slice(0, 200)}`).to.equal(true);
          const json = JSON.parse(text) as { decision?: string; request_id?: string };
          // The gate's own id (the caller's is only echoed as X-Correlation-Id).
          expect(json.request_id).to.match(/^[0-9A-Z]{26}$/);
          expect(res.headers.get('x-correlation-id')).to.equal(id);
          answered.push(json.request_id!);
          if (res.status !== 200) expect(json.decision).to.equal('BLOCK');
        }),
        { numRuns: RUNS },
      );
      const logs = await getJson(gate, '/api/v1/audit/logs?limit=500');
      const recorded = (logs.body.items as Array<{ correlation_id?: string }>).filter((r) =>
        r.correlation_id?.startsWith('fuzz-'),
      );
      expect(recorded.length).to.be.greaterThan(0);
      expect((await getJson(gate, '/api/v1/audit/verify')).body.ok).to.equal(true);
    });
  }

  it('every answered fuzz request is in the audit log', async () => {
    const recorded = new Set<string>();
    let cont: string | undefined;
    do {
      const page = await getJson(
        gate,
        `/api/v1/audit/logs?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      );
      for (const r of page.body.items as Array<{ request_id: string }>) recorded.add(r.request_id);
      cont = page.body.continue as string | undefined;
    } while (cont);
    expect(answered.length).to.be.at.least(2 * RUNS);
    expect(answered.filter((id) => !recorded.has(id))).to.deep.equal([]);
  });
});
