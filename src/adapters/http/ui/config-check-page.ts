// GET/POST /ui/migration: upload a migration manifest and an app config, see
// the T1 report. Input is read by the REST route's reader and decided by the
// T1 service; this page only renders.
import { tokenEnvBinding } from '../routes/token-envs.js';
import { validateConfig } from '../../../services/validation/validate-config.js';
import { readConfigCheckInput } from '../routes/validate-config.js';
import type { RequestContext } from '../router.js';
import { decideForm, sendFormResult } from './form-result.js';
import { html, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

function form(session: Session): SafeHtml {
  return html`<form class="stack" method="post" enctype="multipart/form-data" action="/ui/migration?csrf=${session.csrf}">
<label for="migration_manifest">Migration manifest (migration_manifest.json)</label>
<input type="file" id="migration_manifest" name="migration_manifest" accept=".json,application/json" required>
<label for="app_config">App config (app-config.yaml or .json)</label>
<input type="file" id="app_config" name="app_config" required>
<label for="manifest_signature">Manifest signature (migration_manifest.json.sig, from <code>migration-gate manifest sign</code>; required in prod)</label>
<input type="file" id="manifest_signature" name="manifest_signature">
<p><button type="submit">Validate</button></p>
</form>`;
}

export function configCheckGet(ctx: RequestContext, session: Session): void {
  sendHtml(
    ctx.res,
    200,
    page({ title: 'Migration validation (T1)', current: '/ui/migration', session, body: form(session) }),
  );
}

export async function configCheckPost(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const outcome = await decideForm(ctx, deps, 'T1', async () => {
    const input = await readConfigCheckInput(ctx.req, deps.api.limits);
    return validateConfig(
      deps.api.gate,
      { ...input, subject: { ...input.subject, source: 'ui' }, envBinding: tokenEnvBinding(ctx) },
      {
        requestId: ctx.requestId,
        source: 'ui',
        maxConfigBytes: deps.api.limits.maxConfigBytes,
      },
    );
  });
  sendFormResult(ctx.res, outcome, {
    title: 'Migration validation (T1)',
    current: '/ui/migration',
    session,
    form: form(session),
  });
}
