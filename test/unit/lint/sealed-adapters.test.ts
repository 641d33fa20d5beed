// The lint rules that keep the layers apart, run through ESLint's own API on
// source text placed (by filePath) where a violation would live: a rule that
// never fires would pass `npm run lint` for ever.
import { expect } from 'chai';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint: sealed adapters', function () {
  this.timeout(60_000);

  it('refuses an adapter folder importing another adapter folder', async () => {
    const ids = await ruleIds(
      "import type { TokenVerifier } from '../http/auth.js';\nexport type T = TokenVerifier;\n",
      'src/adapters/k8s/lint-fixture.ts',
    );
    expect(ids).to.deep.equal(['gate/sealed-adapters']);
  });

  it('refuses it from a nested folder, by export, and towards a one-file adapter', async () => {
    expect(
      await ruleIds(
        "export { connectKube } from '../../k8s/kube-connection.js';\n",
        'src/adapters/http/routes/lint-fixture.ts',
      ),
    ).to.deep.equal(['gate/sealed-adapters']);
    expect(
      await ruleIds(
        "import { systemClock } from '../system.js';\nexport const c = systemClock;\n",
        'src/adapters/audit/lint-fixture.ts',
      ),
    ).to.deep.equal(['gate/sealed-adapters']);
    expect(
      await ruleIds(
        "import { connectKube } from './k8s/kube-connection.js';\nexport const k = connectKube;\n",
        'src/adapters/metrics-fixture.ts',
      ),
    ).to.deep.equal(['gate/sealed-adapters']);
  });

  it('allows imports inside one adapter, of the core and the services, and wiring that joins adapters', async () => {
    expect(
      await ruleIds(
        "import { sendJson } from '../respond.js';\nimport type { Logger } from '../../../core/ports/runtime.js';\nexport const s = sendJson;\nexport type L = Logger;\n",
        'src/adapters/http/routes/lint-fixture.ts',
      ),
    ).to.deep.equal([]);
    expect(
      await ruleIds(
        "import { connectKube } from '../adapters/k8s/kube-connection.js';\nimport { tokenReviewVerifier } from '../adapters/http/token-review.js';\nexport const a = [connectKube, tokenReviewVerifier];\n",
        'src/wiring/lint-fixture.ts',
      ),
    ).to.deep.equal([]);
  });

  it('keeps the core pure: no adapter, no I/O module, no clock', async () => {
    const ids = await ruleIds(
      "import { readFile } from 'node:fs/promises';\nimport { connectKube } from '../adapters/k8s/kube-connection.js';\nexport const x = [readFile, connectKube, Date.now()];\n",
      'src/core/lint-fixture.ts',
    );
    expect(ids).to.deep.equal(['no-restricted-imports', 'no-restricted-imports', 'no-restricted-properties']);
  });
});

describe('lint: services and config over ports', function () {
  this.timeout(60_000);

  it('refuses a service or the config importing an adapter', async () => {
    expect(
      await ruleIds(
        "import { connectKube } from '../../adapters/k8s/kube-connection.js';\nexport const k = connectKube;\n",
        'src/services/admission/lint-fixture.ts',
      ),
    ).to.deep.equal(['no-restricted-imports']);
    expect(
      await ruleIds(
        "import type { ArtifactSettings } from '../adapters/artifacts/artifact-source.js';\nexport type A = ArtifactSettings;\n",
        'src/config/lint-fixture.ts',
      ),
    ).to.deep.equal(['no-restricted-imports']);
  });
});
