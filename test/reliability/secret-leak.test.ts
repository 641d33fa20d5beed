// A secret the caller sends must never come back out, wherever it was put:
// config values and keys, manifest values and field names, a manifest that is
// not JSON or breaks JSON syntax next to the secret, header values (X-Request-Id,
// Content-Type, Authorization), multipart field names and filenames, query
// strings, URL paths, and an AdmissionReview's object name, annotations and
// userInfo. Every output surface is grepped: response bodies and headers,
// the audit file, /api/v1/audit/logs, /api/v1/alerts, the UI pages, the
// gate's logs (stdout/stderr) and /metrics.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { admissionReview } from '../support/admission-review.js';
import { spawnGate, type GateProcess } from '../support/gate-process.js';

const TOKEN = 'leak-test-token-0123456789';
// Distinct secrets, one per position, each in a format the secret scanner
// recognises (a plain word in a field name would be a plain identifier, which
// the gate is allowed to name).
const gh = (tag: string): string => `ghp_${tag}${'Zq81Planted'.repeat(3)}`.slice(0, 40);
const aws = (tag: string): string =>
  `AKIA${`${tag}ZQ81PLANTEDKEYXXXXX`
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 16)}`;
const SECRETS = {
  password: 'Pl4nted-Passw0rd-zq81',
  configAws: aws('CFGVAL'),
  configGithub: gh('CfgVal'),
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.Zq81PlantedSignatureValue',
  secretKey: 'zq81-short-secret-key',
  configKey: gh('CfgKey'),
  manifestValue: aws('MANVAL'),
  manifestUnknownValue: 'Zq81Qx-notes-value-s3cr3t-77',
  manifestKey: gh('ManKey'),
  bareManifest: aws('BAREMAN'),
  syntaxManifest: aws('SYNTAX'),
  bodyKey: gh('BodyKey'),
  requestId: aws('REQID'),
  contentType: gh('CType').toLowerCase(),
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJiZWFyZXIiOiIxIn0.Zq81BearerSignatureValue',
  partName: gh('PartName'),
  fileName: aws('FILENAME'),
  walFileName: gh('WalFile'),
  queryKey: gh('QueryKey'),
  queryValue: aws('QUERYVAL'),
  uiQuery: aws('UIQUERY'),
  urlPath: gh('UrlPath'),
  objectName: aws('OBJNAME'),
  annotationKey: gh('AnnoKey'),
  annotationValue: aws('ANNOVAL'),
  manifestAnnotationKey: gh('MfAnno'),
  username: aws('USERNAME'),
  userGroup: gh('UserGroup'),
};

function configWith(env: 'prod' | 'staging'): { manifest: Record<string, unknown>; config: string } {
  const config =
    `tls:\n  enabled: true\n  min_version: "1.2"\nsecrets_ref: vault://x\ndebug: false\naudit:\n  enabled: true\n` +
    `database:\n  password: "${SECRETS.password}"\ns3:\n  key_id: ${SECRETS.configAws}\nci:\n  token: ${SECRETS.configGithub}\nsession: ${SECRETS.jwt}\nsecret_key: "${SECRETS.secretKey}"\n` +
    `${SECRETS.configKey}: harmless\n`;
  return {
    manifest: {
      app_id: 'leaky',
      env,
      version: SECRETS.manifestValue,
      config_sha256: createHash('sha256').update(config).digest('hex'),
      notes: SECRETS.manifestUnknownValue,
      [SECRETS.manifestKey]: 'x',
    },
    config,
  };
}

