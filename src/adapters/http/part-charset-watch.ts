// Busboy hands over plain (non-file) multipart fields as decoded strings,
// transcoded from whatever charset the part declares, with invalid bytes
// replaced by U+FFFD: the gate would then hash bytes nobody sent. The stream
// reader decodes undeclared fields as latin1 (a lossless byte <-> char map,
// so Buffer.from(value, 'latin1') gives back the exact bytes); this watcher,
// between the socket and busboy, finds any part header that declares a
// charset, and the request is refused naming it. It looks for every
// delimiter the way busboy does ("\r\n--" + boundary, with a CRLF before the
// body, boundary read by busboy's own parser), and flags over-eagerly
// (any header line other than Content-Disposition that mentions a charset).
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';

const require = createRequire(import.meta.url);
const { parseContentType } = require('busboy/lib/utils.js') as {
  parseContentType: (s: string) => { params?: Record<string, string> } | undefined;
};

/** busboy's header block limit (node's default), plus the terminating CRLFCRLF. */
const HEADER_MAX = 16 * 1024 + 4;

export class PartCharsetWatch extends Transform {
  /** The first offending header line's field name, once one is seen. */
  declared: string | undefined;
  private readonly needle: Buffer | undefined;
  private carry: Buffer = Buffer.from('\r\n');

  constructor(contentType: string | undefined) {
    super();
    const boundary = contentType ? parseContentType(contentType)?.params?.boundary : undefined;
    this.needle = typeof boundary === 'string' ? Buffer.from(`\r\n--${boundary}`, 'latin1') : undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.needle && this.declared === undefined) this.scan(chunk, this.needle);
    cb(null, chunk);
  }

  private scan(chunk: Buffer, needle: Buffer): void {
    const window = Buffer.concat([this.carry, chunk]);
    // Regions already scanned are scanned again from the carry: flagging is idempotent.
    for (let at = window.indexOf(needle); at >= 0; at = window.indexOf(needle, at + 1)) {
      const start = at + needle.length;
      const end = window.indexOf('\r\n\r\n', start, 'latin1');
      const header = window
        .subarray(
          start,
          end >= 0 ? Math.min(end, start + HEADER_MAX) : Math.min(window.length, start + HEADER_MAX),
        )
        .toString('latin1');
      for (const line of header.split(/\r\n|\n|\r/)) {
        if (/^\s*content-disposition\s*:/i.test(line)) continue;
        if (/charset/i.test(line)) {
          this.declared = (/^\s*([A-Za-z-]{1,40})\s*:/.exec(line)?.[1] ?? 'a part header').toLowerCase();
          return;
        }
      }
    }
    const keep = needle.length + HEADER_MAX;
    this.carry = window.length > keep ? Buffer.from(window.subarray(window.length - keep)) : window;
  }
}
