// API tokens: GATE_API_TOKEN, a file of token digests, or (locally, when
// neither is set) a random token generated into $GATE_DATA_DIR/api-token
// with mode 0600. Only SHA-256 digests are kept in memory.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GateError } from '../core/errors.js';
import { hashToken } from './http/auth.js';

export interface TokenSetup {
  digests: Buffer[];
  generatedPath?: string;
}

export async function setupApiTokens(opts: { token?: string; tokensFile?: string; dataDir: string }): Promise<TokenSetup> {
  const digests: Buffer[] = [];
  if (opts.token) digests.push(hashToken(opts.token));
  if (opts.tokensFile) digests.push(...(await readDigestFile(opts.tokensFile)));
  if (digests.length > 0) return { digests };
  const file = path.join(opts.dataDir, 'api-token');
  await fs.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  let token: string;
  try {
    token = (await fs.readFile(file, 'utf8')).trim();
  } catch {
    token = randomBytes(32).toString('base64url');
    await fs.writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  }
  await fs.chmod(file, 0o600);
  return { digests: [hashToken(token)], generatedPath: file };
}

/** One `sha256:<hex>` digest per line (`#` comments allowed), as `migration-gate token hash` prints. */
async function readDigestFile(file: string): Promise<Buffer[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new GateError('config-invalid', `GATE_API_TOKENS_FILE: cannot read ${file}`);
  });
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l, i) => {
    const m = /^sha256:([0-9a-f]{64})$/.exec(l);
    if (!m) throw new GateError('config-invalid', `GATE_API_TOKENS_FILE line ${i + 1}: expected sha256:<64 hex>`);
    return Buffer.from(m[1]!, 'hex');
  });
}
