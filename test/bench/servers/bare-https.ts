// Baseline for the admission benchmark: a bare Node HTTPS server that reads
// the AdmissionReview and answers a fixed one. Key and cert come from
// BENCH_TLS_KEY / BENCH_TLS_CERT (PEM file paths). Prints its port.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'fixed', allowed: true },
});
const server = https.createServer(
  {
    key: readFileSync(process.env.BENCH_TLS_KEY!),
    cert: readFileSync(process.env.BENCH_TLS_CERT!),
    minVersion: 'TLSv1.2',
  },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  },
);
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
