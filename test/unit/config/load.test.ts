import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../src/config/load.js';
import { ENV_VARS } from '../../../src/config/schema.js';

describe('config', () => {
  it('defaults match DESIGN and the result is frozen', () => {
    const c = loadConfig({});
    expect(c.apiPort).to.equal(8080);
    expect(c.webhookPort).to.equal(8443);
    // Embedded defaults (npm start) listen on loopback only; the image, compose and chart set 0.0.0.0.
    expect(c.bindAddress).to.equal('127.0.0.1');
    expect(c.dataDir).to.equal('./data');
    expect(c.policyDir).to.equal('./policies');
    expect(c.auditSink).to.equal('file');
    expect(c.auditFailClosed).to.equal(true);
    expect(Object.isFrozen(c)).to.equal(true);
    expect(Object.isFrozen(c.gatedKeys)).to.equal(true);
  });

  it('a bad setting names the variable', () => {
    expect(() => loadConfig({ GATE_API_PORT: 'eighty' })).to.throw(/GATE_API_PORT/);
    expect(() => loadConfig({ GATE_AUDIT_SINK: 'postgres' })).to.throw(/GATE_AUDIT_SINK/);
    expect(() => loadConfig({ GATE_AUDIT_FAIL_CLOSED: 'maybe' })).to.throw(/GATE_AUDIT_FAIL_CLOSED/);
  });

  it('the configmap segment size defaults to 900 KiB and refuses what a ConfigMap cannot hold', () => {
    expect(loadConfig({}).auditSegmentBytes).to.equal(900 * 1024);
    expect(loadConfig({ GATE_AUDIT_SEGMENT_BYTES: '131072' }).auditSegmentBytes).to.equal(131072);
    expect(() => loadConfig({ GATE_AUDIT_SEGMENT_BYTES: '2000000' })).to.throw(/GATE_AUDIT_SEGMENT_BYTES/);
    expect(() => loadConfig({ GATE_AUDIT_SEGMENT_BYTES: '100' })).to.throw(/GATE_AUDIT_SEGMENT_BYTES/);
  });

  it('never echoes a rejected token', () => {
    try {
      loadConfig({ GATE_API_TOKEN: 'short-secret' });
      expect.fail('should throw');
    } catch (e) {
      expect(String(e)).to.contain('GATE_API_TOKEN').and.not.contain('short-secret');
    }
  });

  it('the README documents every variable, and only those', () => {
    const readme = readFileSync('README.md', 'utf8');
    const documented = [...readme.matchAll(/^\| `(GATE_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).to.deep.equal(Object.keys(ENV_VARS).sort());
  });
});
