// Baseline for the T1 benchmark: a bare Node HTTP server that reads the body
// and answers a fixed JSON report. Prints its port on stdout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ decision: 'ALLOW', reasons: [], steps: [], findings: [] });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
