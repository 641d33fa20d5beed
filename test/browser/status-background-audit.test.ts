// The status page's background audit card in a real browser (issue 17),
// after a real run: the app's own BackgroundAudit and client-node adapter,
// against a stand-in apiserver that holds ConfigMaps admitted before
// enforcement (two that fail today, one named with markup) and a namespace
// the gate may not list. The card must show the counts, the run's time,
// the RBAC error and the failing objects by name and rule (among them
// a prod-stamped ConfigMap sitting in a staging namespace), with the
// caller-written name as text, never as markup.
// Screenshots: test-output/screenshots/ops-background-audit{,-narrow}.png.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { startFakeKubeApi, type FakeKubeApi } from '../support/fake-kube-api.js';

const MARKUP_NAME = '<img src=x onerror=alert(1)>';
const SECRET = 'Tr0ub4dor&3-orders';
const FORBIDDEN =
  'configmaps is forbidden: User "system:serviceaccount:migration-gate:gate" cannot list resource "configmaps" in API group "" in the namespace "orders"';

function example(file: string, overrides: { namespace: string; name?: string }): Record<string, unknown> {
  const o = parse(readFileSync(path.join('examples/k8s', file), 'utf8')) as {
    metadata: Record<string, unknown>;
  };
  o.metadata.namespace = overrides.namespace;
  if (overrides.name) o.metadata.name = overrides.name;
  return o;
}

