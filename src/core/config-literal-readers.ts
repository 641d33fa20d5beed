// The reverse of relaxed binding (issue 11). The canonical view lets the rules
// see `TLS: {enabled: false}` as tls.enabled, so an unsafe value is caught
// whatever its spelling. But an app that reads keys literally (a Python dict
// `config['tls']['enabled']`, Go yaml/json struct tags, Node) does not see
// `TLS: {enabled: true}` or flat `tls.enabled: true` at all: it runs with its
// default (TLS off, audit off, no secrets_ref) while the gate, reading the
// canonical view, would ALLOW. So a policy value that asserts safety and
// reaches the canonical view only through a folded or flat spelling is refused.
//
// A value is kept (the rule judges it and raises its normal finding) only when
// it is in the unsafe direction, i.e. the rule itself fails it: then a literal
// reader missing it is no worse. Keys whose absence is the safe reading for the
// rule and for every mainstream default (debug, cors.allowed_origins,
// skip_verify, insecure_skip_verify, ports[].public, ports[].port) are never
// refused: a literal reader missing `DEBUG: false` still runs without debug.
import { AMBIGUOUS, show, type Relaxed } from './config-canonical.js';

const MAX_REPORTED = 5;
const OFF = ['false', 'no', 'off', '0'];
const TLS_VERSIONS = ['1.2', '1.3', 'tlsv1.2', 'tlsv1.3', 'tls1.2', 'tls1.3', 'tlsv1_2', 'tlsv1_3'];
const ANY_ADDRESS = /^(0\.0\.0\.0|\[?::\]?|\*|0:0:0:0:0:0:0:0)(:[0-9]+)?$/;
const SECRET_REF =
  /^(\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*|(env|vault|secretref|ref|file|awssm|ssm|gcpsm|azkv)(:|\+|:\/\/)\S+)$/;

const str = (v: unknown): string => String(v).toLowerCase();
const isMap = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const off = (v: unknown): boolean => OFF.includes(str(v));

/**
 * canonical path -> "the rule fails this value" (mirrors policies/baseline.yaml;
 * anything else found through a relaxed spelling is refused, including odd
 * values the rule would also fail: refusing them too is still a BLOCK).
 */
const UNSAFE: ReadonlyMap<string, (v: unknown) => boolean> = new Map<string, (v: unknown) => boolean>([
  ...['tls.enabled', 'ssl.enabled', 'audit.enabled'].map((k) => [k, off] as const),
  ...['tls.min_version', 'ssl.min_version'].map(
    (k) => [k, (v: unknown) => !TLS_VERSIONS.includes(str(v))] as const,
  ),
  ...['verify_ssl', 'tls.verify', 'tls.verify_ssl', 'ssl.verify', 'ssl.verify_ssl'].map(
    (k) => [k, off] as const,
  ),
  ...['host', 'bind', 'ports[].host', 'ports[].bind'].map(
    (k) => [k, (v: unknown) => ANY_ADDRESS.test(String(v))] as const,
  ),
  [
    'secrets_ref',
    (v: unknown) =>
      !((typeof v === 'string' && /\S/.test(v)) || (isMap(v) && Object.keys(v as object).length > 0)),
  ],
  [
    'secret_key',
    (v: unknown) =>
      !(v === null || isMap(v) || (typeof v === 'string' && (v.length >= 48 || SECRET_REF.test(v)))),
  ],
  ['pbkdf2_iterations', (v: unknown) => !(typeof v === 'number' && v >= 250000)],
]);

/** Whether the baseline rule for canonical path `canon` fails `value` (false for keys not in the table). */
export const failsItsRule = (canon: string, value: unknown): boolean => UNSAFE.get(canon)?.(value) ?? false;

/** The policy keys whose relaxed spelling is refused when the value asserts safety. */
export const LITERAL_READER_KEYS: readonly string[] = [...UNSAFE.keys()];

const shownPath = (shown: string): string =>
  shown
    .split('.')
    .map((s) => (s.endsWith('[]') ? `${show(s.slice(0, -2))}[]` : show(s)))
    .join('.');

/** One `[config-ambiguous]` reason per safety-asserting value only relaxed-binding loaders see. */
export function literalReaderProblems(relaxed: readonly Relaxed[]): string[] {
  const out: string[] = [];
  for (const r of relaxed) {
    const unsafe = UNSAFE.get(r.canon);
    if (unsafe === undefined || unsafe(r.value)) continue;
    const spelling = r.flat ? `flat key "${shownPath(r.shown)}"` : shownPath(r.shown);
    out.push(
      `${AMBIGUOUS} ${spelling} sets ${r.canon} only for relaxed-binding loaders (Spring Boot, Viper, pydantic-settings, .NET); an app that reads keys literally (Python dict, Go struct tags, Node) does not see it and runs with its default: spell it ${r.canon} (nested, exactly this case) so every loader reads it`,
    );
  }
  return out.slice(0, MAX_REPORTED);
}
