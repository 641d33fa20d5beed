import { expect } from 'chai';
import { judgedContentUnchanged } from '../../../src/core/admission/unchanged.js';

const cm = (
  data: Record<string, string>,
  annotations: Record<string, string> = {},
  labels: Record<string, string> = {},
): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', annotations, labels, resourceVersion: String(Math.random()) },
  data,
});

describe('unchanged UPDATE detection', () => {
  it('ignores labels, other annotations, metadata and key order', () => {
    expect(
      judgedContentUnchanged(
        'configmaps',
        cm({ a: '1', b: '2' }, { other: 'x' }, { l: '1' }),
        cm({ b: '2', a: '1' }),
      ),
    ).to.equal(true);
  });

  it('sees changed data, binaryData and manifest annotation', () => {
    expect(judgedContentUnchanged('configmaps', cm({ a: '1' }), cm({ a: '2' }))).to.equal(false);
    expect(
      judgedContentUnchanged('configmaps', { ...cm({ a: '1' }), binaryData: { b: 'eA==' } }, cm({ a: '1' })),
    ).to.equal(false);
    expect(
      judgedContentUnchanged(
        'configmaps',
        cm({ a: '1' }, { 'migrationgate.io/manifest': '{}' }),
        cm({ a: '1' }),
      ),
    ).to.equal(false);
  });

  it('sees an added, swapped or removed manifest signature annotation (issue 12)', () => {
    const m = { 'migrationgate.io/manifest': '{}' };
    for (const a of ['migrationgate.io/manifest-signature', 'migrationgate.io/manifest-dsse']) {
      expect(
        judgedContentUnchanged('configmaps', cm({ a: '1' }, { ...m, [a]: 'AAAA' }), cm({ a: '1' }, m)),
        a,
      ).to.equal(false);
      expect(
        judgedContentUnchanged(
          'configmaps',
          cm({ a: '1' }, { ...m, [a]: 'AAAA' }),
          cm({ a: '1' }, { ...m, [a]: 'BBBB' }),
        ),
        a,
      ).to.equal(false);
      expect(
        judgedContentUnchanged('configmaps', cm({ a: '1' }, m), cm({ a: '1' }, { ...m, [a]: 'AAAA' })),
        a,
      ).to.equal(false);
      expect(
        judgedContentUnchanged(
          'configmaps',
          cm({ a: '1' }, { ...m, [a]: 'AAAA' }),
          cm({ a: '1' }, { ...m, [a]: 'AAAA' }),
        ),
        a,
      ).to.equal(true);
    }
  });

  it('compares only spec for MigrationRequests', () => {
    const mr = (spec: unknown, status: unknown = {}) => ({
      apiVersion: 'migrationgate.io/v1alpha1',
      kind: 'MigrationRequest',
      metadata: {},
      spec,
      status,
    });
    expect(judgedContentUnchanged('migrationrequests', mr({ a: 1 }, { phase: 'x' }), mr({ a: 1 }))).to.equal(
      true,
    );
    expect(judgedContentUnchanged('migrationrequests', mr({ a: 1 }), mr({ a: 2 }))).to.equal(false);
  });

  it('is never "unchanged" without an old object', () => {
    expect(judgedContentUnchanged('configmaps', cm({ a: '1' }), null)).to.equal(false);
    expect(judgedContentUnchanged('configmaps', cm({ a: '1' }), undefined)).to.equal(false);
  });
});
