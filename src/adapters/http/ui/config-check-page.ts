// GET/POST /ui/migration: upload a migration manifest and an app config, see
// the T1 report. Input is read by the REST route's reader and decided by the
// T1 service; this page only renders.
import { tokenEnvBinding } from '../routes/token-envs.js';
import { validateConfig } from '../../../services/validation/validate-config.js';
import { CONFIG_PARTS, configCheckFromParts } from '../routes/validate-config.js';
import { mediaType } from '../body.js';
import { collectStream } from '../multipart.js';
import { streamParts, type StreamedPart } from '../multipart-stream.js';
import { checkCsrfFirstPart, csrfField } from './csrf-body.js';
import type { RequestContext } from '../router.js';
import { decideForm, sendFormResult } from './form-result.js';
import { html, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import { csrfRefused, type Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

function form(session: Session): SafeHtml {
  // The CSRF field comes first: it is checked before any file part is read.
  return html`<form class="stack" method="post" enctype="multipart/form-data" action="/ui/migration">
${csrfField(session)}
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
  if (mediaType(ctx.req) !== 'multipart/form-data') {
    // No multipart body, no CSRF field to read: refused like a missing token.
    ctx.req.resume();
    throw csrfRefused();
  }
  const limits = deps.api.limits;
  const parts = streamParts(ctx.req, {
    maxParts: CONFIG_PARTS.length + 1,
    maxPartBytes: limits.maxConfigBytes,
  });
  try {
    await checkCsrfFirstPart(parts, session);
    await decideAndSend(ctx, session, deps, parts);
  } finally {
    await parts.return(undefined);
  }
}

async function decideAndSend(
  ctx: RequestContext,
  session: Session,
  deps: UiDeps,
  parts: AsyncGenerator<StreamedPart>,
): Promise<void> {
  const limits = deps.api.limits;
  const outcome = await decideForm(ctx, deps, 'T1', async () => {
    const input = configCheckFromParts(
      await collectStream(parts, {
        maxPartBytes: limits.maxConfigBytes,
        maxParts: CONFIG_PARTS.length,
        allowed: CONFIG_PARTS,
      }),
    );
    return validateConfig(
      deps.api.gate,
      { ...input, subject: { ...input.subject, source: 'ui' }, envBinding: tokenEnvBinding(ctx) },
      {
        requestId: ctx.requestId,
        source: 'ui',
        maxConfigBytes: limits.maxConfigBytes,
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
