// Builds tar archives byte by byte, including the malformed ones no tar tool
// would write (lying sizes, links, PAX overrides, data after the end marker).
import { gzipSync } from 'node:zlib';

export interface HeaderSpec {
  name: string;
  size?: number;
  typeflag?: string;
  linkname?: string;
  format?: 'ustar' | 'gnu';
  /** Raw override of the 12-byte size field. */
  sizeField?: Buffer;
  mode?: number;
}

export function tarHeader(spec: HeaderSpec): Buffer {
  const b = Buffer.alloc(512);
  const name = Buffer.from(spec.name, 'utf8');
  if (name.length > 100) throw new Error(`name too long for a plain header: ${spec.name}`);
  name.copy(b, 0);
  b.write(octal(spec.mode ?? 0o644, 8), 100, 'latin1');
  b.write(octal(0, 8), 108, 'latin1');
  b.write(octal(0, 8), 116, 'latin1');
  (spec.sizeField ?? Buffer.from(octal(spec.size ?? 0, 12), 'latin1')).copy(b, 124);
  b.write(octal(1_700_000_000, 12), 136, 'latin1');
  b.write(spec.typeflag ?? '0', 156, 'latin1');
  if (spec.linkname) b.write(spec.linkname, 157, 'utf8');
  b.write(spec.format === 'gnu' ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

export function pad(data: Buffer): Buffer {
  const rem = data.length % 512;
  return rem === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rem)]);
}

export function fileEntry(name: string, content: Buffer | string, extra: Partial<HeaderSpec> = {}): Buffer {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return Buffer.concat([tarHeader({ name, size: data.length, ...extra }), pad(data)]);
}

export function dirEntry(name: string): Buffer {
  return tarHeader({ name: name.endsWith('/') ? name : `${name}/`, typeflag: '5', mode: 0o755 });
}

export function paxEntry(records: Record<string, string>, global = false): Buffer {
  let body = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = rest.length + 1;
    while (`${len}${rest}`.length !== len) len++;
    body += `${len}${rest}`;
  }
  const data = Buffer.from(body, 'utf8');
  return Buffer.concat([
    tarHeader({ name: 'PaxHeader', size: data.length, typeflag: global ? 'g' : 'x' }),
    pad(data),
  ]);
}

export const END = Buffer.alloc(1024);

export function tar(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, END]);
}

export function gz(data: Buffer): Buffer {
  return gzipSync(data);
}

/** Writes `bytes` at `offset` of a 512-byte header and fixes its checksum: for headers no tool would write. */
export function patchHeader(header: Buffer, offset: number, bytes: Buffer | string): Buffer {
  const h = Buffer.from(header.subarray(0, 512));
  (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1')).copy(h, offset);
  return rechecksum(h);
}

export function rechecksum(h: Buffer, signed = false): Buffer {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of h.subarray(0, 512)) sum += signed && x > 127 ? x - 256 : x;
  h.write(`${(sum >>> 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A GNU long name ('L') extension for the header that follows. */
export function gnuLongName(name: string, raw?: Buffer): Buffer {
  const data = raw ?? Buffer.concat([Buffer.from(name, 'utf8'), Buffer.alloc(1)]);
  return Buffer.concat([
    tarHeader({ name: '././@LongLink', size: data.length, typeflag: 'L', format: 'gnu' }),
    pad(data),
  ]);
}
