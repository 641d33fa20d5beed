// docs/architecture.md is written from the code: every port file and every
// services/ and adapters/ folder it must describe is named in it, and the
// repository's own documents point at it, never outside the repository.
import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'chai';

const doc = readFileSync('docs/architecture.md', 'utf8');
const dirs = (p: string): string[] =>
  readdirSync(p, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

describe('docs/architecture.md', () => {
  it('names every port file, every services/ folder and every adapters/ folder', () => {
    const ports = readdirSync('src/core/ports').filter((f) => f.endsWith('.ts'));
    for (const f of ports) expect(doc, `port ${f}`).to.include(`\`${f}\``);
    for (const d of dirs('src/services')) expect(doc, `services/${d}`).to.match(new RegExp(`\\b${d}/`));
    for (const d of dirs('src/adapters')) expect(doc, `adapters/${d}`).to.match(new RegExp(`\\b${d}/`));
  });

  it('is linked from the README, and nothing points outside the repository', () => {
    expect(readFileSync('README.md', 'utf8')).to.include('(docs/architecture.md)');
    for (const f of [
      'README.md',
      'docs/architecture.md',
      'charts/migration-gate/values.yaml',
      'policies/baseline.yaml',
      'charts/migration-gate/README.md',
    ]) {
      expect(readFileSync(f, 'utf8'), f).to.not.match(/\.\.\/shared\/|DESIGN\.md/);
    }
  });
});
