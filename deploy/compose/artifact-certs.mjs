/* global process, console */
// One-shot job of the compose demo, run in the gate image before the artifact
// store starts: a throwaway CA and a serving certificate for the host name
// `artifacts`, made with the gate's own certificate code. The CA certificate
// goes to one volume (mounted read-only into the gate, GATE_ARTIFACT_CA_FILE),
// the store's key to another (mounted only into the store), so no private key
// is ever committed or shared. Reused while present.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueCa, issueServing } from '/app/dist/adapters/tls/issue-certs.js';

const [caDir = '/certs/ca', tlsDir = '/certs/tls'] = process.argv.slice(2);
const caFile = path.join(caDir, 'ca.crt');
if (existsSync(caFile) && existsSync(path.join(tlsDir, 'server.key'))) {
  console.log(`artifact-certs: reusing ${caFile}`);
  process.exit(0);
}
const now = new Date();
const ca = await issueCa(now, 'migration-gate compose artifact CA');
const serving = await issueServing(ca, ['artifacts'], now);
// The store runs as another uid (101) and reads the key from its own volume.
writeFileSync(path.join(tlsDir, 'server.key'), serving.key, { mode: 0o644 });
writeFileSync(path.join(tlsDir, 'server.crt'), serving.cert + ca.cert, { mode: 0o644 });
writeFileSync(caFile, ca.cert, { mode: 0o644 });
console.log(`artifact-certs: wrote ${caFile} and the store's certificate for "artifacts"`);
