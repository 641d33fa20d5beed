// API tokens: GATE_API_TOKEN, a file of token digests, or (locally, when
// neither is set) a random token generated into $GATE_DATA_DIR/api-token
// with mode 0600. Only SHA-256 digests are kept in memory.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GateError } from '../../core/errors.js';
import { EnvironmentSchema, type Environment } from '../../core/contracts/migration-manifest.js';
import { ALL_ENVS, hashToken, type TokenEntry } from './auth.js';

export interface TokenSetup {
  /** Each token's digest and the environments it may vouch for. */
  tokens: TokenEntry[];
  generatedPath?: string;
}

export async function setupApiTokens(opts: {
  token?: string;
  tokensFile?: string;
  dataDir: string;
}): Promise<TokenSetup> {
  const tokens: TokenEntry[] = [];
  // GATE_API_TOKEN is the operator's own token: every environment.
  if (opts.token) tokens.push({ digest: hashToken(opts.token), envs: ALL_ENVS });
  if (opts.tokensFile) tokens.push(...(await readTokenFile(opts.tokensFile)));
  if (tokens.length > 0) return { tokens };
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
  // The locally generated token belongs to whoever runs the gate: every environment.
  return { tokens: [{ digest: hashToken(token), envs: ALL_ENVS }], generatedPath: file };
}

/**
 * One token per line (`#` comments allowed): `sha256:<hex>`, as `migration-gate
 * token hash` prints, optionally followed by ` envs=prod,staging` (the
 * environments the token may vouch for). A line without `envs=` keeps its
 * meaning from before environments existed: every environment.
 */
async function readTokenFile(file: string): Promise<TokenEntry[]> {
  const text = await fs.readFile(file, 'utf8').catch((e: unknown) => {
    throw new GateError('config-invalid', `GATE_API_TOKENS_FILE: cannot read ${file}`, undefined, {
      cause: e,
    });
  });
  const lines = text.split('\n').map((l, i) => ({ l: l.trim(), n: i + 1 }));
  return lines.filter(({ l }) => l && !l.startsWith('#')).map(({ l, n }) => parseTokenLine(l, n));
}

export function parseTokenLine(line: string, n: number): TokenEntry {
  // Never echo the line: it may be a plaintext token pasted by mistake.
  const m = /^sha256:([0-9a-f]{64})(?:[ \t]+envs=([a-z,]+))?$/.exec(line);
  if (!m)
    throw new GateError(
      'config-invalid',
      `GATE_API_TOKENS_FILE line ${n}: expected sha256:<64 hex> [envs=prod,staging]`,
    );
  return {
    digest: Buffer.from(m[1]!, 'hex'),
    envs: m[2] === undefined ? ALL_ENVS : parseEnvs(m[2], `GATE_API_TOKENS_FILE line ${n}`),
  };
}

/** A comma list of environments, each known, none repeated, at least one. */
export function parseEnvs(text: string, where: string): Environment[] {
  const parts = text.split(',');
  const envs: Environment[] = [];
  for (const p of parts) {
    const e = EnvironmentSchema.safeParse(p.trim());
    if (!e.success)
      throw new GateError('config-invalid', `${where}: envs must be a list of ${ALL_ENVS.join(', ')}`);
    if (envs.includes(e.data)) throw new GateError('config-invalid', `${where}: envs lists ${e.data} twice`);
    envs.push(e.data);
  }
  return envs;
}
