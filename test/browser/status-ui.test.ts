// The status page and UI in a real browser: log in, look at every page as an
// operator would, submit both forms, and keep a screenshot of each page.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { launchChromium, openDesktopPage, screenshot } from '../support/browser.js';
import { exampleJsonBody } from '../support/signed-t1.js';

function t1(dir: string): { manifest: Record<string, unknown>; config: string } {
  return {
    manifest: JSON.parse(readFileSync(`examples/${dir}/migration_manifest.json`, 'utf8')) as Record<
      string,
      unknown
    >,
    config: readFileSync(`examples/${dir}/app-config.yaml`, 'utf8'),
  };
}

describe('status page and UI (chromium)', function () {
  this.timeout(120_000);
  let gate: RunningGate;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];

  before(async function () {
    gate = await startGate();
    await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_good'));
    await postJson(gate, '/api/v1/validate/migration', t1('t1_bad/tls-off-prod'));
    // The gate walked its log at start (to restore alerts); the overview keeps a walk for a minute.
    await gate.app.auditSnapshots.refresh();
    browser = await launchChromium();
    ({ context, page } = await openDesktopPage(browser, gate.url, cspViolations));
  });
  after(async () => {
    await browser?.close();
    await gate?.stop();
  });

  it('sends a visitor without a session to the login form, refuses a wrong token, accepts the API token', async () => {
    await page.goto('/');
    expect(new URL(page.url()).pathname).to.equal('/ui/login');
    await screenshot(page, 'login');
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).to.contain('not valid');
    await page.fill('#token', TEST_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).to.equal('/');
    const [cookie] = await context.cookies();
    expect(cookie).to.include({ name: 'mg_session', httpOnly: true, sameSite: 'Strict' });
  });

  it('overview: readiness, certificate, audit chain, counts, open alerts, recent decisions, policy digest', async () => {
    await page.goto('/');
    expect(await page.textContent('#readiness')).to.contain('Ready');
    expect(await page.textContent('#certificate')).to.match(/days left/);
    expect(await page.textContent('#audit'))
      .to.contain('intact')
      .and.match(/checked \d+ s ago, as of \d{4}-\d\d-\d\dT/);
    expect(await page.textContent('#counts')).to.match(/checked \d+ s ago, as of /);
    expect(await page.textContent('[data-count=allow-1h]')).to.equal('1');
    expect(await page.textContent('[data-count=block-24h]')).to.equal('1');
    expect(await page.textContent('#policies')).to.match(/sha256:[0-9a-f]{64}/);
    const blockRow = page.locator('table.decisions tr[data-decision=BLOCK]').first();
    expect(await blockRow.textContent()).to.contain('[prod-requires-tls]');
    // An ordinary BLOCK is a decision, not an alert.
    expect(await page.textContent('#alerts-firing')).to.contain('no alerts firing');
    await screenshot(page, 'overview');
    await blockRow.locator('a').click();
    expect(page.url()).to.match(/\/ui\/decisions\/[0-9A-Z]{26}$/);
    expect(await page.textContent('main'))
      .to.contain('BLOCK')
      .and.to.contain('prod-requires-tls');
    await screenshot(page, 'decision');
  });

  it('migration form: the tls-off-prod example shows a BLOCK report naming the rule', async () => {
    await page.goto('/ui/migration');
    await screenshot(page, 'migration-form');
    await page.setInputFiles('#migration_manifest', 'examples/t1_bad/tls-off-prod/migration_manifest.json');
    await page.setInputFiles('#app_config', 'examples/t1_bad/tls-off-prod/app-config.yaml');
    await page.click('button:has-text("Validate")');
    const report = page.locator('section.report');
    expect(await report.locator('.badge').first().textContent()).to.equal('BLOCK');
    expect(await report.textContent()).to.contain('prod-requires-tls');
    await screenshot(page, 'migration-report');
  });

  it('replication form: the t2_good example, streamed with signature and WAL files, shows ALLOW', async () => {
    await page.goto('/ui/replication');
    await screenshot(page, 'replication-form');
    const dir = 'examples/t2_good';
    await page.setInputFiles('#replication_manifest', `${dir}/replication_manifest.yaml`);
    await page.setInputFiles('#signature', `${dir}/replication_manifest.yaml.sig`);
    await page.setInputFiles('#snapshot', `${dir}/snapshot.tar.gz`);
    const wal = readdirSync(`${dir}/wal`)
      .sort()
      .map((n) => path.join(dir, 'wal', n));
    await page.setInputFiles('#wal_files', wal);
    await page.click('button:has-text("Validate")');
    const report = page.locator('section.report');
    expect(await report.locator('.badge').first().textContent(), (await report.textContent()) ?? '').to.equal(
      'ALLOW',
    );
    await screenshot(page, 'replication-report');
  });

  it('replication form without WAL files or signature is decided (not a malformed request)', async () => {
    await page.goto('/ui/replication');
    await page.setInputFiles(
      '#replication_manifest',
      'examples/t2_bad/unsigned-prod/replication_manifest.yaml',
    );
    await page.setInputFiles('#snapshot', 'examples/t2_bad/unsigned-prod/snapshot.tar.gz');
    await page.click('button:has-text("Validate")');
    expect(await page.locator('[role=alert]').count()).to.equal(0);
    const report = page.locator('section.report');
    expect(await report.locator('.badge').first().textContent()).to.equal('BLOCK');
    expect(await report.textContent()).to.contain('signature');
  });

  it('audit log: filters by decision, pages with "Older records", shows the chain status', async () => {
    await page.goto('/ui/audit?decision=BLOCK&limit=1');
    expect(await page.textContent('main'))
      .to.contain('Chain: intact')
      .and.match(/checked \d+ s ago, as of /);
    const rows = page.locator('table.decisions tbody tr');
    expect(await rows.count()).to.equal(1);
    expect(await rows.first().getAttribute('data-decision')).to.equal('BLOCK');
    expect(await rows.first().locator('td.reason').textContent()).to.match(/^\[[a-z0-9-]+\] /);
    const first = await rows.first().textContent();
    await page.click('a[rel=next]');
    expect(await rows.first().textContent()).to.not.equal(first);
    await page.goto('/ui/audit');
    await page.selectOption('select[name=decision]', 'BLOCK');
    await page.click('button:has-text("Filter")');
    expect(page.url()).to.contain('decision=BLOCK');
    const decisions = await page
      .locator('table.decisions tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-decision')));
    expect(decisions.length).to.be.greaterThan(1);
    expect(new Set(decisions)).to.deep.equal(new Set(['BLOCK']));
    await screenshot(page, 'audit');
  });

  it('alerts: ordinary BLOCKs are decisions, not alerts; the page points to them in the audit log', async () => {
    await page.goto('/ui/alerts');
    expect(await page.locator('table.alerts tr').count()).to.equal(0);
    expect(await page.textContent('main')).to.contain('No alerts firing');
    await page.click('a[href="/ui/audit?decision=BLOCK"]');
    expect(await page.locator('table.decisions tr[data-decision=BLOCK]').count()).to.be.greaterThan(0);
    await page.goto('/ui/alerts');
    await screenshot(page, 'alerts');
  });

  it('escapes what a request brought: an app_id with markup is shown as text', async () => {
    const evil = '<img src=x id=pwned onerror=alert(1)>';
    const { manifest, config } = t1('t1_good');
    await postJson(gate, '/api/v1/validate/migration', { manifest: { ...manifest, app_id: evil }, config });
    // The overview shows the last walk of the audit log (kept up to a minute): take a new one.
    await gate.app.auditSnapshots.refresh();
    await page.goto('/');
    expect(await page.locator('#pwned').count()).to.equal(0);
    expect(await page.textContent('table.decisions')).to.contain(evil);
  });

  it('works with JavaScript off, and never trips the Content-Security-Policy', async () => {
    const noJs = await browser.newContext({ baseURL: gate.url, javaScriptEnabled: false });
    await noJs.addCookies(await context.cookies());
    const p = await noJs.newPage();
    await p.goto('/ui/migration');
    await p.setInputFiles('#migration_manifest', 'examples/t1_good/migration_manifest.json');
    await p.setInputFiles('#app_config', 'examples/t1_good/app-config.yaml');
    await p.setInputFiles('#manifest_signature', 'examples/t1_good/migration_manifest.json.sig');
    await p.click('button:has-text("Validate")');
    expect(await p.locator('section.report .badge').first().textContent()).to.equal('ALLOW');
    await noJs.close();
    const res = await page.goto('/');
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp)
      .to.contain("script-src 'self'")
      .and.to.contain("style-src 'self'")
      .and.not.contain('unsafe-inline');
    expect(cspViolations).to.deep.equal([]);
  });

  it('refuses a form post without the CSRF token, and logs out', async () => {
    const res = await page.request.post('/ui/migration', {
      multipart: { migration_manifest: 'x', app_config: 'y' },
    });
    expect(res.status()).to.equal(403);
    await page.goto('/');
    await page.click('button:has-text("Log out")');
    expect(new URL(page.url()).pathname).to.equal('/ui/login');
    await page.goto('/ui/audit');
    expect(new URL(page.url()).pathname).to.equal('/ui/login');
  });

  it('left a screenshot of every page', () => {
    for (const name of [
      'login',
      'overview',
      'decision',
      'migration-form',
      'migration-report',
      'replication-form',
      'replication-report',
      'audit',
      'alerts',
    ]) {
      expect(existsSync(`test-output/screenshots/${name}.png`), name).to.equal(true);
    }
  });
});
