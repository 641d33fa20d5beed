import { expect } from 'chai';
import { baseline, only, rulesOf, t2, t2Vars } from './baseline-fixture.js';

const set = baseline();

describe('baseline T2 rules', () => {
  it('accepts good facts in prod and staging', () => {
    expect(t2(set, t2Vars(), 'prod')).to.deep.equal([]);
    expect(t2(set, t2Vars(), 'staging')).to.deep.equal([]);
  });

  describe('t2-signature-required', () => {
    it('blocks an unsigned manifest in prod', () => {
      const fs = only(
        t2(set, t2Vars({ signature: { present: false, verified: false } })),
        't2-signature-required',
      );
      expect(fs.map((f) => f.action)).to.deep.equal(['block']);
      expect(fs[0]?.message).to.contain('(found false)');
    });
    it('only warns in staging', () => {
      const fs = only(
        t2(set, t2Vars({ signature: { present: false, verified: false } }), 'staging'),
        't2-signature-required',
      );
      expect(fs.map((f) => f.action)).to.deep.equal(['warn']);
    });
    it('treats an absent signature.verified as unsigned', () => {
      expect(rulesOf(t2(set, t2Vars({ signature: { verified: undefined } })))).to.include(
        't2-signature-required',
      );
    });
    it('a missing signature variable blocks as an evaluation error', () => {
      const vars = t2Vars();
      delete vars.signature;
      const fs = t2(set, vars, 'staging');
      expect(fs.map((f) => [f.rule, f.action])).to.deep.equal([['policy-evaluation-error', 'block']]);
      expect(fs[0]?.message).to.contain('t2-signature-required').and.contain('unknown_variable');
    });
  });

  describe('t2-strong-hash', () => {
    for (const algorithm of ['sha256', 'sha384', 'sha512']) {
      it(`accepts ${algorithm}`, () =>
        expect(only(t2(set, t2Vars({ hash: { algorithm } })), 't2-strong-hash')).to.deep.equal([]));
    }
    for (const algorithm of ['md5', 'sha1', 'crc32']) {
      it(`blocks ${algorithm} in prod and staging`, () => {
        expect(
          only(t2(set, t2Vars({ hash: { algorithm } })), 't2-strong-hash').map((f) => f.action),
        ).to.deep.equal(['block']);
        expect(
          only(t2(set, t2Vars({ hash: { algorithm } }), 'staging'), 't2-strong-hash').map((f) => f.action),
        ).to.deep.equal(['block']);
      });
    }
  });

  describe('t2-sync-wal-continuity', () => {
    const rule = 't2-sync-wal-continuity';
    it('passes sync with continuous, covering WAL', () =>
      expect(only(t2(set, t2Vars()), rule)).to.deep.equal([]));
    it('passes async without WAL', () => {
      const vars = t2Vars({
        manifest: { sync_mode: 'async' },
        wal: { listed: 0, received: 0, continuous: false, covers_backup: false },
      });
      expect(only(t2(set, vars), rule)).to.deep.equal([]);
    });
    it('blocks sync with a gap', () => {
      expect(only(t2(set, t2Vars({ wal: { continuous: false } })), rule).map((f) => f.action)).to.deep.equal([
        'block',
      ]);
    });
    it('blocks sync with no WAL listed, in staging too', () => {
      expect(
        only(t2(set, t2Vars({ wal: { listed: 0 } }), 'staging'), rule).map((f) => f.action),
      ).to.deep.equal(['block']);
    });
    it('blocks sync when the WAL does not cover the backup', () => {
      expect(rulesOf(t2(set, t2Vars({ wal: { covers_backup: false } })))).to.include(rule);
    });
    it('missing wal facts are an evaluation error that blocks', () => {
      const vars = t2Vars();
      delete vars.wal;
      const fs = t2(set, vars);
      const err = fs.find((f) => f.rule === 'policy-evaluation-error');
      expect(err?.action).to.equal('block');
      expect(err?.message).to.contain(rule);
    });
  });
});
