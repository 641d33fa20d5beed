// Options several commands share, and how they fall back to the
// environment. Flags win over the environment; the environment wins over
// the defaults. GATE_SERVER makes the validate commands ask that server
// (use --local to evaluate here anyway).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { CommandIo, OptionSpec, Values } from './command.js';
import type { RemoteOptions } from './remote.js';

/** The policies this build ships: ../../policies from src/cli/ and from dist/cli/ alike. */
export const SHIPPED_POLICY_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

export const SERVER_OPTIONS: Record<string, OptionSpec> = {
  server: { type: 'string', valueName: 'URL', description: "ask this gate's REST API (env GATE_SERVER)" },
  token: {
    type: 'string',
    valueName: 'TOKEN',
    description: 'bearer token for --server (env GATE_API_TOKEN)',
  },
};

export const LOCAL_OPTION: Record<string, OptionSpec> = {
  local: { type: 'boolean', description: 'evaluate on this machine even when GATE_SERVER is set' },
};

export const POLICY_OPTIONS: Record<string, OptionSpec> = {
  policies: {
    type: 'string',
    valueName: 'DIR',
    completeFiles: true,
    description: 'policy directory (env GATE_POLICY_DIR; default: the policies shipped with the CLI)',
  },
  keys: {
    type: 'string',
    valueName: 'DIR',
    completeFiles: true,
    description: 'pinned public keys (env GATE_KEYS_DIR; default: DIR/keys of the policy directory)',
  },
};

export function remoteOf(values: Values, io: CommandIo): RemoteOptions | undefined {
  if (values.local === true) return undefined;
  const server = str(values.server) ?? nonEmpty(io.env.GATE_SERVER);
  if (!server) return undefined;
  const token = str(values.token) ?? nonEmpty(io.env.GATE_API_TOKEN);
  return { server, ...(token ? { token } : {}) };
}

export function policyDirOf(values: Values, io: CommandIo): string {
  const given = str(values.policies) ?? nonEmpty(io.env.GATE_POLICY_DIR);
  return given ? path.resolve(io.cwd, given) : SHIPPED_POLICY_DIR;
}

export function keysDirOf(values: Values, io: CommandIo, policyDir: string): string {
  const given = str(values.keys) ?? nonEmpty(io.env.GATE_KEYS_DIR);
  return given ? path.resolve(io.cwd, given) : path.join(policyDir, 'keys');
}

export function str(v: Values[string]): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A repeatable option's values (none, one or many), in the order given. */
export function strs(v: Values[string]): string[] {
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.filter((x): x is string => typeof x === 'string');
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.length > 0 ? v : undefined;
}
