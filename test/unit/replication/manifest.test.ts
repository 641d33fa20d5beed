import { expect } from 'chai';
import { goodCase, manifestYaml, run } from './helpers.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../../src/core/replication/limits.js';

const base = goodCase().fields;

async function manifestBlocks(bytes: Buffer, rule: string, mention?: string) {
  const { report, rules, evaluation } = await run({ manifestBytes: bytes });
  expect(report.decision).to.equal('BLOCK');
  expect(rules, report.reasons.join('\n')).to.include(rule);
  if (mention) expect(report.reasons.join('\n')).to.contain(mention);
  // Every later step is still listed, as skipped.
  expect(evaluation.steps.filter((s) => s.status === 'skipped').length).to.be.greaterThan(4);
  return report;
}

describe('replication manifest: parse, schema, digest policy', () => {
  it('md5 expected hash is outdated', () =>
    manifestBlocks(
      manifestYaml({ ...base, expected_snapshot_hash: 'md5:d41d8cd98f00b204e9800998ecf8427e' }),
      'outdated-hash-algorithm',
      'md5',
    ));
  it('a bare 32-hex hash is outdated', () =>
    manifestBlocks(
      manifestYaml({ ...base, expected_snapshot_hash: 'd41d8cd98f00b204e9800998ecf8427e' }),
      'outdated-hash-algorithm',
    ));
  it('sha1 and crc32 are outdated', async () => {
    await manifestBlocks(
      manifestYaml({ ...base, expected_snapshot_hash: `sha1:${'a'.repeat(40)}` }),
      'outdated-hash-algorithm',
    );
    await manifestBlocks(
      manifestYaml({ ...base, expected_snapshot_hash: 'crc32:deadbeef' }),
      'outdated-hash-algorithm',
    );
  });
  it('an unknown algorithm', () =>
    manifestBlocks(
      manifestYaml({ ...base, expected_snapshot_hash: `blake9:${'a'.repeat(64)}` }),
      'unknown-hash-algorithm',
    ));
  it('a WAL entry with a weak digest', () =>
    manifestBlocks(
      manifestYaml({
        ...base,
        wal_files: [{ name: '000000010000000000000001', sha256: 'md5:d41d8cd98f00b204e9800998ecf8427e' }],
      }),
      'outdated-hash-algorithm',
      'wal_files',
    ));
  it('a missing required field is named', () => {
    const { source_db: _s, ...rest } = base;
    return manifestBlocks(manifestYaml(rest), 'manifest-missing-field', 'source_db');
  });
  it('an invalid sync_mode', () =>
    manifestBlocks(manifestYaml({ ...base, sync_mode: 'semi' }), 'manifest-invalid-field', 'sync_mode'));
  it('duplicate keys are a parse error', () =>
    manifestBlocks(
      Buffer.concat([manifestYaml(base), Buffer.from('sync_mode: async\n')]),
      'manifest-parse-error',
    ));
  it('a billion-laughs manifest is refused', async () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      lol.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`,
      );
    }
    const r = await manifestBlocks(Buffer.from(`${lol.join('\n')}\n`), 'manifest-parse-error');
    expect(r.reasons[0]).to.match(/alias/i);
  });
  it('an oversized manifest', async () => {
    const { rules } = await run({
      manifestBytes: Buffer.alloc(2 * 1024 * 1024, 0x61),
      limits: DEFAULT_REPLICATION_LIMITS,
    });
    expect(rules).to.deep.equal(['manifest-parse-error']);
  });
  it('JSON is YAML', async () => {
    const { report } = await run({ manifestBytes: Buffer.from(JSON.stringify(base)) });
    expect(report.decision, report.reasons.join()).to.equal('ALLOW');
  });
  it('unknown fields warn but do not block', async () => {
    const { report } = await run({ manifestBytes: manifestYaml({ ...base, owner: 'dba' }) });
    expect(report.decision).to.equal('ALLOW');
    expect(report.warnings.join()).to.contain('manifest-unknown-field');
  });
  it('env defaults to prod (stricter)', async () => {
    const { env: _e, ...rest } = base;
    const { report, evaluation } = await run({ manifestBytes: manifestYaml(rest) });
    expect(evaluation.subject.env).to.equal('prod');
    expect(report.reasons.join()).to.contain('t2-signature-required');
  });
  it('sha512 expected hash is accepted and used', async () => {
    const { createHash } = await import('node:crypto');
    const g = goodCase();
    const fields = {
      ...g.fields,
      expected_snapshot_hash: `sha512:${createHash('sha512').update(g.snapshot).digest('hex')}`,
    };
    const { report } = await run({ fields });
    expect(report.decision, report.reasons.join()).to.equal('ALLOW');
    expect(report.subject.snapshot_digest).to.match(/^sha512:/);
  });
  it('a throwing policy engine blocks', async () => {
    const { rules } = await run({
      policies: () => {
        throw new Error('cel cost limit');
      },
    });
    expect(rules).to.deep.equal(['policy-evaluation-error']);
  });
});
