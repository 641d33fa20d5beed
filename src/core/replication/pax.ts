// PAX extended header records: "<len> <key>=<value>\n", len counting itself.
// A repeated key is refused: readers disagree on which copy wins.
import { fail } from './findings.js';

export function parsePaxRecords(data: Uint8Array, where: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) {
      if (data.subarray(pos).every((b) => b === 0)) break;
      fail('archive-corrupt', `${where}: NUL inside PAX records`);
    }
    const sp = data.indexOf(0x20, pos);
    const lenText = sp > pos ? Buffer.from(data.subarray(pos, sp)).toString('latin1') : '';
    if (!/^[1-9][0-9]{0,9}$/.test(lenText)) fail('archive-corrupt', `${where}: malformed PAX record length`);
    const end = pos + Number(lenText);
    if (end > data.length || end <= sp + 1 || data[end - 1] !== 0x0a) fail('archive-corrupt', `${where}: PAX record overruns its header`);
    const kv = Buffer.from(data.subarray(sp + 1, end - 1)).toString('utf8');
    const eq = kv.indexOf('=');
    if (eq <= 0) fail('archive-corrupt', `${where}: PAX record without key=value`);
    const key = kv.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(out, key)) fail('archive-pax-override', `${where}: PAX key ${JSON.stringify(key.slice(0, 64))} appears twice`);
    out[key] = kv.slice(eq + 1);
    pos = end;
  }
  return out;
}
