// The flow-colon scan jumps between the characters it acts on; it must
// refuse exactly what the plain scan refused, on any text an attacker sends.
import { expect } from 'chai';
import fc from 'fast-check';
import { ambiguousFlowColon } from '../../../src/core/flow-colon.js';
import { referenceFlowColon } from './flow-colon-reference.js';

describe('flow-colon scan: the fast scan agrees with the plain one', () => {
  it('on 20,000 texts made of the characters it acts on, quotes, escapes, comments and line ends', () => {
    const unit = fc.constantFrom(
      ':',
      '[',
      ']',
      '{',
      '}',
      '!',
      '&',
      '"',
      "'",
      '#',
      '\n',
      '\r',
      '\t',
      ' ',
      ': ',
      'a',
      'b',
      '0',
      ',',
      '-',
      '\\',
      '""',
      "''",
    );
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 80 }).map((a) => a.join('')),
        (t) => {
          expect(ambiguousFlowColon(t), JSON.stringify(t)).to.equal(referenceFlowColon(t));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
