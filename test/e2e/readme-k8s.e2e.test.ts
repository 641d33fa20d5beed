// The README's "In Kubernetes" section, run literally: every ```sh block of
// that section, command by command, in one bash per block (so variables
// carry over), from the repository root, against a real node with an empty
// cluster (KUBECONFIG and CONTAINERD_ADDRESS point at it; kubectl, helm and
// ctr are the e2e ones). A command whose comment says "denied" must be
// refused by the gate with its reason; every other command must succeed.
//
//   npm run e2e:tools && npx mocha --no-config --node-option import=tsx --timeout 900000 test/e2e/readme-k8s.e2e.test.ts
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { run } from './harness/exec.js';
import { startPodCluster, type PodCluster } from './harness/node.js';
import { REPO_ROOT } from './support/local-gate.js';

export interface ReadmeCommand {
  text: string;
  expectDenied: boolean;
}

/** The sh blocks of the README section `## In Kubernetes` (up to its first subsection), as commands. */
export function readmeKubernetesBlocks(readme: string): ReadmeCommand[][] {
  const start = readme.indexOf('\n## In Kubernetes\n');
  if (start < 0) throw new Error('README.md has no "## In Kubernetes" section');
  const rest = readme.slice(start + 1);
  const end = rest.slice(3).search(/\n##+ /);
  const section = end < 0 ? rest : rest.slice(0, end + 3);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.map((b) => {
    const cmds: ReadmeCommand[] = [];
    let cur = '';
    for (const line of b.split('\n')) {
      if (cur === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
      cur += (cur ? '\n' : '') + line;
      if (line.endsWith('\\')) continue;
      cmds.push({ text: cur, expectDenied: /#[^'"]*\bdenied\b/.test(cur.split('\n').at(-1) ?? '') });
      cur = '';
    }
    if (cur) throw new Error(`README block ends inside a continued line: ${cur}`);
    return cmds;
  });
}

interface CommandResult {
  cmd: ReadmeCommand;
  code: number;
  stdout: string;
  stderr: string;
}

/** One bash for the block; each command's output and status captured apart. */
async function runBlock(cl: PodCluster, cmds: ReadmeCommand[]): Promise<CommandResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mge2e-readme-'));
  const script =
    cmds
      .map((c, i) => `{\n${c.text}\n} >${dir}/out.${i} 2>${dir}/err.${i}; echo $? >${dir}/rc.${i}`)
      .join('\n') + '\n';
  await writeFile(join(dir, 'block.sh'), script);
  const r = await run('bash', [join(dir, 'block.sh')], {
    cwd: REPO_ROOT,
    env: cl.env(),
    timeoutMs: 20 * 60_000,
  });
  if (r.code !== 0) throw new Error(`bash block.sh: exit ${r.code}: ${r.stderr}`);
  return Promise.all(
    cmds.map(async (cmd, i) => ({
      cmd,
      code: Number((await readFile(join(dir, `rc.${i}`), 'utf8').catch(() => '-1')).trim()),
      stdout: await readFile(join(dir, `out.${i}`), 'utf8').catch(() => ''),
      stderr: await readFile(join(dir, `err.${i}`), 'utf8').catch(() => ''),
    })),
  );
}

describe("e2e: the README's Kubernetes commands, run literally on a real node", function () {
  this.timeout(1_200_000);
  let cl: PodCluster;
  let blocks: ReadmeCommand[][];

  before(async () => {
    blocks = readmeKubernetesBlocks(await readFile(join(REPO_ROOT, 'README.md'), 'utf8'));
    cl = await startPodCluster();
  });

  after(async () => {
    await cl?.stop();
  });

  it('the section has the Helm block and the plain-manifest block, each with a denied apply', () => {
    expect(blocks).to.have.length(2);
    for (const b of blocks)
      expect(
        b.filter((c) => c.expectDenied),
        b.map((c) => c.text).join('\n'),
      ).to.have.length(1);
  });

  for (const [i, label] of [
    [0, 'helm: build, import, install, apply, uninstall'],
    [1, 'deploy/: apply, token Secret, apply, delete'],
  ] as const) {
    it(`block ${i + 1} (${label}) runs as written`, async () => {
      const results = await runBlock(cl, blocks[i] ?? []);
      for (const r of results) {
        const out = `$ ${r.cmd.text}\nexit ${r.code}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-3000)}`;
        if (r.cmd.expectDenied) {
          expect(r.code, out).to.not.equal(0);
          expect(r.stderr, out).to.match(
            /migration-gate BLOCKED ConfigMap payments\/\S+ \(T1, request [0-9A-Z]{26}\)/,
          );
          expect(r.stderr, out).to.match(/^\[[a-z0-9-]+\] /m);
        } else {
          expect(r.code, out).to.equal(0);
        }
      }
      // Each block cleans up after itself: no webhook configuration is left to judge the next one.
      expect(
        (await cl.kubectl(['get', 'validatingwebhookconfigurations', '-o', 'name'])).stdout.trim(),
      ).to.equal('');
    });
  }
});
