import { expect } from 'chai';
import { extractConfigMapInput } from '../../../src/core/admission/configmap-input.js';

const KEYS = ['app-config.yaml', 'app-config.yml', 'app-config.json'];
const MANIFEST = '{"app_id":"a","env":"prod","version":"1","config_sha256":"sha256:00"}';
const cm = (o: Record<string, unknown>, annotations?: Record<string, string>): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'n', ...(annotations ? { annotations } : {}) },
  ...o,
});
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('ConfigMap extraction', () => {
  it('takes the config from data and the manifest from the annotation, exact bytes', () => {
    const r = extractConfigMapInput(
      cm(
        { data: { 'app-config.yaml': 'tls:\n  enabled: true\n' } },
        { 'migrationgate.io/manifest': MANIFEST },
      ),
      KEYS,
    );
    expect(r.kind).to.equal('gated');
    if (r.kind !== 'gated') return;
    expect(text(r.config)).to.equal('tls:\n  enabled: true\n');
    expect(text(r.manifest)).to.equal(MANIFEST);
    expect(r.configKey).to.equal('data.app-config.yaml');
    expect(r.manifestFrom).to.equal('metadata.annotations.migrationgate.io/manifest');
  });

  it('reads the manifest from the data key and the config from binaryData (base64)', () => {
    const r = extractConfigMapInput(
      cm({
        data: { 'migration_manifest.json': MANIFEST },
        binaryData: { 'app-config.json': Buffer.from('{"a":1}').toString('base64') },
      }),
      KEYS,
    );
    expect(r.kind).to.equal('gated');
    if (r.kind === 'gated') expect(text(r.config)).to.equal('{"a":1}');
  });

  it('passes a ConfigMap with neither a gated key nor a manifest', () => {
    expect(extractConfigMapInput(cm({ data: { other: 'x' } }), KEYS)).to.deep.equal({ kind: 'ungated' });
    expect(extractConfigMapInput(cm({}), KEYS)).to.deep.equal({ kind: 'ungated' });
    expect(extractConfigMapInput(cm({ data: null }), KEYS)).to.deep.equal({ kind: 'ungated' });
  });

  const rejects: Array<[string, Record<string, unknown>, string]> = [
    ['gated key without manifest', cm({ data: { 'app-config.yml': 'a: 1' } }), 'manifest-missing'],
    [
      'two gated keys',
      cm(
        { data: { 'app-config.yaml': 'a: 1', 'app-config.json': '{}' } },
        { 'migrationgate.io/manifest': MANIFEST },
      ),
      'config-ambiguous',
    ],
    [
      'a gated key in data and binaryData',
      cm(
        { data: { 'app-config.yaml': 'a: 1' }, binaryData: { 'app-config.yaml': 'YTogMQ==' } },
        { 'migrationgate.io/manifest': MANIFEST },
      ),
      'config-ambiguous',
    ],
    [
      'manifest twice',
      cm(
        { data: { 'app-config.yaml': 'a: 1', 'migration_manifest.json': MANIFEST } },
        { 'migrationgate.io/manifest': MANIFEST },
      ),
      'manifest-ambiguous',
    ],
    [
      'a detached signature and a DSSE envelope at once',
      cm(
        { data: { 'app-config.yaml': 'a: 1' } },
        {
          'migrationgate.io/manifest': MANIFEST,
          'migrationgate.io/manifest-signature': 'AAAA',
          'migrationgate.io/manifest-dsse': '{}',
        },
      ),
      'signature-ambiguous',
    ],
    [
      'manifest without config',
      cm({ data: { 'appconfig.yaml': 'a: 1' } }, { 'migrationgate.io/manifest': MANIFEST }),
      'config-missing',
    ],
    [
      'broken base64',
      cm({ binaryData: { 'app-config.yaml': 'not base64!' } }, { 'migrationgate.io/manifest': MANIFEST }),
      'configmap-invalid',
    ],
    ['data that is not a string map', cm({ data: { 'app-config.yaml': 5 } }), 'configmap-invalid'],
    ['no object at all', null as unknown as Record<string, unknown>, 'configmap-invalid'],
  ];
  for (const [label, object, rule] of rejects) {
    it(`rejects ${label} as [${rule}]`, () => {
      const r = extractConfigMapInput(object, KEYS);
      expect(r.kind).to.equal('rejected');
      if (r.kind === 'rejected') expect(r.rule).to.equal(rule);
    });
  }

  it('carries the signature annotation as its exact UTF-8 bytes, detached or DSSE; none when absent (issue 12)', () => {
    const sig = 'c2lnbmF0dXJl\n';
    const detached = extractConfigMapInput(
      cm(
        { data: { 'app-config.yaml': 'a: 1' } },
        { 'migrationgate.io/manifest': MANIFEST, 'migrationgate.io/manifest-signature': sig },
      ),
      KEYS,
    );
    expect(
      detached.kind === 'gated' &&
        detached.signature && { kind: detached.signature.kind, text: text(detached.signature.bytes) },
    ).to.deep.equal({ kind: 'detached', text: sig });
    const envelope = '{"payloadType":"x","payload":"","signatures":[]}';
    const dsse = extractConfigMapInput(
      cm(
        { data: { 'app-config.yaml': 'a: 1', 'migration_manifest.json': MANIFEST } },
        { 'migrationgate.io/manifest-dsse': envelope },
      ),
      KEYS,
    );
    expect(
      dsse.kind === 'gated' &&
        dsse.signature && { kind: dsse.signature.kind, text: text(dsse.signature.bytes) },
    ).to.deep.equal({ kind: 'dsse', text: envelope });
    const none = extractConfigMapInput(
      cm({ data: { 'app-config.yaml': 'a: 1' } }, { 'migrationgate.io/manifest': MANIFEST }),
      KEYS,
    );
    expect(none.kind).to.equal('gated');
    expect(none.kind === 'gated' && 'signature' in none).to.equal(false);
  });

  it('tells the user how to fix a missing manifest', () => {
    const r = extractConfigMapInput(cm({ data: { 'app-config.yaml': 'a: 1' } }), KEYS);
    expect(r.kind === 'rejected' && r.message)
      .to.contain('migrationgate.io/manifest')
      .and.to.contain('migration_manifest.json');
  });

  it('honours a configured set of gated keys', () => {
    expect(
      extractConfigMapInput(cm({ data: { 'settings.toml': 'a = 1' } }), ['settings.toml']).kind,
    ).to.equal('rejected');
    expect(
      extractConfigMapInput(cm({ data: { 'app-config.yaml': 'a: 1' } }), ['settings.toml']).kind,
    ).to.equal('ungated');
  });
});
