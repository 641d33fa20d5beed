// Built-in `public-bind`: every place a T1 config names the host a server
// binds, read the way the server will read it (bind-host.ts). A wildcard
// bind, a port marked public, or a host whose readers disagree is a hit.
// Keys are the canonical snake_case names: spellings (`Host`, `server-host`,
// flat `server.host`) are folded into these before policies run.
import { readBindHost } from './bind-host.js';
import type { BuiltinCheck, BuiltinHit } from './types.js';

/** Keys holding a bind host, at the top level, under `server`, and in each `ports[]` entry (`host_ip`: Compose's long port syntax). */
const HOST_KEYS = ['host', 'bind', 'listen', 'address', 'host_ip'] as const;
const MAX_NESTING = 4;

export const AMBIGUOUS_BIND = '[config-ambiguous]';

type Obj = Record<string, unknown> | Map<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

// A map holding a `constructor` key reaches policies as a Map (cel-values.ts):
// its keys must be read like any other map's, or a config would hide its
// binds behind one extra key.
const has = (o: Obj, key: string): boolean => (o instanceof Map ? o.has(key) : Object.hasOwn(o, key));
const get = (o: Obj, key: string): unknown => (o instanceof Map ? o.get(key) : o[key]);
const entriesOf = (o: Obj): Array<[string, unknown]> => (o instanceof Map ? [...o] : Object.entries(o));

/** Hits for one config, in a stable order; never the host text itself. */
export function findPublicBinds(config: unknown): BuiltinHit[] {
  const hits: BuiltinHit[] = [];
  if (!isObj(config)) return hits;
  checkHostKeys(config, '', hits, 0);
  const server = get(config, 'server');
  if (isObj(server)) checkHostKeys(server, 'server', hits, 0);
  const ports = get(config, 'ports');
  const entries = Array.isArray(ports)
    ? ports.map((p, i): [string, unknown] => [`ports[${i}]`, p])
    : isObj(ports)
      ? entriesOf(ports).map(([k, p]): [string, unknown] => [`ports.${k}`, p])
      : [];
  for (const [at, p] of entries) {
    // A bare port number names no host: the existing contract leaves it alone.
    if (!isObj(p)) continue;
    checkHostKeys(p, at, hits, 0);
    if (String(get(p, 'public')).toLowerCase() === 'true')
      hits.push({ path: `${at}.public`, detail: 'the port is marked public' });
  }
  return hits;
}

function checkHostKeys(obj: Obj, at: string, hits: BuiltinHit[], depth: number): void {
  for (const key of HOST_KEYS) {
    if (!has(obj, key)) continue;
    checkValue(get(obj, key), at ? `${at}.${key}` : key, key === 'listen', hits, depth);
  }
}

function checkValue(
  value: unknown,
  path: string,
  bareNumberIsPort: boolean,
  hits: BuiltinHit[],
  depth: number,
): void {
  if (value === null || value === undefined) return;
  if (depth > MAX_NESTING) {
    hits.push({ path, detail: `${AMBIGUOUS_BIND} bind host nested too deep to read` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkValue(v, `${path}[${i}]`, bareNumberIsPort, hits, depth + 1));
    return;
  }
  // `{host: ..., port: ...}` under `listen` or `address`: the host inside counts.
  if (isObj(value)) return checkHostKeys(value, path, hits, depth + 1);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      hits.push({ path, detail: `${AMBIGUOUS_BIND} a non-integral number is not a host` });
      return;
    }
    return checkString(String(value), path, bareNumberIsPort, hits);
  }
  if (typeof value === 'string') return checkString(value, path, bareNumberIsPort, hits);
  hits.push({ path, detail: `${AMBIGUOUS_BIND} a ${typeof value} is not a host` });
}

function checkString(value: string, path: string, bareNumberIsPort: boolean, hits: BuiltinHit[]): void {
  const r = readBindHost(value, bareNumberIsPort);
  if (r.kind === 'all') hits.push({ path, detail: `binds all interfaces (reads as ${r.address})` });
  else if (r.kind === 'ambiguous')
    hits.push({ path, detail: `${AMBIGUOUS_BIND} bind host cannot be read one way: ${r.why}` });
}

export const publicBindBuiltin: BuiltinCheck = {
  name: 'public-bind',
  description:
    'hosts that bind all interfaces as Node listen / Python bind / inet_aton read them, ports marked public, and hosts readers disagree on',
  scenarios: ['T1'],
  run(ctx): BuiltinHit[] {
    return findPublicBinds(ctx.vars.config);
  },
};
