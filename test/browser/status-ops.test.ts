// The status page as an operator uses it (issue 17), in a real browser:
// decisions over time and the top lists as server-drawn SVG, background
// verifications with bytes, rate and ETA, alerts that mean trouble and can
// be acknowledged, no CSRF token left in the address bar, tables that fit a
// phone, audit filters by rule and request id with an export, and a login
// page that says where the token is. Screenshots go to test-output/screenshots/ops-*.png.
import { expect } from 'chai';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { launchChromium, openDesktopPage, screenshot } from '../support/browser.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';
import { t2Form } from '../support/t2-upload.js';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import type { Evaluation } from '../../src/core/contracts/report.js';

const RULES = [
  'prod-requires-tls',
  'no-public-bind',
  'no-inline-secrets',
  't1-signature-required',
  'prod-debug-disabled',
];
const NAMESPACES = ['payments', 'payments', 'orders', 'billing', 'payments-staging'];
const APPS = ['orders-api', 'payments-api', 'billing-worker', 'orders-api'];

/** A day of history: decisions every 20 minutes, more of them in the last hours, some BLOCKs. */
function history(now: number): DecisionReport[] {
  const out: DecisionReport[] = [];
  for (let i = 0; i < 110; i++) {
    const at = now - (i < 40 ? i * 4 : 160 + (i - 40) * 18) * 60_000;
    const block = i % 3 === 0 || i % 7 === 0;
    const rule = RULES[(i * 7) % RULES.length]!;
    out.push({
      request_id: `01HISTORY${String(i).padStart(17, '0')}`,
      timestamp: new Date(at).toISOString(),
      scenario: 'T1',
      decision: block ? 'BLOCK' : 'ALLOW',
      subject: {
        app_id: APPS[i % APPS.length]!,
        env: 'prod',
        kind: 'ConfigMap',
        namespace: NAMESPACES[i % NAMESPACES.length]!,
        name: `${APPS[i % APPS.length]}-config`,
      },
      steps: [{ step: 'parse', status: 'pass' }],
      findings: block ? [{ rule, severity: 'critical', action: 'block', message: `${rule} failed` }] : [],
      reasons: block ? [`[${rule}] ${rule} failed`] : [],
      warnings: [],
    });
  }
  return out.reverse();
}

