// The differential corpus: hand-written cases from issue 11, every example
// config in examples/, and a fast-check grammar of risky YAML constructs.
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';

/** Plain scalars with (or near) a second reading under YAML 1.1. */
export const RISKY_SCALARS = [
  'on',
  'off',
  'On',
  'OFF',
  'yes',
  'no',
  'Yes',
  'NO',
  'y',
  'n',
  'Y',
  'N',
  'yEs',
  'oN',
  'true',
  'False',
  'TRUE',
  'tRue',
  'null',
  'Null',
  '~',
  'NULL',
  'nUll',
  '0400000',
  '0777',
  '0o17',
  '0O17',
  '0x1F',
  '0X1F',
  '0xff_ff',
  '0b101',
  '0B101',
  '0b1_0',
  '1_000',
  '1__0',
  '_1',
  '1_',
  '+12',
  '-12',
  '+0',
  '-0',
  '0',
  '00',
  '08',
  '09',
  '012',
  '-012',
  '1:20',
  '190:20:30.15',
  '-1:20',
  '1:60',
  '01:20',
  '60:00',
  '1:2:3',
  '12:30:45',
  '.inf',
  '-.inf',
  '+.inf',
  '.Inf',
  '.INF',
  '.NaN',
  '.nan',
  '.NAN',
  'inf',
  'nan',
  'NaN',
  'Infinity',
  '1e3',
  '1E3',
  '1.5e3',
  '1.0e+3',
  '1.0e-3',
  '1e-5',
  '-1.5e-3',
  '1.',
  '.5',
  '-.5',
  '+.5',
  '3.14',
  '0.1',
  '1_000.5',
  '1.0_1',
  '6.8523015e+5',
  '685.230_15e+03',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5',
  '2002-12-14',
  '2001-1-1 1:00:00',
  '2001-12-14T21:59:43Z',
  '20011214',
  '=',
  '<<',
  '12345678901234567890',
  '9007199254740993',
  '9007199254740992',
  '-9007199254740993',
  '0x_',
  '0b',
  '0x',
  '0o',
  '+0x10',
  '-0b11',
  '0b2',
  '0xG',
  'hello',
  'a:b',
  'true_',
  'on_call',
  'nope',
  'Y2K',
  'v1.2',
  '1.2.3',
  '10.0.0.1',
  '0.0.0.0',
  '::',
  '8080',
  '443',
];

const WORDS = [
  'tls',
  'enabled',
  'debug',
  'port',
  'host',
  'verify_ssl',
  'mode',
  'level',
  'name',
  'timeout',
  'retries',
  'x',
  'log',
];

