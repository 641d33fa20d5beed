// A push-mode streaming tar reader: feed it decompressed chunks, it calls the
// visitor synchronously for each entry and each slice of entry data, keeping
// at most one header (or one bounded extended header) in memory. Written here
// rather than using tar-stream's extractor because the verifier must see what
// tar-stream hides: the end-of-archive marker and anything after it, header
// sizes that disagree between PAX and ustar, and an archive that simply stops.
import { fail, safeName } from './findings.js';
import { decodeHeader, isZeroBlock, type EntryKind, type RawHeader } from './tar-header.js';
import { parsePaxRecords } from './pax.js';
import { normalizeEntryPath } from './archive-safety.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type TarEntryKind = Exclude<EntryKind, 'pax' | 'pax-global' | 'gnu-long-name' | 'gnu-long-link'>;

export interface TarEntry {
  /** The effective name (PAX path > GNU long name > ustar name). */
  path: string;
  /** The name in the ustar header itself: what a reader ignoring PAX would use. */
  headerName: string;
  kind: TarEntryKind;
  typeflag: string;
  size: number;
  linkname: string;
  /** Byte offset of the entry's header in the uncompressed stream. */
  offset: number;
}

export interface TarVisitor {
  entry(e: TarEntry): void;
  data(chunk: Uint8Array): void;
  entryEnd(): void;
}

export interface TarReaderLimits {
  maxPaxHeaderBytes: number;
  maxPathLength: number;
}

interface Pending {
  pax?: Record<string, string>;
  longName?: string;
}

type State = 'header' | 'data' | 'ext' | 'pad' | 'trailer';

export class TarReader {
  private state: State = 'header';
  private offset = 0;
  private acc = Buffer.alloc(512);
  private accLen = 0;
  private need = 512;
  private ext: RawHeader | undefined;
  private pending: Pending = {};
  private current: TarEntry | undefined;
  private trailerBytes = 0;
  private entries = 0;

  constructor(
    private readonly visitor: TarVisitor,
    private readonly limits: TarReaderLimits,
  ) {}

