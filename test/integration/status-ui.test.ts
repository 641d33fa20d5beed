// The status page and UI at the HTTP level (the browser suite covers what a
// person sees): nothing without a session, cookie flags, CSP, CSRF and
// origin checks, no open redirect after login.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { exampleJsonBody } from '../support/signed-t1.js';

const PAGES = [
  '/',
  '/ui/migration',
  '/ui/replication',
  '/ui/audit',
  '/ui/alerts',
  '/ui/decisions/01ARZ3NDEKTSV4RRFFQ69G5FAV',
];

async function login(gate: RunningGate, next = '/'): Promise<Response> {
  return fetch(`${gate.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TEST_TOKEN, next }).toString(),
  });
}

describe('status page and UI over HTTP', () => {
  let gate: RunningGate;
  let cookie: string;
  let csrf: string;
  before(async () => {
    gate = await startGate();
    const res = await login(gate);
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${gate.url}/ui/migration`, { headers: { cookie } })).text();
    expect(page).to.not.contain('?csrf=');
    csrf = /<input type="hidden" name="csrf" value="([\w-]+)">/.exec(page)![1]!;
  });
  after(async () => {
    await gate.stop();
  });

  for (const p of PAGES) {
    it(`GET ${p} without a session redirects to the login form and shows nothing`, async () => {
      const res = await fetch(`${gate.url}${p}`, { redirect: 'manual' });
      expect(res.status).to.equal(303);
      // /ui/decisions/<id> is routed as /ui/decisions?id=<id>; both name the same page.
      const back = p.replace(/^\/ui\/decisions\/(.+)$/, '/ui/decisions?id=$1');
      expect(res.headers.get('location')).to.equal(`/ui/login?next=${encodeURIComponent(back)}`);
      expect(await res.text()).to.equal('');
    });
  }

  it('does not take the API Bearer header as a UI session, nor a wrong cookie', async () => {
    expect((await fetch(`${gate.url}/`, { redirect: 'manual', headers: gate.auth })).status).to.equal(303);
    expect(
      (
        await fetch(`${gate.url}/`, {
          redirect: 'manual',
          headers: { cookie: 'mg_session=nope-nope-nope-nope' },
        })
      ).status,
    ).to.equal(303);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie and serves pages under a strict CSP', async () => {
    const res = await login(gate);
    expect(res.status).to.equal(303);
    expect(res.headers.get('set-cookie')).to.match(
      /^mg_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    for (const p of PAGES.slice(0, 5)) {
      const page = await fetch(`${gate.url}${p}`, { headers: { cookie } });
      expect(page.status, p).to.equal(200);
      expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp)
        .to.contain("script-src 'self'")
        .and.contain("style-src 'self'")
        .and.contain("frame-ancestors 'none'")
        .and.not.contain('unsafe');
      const html = await page.text();
      expect(html, 'no inline script').to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, 'no inline style').to.not.match(/<style|\sstyle=/);
      expect(html, 'no external asset').to.not.match(/(src|href)="(https?:)?\/\//);
    }
  });

  it('refuses to redirect off the gate after login', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      expect((await login(gate, next)).headers.get('location'), next).to.equal('/');
    }
    expect((await login(gate, '/ui/audit?decision=BLOCK')).headers.get('location')).to.equal(
      '/ui/audit?decision=BLOCK',
    );
  });

  it('refuses form posts without the CSRF token or from another origin, and audits nothing for them', async () => {
    // The token travels as the first field of the body; `token: null` leaves it out.
    const form = (token: string | null = csrf, last?: string): FormData => {
      const f = new FormData();
      if (token !== null) f.append('csrf', token);
      f.append(
        'migration_manifest',
        new Blob([readFileSync('examples/t1_good/migration_manifest.json')]),
        'm.json',
      );
      f.append('app_config', new Blob([readFileSync('examples/t1_good/app-config.yaml')]), 'c.yaml');
      f.append(
        'manifest_signature',
        new Blob([readFileSync('examples/t1_good/migration_manifest.json.sig')]),
        'm.json.sig',
      );
      if (last !== undefined) f.append('csrf', last);
      return f;
    };
    const before = (
      (await (await fetch(`${gate.url}/api/v1/audit/logs`, { headers: gate.auth })).json()) as {
        items: unknown[];
      }
    ).items.length;
    const refused = [
      ['no token', '/ui/migration', form(null)],
      ['a wrong token', '/ui/migration', form(`${csrf}x`)],
      ['a truncated token', '/ui/migration', form(csrf.slice(0, -1))],
      // Only the first field counts: a token after the file parts is too late to guard them.
      ['the token after the file parts', '/ui/migration', form(null, csrf)],
      // The old place is not accepted any more: a token in the URL is no token.
      ['the token only in the URL', `/ui/migration?csrf=${csrf}`, form(null)],
    ] as const;
    for (const [what, to, body] of refused) {
      const res = await fetch(`${gate.url}${to}`, { method: 'POST', headers: { cookie }, body });
      expect(res.status, what).to.equal(403);
      expect(((await res.json()) as { detail: string }).detail, what).to.contain('CSRF token');
    }
    expect(
      (
        await fetch(`${gate.url}/ui/migration`, {
          method: 'POST',
          headers: { cookie, origin: 'https://evil.example' },
          body: form(),
        })
      ).status,
    ).to.equal(403);
    const after = (
      (await (await fetch(`${gate.url}/api/v1/audit/logs`, { headers: gate.auth })).json()) as {
        items: unknown[];
      }
    ).items.length;
    expect(after).to.equal(before);
    const ok = await fetch(`${gate.url}/ui/migration`, {
      method: 'POST',
      headers: { cookie, origin: gate.url },
      body: form(),
    });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.contain('<span class="badge ALLOW">ALLOW</span>');
  });

  it('answers a malformed form as an audited BLOCK shown on the page', async () => {
    const f = new FormData();
    f.append('csrf', csrf);
    f.append('migration_manifest', new Blob(['{"app_id": ']), 'm.json');
    const res = await fetch(`${gate.url}/ui/migration`, {
      method: 'POST',
      headers: { cookie },
      body: f,
    });
    expect(res.status).to.equal(400);
    const html = await res.text();
    expect(html)
      .to.contain('role="alert"')
      .and.contain('<span class="badge BLOCK">BLOCK</span>')
      // The form lacks its config part: named by its own rule, not the generic malformed-request.
      .and.contain('request-missing-part');
  });

  it('shows a decision by request id, and 404 for an unknown one', async () => {
    const { body } = await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_good'));
    const found = await fetch(`${gate.url}/ui/decisions/${String(body.request_id)}`, { headers: { cookie } });
    expect(found.status).to.equal(200);
    expect(await found.text()).to.contain(String(body.request_id));
    expect((await fetch(`${gate.url}/ui/decisions/no-such-id`, { headers: { cookie } })).status).to.equal(
      404,
    );
  });

  it("dates the overview's audit status, and shows a new decision once the walk is refreshed", async () => {
    const { body } = await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_good'));
    await gate.app.auditSnapshots.refresh();
    const text = await (await fetch(`${gate.url}/`, { headers: { cookie } })).text();
    expect(text).to.contain(`/ui/decisions/${String(body.request_id)}`);
    const verify = (await (
      await fetch(`${gate.url}/api/v1/audit/verify`, { headers: gate.auth })
    ).json()) as { records: number };
    expect(text).to.match(
      new RegExp(
        `data-chain="intact">intact</span>, ${verify.records} records · <span class="muted as-of" data-as-of="\\d{4}-[^"]+Z">checked \\d+ s ago`,
      ),
    );
  });

  it('serves its stylesheet and script from the gate, cacheable by ETag, and the API stays as it was', async () => {
    const css = await fetch(`${gate.url}/ui/static/gate.css`);
    expect(css.headers.get('content-type')).to.equal('text/css; charset=utf-8');
    const again = await fetch(`${gate.url}/ui/static/gate.css`, {
      headers: { 'if-none-match': css.headers.get('etag')! },
    });
    expect(again.status).to.equal(304);
    expect((await fetch(`${gate.url}/ui/static/refresh.js`)).headers.get('content-type')).to.equal(
      'text/javascript; charset=utf-8',
    );
    expect((await fetch(`${gate.url}/api/v1/alerts`)).status).to.equal(401);
  });

  it('every state-changing UI route refuses a post without its body token, and records nothing for it', async () => {
    const count = async (): Promise<number> =>
      (
        (await (await fetch(`${gate.url}/api/v1/audit/logs`, { headers: gate.auth })).json()) as {
          items: unknown[];
        }
      ).items.length;
    const before = await count();
    const t2 = (token: string | null): FormData => {
      const f = new FormData();
      if (token !== null) f.append('csrf', token);
      f.append('replication_manifest', new Blob(['not: read']), 'replication_manifest.yaml');
      f.append('snapshot', new Blob([Buffer.alloc(64 * 1024, 7)]), 'snapshot.tar.gz');
      return f;
    };
    const urlencoded = (fields: Record<string, string>): RequestInit => ({
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const take = { key: 'audit-chain/broken', reason: 'forged', how: 'acknowledge' };
    const posts: [string, string, RequestInit][] = [
      ['T2 without a token', '/ui/replication', { headers: { cookie }, body: t2(null) }],
      ['T2 with a wrong token', '/ui/replication', { headers: { cookie }, body: t2('x'.repeat(43)) }],
      [
        'T2 with the token in the URL',
        `/ui/replication?csrf=${csrf}`,
        { headers: { cookie }, body: t2(null) },
      ],
      [
        'T2 as JSON',
        '/ui/replication',
        { headers: { cookie, 'content-type': 'application/json' }, body: '{}' },
      ],
      [
        'T1 as JSON',
        '/ui/migration',
        { headers: { cookie, 'content-type': 'application/json' }, body: '{}' },
      ],
      ['alert without a token', '/ui/alerts/take', urlencoded(take)],
      ['alert with a wrong token', '/ui/alerts/take', urlencoded({ ...take, csrf: `${csrf}x` })],
      ['alert with the token in the URL', `/ui/alerts/take?csrf=${csrf}`, urlencoded(take)],
      ['logout without a token', '/ui/logout', urlencoded({})],
    ];
    for (const [what, to, init] of posts) {
      const res = await fetch(`${gate.url}${to}`, { method: 'POST', redirect: 'manual', ...init });
      expect(res.status, what).to.equal(403);
      expect(res.headers.get('set-cookie'), what).to.equal(null);
    }
    // A valid token does not help a post another site's page made.
    const cross = await fetch(`${gate.url}/ui/replication`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example' },
      body: t2(csrf),
    });
    expect(cross.status).to.equal(403);
    expect(await count()).to.equal(before);
    // And the same T2 form with its token is decided (a BLOCK: the manifest is not one), and recorded.
    const decided = await fetch(`${gate.url}/ui/replication`, {
      method: 'POST',
      headers: { cookie },
      body: t2(csrf),
    });
    expect(decided.status).to.be.oneOf([400, 422]);
    expect(await decided.text()).to.contain('<span class="badge BLOCK">BLOCK</span>');
    expect(await count()).to.equal(before + 1);
  });

  it('logs out only with the CSRF token', async () => {
    expect(
      (await fetch(`${gate.url}/ui/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } }))
        .status,
    ).to.equal(403);
    expect(
      (
        await fetch(`${gate.url}/ui/logout?csrf=${csrf}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie },
        })
      ).status,
      'a token in the URL is no token',
    ).to.equal(403);
    const out = await fetch(`${gate.url}/ui/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(out.status).to.equal(303);
    expect(out.headers.get('set-cookie')).to.match(/^mg_session=; .*Max-Age=0/);
  });
});
