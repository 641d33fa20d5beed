// A push-mode streaming tar reader: feed it decompressed chunks, it calls the
// visitor synchronously for each entry and each slice of entry data, keeping
// at most one header (or one bounded extended header) in memory. Written here
// rather than using tar-stream's extractor because the verifier must see what
// tar-stream hides: the end-of-archive marker and anything after it, header
// sizes that disagree between PAX and ustar, and an archive that simply stops.
import { fail, safeName } from './findings.js';
import { decodeHeader, isZeroBlock, type EntryKind, type RawHeader } from './tar-header.js';
import { parsePaxRecords } from './pax.js';

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
}

interface Pending {
  pax?: Record<string, string>;
  longName?: string;
  longLink?: string;
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

  constructor(private readonly visitor: TarVisitor, private readonly limits: TarReaderLimits) {}

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
          fail('archive-trailing-data', `non-zero data after the tar end-of-archive marker (at byte ${this.offset - slice.length}); entries hidden after the end are refused`);
        }
        this.trailerBytes += slice.length;
        this.need = Number.MAX_SAFE_INTEGER;
        return;
    }
  }

  /** Call when the decompressed stream ended; throws if the archive is incomplete. */
  end(): { entries: number } {
    if (this.state === 'trailer') {
      if (this.trailerBytes < 1024) fail('archive-truncated', 'the tar end-of-archive marker is incomplete (one zero block instead of two)');
      if (this.trailerBytes % 512 !== 0) fail('archive-trailing-data', 'the tar stream ends with a partial block');
      return { entries: this.entries };
    }
    if (this.current && (this.state === 'data' || this.state === 'pad')) {
      fail('archive-truncated', `archive ends inside entry ${safeName(this.current.path)} (header says ${this.current.size} bytes)`, this.current.path);
    }
    fail('archive-truncated', `archive ends without the tar end-of-archive marker${this.current ? ` (last entry ${safeName(this.current.path)})` : ''}`);
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
      if (this.pending.pax || this.pending.longName || this.pending.longLink) {
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
    if (h.size > this.limits.maxPaxHeaderBytes) {
      fail('archive-budget-exceeded', `extended header at byte ${at} is ${h.size} bytes; the limit is ${this.limits.maxPaxHeaderBytes}`);
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
      if (this.pending[k] !== undefined) fail('archive-pax-override', `${where}: two ${h.kind} headers for one entry`);
    };
    if (h.kind === 'pax') {
      once('pax');
      this.pending.pax = parsePaxRecords(data, where);
    } else if (h.kind === 'pax-global') {
      const g = parsePaxRecords(data, where);
      // A global path/size would silently rename or resize every later entry.
      for (const k of ['path', 'linkpath', 'size']) if (k in g) fail('archive-pax-override', `${where}: a global PAX header sets ${k}`);
    } else {
      const key = h.kind === 'gnu-long-name' ? 'longName' : 'longLink';
      once(key);
      const nul = data.indexOf(0);
      this.pending[key] = Buffer.from(nul >= 0 ? data.subarray(0, nul) : data).toString('utf8');
    }
    if (this.acc.length > 512) this.acc = Buffer.alloc(512);
    this.padAfter(h.size);
  }

  private onEntryHeader(h: RawHeader, at: number): void {
    const { pax, longName, longLink } = this.pending;
    this.pending = {};
    if (pax?.path !== undefined && longName !== undefined) fail('archive-pax-override', `entry at byte ${at} has both a PAX path and a GNU long name`);
    const path = pax?.path ?? longName ?? h.name;
    const size = effectiveSize(h, path, pax);
    const kind = h.kind as TarEntryKind;
    if (kind !== 'file' && size !== 0) {
      fail('archive-corrupt', `entry ${safeName(path)} is a ${kind} but declares ${size} bytes of data`, path);
    }
    this.current = { path, headerName: h.name, kind, typeflag: h.typeflag, size, linkname: pax?.linkpath ?? longLink ?? h.linkname, offset: at };
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

/** The entry's data size: the PAX size when present, which must agree with a non-zero ustar size. */
function effectiveSize(h: RawHeader, path: string, pax: Record<string, string> | undefined): number {
  for (const k of Object.keys(pax ?? {})) {
    if (k.startsWith('GNU.sparse.')) fail('archive-unsupported-entry', `entry ${safeName(path)} is a sparse file (PAX ${k}); not supported`, path);
  }
  if (pax?.size === undefined) return h.size;
  if (!/^[0-9]{1,16}$/.test(pax.size)) fail('archive-corrupt', `entry ${safeName(path)}: malformed PAX size`, path);
  const paxSize = Number(pax.size);
  // Readers that ignore PAX would use the ustar size: both must agree.
  if (h.size !== 0 && h.size !== paxSize) {
    fail('archive-pax-override', `entry ${safeName(path)}: PAX size ${paxSize} overrides header size ${h.size}`, path);
  }
  return paxSize;
}
