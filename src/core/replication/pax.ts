// PAX extended header records: "<len> <key>=<value>\n", len counting itself.
// A repeated key is refused: readers disagree on which copy wins.
import { fail } from './findings.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parsePaxRecords(data: Uint8Array, where: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let pos = 0;
  while (pos < data.length) {
    // Python stops at NUL padding, Go refuses it: a PAX header holds records only.
    if (data[pos] === 0)
      fail(
        'archive-ambiguous',
        `${where}: NUL bytes after the PAX records (Go refuses them, Python ignores them)`,
      );
    const sp = data.indexOf(0x20, pos);
    const lenText = sp > pos ? Buffer.from(data.subarray(pos, sp)).toString('latin1') : '';
    if (!/^[1-9][0-9]{0,9}$/.test(lenText)) fail('archive-corrupt', `${where}: malformed PAX record length`);
    const end = pos + Number(lenText);
    if (end > data.length || end <= sp + 1 || data[end - 1] !== 0x0a)
      fail('archive-corrupt', `${where}: PAX record overruns its header`);
    let kv: string;
    try {
      kv = utf8.decode(data.subarray(sp + 1, end - 1));
    } catch {
      fail('archive-ambiguous', `${where}: a PAX record is not valid UTF-8 (readers decode it differently)`);
    }
    if (kv.includes('\0')) fail('archive-ambiguous', `${where}: NUL inside a PAX record`);
    const eq = kv.indexOf('=');
    if (eq <= 0) fail('archive-corrupt', `${where}: PAX record without key=value`);
    const key = kv.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(out, key))
      fail('archive-pax-override', `${where}: PAX key ${JSON.stringify(key.slice(0, 64))} appears twice`);
    out[key] = kv.slice(eq + 1);
    pos = end;
  }
  return out;
}
