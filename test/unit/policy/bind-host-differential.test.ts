// Differential proof for no-public-bind: each host is bound for real by
// Node's net.Server.listen and by Python's socket.bind (IPv4 and IPv6
// sockets), and read by Python's socket.inet_aton (glibc). Port 0 on the
// local machine, closed at once; nothing is ever sent anywhere. The gate's
// reading must agree: it says "all interfaces" exactly when some real
// consumer binds the unspecified address, and a concrete address only when
// every consumer that binds at all binds that address.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import { readBindHost } from '../../../src/core/policy/bind-host.js';
import { requireTool } from '../../support/require-tool.js';
import { baseline, goodConfig, only, t1 } from './baseline-fixture.js';

const HOSTS = [
  '0',
  '0.0',
  '0.0.0',
  '0x0',
  '000.000.000.000',
  '0x00.0',
  '00',
  '0x0.0x0.0x0.0x0',
  '0.0.0.0',
  '::0',
  '0::',
  '0:0::0',
  '::',
  '0000::',
  '::ffff:0.0.0.0',
  '::ffff:0:0',
  '::%eth0',
  '::%lo',
  '0:0:0:0:0:0:0:0',
  '',
  '0.0.0.0 ',
  // With a port: the host part is what gets bound.
  '0.0.0.0:8080',
  '[::]',
  '[::]:80',
  '[::ffff:0.0.0.0]:80',
  '[0::]:443',
  ':8080',
  '0:8080',
  '0x0:80',
  // Not wildcards: must not be read as one.
  '127.0.0.1',
  '127.1',
  '0x7f.1',
  '::1',
  '[::1]:80',
  'localhost',
  '127.0.0.1:8080',
  '10.0.0.5',
  'fe80::1%lo',
  // Readers disagree or refuse: the gate must refuse them, not pass them.
  '0x',
  '01.02.03.004',
  '010.0.0.1',
  '0.0.0.0.',
  '<broadcast>',
  '08',
  '1.2.3',
  '0.0.0.256',
  ' 127.0.0.1',
];

/** The wildcard convention of nginx, HAProxy, Kestrel and friends; Node and Python refuse the literal. */
const CONVENTION_ONLY = new Set(['*']);

const WILDCARDS = new Set(['0.0.0.0', '::', '::ffff:0.0.0.0']);

interface Bound {
  host: string;
  node: string;
  py4: string;
  py6: string;
  aton: string;
}

/** Python splits host:port the way urllib does, then binds and reads. */
const PY = String.raw`
import json, socket, sys, urllib.parse
out = []
for s, has_port in json.loads(sys.stdin.read()):
    h = s
    if has_port:
        h = urllib.parse.urlsplit('//' + s).hostname or ''
    r = {'host': h}
    for fam, name in ((socket.AF_INET, 'py4'), (socket.AF_INET6, 'py6')):
        k = socket.socket(fam, socket.SOCK_STREAM)
        try:
            k.bind((h, 0)); r[name] = k.getsockname()[0]
        except Exception as e:
            r[name] = 'ERR ' + type(e).__name__
        finally:
            k.close()
    try:
        r['aton'] = socket.inet_ntoa(socket.inet_aton(h))
    except Exception as e:
        r['aton'] = 'ERR ' + type(e).__name__
    out.append(r)
print(json.dumps(out))
`;

const hasPort = (s: string): boolean => /^\[.*\](:\d+)?$/.test(s) || /^[^:]*:\d+$/.test(s);

/** Node's consumer: net.Server.listen(0, host), as a child so it runs in the sealed namespace too. */
const NODE = String.raw`
const net = require('node:net');
let input = '';
process.stdin.on('data', (d) => { input += d; }).on('end', async () => {
  const out = [];
  for (const h of JSON.parse(input)) {
    out.push(await new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', (e) => resolve('ERR ' + (e.code || e.name)));
      s.listen(0, h, () => { const a = s.address(); s.close(); resolve(a.address); });
    }));
  }
  process.stdout.write(JSON.stringify(out));
});
`;

/**
 * Run a probe in a fresh network namespace with only loopback up: a host
 * that is not an IP literal makes getaddrinfo ask DNS, and no such query
 * may leave the machine.
 */
function sealed(argv: readonly string[], input: string): string {
  const r = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sealed', ...argv], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new Error(`${argv[0]} probe failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
  return r.stdout;
}

function consumers(hosts: readonly string[]): Bound[] {
  const py = JSON.parse(
    sealed(['python3', '-c', PY], JSON.stringify(hosts.map((h) => [h, hasPort(h)]))),
  ) as Array<Omit<Bound, 'node'>>;
  const node = JSON.parse(
    sealed([process.execPath, '-e', NODE], JSON.stringify(py.map((p) => p.host))),
  ) as string[];
  return py.map((p, i) => ({ ...p, node: node[i]! }));
}