  /** The end-of-archive marker has been read. */
  get complete(): boolean {
    return this.state === 'trailer';
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      const n = Math.min(this.need, chunk.length - i);
      const slice = chunk.subarray(i, i + n);
      i += n;
      this.offset += n;
      this.need -= n;
      this.consume(slice);
    }
  }

  private consume(slice: Uint8Array): void {
    switch (this.state) {
      case 'header':
      case 'ext':
        this.acc.set(slice, this.accLen);
        this.accLen += slice.length;
        if (this.need === 0) {
          if (this.state === 'header') this.onHeaderBlock();
          else this.onExtension();
        }
        return;
      case 'data':
        this.visitor.data(slice);
        if (this.need === 0) {
          this.visitor.entryEnd();
          this.padAfter(this.current!.size);
        }
        return;
      case 'pad':
        if (this.need === 0) this.expectHeader();
        return;
      case 'trailer':
        if (!isZeroBlock(slice)) {
          fail(
            'archive-trailing-data',
            `non-zero data after the tar end-of-archive marker (at byte ${this.offset - slice.length}); entries hidden after the end are refused`,
          );
        }
        this.trailerBytes += slice.length;
        this.need = Number.MAX_SAFE_INTEGER;
        return;
    }
  }

  /** Call when the decompressed stream ended; throws if the archive is incomplete. */
  end(): { entries: number } {
    if (this.state === 'trailer') {
      if (this.trailerBytes < 1024)
        fail(
          'archive-truncated',
          'the tar end-of-archive marker is incomplete (one zero block instead of two)',
        );
      if (this.trailerBytes % 512 !== 0)
        fail('archive-trailing-data', 'the tar stream ends with a partial block');
      return { entries: this.entries };
    }
    if (this.current && (this.state === 'data' || this.state === 'pad')) {
      fail(
        'archive-truncated',
        `archive ends inside entry ${safeName(this.current.path)} (header says ${this.current.size} bytes)`,
        this.current.path,
      );
    }
    fail(
      'archive-truncated',
      `archive ends without the tar end-of-archive marker${this.current ? ` (last entry ${safeName(this.current.path)})` : ''}`,
    );
  }

  private expectHeader(): void {
    this.state = 'header';
    this.need = 512;
    this.accLen = 0;
  }

  private padAfter(size: number): void {
    const pad = (512 - (size % 512)) % 512;
    if (pad === 0) return this.expectHeader();
    this.state = 'pad';
    this.need = pad;
  }

  private onHeaderBlock(): void {
    const at = this.offset - 512;
    if (isZeroBlock(this.acc)) {
      if (this.pending.pax || this.pending.longName !== undefined) {
        fail('archive-corrupt', `an extended header at byte ${at} is not followed by an entry`);
      }
      this.state = 'trailer';
      this.trailerBytes = 512;
      this.need = Number.MAX_SAFE_INTEGER;
      return;
    }
    const h = decodeHeader(this.acc, at);
    switch (h.kind) {
      case 'pax':
      case 'pax-global':
      case 'gnu-long-name':
      case 'gnu-long-link':
        return this.startExtension(h, at);
      default:
        return this.onEntryHeader(h, at);
    }
  }

  private startExtension(h: RawHeader, at: number): void {
    const q = JSON.stringify(h.name.slice(0, 100));
    // Global headers change every later entry, and differently per reader (Go
    // even returns them as entries); a link name for a non-link is meaningless.
    if (h.kind === 'pax-global' || h.kind === 'gnu-long-link') {
      fail(
        'archive-ambiguous',
        `${h.kind === 'pax-global' ? 'a global PAX header' : 'a GNU long link name header'} ${q} at byte ${at}; readers apply it differently`,
      );
    }
    // A reader that does not know the extension extracts it as a plain file under its own name.
    // (GNU names it "././@LongLink": the leading "./"s are its own spelling.)
    normalizeEntryPath(h.name.replace(/^(\.\/)+/, ''), this.limits.maxPathLength);
    if (h.name.endsWith('/') || h.nameUnterminated)
      fail(
        'archive-ambiguous',
        `extended header ${q} at byte ${at} has a directory-like or unterminated name`,
      );
    if (h.size > this.limits.maxPaxHeaderBytes) {
      fail(
        'archive-budget-exceeded',
        `extended header at byte ${at} is ${h.size} bytes; the limit is ${this.limits.maxPaxHeaderBytes}`,
      );
    }
    this.ext = h;
    if (this.acc.length < h.size) this.acc = Buffer.alloc(h.size);
    this.accLen = 0;
    if (h.size === 0) return this.onExtension();
    this.state = 'ext';
    this.need = h.size;
  }

  private onExtension(): void {
    const h = this.ext!;
    const data = this.acc.subarray(0, h.size);
    const where = `extended header at byte ${this.offset - h.size - 512}`;
    const once = (k: keyof Pending): void => {
      if (this.pending[k] !== undefined)
        fail('archive-pax-override', `${where}: two ${h.kind} headers for one entry`);
    };
    if (h.kind === 'pax') {
      once('pax');
      this.pending.pax = parsePaxRecords(data, where);
      if (this.pending.longName !== undefined)
        fail('archive-ambiguous', `${where}: a PAX header and a GNU long name for one entry`);
    } else {
      once('longName');
      // GNU writes the name and one NUL; anything else ends in different places per reader.
      const nul = data.indexOf(0);
      if (nul !== data.length - 1 || nul === 0)
        fail(
          'archive-ambiguous',
          `${where}: a GNU long name must be a non-empty name followed by exactly one NUL`,
        );
      try {
        this.pending.longName = utf8.decode(data.subarray(0, nul));
      } catch {
        fail('archive-unsafe-path', `${where}: a GNU long name is not valid UTF-8`);
      }
    }
    if (this.acc.length > 512) this.acc = Buffer.alloc(512);
    this.padAfter(h.size);
  }

  private onEntryHeader(h: RawHeader, at: number): void {
    const { pax, longName } = this.pending;
    this.pending = {};
    if (pax !== undefined && longName !== undefined)
      fail('archive-ambiguous', `entry at byte ${at} has both a PAX header and a GNU long name`);
    if (pax) checkPaxAgainstHeader(pax, h, at, this.limits.maxPathLength);
    if (longName !== undefined && !longName.startsWith(h.name)) {
      fail(
        'archive-ambiguous',
        `entry at byte ${at}: its GNU long name does not start with its header name ${JSON.stringify(h.name.slice(0, 100))} (readers ignoring the extension see another file)`,
      );
    }
    if (h.nameUnterminated && longName === undefined)
      fail('archive-ambiguous', `entry at byte ${at}: the name field has no terminating NUL`);
    const path = pax?.path ?? longName ?? h.name;
    const size = effectiveSize(h, path, pax);
    const kind = h.kind as TarEntryKind;
    if (kind !== 'file' && kind !== 'unsupported' && size !== 0) {
      // Go and Python skip no data for directories and links, GNU tar skips it: they part ways here.
      fail(
        'archive-ambiguous',
        `entry ${safeName(path)} is a ${kind} but declares ${size} bytes of data`,
        path,
      );
    }
    this.current = {
      path,
      headerName: h.name,
      kind,
      typeflag: h.typeflag,
      size,
      linkname: h.linkname,
      offset: at,
    };
    this.entries++;
    this.visitor.entry(this.current);
    if (size === 0) {
      this.visitor.entryEnd();
      return this.expectHeader();
    }
    this.state = 'data';
    this.need = size;
  }
}