describe('status page: background audit after a run (chromium, issue 17)', function () {
  this.timeout(120_000);
  let kube: FakeKubeApi;
  let gate: RunningGate;
  let browser: Browser;
  let page: Page;
  let startedBefore: number;
  const dialogs: string[] = [];

  before(async function () {
    kube = await startFakeKubeApi([
      {
        name: 'payments',
        labels: { 'migrationgate.io/enforce': 'true', 'migrationgate.io/env': 'prod' },
        configMaps: [
          example('good-configmap.yaml', { namespace: 'payments' }),
          example('bad-tls-off.yaml', { namespace: 'payments' }),
          example('bad-inline-secret.yaml', { namespace: 'payments' }),
          example('bad-public-bind.yaml', { namespace: 'payments', name: MARKUP_NAME }),
          example('plain-configmap.yaml', { namespace: 'payments' }),
        ],
      },
      {
        name: 'payments-staging',
        labels: { 'migrationgate.io/enforce': 'true', 'migrationgate.io/env': 'staging' },
        configMaps: [example('good-configmap.yaml', { namespace: 'payments-staging' })],
      },
      {
        name: 'orders',
        labels: { 'migrationgate.io/enforce': 'true' },
        configMaps: [],
        forbidden: FORBIDDEN,
      },
      // Not enforced: never listed.
      { name: 'sandbox', labels: {}, configMaps: [example('bad-tls-off.yaml', { namespace: 'sandbox' })] },
    ]);
    startedBefore = Date.now();
    gate = await startGate({
      GATE_KUBECONFIG: kube.kubeconfig,
      GATE_BACKGROUND_AUDIT_INTERVAL_SECONDS: '3600',
    });
    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: gate.url, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto('/ui/login');
    await page.fill('#token', TEST_TOKEN);
    await page.click('button[type=submit]');
  });
  after(async () => {
    await browser?.close();
    await gate?.stop();
    await kube?.close();
  });

  it('shows the counts, the run time, the RBAC error and the failing objects, names escaped', async () => {
    // The start run is asynchronous: the card says "first run pending" until it ends.
    let card = '';
    for (let i = 0; i < 100; i++) {
      await page.goto('/');
      card = (await page.textContent('#background-audit')) ?? '';
      if (!card.includes('first run pending')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const finishedBy = Date.now();
    expect(card).to.not.contain('first run pending');
    // The run really went to the apiserver: listed, and wrote one Report per namespace it could read.
    expect(kube.requests).to.include('GET /api/v1/namespaces/payments/configmaps');
    expect(kube.requests).to.not.include('GET /api/v1/namespaces/sandbox/configmaps');
    const namespacesReported = new Set([...kube.reports.keys()].map((k) => k.split('/')[0]));
    expect([...namespacesReported].sort()).to.deep.equal(['payments', 'payments-staging']);

    // Counts: 5 gated ConfigMaps (plain-configmap holds no gated key) in 3 enforced namespaces.
    // OpenReports results are one per rule: the three bad ones fail their rule and the
    // signature (the examples are unsigned), the prod-stamped one in staging fails
    // env-mismatch = 7 fail; the good one in payments = 1 pass.
    expect(card).to.contain('5 objects in 3 namespaces · results 7 fail · 0 warn · 0 error · 1 pass');
    const fail = page.locator('#background-audit [data-count="bg-fail"]');
    expect(await fail.getAttribute('class')).to.equal('status-bad');

    // The run: why it ran and when it finished, inside this test's window.
    const runLine = (await page.locator('#background-audit p.muted').first().textContent()) ?? '';
    const at = runLine.match(/^start run finished (\S+Z)/)?.[1];
    expect(at, runLine).to.be.a('string');
    const t = Date.parse(at!);
    expect(t).to.be.within(startedBefore, finishedBy);
    expect(runLine).to.match(/policy sha256:[0-9a-f]{12}…/);

    // The namespace the gate may not read is named as an error, not passed over.
    expect(await page.textContent('#background-audit-errors')).to.equal('run incomplete: 1 error(s)');
    expect(await page.locator('#background-audit ul.run-errors li').allTextContents()).to.deep.equal([
      `listing configmaps in orders: list configmaps orders: HTTP 403 ${FORBIDDEN}`,
    ]);

    // The failing objects, by namespace/name and rule; the good ones are not listed.
    const items = await page.locator('#background-audit-failing li').allTextContents();
    expect(items).to.deep.equal([
      'payments/orders-api-bad-tls-off [prod-requires-tls, t1-signature-required]',
      'payments/orders-api-bad-inline-secret [no-inline-secrets, t1-signature-required]',
      `payments/${MARKUP_NAME} [no-public-bind, t1-signature-required]`,
      'payments-staging/orders-api-good-configmap [env-mismatch]',
    ]);
    expect(card).to.not.contain('payments/orders-api-good-configmap');
    // The markup in the name is text: no element made of it, nothing ran.
    expect(await page.locator('#background-audit img').count()).to.equal(0);
    expect(await page.locator('#background-audit code', { hasText: MARKUP_NAME }).count()).to.equal(1);
    expect(dialogs).to.deep.equal([]);
    // The inline secret's value is never shown.
    expect(readFileSync('examples/k8s/bad-inline-secret.yaml', 'utf8')).to.contain(SECRET);
    expect(await page.content()).to.not.contain('Tr0ub4dor');

    // A card with findings spans two grid columns, so the names and rules are not squeezed.
    const box = await page.locator('#background-audit').boundingBox();
    const readiness = await page.locator('#readiness').boundingBox();
    expect(box!.width).to.be.greaterThan(readiness!.width * 1.8);
    await screenshot(page, 'ops-background-audit');
  });

  it('fits a phone: the widened card falls back to one column', async () => {
    const phone = await browser.newContext({ baseURL: gate.url, viewport: { width: 390, height: 844 } });
    const storage = await page.context().storageState();
    await phone.addCookies(storage.cookies);
    const p = await phone.newPage();
    await p.goto('/');
    expect(await p.textContent('#background-audit-failing')).to.contain(MARKUP_NAME);
    const fit = (await p.evaluate(
      '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
    )) as { scroll: number; inner: number };
    expect(fit.scroll).to.be.at.most(fit.inner);
    const card = (await p.locator('#background-audit').boundingBox())!;
    expect(card.x + card.width).to.be.at.most(390);
    // One column: a span-2 card on a one-column grid would add a second column and squeeze every other card.
    const lefts = await p
      .locator('.cards > .card')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().x)));
    expect(new Set(lefts).size, `card left edges ${lefts.join(', ')}`).to.equal(1);
    await screenshot(p, 'ops-background-audit-narrow');
    await phone.close();
  });
});
