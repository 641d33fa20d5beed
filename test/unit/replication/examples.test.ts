// Every committed T2 example gets the decision its expected.json promises.
import { expect } from 'chai';
import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPLICATION_LIMITS, verifyReplication } from '../../../src/core/replication/pipeline.js';
import { decide } from '../../../src/core/decision.js';
import { baselinePolicies, source, walFiles } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const key = {
  id: 'example-ed25519',
  key: createPublicKey(readFileSync(join(ROOT, 'examples/keys/trusted/example-ed25519.pub.pem'))),
};

async function evaluate(dir: string) {
  const manifestBytes = readFileSync(join(dir, 'replication_manifest.yaml'));
  const sig = join(dir, 'replication_manifest.yaml.sig');
  const walDir = join(dir, 'wal');
  const wal = existsSync(walDir)
    ? readdirSync(walDir)
        .sort()
        .map((name) => ({ name, data: readFileSync(join(walDir, name)) }))
    : [];
  const evaluation = await verifyReplication({
    manifestBytes,
    ...(existsSync(sig) ? { signature: { kind: 'detached' as const, bytes: readFileSync(sig) } } : {}),
    snapshot: source(readFileSync(join(dir, 'snapshot.tar.gz'))),
    wal: walFiles(wal),
    keys: [key],
    limits: DEFAULT_REPLICATION_LIMITS,
    policies: baselinePolicies,
  });
  return decide(evaluation, { requestId: 'ex', timestamp: '2026-01-01T00:00:00Z' });
}

describe('T2 examples', () => {
  it('examples/t2_good -> ALLOW', async () => {
    const r = await evaluate(join(ROOT, 'examples/t2_good'));
    expect(r.reasons).to.deep.equal([]);
    expect(r.decision).to.equal('ALLOW');
  });
  const badRoot = join(ROOT, 'examples/t2_bad');
  for (const name of existsSync(badRoot) ? readdirSync(badRoot).sort() : []) {
    const expected = JSON.parse(readFileSync(join(badRoot, name, 'expected.json'), 'utf8')) as {
      decision: string;
      rule: string;
    };
    it(`examples/t2_bad/${name} -> ${expected.decision} [${expected.rule}]`, async () => {
      const r = await evaluate(join(badRoot, name));
      expect(r.decision).to.equal(expected.decision);
      expect(r.reasons.join('\n')).to.contain(`[${expected.rule}]`);
    });
  }
});
