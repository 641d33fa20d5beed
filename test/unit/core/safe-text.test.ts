// The one sanitiser for caller text in reasons, paths, logs and pages
// (issue 12 item 4): where and what kind, never the text.
import { expect } from 'chai';
import fc from 'fast-check';
import { parseStrict, parseStrictJson } from '../../../src/core/strict-parse.js';
import {
  isEchoable,
  jsonSyntaxProblem,
  locateJsonError,
  plainName,
  quotedFileName,
  quotedName,
  safeDetail,
  safeFilePath,
  safeIdentifier,
  safeMediaType,
  safePath,
  safeUrlPath,
  yamlReason,
} from '../../../src/core/safe-text.js';
import { zodIssuesToFindings, describeZodIssue } from '../../../src/core/zod-findings.js';
import { z } from 'zod';

const AWS = 'AKIAZQ81SAFETEXTKEY7';
const GH = `ghp_${'SafeText81'.repeat(3)}xyz`;
const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('safe-text: caller text is located, not quoted', () => {
  it('names: plain identifiers the detector does not flag are echoed, nothing else', () => {
    expect(plainName('tls.min_version')).to.equal('tls.min_version');
    expect(plainName('app-id_2')).to.equal('app-id_2');
    for (const bad of [GH, AWS, 'a b', 'x\u0000y', '1abc', 'é', 'a'.repeat(65), '', '"q"', 'a\nb']) {
      expect(plainName(bad), JSON.stringify(bad)).to.equal(undefined);
      expect(quotedName(bad)).to.not.contain(bad === '' ? '""' : bad);
    }
    expect(safePath(['tls', 0, GH, 'x\u0000'])).to.equal('tls[0][?][?]');
  });

  it('control characters never pass: paths, details, identifiers, file names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const outs = [
          safePath([s]),
          safeDetail(s),
          safeIdentifier(s),
          quotedFileName(s),
          safeFilePath(s),
          safeMediaType(s),
          safeUrlPath(s),
          quotedName(s),
          yamlReason(s),
        ];
        for (const o of outs)
          // eslint-disable-next-line no-control-regex
          expect(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(o), JSON.stringify(o)).to.equal(false);
      }),
    );
    expect(isEchoable('req-1')).to.equal(true);
    expect(isEchoable(`x-${AWS}`)).to.equal(false);
    expect(isEchoable('a\u0007')).to.equal(false);
  });

  it('differential against JSON.parse (the real reader): an error is located exactly when JSON.parse refuses', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc
        .tuple(
          fc.json(),
          fc.nat(),
          fc.constantFrom('}', ']', ',', ':', '"', '\\', 'x', ' ', '\u0001', 'tru', '-', '0', '.', 'e'),
        )
        .map(([j, at, c]) => `${j.slice(0, at % (j.length + 1))}${c}${j.slice(at % (j.length + 1))}`),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(locateJsonError(text) === undefined, JSON.stringify(text)).to.equal(parses);
      }),
      { numRuns: 3000 },
    );
  });

  it('a JSON syntax error says where (line, column, byte offset) and what kind, not the text around it', () => {
    const text = `{\n  "a": "é",\n  "k": ${AWS}\n}`;
    const m = jsonSyntaxProblem(text);
    expect(m).to.equal(
      'unexpected character where a value should start at line 3, column 8 (byte offset 22)',
    );
    const r = parseStrictJson(enc(text), 'migration manifest');
    expect(r.ok).to.equal(false);
    if (!r.ok) {
      expect(r.message).to.contain('line 3, column 8');
      expect(r.message).to.not.contain('AKIA');
    }
    // A manifest that is just the key.
    const bare = parseStrictJson(enc(AWS), 'migration manifest');
    expect(bare.ok ? '' : bare.message).to.equal(
      'migration manifest is not valid JSON: unexpected character where a value should start at line 1, column 1 (byte offset 0)',
    );
  });

  it('duplicate keys and YAML errors: the key and the quoted input are withheld', () => {
    const dup = parseStrictJson(enc(`{"${GH}":1,"${GH}":2}`), 'request body');
    expect(dup.ok ? '' : dup.message).to.equal(
      'request body has a duplicate key (a name that is not a plain identifier, not shown)',
    );
    const plainDup = parseStrictJson(enc('{"port":1,"port":2}'), 'request body');
    expect(plainDup.ok ? '' : plainDup.message).to.equal('request body has a duplicate key "port"');
    const alias = parseStrict(enc(`a: *${GH}\n`), 'app config');
    expect(alias.ok).to.equal(false);
    if (!alias.ok) {
      expect(alias.message).to.match(/line 1, column \d+/);
      expect(alias.message).to.not.contain(GH.slice(4, 16));
    }
    const tag = parseStrict(enc(`a: !<${AWS}> x\n`), 'app config');
    expect(tag.ok ? '' : tag.message).to.not.contain('AKIA');
    expect(yamlReason(`unidentified alias "${GH}"`)).to.equal('unidentified alias (…)');
  });

  it('zod issues: unknown keys named only when plain; paths never carry a token', () => {
    const schema = z.object({ a: z.string() }).strict();
    const r = schema.safeParse({ a: 'x', [GH]: 1, extra_field: 2 });
    expect(r.success).to.equal(false);
    if (r.success) return;
    const text =
      JSON.stringify(zodIssuesToFindings(r.error.issues, {}, 'manifest')) +
      describeZodIssue(r.error.issues[0]);
    expect(text).to.contain('"extra_field"');
    expect(text).to.not.contain(GH.slice(4, 16));
    const nested = z.object({ m: z.record(z.string(), z.number()) }).safeParse({ m: { [AWS]: 'x' } });
    expect(nested.success).to.equal(false);
    if (!nested.success)
      expect(JSON.stringify(zodIssuesToFindings(nested.error.issues, {}, 'config'))).to.not.contain('AKIA');
  });

  it('media types, URL paths, identifiers and file names carrying a token are withheld', () => {
    expect(safeMediaType('text/plain')).to.equal('"text/plain"');
    expect(safeMediaType(`text/${AWS.toLowerCase()}; x=${AWS}`)).to.equal('(not shown)');
    expect(safeUrlPath('/api/v2/x')).to.equal('/api/v2/x');
    expect(safeUrlPath(`/api/${GH}`)).to.equal('(this path)');
    expect(safeIdentifier('payments')).to.equal('payments');
    expect(safeIdentifier(AWS)).to.not.contain('AKIA');
    expect(quotedFileName('../../etc/passwd')).to.equal('"../../etc/passwd"');
    expect(quotedFileName(`${GH}.wal`)).to.not.contain('ghp_');
    expect(safeFilePath('wal_files[0]')).to.equal('wal_files[0]');
    expect(safeFilePath(`wal/${AWS}`)).to.equal('(withheld)');
  });
});