function agree(host: string, b: Bound, bareNumberIsPort = false): void {
  const gate = readBindHost(host, bareNumberIsPort);
  const seen = [b.node, b.py4, b.py6, b.aton];
  const wildcard = seen.some((a) => WILDCARDS.has(a));
  const why = `${JSON.stringify(host)}: gate ${JSON.stringify(gate)}, consumers ${JSON.stringify(b)}`;
  expect(gate.kind === 'all', why).to.equal(wildcard);
  if (gate.kind === 'address') {
    for (const a of seen) if (!a.startsWith('ERR')) expect(a, why).to.equal(gate.address);
  }
  if (gate.kind === 'name') expect(wildcard, why).to.equal(false);
}

describe('bind hosts: the gate reads them as Node listen, Python bind and inet_aton do', function () {
  this.timeout(60_000);
  before(() => {
    requireTool('python3', ['--version'], 'apt-get install -y python3');
    requireTool(
      'unshare',
      ['-rn', 'true'],
      'apt-get install -y util-linux (and allow unprivileged user namespaces)',
    );
    requireTool('ip', ['-V'], 'apt-get install -y iproute2');
  });

  it('agrees with the real consumers on every listed host', () => {
    const bound = consumers(HOSTS);
    HOSTS.forEach((h, i) => agree(h, bound[i]!));
  });

  it('"*" is the wildcard convention (nginx, Kestrel): the gate treats it as all interfaces', () => {
    for (const h of CONVENTION_ONLY) expect(readBindHost(h).kind).to.equal('all');
  });

  it('a number: Node listen(port, 0) binds everything, and "0" does for Python', async () => {
    const bound = await new Promise<string>((resolve) => {
      const s = net.createServer();
      // listen(port, 0): a number in the host place is taken as the backlog, the host defaults to every interface.
      s.listen(0, 0 as unknown as string, () => {
        const a = s.address();
        s.close();
        resolve(typeof a === 'object' && a ? a.address : '');
      });
    });
    expect(WILDCARDS.has(bound)).to.equal(true);
    expect(readBindHost(String(0)).kind).to.equal('all');
  });

  it('under listen a bare number is a port, and Node binds every interface for it', async () => {
    const any = await new Promise<string>((resolve) => {
      const s = net.createServer();
      s.listen(0, () => {
        const a = s.address();
        s.close();
        resolve(typeof a === 'object' && a ? a.address : '');
      });
    });
    expect(WILDCARDS.has(any)).to.equal(true);
    expect(readBindHost('8080', true).kind).to.equal('all');
  });

  it('agrees with inet_aton and both binds on 300 generated numeric forms (dec/hex/octal, 1 to 4 parts)', () => {
    const part = fc.oneof(
      fc.constantFrom(
        '0',
        '00',
        '000',
        '0x0',
        '0x00',
        '0X0',
        '1',
        '0x7f',
        '0177',
        '255',
        '256',
        '08',
        '0x',
        '4294967295',
        '16777215',
        '65535',
      ),
      fc.nat(300).map(String),
      fc.nat(300).map((n) => `0x${n.toString(16)}`),
      fc.nat(300).map((n) => `0${n.toString(8)}`),
    );
    const hosts = fc.sample(
      fc.array(part, { minLength: 1, maxLength: 4 }).map((ps) => ps.join('.')),
      { numRuns: 300, seed: 11 },
    );
    const bound = consumers(hosts);
    hosts.forEach((h, i) => agree(h, bound[i]!));
  });

  it('every wildcard and every ambiguous host is a no-public-bind finding in prod, at the right path', () => {
    const set = baseline();
    for (const h of [...HOSTS, ...CONVENTION_ONLY]) {
      for (const [place, path] of [
        ['top', 'host'],
        ['port', 'ports[0].bind'],
        ['server', 'server.host'],
        ['listen', 'listen'],
      ] as const) {
        const r = readBindHost(h, place === 'listen');
        if (r.kind === 'address' || r.kind === 'name') continue;
        const c = goodConfig();
        if (place === 'top') c.host = h;
        else if (place === 'port') c.ports = [{ port: 8443, bind: h }];
        else if (place === 'server') c.server = { host: h };
        else c.listen = h;
        const mine = only(t1(set, c), 'no-public-bind');
        expect(
          mine.map((f) => f.path),
          JSON.stringify(h),
        ).to.deep.equal([path]);
        expect(mine[0]!.message).to.contain(r.kind === 'all' ? 'binds all interfaces' : '[config-ambiguous]');
      }
    }
  });
});
