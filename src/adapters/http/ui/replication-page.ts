// GET/POST /ui/replication: manifest, optional signature, snapshot and WAL
// files, streamed into the T2 service as they arrive.
import { tokenEnvBinding } from '../routes/token-envs.js';
import { validateReplication } from '../../../services/validation/validate-replication.js';
import { mediaType } from '../body.js';
import type { StreamedPart } from '../multipart-stream.js';
import type { RequestContext } from '../router.js';
import { decideForm, sendFormResult } from './form-result.js';
import { html, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import { readReplicationParts, replicationPartStream } from '../replication-parts.js';
import { csrfRefused, type Session } from './session.js';
import { checkCsrfFirstPart, csrfField } from './csrf-body.js';
import type { UiDeps } from './ui-deps.js';

function form(session: Session): SafeHtml {
  // Field order matters: the CSRF field first (checked before anything else
  // is read), the manifest and signature before the snapshot stream.
  return html`<form class="stack" method="post" enctype="multipart/form-data" action="/ui/replication">
${csrfField(session)}
<label for="replication_manifest">Replication manifest (replication_manifest.yaml)</label>
<input type="file" id="replication_manifest" name="replication_manifest" required>
<label for="signature">Signature (optional: detached .sig or DSSE envelope)</label>
<input type="file" id="signature" name="signature">
<label for="snapshot">Snapshot (snapshot.tar.gz)</label>
<input type="file" id="snapshot" name="snapshot" required>
<label for="wal_files">WAL files (optional, several)</label>
<input type="file" id="wal_files" name="wal_files" multiple>
<p><button type="submit">Validate</button></p>
</form>`;
}

export function replicationGet(ctx: RequestContext, session: Session): void {
  sendHtml(
    ctx.res,
    200,
    page({ title: 'Replication validation (T2)', current: '/ui/replication', session, body: form(session) }),
  );
}

export async function replicationPost(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const t2 = deps.api.replication;
  if (mediaType(ctx.req) !== 'multipart/form-data') {
    // No multipart body, no CSRF field to read: refused like a missing token.
    ctx.req.resume();
    throw csrfRefused();
  }
  const parts: AsyncGenerator<StreamedPart> = replicationPartStream(ctx.req, t2.limits, 1);
  try {
    await checkCsrfFirstPart(parts, session);
    const outcome = await decideForm(ctx, deps, 'T2', async () => {
      const request = await readReplicationParts(parts, { skipEmptyFileInputs: true });
      return validateReplication(
        deps.api.gate,
        { ...request, subject: { source: 'ui' }, envBinding: tokenEnvBinding(ctx) },
        { requestId: ctx.requestId, source: 'ui', limits: t2.limits },
      );
    });
    if (ctx.res.destroyed) return;
    sendFormResult(ctx.res, outcome, {
      title: 'Replication validation (T2)',
      current: '/ui/replication',
      session,
      form: form(session),
    });
  } finally {
    await parts.return(undefined);
  }
}
