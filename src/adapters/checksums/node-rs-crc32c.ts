// CRC-32C with the CPU's CRC32 instruction, from @node-rs/crc32 (MIT,
// napi-rs; its linux-x64-gnu binary is an optionalDependency from the npm
// registry, no download at install): ~10x the core's table loop, which
// dominated verification profiles. Where the binary does not load or gives
// a wrong check value, there is no port and the core's loop is used.
import { createRequire } from 'node:module';
import type { ChecksumPort } from '../../core/ports/checksums.js';

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

export function nodeRsChecksums(): ChecksumPort | undefined {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc32c };
    const f = mod.crc32c;
    if (!f || f(Buffer.from('123456789')) !== 0xe3069283) return undefined;
    return { crc32c: (data, state) => f(data, state) };
  } catch {
    return undefined;
  }
}
