// The CSRF token travels in the POST body, as a hidden `csrf` field, so no
// token is left in the address bar, the history or a Referer after a post,
// with or without JavaScript. Multipart forms put the field first (browsers
// send fields in document order), so the token is checked before any file
// part reaches the pipeline: a forged upload is refused after at most one
// small field, exactly as early as a token in the URL was.
import { mediaType, readBody } from '../body.js';
import { readPart, type StreamedPart } from '../multipart-stream.js';
import type { RequestContext } from '../router.js';
import { html, type SafeHtml } from './html.js';
import { checkCsrfToken, csrfRefused, type Session } from './session.js';

export const CSRF_FIELD = 'csrf';
/** base64url of a SHA-256 HMAC is 43 characters; anything much longer is not a token. */
const TOKEN_LIMIT = 256;

/** The hidden field; the first thing inside every state-changing form. */
export function csrfField(session: Session): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${session.csrf}">`;
}

/** A small urlencoded form, read whole, refused (403) unless it carries this session's token; any other body has no token to read. */
export async function readCsrfForm(
  ctx: RequestContext,
  session: Session,
  limit: number,
): Promise<URLSearchParams> {
  if (mediaType(ctx.req) !== 'application/x-www-form-urlencoded') {
    ctx.req.resume();
    throw csrfRefused();
  }
  const form = new URLSearchParams((await readBody(ctx.req, limit)).toString('utf8'));
  checkCsrfToken(form.get(CSRF_FIELD), session);
  return form;
}

/**
 * Takes the first part of a multipart body and refuses (403) unless it is the
 * `csrf` field with this session's token; the caller reads the rest. Whatever
 * goes wrong before the token is proven (no part, a file part, a malformed
 * body) is the same refusal: nothing about an unproven request is decided or
 * recorded.
 */
export async function checkCsrfFirstPart(
  parts: AsyncGenerator<StreamedPart>,
  session: Session,
): Promise<void> {
  let token: string | undefined;
  try {
    const first = await parts.next();
    if (!first.done && first.value.name === CSRF_FIELD && first.value.filename === undefined)
      token = (await readPart(first.value, TOKEN_LIMIT)).toString('latin1');
    else if (!first.done) first.value.stream.resume();
  } catch {
    throw csrfRefused();
  }
  checkCsrfToken(token, session);
}
