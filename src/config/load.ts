// Config is validated once and frozen. A bad setting stops the start with a
// message naming the variable, never a half-configured gate.
import { GateError } from '../core/errors.js';
import { ConfigSchema, ENV_VARS, type GateConfig } from './schema.js';

const SECRET_SETTINGS = new Set(['apiToken', 'auditPostgresUrl']);

export function loadConfig(env: Readonly<Record<string, string | undefined>>): GateConfig {
  const raw: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV_VARS)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const byKey = Object.fromEntries(Object.entries(ENV_VARS).map(([k, v]) => [v, k]));
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const shown = SECRET_SETTINGS.has(key) ? '' : ` (got ${JSON.stringify(raw[key] ?? '').slice(0, 60)})`;
      return `${byKey[key] ?? key}: ${i.message}${shown}`;
    });
    throw new GateError('config-invalid', `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
