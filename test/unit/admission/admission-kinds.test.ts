// The admission-kinds table (core/admission/kinds.ts) against everything that
// must agree with it: the webhook rules the chart renders (deploy/ is the
// chart rendered with its defaults; the chart e2e test keeps the two equal),
// the metrics label set, and the table in docs/architecture.md.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { ADMISSION_KINDS } from '../../../src/core/admission/kinds.js';
import { ADMITTED_RESOURCES, admittedResource } from '../../../src/core/admission/resource.js';
import { AdmissionReviewSchema } from '../../../src/core/admission/admission-review.js';
import { admissionReview } from '../../support/admission-review.js';

interface Rule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
}
interface Webhook {
  name: string;
  rules: Rule[];
}

function renderedWebhooks(): Webhook[] {
  const docs = parseAllDocuments(readFileSync('deploy/migration-gate.yaml', 'utf8')).map(
    (d) => d.toJS() as { kind?: string; webhooks?: Webhook[] } | null,
  );
  const configs = docs.filter((d) => d?.kind === 'ValidatingWebhookConfiguration');
  expect(configs).to.have.length(1);
  return configs[0]!.webhooks ?? [];
}

const key = (group: string, version: string, resource: string): string => `${group}/${version}/${resource}`;

describe('admission kinds: one table', () => {
  it('names each resource once', () => {
    const resources = ADMISSION_KINDS.map((k) => k.resource);
    expect(new Set(resources).size).to.equal(resources.length);
  });

  it("the rendered chart sends exactly the table's kinds, CREATE and UPDATE, once per environment and enforcement mode", () => {
    const webhooks = renderedWebhooks();
    const rules = webhooks.flatMap((w) => w.rules);
    const sent = new Set(
      rules.flatMap((r) =>
        r.apiGroups.flatMap((g) => r.apiVersions.flatMap((v) => r.resources.map((res) => key(g, v, res)))),
      ),
    );
    expect([...sent].sort()).to.deep.equal(
      ADMISSION_KINDS.map((k) => key(k.group, k.version, k.resource)).sort(),
    );
    for (const r of rules) expect(r.operations).to.deep.equal(['CREATE', 'UPDATE']);
    for (const k of ADMISSION_KINDS) {
      const names = webhooks
        .filter((w) => w.rules.some((r) => r.resources.includes(k.resource)))
        .map((w) => w.name)
        .sort();
      expect(names, k.resource).to.deep.equal(
        ['', 'warn.', 'audit.']
          .flatMap((m) => [
            `${m}${k.resource}.migrationgate.io`,
            `${m}staging.${k.resource}.migrationgate.io`,
          ])
          .sort(),
      );
    }
  });

  it('every kind is recognised from a request, and nothing else is', () => {
    for (const k of ADMISSION_KINDS) {
      const review = admissionReview({
        apiVersion: k.group ? `${k.group}/${k.version}` : k.version,
        kind: k.kind,
        metadata: { name: 'x', namespace: 'ns' },
      });
      const request = AdmissionReviewSchema.parse(review).request;
      expect(admittedResource(request), k.kind).to.equal(k.resource);
    }
    const secret = AdmissionReviewSchema.parse(
      admissionReview({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'ns' } }),
    ).request;
    expect(admittedResource(secret)).to.equal('other');
    expect(ADMITTED_RESOURCES).to.deep.equal([...ADMISSION_KINDS.map((k) => k.resource), 'other']);
  });

  it('docs/architecture.md lists the table as it is', () => {
    const doc = readFileSync('docs/architecture.md', 'utf8');
    const rows = doc
      .split('\n')
      .filter((l) => /^\| `[a-z]+` \|/.test(l))
      .map((l) =>
        l
          .split('|')
          .map((c) => c.trim())
          .slice(1, 5),
      );
    expect(rows).to.deep.equal(
      ADMISSION_KINDS.map((k) => [
        `\`${k.resource}\``,
        `\`${k.group || '""'}/${k.version}\``,
        `\`${k.kind}\``,
        k.scenario,
      ]),
    );
  });
});
