import { expect } from 'chai';
import { AdmittedDigests } from '../../../src/services/admission/admitted-digests.js';

describe('AdmittedDigests', () => {
  it('knows only what was added, never undefined, and stays bounded (least recently used goes first)', () => {
    const d = new AdmittedDigests(2);
    expect(d.has(undefined)).to.equal(false);
    d.add(undefined);
    expect(d.has('a')).to.equal(false);
    d.add('a');
    d.add('b');
    expect(d.has('a')).to.equal(true); // a is now the most recent
    d.add('c');
    expect(d.has('b'), 'evicted: a miss means a full evaluation').to.equal(false);
    expect(d.has('a')).to.equal(true);
    expect(d.has('c')).to.equal(true);
  });
});
