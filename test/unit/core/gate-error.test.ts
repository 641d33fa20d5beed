// GateError keeps the error it wraps (ES2022 `cause`) for whoever debugs it,
// while what reaches users, logs and JSON stays its own message.
import { expect } from 'chai';
import { GateError, describeError } from '../../../src/core/errors.js';
import { createArtifactSource } from '../../../src/adapters/artifacts/artifact-source.js';

describe('GateError cause', () => {
  it('keeps the wrapped error as cause, and only its own message', () => {
    const low = new Error('EACCES: permission denied, open /var/lib/gate/audit.jsonl');
    const e = new GateError('audit-unavailable', 'audit file write failed', undefined, { cause: low });
    expect(e.cause).to.equal(low);
    expect(describeError(e)).to.equal('audit file write failed');
  });

  it('does not carry the cause into JSON (the cause is not enumerable)', () => {
    const e = new GateError(
      'config-invalid',
      'cannot read the file',
      { setting: 'GATE_X' },
      { cause: new Error('token=abc123') },
    );
    expect(JSON.stringify(e)).to.not.include('abc123');
    expect(Object.keys(e)).to.not.include('cause');
  });

  it('a wrapping site passes it: an unreadable GATE_ARTIFACT_CA_FILE', async () => {
    const source = createArtifactSource({
      hosts: ['artifacts.example:8443'],
      maxBytes: 1024,
      timeoutMs: 1000,
      caFile: '/nonexistent/gate-ca.pem',
    });
    const e: unknown = await source.open('https://artifacts.example:8443/snapshot.tar.gz').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).to.be.instanceOf(GateError);
    expect((e as GateError).code).to.equal('artifact-unavailable');
    expect(((e as GateError).cause as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });

  it('without a cause there is none', () => {
    expect(new GateError('bad-request', 'x').cause).to.equal(undefined);
  });
});
