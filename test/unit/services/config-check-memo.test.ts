// The T1 memo answers only for exactly the inputs it computed for, hands out
// copies that cannot change what later requests get, and stays bounded.
import { expect } from 'chai';
import type { Evaluation } from '../../../src/core/contracts/report.js';
import {
  ConfigCheckMemo as T1Memo,
  type ConfigCheckMemoInput as T1MemoInput,
} from '../../../src/services/validation/config-check-memo.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const input = (over: Partial<T1MemoInput> = {}): T1MemoInput => ({
  manifest: { app_id: 'orders-api', env: 'prod', version: '1', config_sha256: 'sha256:00' },
  config: bytes('tls:\n  enabled: true\n'),
  maxConfigBytes: 1024,
  policyDigest: 'sha256:aa',
  keyDigest: 'sha256:k1',
  ...over,
});
const evaluation = (rule = 'x'): Evaluation => ({
  scenario: 'T1',
  subject: { app_id: 'orders-api', env: 'prod' },
  steps: [{ step: 'parse', status: 'pass' }],
  findings: [{ rule, severity: 'high', action: 'block', message: 'm' }],
});

describe('T1 memo', () => {
  it("evaluates once per distinct input and merges each caller's subject over the pipeline's", () => {
    const memo = new T1Memo();
    let runs = 0;
    const run = (): Evaluation => {
      runs++;
      return evaluation();
    };
    const a = memo.evaluate(input(), { namespace: 'a', name: 'cm' }, run);
    const b = memo.evaluate(input(), { namespace: 'b', name: 'cm', app_id: 'given' }, run);
    expect(runs).to.equal(1);
    expect(a.subject).to.deep.equal({ app_id: 'orders-api', env: 'prod', namespace: 'a', name: 'cm' });
    expect(b.subject).to.deep.equal({ app_id: 'given', env: 'prod', namespace: 'b', name: 'cm' });
    expect(memo.stats()).to.include({ hits: 1, misses: 1, entries: 1 });
  });

  it('a different byte anywhere is a different entry', () => {
    const memo = new T1Memo();
    let runs = 0;
    const run = (): Evaluation => {
      runs++;
      return evaluation();
    };
    memo.evaluate(input(), {}, run);
    memo.evaluate(input({ config: bytes('tls:\n  enabled: false\n') }), {}, run);
    memo.evaluate(
      input({ manifest: { app_id: 'orders-api', env: 'staging', version: '1', config_sha256: 'sha256:00' } }),
      {},
      run,
    );
    memo.evaluate(input({ policyDigest: 'sha256:bb' }), {}, run);
    memo.evaluate(input({ maxConfigBytes: 10 }), {}, run);
    memo.evaluate(input({ manifest: bytes('{"app_id":"orders-api"}') }), {}, run);
    // Issue 12: a change of the pinned key set never serves an old verdict.
    memo.evaluate(input({ keyDigest: 'sha256:k2' }), {}, run);
    expect(runs).to.equal(7);
  });

  it('bytes cannot be shifted between the manifest and the config', () => {
    const memo = new T1Memo();
    let runs = 0;
    const run = (): Evaluation => {
      runs++;
      return evaluation();
    };
    memo.evaluate(input({ manifest: bytes('ab'), config: bytes('cd') }), {}, run);
    memo.evaluate(input({ manifest: bytes('a'), config: bytes('bcd') }), {}, run);
    memo.evaluate(input({ manifest: bytes('abc'), config: bytes('d') }), {}, run);
    expect(runs).to.equal(3);
  });

  it('hands out copies: changing an answer does not change the next one', () => {
    const memo = new T1Memo();
    const first = memo.evaluate(input(), {}, () => evaluation());
    first.findings.push({ rule: 'added', severity: 'low', action: 'warn', message: 'm' });
    first.steps.length = 0;
    expect(() => {
      (first.findings[0] as { rule: string }).rule = 'changed';
    }).to.throw(TypeError);
    const second = memo.evaluate(input(), {}, () => evaluation('other'));
    expect(second.findings.map((f) => f.rule)).to.deep.equal(['x']);
    expect(second.steps).to.have.length(1);
  });

  it('evicts the least recently used entry at capacity', () => {
    const memo = new T1Memo(2);
    let runs = 0;
    const run = (): Evaluation => {
      runs++;
      return evaluation();
    };
    const one = input({ config: bytes('a: 1\n') });
    const two = input({ config: bytes('a: 2\n') });
    const three = input({ config: bytes('a: 3\n') });
    memo.evaluate(one, {}, run);
    memo.evaluate(two, {}, run);
    memo.evaluate(one, {}, run); // one is now the most recent
    memo.evaluate(three, {}, run); // evicts two
    expect(runs).to.equal(3);
    memo.evaluate(one, {}, run);
    expect(runs).to.equal(3);
    memo.evaluate(two, {}, run);
    expect(runs).to.equal(4);
    expect(memo.stats().entries).to.equal(2);
  });

  it('a manifest that cannot be keyed is evaluated every time, never cached', () => {
    const memo = new T1Memo();
    let runs = 0;
    const run = (): Evaluation => {
      runs++;
      return evaluation();
    };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    memo.evaluate(input({ manifest: cyclic }), {}, run);
    memo.evaluate(input({ manifest: cyclic }), {}, run);
    expect(runs).to.equal(2);
    expect(memo.stats().entries).to.equal(0);
  });
});
