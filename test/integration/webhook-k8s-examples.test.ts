// Every examples/k8s case (ConfigMaps and MigrationRequests), as the apiserver would send it after
// `kubectl apply -f`, over real HTTPS to the real app: the decision, the
// denial message kubectl prints, warnings, and the uid echo.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { admissionReview } from '../support/admission-review.js';
import { postReview, startWebhookGate, type WebhookGate } from '../support/webhook-harness.js';
import { EXAMPLES, localArtifacts } from '../support/k8s-examples.js';

const DIR = 'examples/k8s';
// The cluster mounts examples/ at /artifacts; here the gate reads them in place.

// The path the apiserver calls for a namespace: its migrationgate.io/env label, as namespace.yaml sets it.
const namespaces = readFileSync(path.join(DIR, 'namespace.yaml'), 'utf8')
  .split(/^---$/m)
  .map((d) => parse(d) as { metadata: { name: string; labels?: Record<string, string> } });
const routeFor = (namespace: string): string =>
  namespaces.find((n) => n.metadata.name === namespace)?.metadata.labels?.['migrationgate.io/env'] ===
  'staging'
    ? '/validate/staging'
    : '/validate/prod';

interface Case {
  file: string;
  decision: 'ALLOW' | 'BLOCK';
  rule?: string;
  warns?: string;
  object: Record<string, unknown>;
}

function cases(): Case[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => {
      const text = readFileSync(path.join(DIR, file), 'utf8');
      const expectLine = /^# expect: (ALLOW|BLOCK)(?: \[([a-z0-9-]+)\])?$/m.exec(text);
      if (!expectLine) return [];
      const warns = /^# warns: \[([a-z0-9-]+)\]$/m.exec(text)?.[1];
      return [
        {
          file,
          decision: expectLine[1] as 'ALLOW' | 'BLOCK',
          ...(expectLine[2] ? { rule: expectLine[2] } : {}),
          ...(warns ? { warns } : {}),
          object: parse(text) as Record<string, unknown>,
        },
      ];
    });
}

describe('webhook: every examples/k8s case over HTTPS', () => {
  let gate: WebhookGate;
  before(async () => {
    gate = await startWebhookGate({ GATE_ARTIFACT_ROOT: EXAMPLES });
  });
  after(async () => {
    await gate.stop();
  });

  it('has good and bad examples to check', () => {
    const all = cases();
    expect(all.filter((c) => c.decision === 'ALLOW').length).to.be.greaterThan(2);
    expect(all.filter((c) => c.decision === 'BLOCK').length).to.be.greaterThan(5);
  });

  for (const c of cases()) {
    it(`${c.file} -> ${c.decision}${c.rule ? ` [${c.rule}]` : ''}`, async () => {
      const review = admissionReview(localArtifacts(c.object));
      const uid = (review.request as { uid: string }).uid;
      const res = await postReview(
        gate,
        review,
        '?timeout=10s',
        routeFor((c.object.metadata as { namespace: string }).namespace),
      );
      expect(res.status, res.text).to.equal(200);
      expect(res.json.apiVersion).to.equal('admission.k8s.io/v1');
      expect(res.json.kind).to.equal('AdmissionReview');
      const response = res.json.response as {
        uid: string;
        allowed: boolean;
        status?: { code: number; reason: string; message: string };
        warnings?: string[];
      };
      expect(response.uid).to.equal(uid);
      expect(response.allowed, response.status?.message).to.equal(c.decision === 'ALLOW');
      for (const w of response.warnings ?? []) expect(Array.from(w).length).to.be.at.most(120);
      if (c.warns)
        expect(
          (response.warnings ?? []).some((w) => w.startsWith(`[${c.warns}]`)),
          String(response.warnings),
        ).to.equal(true);
      if (c.decision === 'ALLOW') {
        expect(response.status).to.equal(undefined);
        return;
      }
      expect(response.status!.code).to.equal(403);
      expect(response.status!.reason).to.equal('Forbidden');
      const [first, ...reasons] = response.status!.message.split('\n');
      const meta = c.object.metadata as { name: string; namespace: string };
      const [kind, scenario] =
        c.object.kind === 'MigrationRequest' ? ['MigrationRequest', 'T2'] : ['ConfigMap', 'T1'];
      expect(first).to.match(
        new RegExp(
          `^migration-gate BLOCKED ${kind} ${meta.namespace}/${meta.name} \\(${scenario}, request [0-9A-Z]{26}\\)$`,
        ),
      );
      expect(reasons.length).to.be.greaterThan(0);
      for (const r of reasons) expect(r).to.match(/^\[[a-z0-9-]+\] /);
      expect(
        reasons.some((r) => r.startsWith(`[${c.rule}]`)),
        reasons.join('\n'),
      ).to.equal(true);
    });
  }

  it('audits every judged example (the plain ConfigMap is only counted)', async () => {
    const res = await fetch(`${gate.apiUrl}/api/v1/audit/logs?limit=500`, { headers: gate.auth });
    const body = (await res.json()) as {
      items: Array<{
        subject: { kind?: string; name?: string; source?: string; user?: string; operation?: string };
      }>;
    };
    const judged = cases().filter((c) => c.file !== 'plain-configmap.yaml');
    const names = body.items.map((i) => i.subject.name);
    for (const c of judged) expect(names).to.include((c.object.metadata as { name: string }).name);
    expect(names).not.to.include('orders-api-feature-flags');
    const one = body.items.find((i) => i.subject.kind === 'ConfigMap')!.subject;
    expect(one).to.include({ source: 'webhook', user: 'alice@example.com', operation: 'CREATE' });
    expect(body.items.some((i) => i.subject.kind === 'MigrationRequest')).to.equal(true);
  });
});