const quote = (s: string, style: number): string => {
  if (style === 1) return `'${s.replace(/'/g, "''")}'`;
  if (style === 2) return JSON.stringify(s);
  if (style === 3) return `!!str ${/^[^\s#:,[\]{}&*!|>'"%@`-]/.test(s) && s !== '' ? s : JSON.stringify(s)}`;
  return s;
};

const generatedNumber = fc.stringMatching(/^[-+]?(0[bxo]?)?[0-9a-fA-F_:.]{0,8}([eE][-+]?[0-9]{1,3})?$/);
const plain = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RISKY_SCALARS) },
  { weight: 2, arbitrary: generatedNumber },
  { weight: 1, arbitrary: fc.constantFrom(...WORDS) },
);
const scalar = fc
  .tuple(plain, fc.nat(5))
  .map(([s, q]) => (q <= 2 ? quote(s, q === 0 ? 0 : q) : q === 3 ? quote(s, 0) : quote(s, q - 2)));
const key = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant('<<') },
);

interface Node {
  render(indent: number, flowOk: boolean): string;
}

const comment = fc.constantFrom('', '', '', ' # note', ' #x: on');
const anchorNames = ['a1', 'a2'];

const leaf = fc.oneof(
  { weight: 6, arbitrary: scalar.map((s): Node => ({ render: () => s })) },
  { weight: 1, arbitrary: fc.constantFrom(...anchorNames).map((a): Node => ({ render: () => `*${a}` })) },
);

const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(fc.tuple(key, tie('node'), comment), { minLength: 1, maxLength: 4 }).map((entries): Node => ({
      render: (indent, flowOk) => {
        if (flowOk && entries.length <= 2 && entries.every(([, v]) => !v.render(0, false).includes('\n'))) {
          return `{${entries.map(([k, v]) => `${k}: ${v.render(0, false)}`).join(', ')}}`;
        }
        const pad = ' '.repeat(indent);
        return (
          '\n' +
          entries
            .map(([k, v, c]) => {
              const body = v.render(indent + 2, true);
              return `${pad}${k}:${body.startsWith('\n') ? c + body : ` ${body}${c}`}`;
            })
            .join('\n')
        );
      },
    })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((items): Node => ({
      render: (indent, flowOk) => {
        if (flowOk && items.every((v) => !v.render(0, false).includes('\n')))
          return `[${items.map((v) => v.render(0, false)).join(', ')}]`;
        const pad = ' '.repeat(indent);
        return (
          '\n' +
          items
            .map((v) => {
              const body = v.render(indent + 2, false);
              return body.startsWith('\n') ? `${pad}-${body}` : `${pad}- ${body}`;
            })
            .join('\n')
        );
      },
    })),
  ),
})).node;

const anchored = fc
  .tuple(
    fc.constantFrom(...anchorNames),
    fc.constantFrom(
      '{debug: true, verify_ssl: false}',
      '{port: 0400000}',
      '\n  tls: on',
      'on',
      '"x"',
      '[1, 2]',
    ),
  )
  .map(([a, v]) => `base_${a}: &${a} ${v}\n`);

/** A whole config: optional anchored defaults, top-level entries, optional merge, comment, second document. */
export const configText: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(anchored, { maxLength: 2 }),
    fc.array(fc.tuple(key, node, comment), { minLength: 1, maxLength: 5 }),
    fc.constantFrom(
      '',
      '',
      '',
      '<<: *a1\n',
      '<<: [*a1, *a2]\n',
      '"<<": {debug: true}\n',
      'x:\n  <<: {debug: true}\n  debug: false\n',
    ),
    fc.constantFrom('', '', '', '', '---\n', '%YAML 1.1\n---\n', '# head\n'),
    fc.constantFrom('', '', '', '', '\n---\nb: 1\n', '\n...\n'),
  )
  .map(
    ([anchors, entries, merge, head, tail]) =>
      head +
      anchors.join('') +
      merge +
      entries
        .map(([k, v, c]) => {
          const body = v.render(2, true);
          return `${k}:${body.startsWith('\n') ? c + body : ` ${body}${c}`}`;
        })
        .join('\n') +
      '\n' +
      tail,
  );

/** JSON configs: quoted keys and strings, JSON numbers and literals. */
export const jsonConfigText: fc.Arbitrary<string> = fc
  .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(...RISKY_SCALARS), fc.boolean())
  .map(([v, mode, pretty]) => JSON.stringify({ app: v, mode, [mode]: 1 }, null, pretty ? 2 : undefined));

/** Issue 11's cases, written out. */
export const FIXED_CASES: string[] = [
  '<<: {debug: true, verify_ssl: false}\ntls:\n  enabled: true\n',
  'defaults: &defaults\n  debug: true\n  verify_ssl: false\napp:\n  <<: *defaults\n  name: x\n',
  'a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n',
  '"<<": {debug: true}\n',
  "'<<': 1\n",
  'port: 0400000\n',
  'mode: 0o17\n',
  'debug: y\n',
  'debug: n\n',
  'debug: yes\n',
  'debug: No\n',
  'debug: ON\n',
  'debug: off\n',
  'timeout: 1:20\n',
  'when: 190:20:30.15\n',
  'count: 1_000\n',
  'limit: .inf\n',
  'flags: 0b101\n',
  'n: +12\n',
  'd: 2001-12-14\n',
  'x: ~\n',
  'x: =\n',
  'on: 1\n',
  '1:20: a\n',
  'y: 2\n',
  'big: 12345678901234567890\n',
  'e: 1e3\n',
  'f: 08\n',
  '__proto__: {polluted: true}\n',
  'constructor: {name: x}\nprototype: 1\n',
  'a: {__proto__: 1}\n',
  '{"tls": {"enabled": true}, "port": 8443, "debug": false, "mode": "on", "n": null, "f": 1.5, "e": 1.5e3, "neg": -0}\n',
  '{"a": "0400000", "b": "yes", "c": "1:20", "d": "2001-12-14", "<<": {"x": 1}}\n',
  '? [a, b]\n: 1\n',
  '{a: 1}: 2\n',
  'a: !!int 0777\n',
  'a: !!str on\n',
  'a: !!bool yes\n',
  'a: ! on\n',
  'a: !!float 1e3\n',
  'a: !!null ""\n',
  '%YAML 1.1\n---\na: on\n',
  '%YAML 1.2\n---\na: 0777\n',
];

function configMapConfigs(p: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const doc of loadAll(readFileSync(p, 'utf8'))) {
    const data = (doc as { data?: Record<string, unknown> } | null)?.data ?? {};
    for (const [k, v] of Object.entries(data))
      if (typeof v === 'string' && /\.(ya?ml|json)$/.test(k) && !/manifest/.test(k))
        out.push({ path: `${p}#data.${k}`, text: v });
  }
  return out;
}

/**
 * Every app config under examples/: the app-config files of the t1 folders,
 * and the configs embedded in the k8s ConfigMaps (data keys named like a
 * YAML/JSON file).
 */
export function exampleConfigs(root = 'examples'): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (dir.endsWith('k8s') && /\.ya?ml$/.test(name)) out.push(...configMapConfigs(p));
      else if (/config.*\.(ya?ml|json)$/i.test(name)) out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}
