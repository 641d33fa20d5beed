// The migration manifest a T1 test pins its config with: the fields given,
// then config_sha256 of the exact config bytes, as JSON bytes.
import { createHash } from 'node:crypto';

export function manifestFor(config: Uint8Array, fields: Record<string, unknown>): Buffer {
  return Buffer.from(
    JSON.stringify({
      ...fields,
      config_sha256: `sha256:${createHash('sha256').update(config).digest('hex')}`,
    }),
  );
}
