// Writer ids from pod names: valid DNS labels of at most 40 characters, and
// two replicas never share one (a shared id would put two writers on one chain).
import { expect } from 'chai';
import { MAX_WRITER_ID, writerIdFrom } from '../../../src/config/writer-id.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('audit writer id', () => {
  it('keeps a short pod name as it is', () => {
    expect(writerIdFrom('migration-gate-7d9f8b6c5d-x2k4p')).to.equal('migration-gate-7d9f8b6c5d-x2k4p');
  });

  it('tells apart long names that differ only after the 40th character', () => {
    const base = 'payments-platform-migration-gate-webhook-production';
    const a = writerIdFrom(`${base}-7d9f8b6c5d-x2k4p`);
    const b = writerIdFrom(`${base}-7d9f8b6c5d-q8z1m`);
    expect(a).to.not.equal(b);
    for (const id of [a, b]) {
      expect(id.length).to.be.at.most(MAX_WRITER_ID);
      expect(id).to.match(DNS_LABEL);
      expect(id.startsWith('payments-platform-migration')).to.equal(true);
    }
  });

  it('always yields a DNS label, whatever the host name looks like', () => {
    const names = [
      'Gate.Example.COM',
      '---',
      '',
      'a'.repeat(29) + '-' + 'b'.repeat(30),
      'x'.repeat(28) + '--' + 'y'.repeat(40),
      '_under_score_',
    ];
    for (const n of names) {
      const id = writerIdFrom(n);
      expect(id, n).to.match(DNS_LABEL);
      expect(id.length, n).to.be.at.most(MAX_WRITER_ID);
    }
    expect(writerIdFrom('---')).to.equal('gate');
  });
});