describe('status page for operators (chromium, issue 17)', function () {
  this.timeout(120_000);
  let gate: RunningGate;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const GiB = 1024 ** 3;

  before(async function () {
    const sink = new MemoryAuditSink('pod-a');
    for (const r of history(Date.now())) await sink.append(r);
    gate = await startGate({}, { auditSink: sink, writerId: 'pod-a' });
    await gate.app.auditSnapshots.refresh();
    // An integrity incident, and a policy edit that does not load (the last good set stays in force).
    await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: gate.auth,
      body: t2Form('examples/t2_bad/tampered-data-file'),
    });
    appendFileSync(path.join(gate.policyDir, 'baseline.yaml'), '\n  - id: broken\n    expresion: "true"\n');
    // A large snapshot verifying in the background (as a MigrationRequest's would), 40 % through.
    gate.app.verifications.start(
      'c0ffee'.repeat(10) + 'c0ff',
      (onProgress) => {
        onProgress({ read: Math.round(3.2 * GiB), total: 8 * GiB });
        return new Promise<Evaluation>(() => undefined);
      },
      'orders-db -> orders-db-eu',
    );
    for (let i = 0; i < 60 && !gate.app.gate.alerts.list().some((a) => a.key === 'policy-load'); i++)
      await new Promise((r) => setTimeout(r, 100));
    browser = await launchChromium();
    ({ context, page } = await openDesktopPage(browser, gate.url, cspViolations));
  });
  after(async () => {
    await browser?.close();
    await gate?.stop();
  });

  it('the login page says where the token is', async () => {
    await page.goto('/ui/login');
    expect(await page.textContent('#token-location'))
      .to.contain('GATE_API_TOKEN')
      .and.contain('migration-gate-api-token');
    await screenshot(page, 'ops-login');
    await page.fill('#token', TEST_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).to.equal('/');
  });

  it('overview: ready despite the broken policy edit, alerts that need a person, decisions over time and top lists as SVG, verification progress', async () => {
    await gate.app.auditSnapshots.refresh();
    await page.goto('/');
    expect(await page.textContent('#readiness'))
      .to.contain('Ready')
      .and.contain('last good policy set');
    const firing = await page.textContent('#alerts-firing');
    expect(firing).to.contain('policy-load').and.contain('snapshot-integrity/');
    // Decisions per hour: 24 buckets, stacked ALLOW/BLOCK bars, drawn by the server (no script in the SVG).
    const chart = page.locator('#decisions-chart');
    expect(await chart.locator('g[data-bucket]').count()).to.equal(24);
    expect(await chart.locator('rect[fill="#b42318"]').count()).to.be.greaterThan(5);
    expect(await chart.locator('rect[fill="#1a7f37"]').count()).to.be.greaterThan(5);
    expect(await page.locator('svg script').count()).to.equal(0);
    expect(await page.textContent('#top-rules-chart')).to.contain('prod-requires-tls');
    expect(await page.textContent('#top-namespaces-chart')).to.contain('payments');
    expect(await page.textContent('#top-apps-chart')).to.contain('orders-api');
    const v = await page.textContent('#verifications');
    expect(v)
      .to.contain('orders-db -> orders-db-eu')
      .and.contain('3.2 GiB of 8.0 GiB (40%)')
      .and.match(/GiB\/s|MiB\/s/);
    expect(await page.locator('#verifications tr[data-verification] td').nth(3).textContent()).to.match(
      /\d+ (s|min)/,
    );
    await screenshot(page, 'ops-overview');
  });

  it('the verification a [still-verifying] denial links to answers with its progress', async () => {
    const res = await page.request.get(`/api/v1/verifications/${'c0ffee'.repeat(10)}c0ff`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(res.status()).to.equal(200);
    expect(await res.json()).to.deep.include({
      state: 'running',
      bytes_done: Math.round(3.2 * GiB),
      bytes_total: 8 * GiB,
      label: 'orders-db -> orders-db-eu',
    });
  });

  it('alerts: acknowledged with a reason, recorded with who; no CSRF token left in the address bar', async () => {
    await page.goto('/ui/alerts');
    const row = page.locator('tr[data-alert^="snapshot-integrity/"]');
    expect(await row.locator('.badge').textContent()).to.equal('critical');
    expect(await row.textContent()).to.contain('failed integrity checks');
    await row.locator('input[name=reason]').fill('restoring orders-db from the previous backup');
    await row.locator('button[value=acknowledge]').click();
    expect(page.url()).to.not.contain('csrf');
    expect(new URL(page.url()).pathname).to.equal('/ui/alerts');
    expect(await page.locator('tr[data-alert^="snapshot-integrity/"]').textContent())
      .to.contain('acknowledged by api-token')
      .and.contain('restoring orders-db');
    await screenshot(page, 'ops-alerts');
  });

  it('a form post leaves no CSRF token in the address bar', async () => {
    await page.goto('/ui/migration');
    await page.setInputFiles('#migration_manifest', 'examples/t1_bad/tls-off-prod/migration_manifest.json');
    await page.setInputFiles('#app_config', 'examples/t1_bad/tls-off-prod/app-config.yaml');
    await page.click('button:has-text("Validate")');
    await page.waitForSelector('section.report');
    expect(page.url()).to.not.contain('csrf');
    expect(new URL(page.url()).pathname).to.equal('/ui/migration');
    expect(await page.locator('section.report .badge').first().textContent()).to.equal('BLOCK');
    await screenshot(page, 'ops-migration-result');
  });

  it('audit: filters by rule id and request id, and exports the filtered view as JSON lines', async () => {
    await page.goto('/ui/audit');
    await page.fill('input[name=rule]', 'no-public-bind');
    await page.click('button:has-text("Filter")');
    expect(page.url()).to.contain('rule=no-public-bind');
    const reasons = await page.locator('table.decisions td.reason').allTextContents();
    expect(reasons.length).to.be.greaterThan(0);
    for (const r of reasons) expect(r).to.contain('[no-public-bind]');
    await screenshot(page, 'ops-audit-filtered');
    const href = await page.locator('a[href^="/ui/audit/export"]').getAttribute('href');
    expect(href).to.contain('rule=no-public-bind');
    const exported = await page.request.get(href!);
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { findings: Array<{ rule: string }>; request_id: string });
    expect(lines.length).to.be.at.least(reasons.length);
    for (const l of lines) expect(l.findings.map((f) => f.rule)).to.include('no-public-bind');
    await page.goto(`/ui/audit?request_id=${lines[0]!.request_id}`);
    expect(await page.locator('table.decisions tbody tr').count()).to.equal(1);
  });

  it('fits a phone: no page wider than the screen, tables scroll in their own box', async () => {
    const phone = await browser.newContext({
      baseURL: gate.url,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
    });
    await phone.addCookies(await context.cookies());
    const p = await phone.newPage();
    for (const [url, name] of [
      ['/', 'ops-overview-narrow'],
      ['/ui/audit', 'ops-audit-narrow'],
      ['/ui/alerts', 'ops-alerts-narrow'],
    ] as const) {
      await p.goto(url);
      const { scroll, inner } = await p.evaluate<{ scroll: number; inner: number }>(
        '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
      );
      expect(scroll, `${url} is ${scroll}px wide on a ${inner}px screen`).to.be.at.most(inner);
      await screenshot(p, name);
    }
    await phone.close();
    expect(cspViolations).to.deep.equal([]);
  });
});
