import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load.js';
import { assertConfigRules, configProblems, kubeUsers } from '../../../src/config/rules.js';
import { assertAuditWriter } from '../../../src/core/audit-writer.js';
import { isGateError } from '../../../src/core/errors.js';

function loadError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(isGateError(e) && e.code === 'config-invalid', String(e)).to.equal(true);
    return String(e);
  }
  return expect.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('config cross-field rules fail load()', () => {
  it('GATE_API_TOKEN_REVIEW=true without an allow-list names the setting and what it needs', () => {
    const msg = loadError({ GATE_API_TOKEN_REVIEW: 'true' });
    expect(msg).to.match(
      /GATE_API_TOKEN_REVIEW: true needs GATE_API_ALLOWED_USERS or GATE_API_ALLOWED_GROUPS/,
    );
  });

  it('GATE_API_TOKEN_REVIEW=true loads with users or with groups, and false needs neither', () => {
    expect(
      loadConfig({
        GATE_API_TOKEN_REVIEW: 'true',
        GATE_API_ALLOWED_USERS: 'system:serviceaccount:ci:deployer',
      }).apiTokenReview,
    ).to.equal(true);
    expect(
      loadConfig({ GATE_API_TOKEN_REVIEW: 'true', GATE_API_ALLOWED_GROUPS: 'system:serviceaccounts:ci' })
        .apiTokenReview,
    ).to.equal(true);
    expect(loadConfig({ GATE_API_TOKEN_REVIEW: 'false' }).apiTokenReview).to.equal(false);
  });

  it('an allow-list of only commas is empty: still refused', () => {
    expect(
      loadError({
        GATE_API_TOKEN_REVIEW: 'yes',
        GATE_API_ALLOWED_USERS: ' , ,',
        GATE_API_ALLOWED_GROUPS: ',',
      }),
    ).to.contain('GATE_API_TOKEN_REVIEW');
  });

  for (const mode of ['certManager', 'existingSecret']) {
    it(`GATE_TLS_MODE=${mode} without GATE_TLS_DIR names both settings`, () => {
      const msg = loadError({ GATE_TLS_MODE: mode });
      expect(msg).to.contain(`GATE_TLS_MODE: ${mode} needs GATE_TLS_DIR`);
      expect(loadConfig({ GATE_TLS_MODE: mode, GATE_TLS_DIR: '/etc/migration-gate/tls' }).tlsMode).to.equal(
        mode,
      );
    });
  }

  it('local and selfManaged need no GATE_TLS_DIR', () => {
    expect(loadConfig({ GATE_TLS_MODE: 'local' }).tlsDir).to.equal(undefined);
    expect(loadConfig({ GATE_TLS_MODE: 'selfManaged' }).tlsDir).to.equal(undefined);
  });

  it('GATE_AUDIT_SINK=postgres without GATE_AUDIT_POSTGRES_URL names the setting', () => {
    expect(loadError({ GATE_AUDIT_SINK: 'postgres' })).to.contain(
      'GATE_AUDIT_SINK: postgres needs GATE_AUDIT_POSTGRES_URL',
    );
    expect(
      loadConfig({
        GATE_AUDIT_SINK: 'postgres',
        GATE_AUDIT_POSTGRES_URL: 'postgres://gate@127.0.0.1:5432/gate',
      }).auditSink,
    ).to.equal('postgres');
  });

  it('GATE_WRITER_SLOTS with a sink of one writer names the setting', () => {
    for (const sink of ['file', 'stdout']) {
      expect(loadError({ GATE_AUDIT_SINK: sink, GATE_WRITER_SLOTS: '3' }), sink).to.contain(
        'GATE_WRITER_SLOTS: writer slots (Leases) are for the configmap and postgres sinks',
      );
    }
    expect(loadConfig({ GATE_AUDIT_SINK: 'configmap', GATE_WRITER_SLOTS: '3' }).writerSlots).to.equal(3);
    expect(loadConfig({ GATE_AUDIT_SINK: 'file', GATE_WRITER_SLOTS: '0' }).writerSlots).to.equal(0);
  });

  it('every broken rule is reported at once, one line each', () => {
    const msg = loadError({ GATE_API_TOKEN_REVIEW: 'true', GATE_TLS_MODE: 'existingSecret' });
    expect(msg.split('\n').filter((l) => /^\s+GATE_/.test(l))).to.have.length(2);
  });

  it('a field error and a broken rule: the field error is named (rules run on settings that parse)', () => {
    expect(loadError({ GATE_API_PORT: 'eighty', GATE_TLS_MODE: 'certManager' })).to.contain('GATE_API_PORT');
  });
});

describe('config rules outside load()', () => {
  const ok = {
    apiTokenReview: false,
    apiAllowedUsers: [],
    apiAllowedGroups: [],
    tlsMode: 'local',
    auditSink: 'file',
    writerSlots: 0,
  } as const;

  it('assertConfigRules refuses the same combinations (for settings built by hand), naming the variable', () => {
    expect(() => assertConfigRules(ok)).to.not.throw();
    expect(() => assertConfigRules({ ...ok, apiTokenReview: true })).to.throw(
      /^GATE_API_TOKEN_REVIEW: true needs/,
    );
    expect(() => assertConfigRules({ ...ok, tlsMode: 'certManager' })).to.throw(
      /^GATE_TLS_MODE: certManager needs GATE_TLS_DIR/,
    );
    expect(() => assertConfigRules({ ...ok, tlsMode: 'certManager', tlsDir: '' })).to.throw(/GATE_TLS_DIR/);
    expect(() => assertConfigRules({ ...ok, auditSink: 'postgres' })).to.throw(
      /^GATE_AUDIT_SINK: postgres needs GATE_AUDIT_POSTGRES_URL/,
    );
    expect(() => assertConfigRules({ ...ok, writerSlots: 2 })).to.throw(/^GATE_WRITER_SLOTS: /);
  });

  it('configProblems names the setting each problem is reported on', () => {
    expect(configProblems(ok)).to.deep.equal([]);
    expect(
      configProblems({ ...ok, apiTokenReview: true, tlsMode: 'existingSecret' }).map((p) => p.setting),
    ).to.deep.equal(['apiTokenReview', 'tlsMode']);
  });

  it('kubeUsers lists the settings that need an API server', () => {
    expect(kubeUsers(ok)).to.deep.equal([]);
    expect(
      kubeUsers({ ...ok, auditSink: 'configmap', apiTokenReview: true, tlsMode: 'selfManaged' }),
    ).to.deep.equal(['GATE_AUDIT_SINK=configmap', 'GATE_API_TOKEN_REVIEW=true', 'GATE_TLS_MODE=selfManaged']);
  });

  it('every audit sink shares one writer-id check', () => {
    expect(() => assertAuditWriter('')).to.throw(/audit writer id must not be empty/);
    expect(() => assertAuditWriter('gate-0')).to.not.throw();
  });
});