/** PAX keys every reader applies the same way; the rest (xattrs, charsets, links, sparse maps) are refused. */
const PAX_KEYS = new Set(['path', 'size', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname']);

/** A reader that ignores PAX uses the header: path and size must say the same thing there. */
function checkPaxAgainstHeader(
  pax: Record<string, string>,
  h: RawHeader,
  at: number,
  maxPathLength: number,
): void {
  const q = JSON.stringify(h.name.slice(0, 100));
  for (const k of Object.keys(pax)) {
    if (k.startsWith('GNU.sparse.'))
      fail(
        'archive-unsupported-entry',
        `entry ${q} at byte ${at} is a sparse file (PAX ${k}); not supported`,
      );
    if (!PAX_KEYS.has(k))
      fail(
        'archive-ambiguous',
        `entry ${q} at byte ${at}: PAX key ${JSON.stringify(k.slice(0, 64))} is not one every reader applies the same way`,
      );
  }
  // A value one reader cannot parse is an error to Go and ignored by others (found by the differential fuzz).
  for (const k of ['uid', 'gid', 'mtime', 'atime', 'ctime']) {
    const v = pax[k];
    if (v !== undefined && !(k.endsWith('time') ? /^[0-9]{1,12}(\.[0-9]{1,9})?$/ : /^[0-9]{1,10}$/).test(v)) {
      fail('archive-ambiguous', `entry ${q} at byte ${at}: PAX ${k} is not a plain non-negative number`);
    }
  }
  if (pax.path !== undefined) normalizeEntryPath(pax.path, maxPathLength);
  if (pax.path !== undefined && pax.path !== h.name)
    fail(
      'archive-ambiguous',
      `entry ${q} at byte ${at}: its PAX path differs from its header name (readers ignoring PAX see another file)`,
    );
  if (pax.size !== undefined && pax.size !== String(h.size))
    fail(
      'archive-pax-override',
      `entry ${q} at byte ${at}: PAX size ${JSON.stringify(pax.size.slice(0, 20))} overrides header size ${h.size}`,
    );
}

/** The entry's data size: the PAX size when present, which must agree with a non-zero ustar size. */
function effectiveSize(h: RawHeader, path: string, pax: Record<string, string> | undefined): number {
  for (const k of Object.keys(pax ?? {})) {
    if (k.startsWith('GNU.sparse.'))
      fail(
        'archive-unsupported-entry',
        `entry ${safeName(path)} is a sparse file (PAX ${k}); not supported`,
        path,
      );
  }
  if (pax?.size === undefined) return h.size;
  if (!/^[0-9]{1,16}$/.test(pax.size))
    fail('archive-corrupt', `entry ${safeName(path)}: malformed PAX size`, path);
  const paxSize = Number(pax.size);
  // Readers that ignore PAX would use the ustar size: both must agree.
  if (h.size !== 0 && h.size !== paxSize) {
    fail(
      'archive-pax-override',
      `entry ${safeName(path)}: PAX size ${paxSize} overrides header size ${h.size}`,
      path,
    );
  }
  return paxSize;
}