function multipart(parts: Array<{ name: string; filename?: string; body: string }>): {
  body: string;
  type: string;
} {
  const boundary = 'zq81boundary';
  const body =
    parts
      .map(
        (p) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n${p.body}\r\n`,
      )
      .join('') + `--${boundary}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

function webhookPost(gate: GateProcess, ca: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: gate.webhookPort,
        method: 'POST',
        path: '/validate?timeout=10s',
        ca,
        servername: 'localhost',
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve(`${JSON.stringify(res.headers)}\n${Buffer.concat(chunks).toString('utf8')}`),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('secrets never leak', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-leak-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('from any position a caller controls, into no response, audit record, log line, alert, UI page or metric', async () => {
    const gate = await spawnGate({ GATE_DATA_DIR: dataDir, GATE_API_TOKEN: TOKEN, GATE_LOG_LEVEL: 'debug' });
    const auth = { authorization: `Bearer ${TOKEN}` };
    // What the gate sent back; the request line itself (which carries planted secrets) is only a label for failures.
    const seen: string[] = [];
    const labels: string[] = [];
    const keep = (label: string, text: string): void => {
      seen.push(text);
      labels.push(label);
    };
    const call = async (p: string, init: RequestInit = {}): Promise<Response> => {
      const res = await fetch(`${gate.url}${p}`, init);
      keep(
        `${init.method ?? 'GET'} ${p.slice(0, 40)}`,
        `${res.status} ${JSON.stringify([...res.headers])}\n${await res.clone().text()}`,
      );
      return res;
    };
    const postJson = (p: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
      call(p, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', ...headers }, body });
    try {
      for (const env of ['prod', 'staging'] as const) {
        const res = await postJson('/api/v1/validate/migration', JSON.stringify(configWith(env)));
        const report = (await res.json()) as { findings: Array<{ rule: string; path?: string }> };
        const rules = report.findings.map((f) => `${f.rule}@${f.path ?? ''}`);
        expect(
          rules.some((r) => r.startsWith('no-inline-secrets')),
          rules.join(', '),
        ).to.equal(true);
        expect(
          rules.some((r) => r.startsWith('manifest-unknown-field')),
          rules.join(', '),
        ).to.equal(true);
      }
      const good = configWith('prod');
      // Manifests that are not JSON, or break JSON syntax right next to a secret.
      await postJson(
        '/api/v1/validate/migration',
        JSON.stringify({ manifest: SECRETS.bareManifest, config: good.config }),
      );
      await postJson(
        '/api/v1/validate/migration',
        JSON.stringify({ manifest: `{"app_id": "x", "k": ${SECRETS.syntaxManifest}}`, config: good.config }),
      );
      // A request body whose own syntax breaks next to a secret, and one with an unknown field named by a token.
      await postJson('/api/v1/validate/migration', `{"manifest": "${SECRETS.password}", "config": 1}`);
      await postJson('/api/v1/validate/migration', JSON.stringify({ ...good, [SECRETS.bodyKey]: 1 }));
      // Headers: a caller's request id, a content type, a wrong bearer token.
      await postJson('/api/v1/validate/migration', JSON.stringify(good), {
        'x-request-id': SECRETS.requestId,
      });
      await call('/api/v1/validate/migration', {
        method: 'POST',
        headers: { ...auth, 'content-type': `application/${SECRETS.contentType}` },
        body: 'x',
      });
      await call('/api/v1/audit/logs', { headers: { authorization: `Bearer ${SECRETS.bearer}` } });
      // Multipart: a part named by a token; a filename that is a token (T1 and a T2 WAL file).
      const badPart = multipart([{ name: SECRETS.partName, body: 'x' }]);
      await call('/api/v1/validate/migration', {
        method: 'POST',
        headers: { ...auth, 'content-type': badPart.type },
        body: badPart.body,
      });
      const named = multipart([
        {
          name: 'migration_manifest',
          filename: `${SECRETS.fileName}.json`,
          body: JSON.stringify(good.manifest),
        },
        { name: 'app_config', filename: SECRETS.fileName, body: good.config },
      ]);
      await call('/api/v1/validate/migration', {
        method: 'POST',
        headers: { ...auth, 'content-type': named.type },
        body: named.body,
      });
      const t2 = multipart([
        {
          name: 'replication_manifest',
          filename: 'm.yaml',
          body: `source_db: a\ntarget_db: b\nexpected_snapshot_hash: sha256:${'0'.repeat(64)}\nsync_mode: sync\nenv: staging\n`,
        },
        { name: 'snapshot', filename: 'snap.tar', body: 'not a tar' },
        { name: 'wal_files', filename: SECRETS.walFileName, body: 'x' },
      ]);
      await call('/api/v1/validate/replication', {
        method: 'POST',
        headers: { ...auth, 'content-type': t2.type },
        body: t2.body,
      });
      // Query strings and URL paths.
      await call(`/api/v1/audit/logs?${SECRETS.queryKey}=1`, { headers: auth });
      await call(`/api/v1/audit/logs?app_id=x&limit=${SECRETS.queryValue}`, { headers: auth });
      await call(`/api/v1/${SECRETS.urlPath}?q=1`, { headers: auth });
      // AdmissionReviews: object name, annotation names and values, the manifest annotation's field names, userInfo.
      const ca = readFileSync(path.join(dataDir, 'tls', 'ca.crt'), 'utf8');
      const cm = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: SECRETS.objectName,
          namespace: 'payments',
          annotations: {
            [SECRETS.annotationKey]: SECRETS.annotationValue,
            'migrationgate.io/manifest': JSON.stringify({
              ...good.manifest,
              [SECRETS.manifestAnnotationKey]: 1,
            }),
          },
        },
        data: { 'app-config.yaml': good.config },
      };
      const review = admissionReview(cm, { username: SECRETS.username }) as {
        request: { userInfo: { groups: string[] } };
      };
      review.request.userInfo.groups.push(SECRETS.userGroup);
      keep('webhook review', await webhookPost(gate, ca, JSON.stringify(review)));
      keep(
        'webhook bad JSON',
        await webhookPost(
          gate,
          ca,
          `{"apiVersion": "admission.k8s.io/v1", "request": ${SECRETS.objectName}}`,
        ),
      );
      keep(
        'webhook bad shape',
        await webhookPost(
          gate,
          ca,
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            [SECRETS.annotationKey]: 1,
            request: { uid: SECRETS.username },
          }),
        ),
      );
      // Every read surface, API and UI.
      for (const p of [
        '/api/v1/audit/logs?limit=500',
        '/api/v1/alerts',
        '/api/v1/audit/verify',
        '/api/v1/policies',
      ])
        await call(p, { headers: auth });
      const login = await fetch(`${gate.url}/ui/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: TOKEN, next: '/' }).toString(),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const logs = (await (
        await fetch(`${gate.url}/api/v1/audit/logs?limit=500`, { headers: auth })
      ).json()) as { items: Array<{ request_id: string }> };
      expect(logs.items.length).to.be.greaterThan(8);
      for (const p of [
        '/',
        '/ui/audit?limit=100',
        `/ui/audit?app_id=${SECRETS.uiQuery}`,
        '/ui/alerts',
        ...logs.items.map((r) => `/ui/decisions?id=${encodeURIComponent(r.request_id)}`),
      ]) {
        await call(p, { headers: { cookie } });
      }
      const metrics = await call('/metrics');
      expect(metrics.status).to.equal(200);
    } finally {
      await gate.kill('SIGTERM');
    }
    keep('audit file', readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8'));
    keep('gate logs', gate.logs.join('\n'));
    const all = seen.join('\n');
    expect(all).to.contain('no-inline-secrets');
    expect(all).to.contain('manifest-unknown-field');
    const leaked: string[] = [];
    for (const [kind, value] of Object.entries(SECRETS)) {
      const part = value.slice(4, 16);
      const where = seen.flatMap((t, i) => (t.includes(part) ? [labels[i] ?? `surface ${i}`] : []));
      if (all.includes(value)) leaked.push(`${kind} in ${where.join(' | ')}`);
      else if (all.includes(part)) leaked.push(`part of ${kind} in ${where.join(' | ')}`);
    }
    expect(leaked, 'secrets that came back out').to.deep.equal([]);
    expect(all.includes(TOKEN), 'the API token leaked').to.equal(false);
    expect(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(all),
      'a control character reached an output',
    ).to.equal(false);
  });
});
