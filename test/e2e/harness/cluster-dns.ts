// Cluster DNS for the e2e node, the part of CoreDNS's `kubernetes` plugin
// that pods here use: A records for `<service>.<namespace>.svc.<domain>`
// (the Service's ClusterIP, looked up in the apiserver at query time, so a
// Service created a moment ago resolves), NOERROR with no answer for other
// types of such a name, NXDOMAIN for everything else (no upstream: the
// machine reaches no DNS anyway). Kubelet points pods at it (clusterDNS);
// kube-proxy routes the ClusterIP. Runs in the test process: it dies with it.
import { createSocket, type Socket } from 'node:dgram';
import { request } from 'node:https';

export interface ClusterDns {
  close(): Promise<void>;
}

interface ApiAccess {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const TYPE_A = 1;

function clusterIp(api: ApiAccess, ns: string, name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      `${api.server}/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}`,
      { ca: api.caPem, cert: api.certPem, key: api.keyPem, timeout: 2_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(undefined);
          try {
            const ip = (JSON.parse(body) as { spec?: { clusterIP?: string } }).spec?.clusterIP;
            resolve(ip && ip !== 'None' ? ip : undefined);
          } catch {
            resolve(undefined);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The question's name (lower case), type and where it ends; undefined for anything malformed. */
function parseQuestion(msg: Buffer): { name: string; qtype: number; end: number } | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    const len = msg[off];
    if (len === undefined || len > 63) return undefined; // no compression in a question
    off++;
    if (len === 0) break;
    if (off + len > msg.length) return undefined;
    labels.push(
      msg
        .subarray(off, off + len)
        .toString('latin1')
        .toLowerCase(),
    );
    off += len;
  }
  if (off + 4 > msg.length) return undefined;
  return { name: labels.join('.'), qtype: msg.readUInt16BE(off), end: off + 4 };
}

function answer(msg: Buffer, q: { qtype: number; end: number }, rcode: number, ip?: string): Buffer {
  const header = Buffer.alloc(12);
  msg.copy(header, 0, 0, 2); // id
  const rd = (msg[2] ?? 0) & 0x01;
  header.writeUInt16BE(0x8400 | (rd << 8) | rcode, 2); // QR, AA, RD echoed
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ip ? 1 : 0, 6);
  const question = msg.subarray(12, q.end);
  if (!ip) return Buffer.concat([header, question]);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // the name: pointer to the question
  rr.writeUInt16BE(TYPE_A, 2);
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(5, 6); // TTL: Services come and go in tests
  rr.writeUInt16BE(4, 10);
  ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
  return Buffer.concat([header, question, rr]);
}

export function startClusterDns(api: ApiAccess, host: string, domain = 'cluster.local'): Promise<ClusterDns> {
  const sock: Socket = createSocket('udp4');
  const suffix = `.svc.${domain}`;
  sock.on('message', (msg, peer) => {
    void (async () => {
      const q = parseQuestion(msg);
      if (!q) return;
      let rcode = 3; // NXDOMAIN
      let ip: string | undefined;
      if (q.name.endsWith(suffix)) {
        const parts = q.name.slice(0, -suffix.length).split('.');
        if (parts.length === 2 && parts[0] && parts[1]) {
          const found = await clusterIp(api, parts[1], parts[0]);
          if (found) {
            rcode = 0;
            if (q.qtype === TYPE_A) ip = found;
          }
        }
      }
      sock.send(answer(msg, q, rcode, ip), peer.port, peer.address);
    })();
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(53, host, () => {
      sock.unref();
      resolve({ close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}
