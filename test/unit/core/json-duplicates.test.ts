import { expect } from 'chai';
import fc from 'fast-check';
import { scanJsonShape } from '../../../src/core/json-duplicates.js';

describe('scanJsonShape', () => {
  it('finds a duplicate key at any depth, and only within one object', () => {
    expect(scanJsonShape('{"a":1,"b":{"c":1,"c":2}}', 64).duplicate).to.equal('c');
    expect(scanJsonShape('{"a":{"x":1},"b":{"x":1}}', 64).duplicate).to.equal(undefined);
    expect(scanJsonShape('[{"a":1},{"a":2}]', 64).duplicate).to.equal(undefined);
    expect(scanJsonShape('{"a":"\\"a\\"","\\u0061":2}', 64).duplicate).to.equal('a');
    expect(scanJsonShape('{"k":["a","a"],"v":"k"}', 64).duplicate).to.equal(undefined);
  });
  it('measures depth and stops past the cap', () => {
    expect(scanJsonShape('[[[1]]]', 64).depth).to.equal(3);
    expect(scanJsonShape('['.repeat(100) + ']'.repeat(100), 64).depth).to.equal(65);
  });
  it('never reports a duplicate for JSON.stringify output (no duplicates possible)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        (v) => scanJsonShape(JSON.stringify(v) ?? 'null', 1000).duplicate === undefined,
      ),
      { numRuns: 300 },
    );
  });
});
