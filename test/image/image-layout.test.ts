// The image scripts/image/build.sh builds (npm run image) against the
// Dockerfile's runtime stage: the same user, workdir, env, command, ports,
// volume and files, owned so that the gate's user can write only where the
// Dockerfile lets it. Both describe one image; this keeps them in step.
// Needs dist/image/migration-gate-oci.tar: fails (never skips) naming `npm run image`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseDockerfile } from '../support/dockerfile.js';
import { layerEntries, openImage, type LayerEntry, type OpenedImage } from '../support/oci-image.js';

const dockerfile = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const pinnedNode =
  /^NODE_VERSION=(\S+)$/m.exec(readFileSync('scripts/node/node-version.env', 'utf8'))?.[1] ?? '';

/** Paths (under WORKDIR) the Dockerfile's runtime stage COPYs in, plus node_modules from its npm ci. */
function dockerfileAppEntries(): string[] {
  const out = new Set<string>();
  for (const copy of dockerfile.copies) {
    const args = copy.split(/\s+/).filter((a) => !a.startsWith('--'));
    const dest = args.pop()!;
    if (dest === './' || dest.endsWith('/')) for (const src of args) out.add(path.posix.basename(src));
    else out.add(path.posix.basename(dest));
  }
  if (dockerfile.runs.some((r) => /npm ci --omit=dev/.test(r))) out.add('node_modules');
  return [...out].sort();
}

function writableBy(e: LayerEntry, uid: number, gid: number): boolean {
  if (e.type === 'symlink' || e.type === 'hardlink') return false;
  return (
    (e.uid === uid && (e.mode & 0o200) !== 0) ||
    (e.gid === gid && (e.mode & 0o020) !== 0) ||
    (e.mode & 0o002) !== 0
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('image: scripts/image/build.sh agrees with the Dockerfile', function () {
  this.timeout(300_000);
  let tmp = '';
  let image: OpenedImage;
  let entries: LayerEntry[] = [];
  let byPath = new Map<string, LayerEntry>();
  let appDir = '';

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'gate-image-layout-'));
    image = openImage(tmp);
    expect(image.layers, 'one layer').to.have.length(1);
    entries = layerEntries(image.layers[0]!);
    byPath = new Map(entries.map((e) => [e.path, e]));
    // /app only, to compare its bytes with the repository.
    const extract = path.join(tmp, 'extract');
    execFileSync('mkdir', ['-p', extract]);
    execFileSync('tar', ['-xzf', image.layers[0]!, '-C', extract, '--no-same-owner', 'app']);
    appDir = path.join(extract, 'app');
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('is named migration-gate:<package.json version> (normalized, as containerd stores it), linux/amd64', () => {
    expect(image.refName).to.equal(`docker.io/library/migration-gate:${pkg.version}`);
    expect([image.config.os, image.config.architecture]).to.deep.equal(['linux', 'amd64']);
    expect(image.config.config.Labels?.['org.opencontainers.image.version']).to.equal(pkg.version);
  });

  it("has the Dockerfile runtime stage's USER, WORKDIR, CMD, ENTRYPOINT, EXPOSE and VOLUME", () => {
    const c = image.config.config;
    expect(dockerfile.user, 'a numeric non-root user').to.match(/^[1-9]\d*:[1-9]\d*$/);
    expect(c.User).to.equal(dockerfile.user);
    expect(c.WorkingDir).to.equal(dockerfile.workdir);
    expect(c.Cmd).to.deep.equal(dockerfile.cmd);
    expect(c.Entrypoint ?? []).to.deep.equal(dockerfile.entrypoint);
    expect(Object.keys(c.ExposedPorts ?? {}).sort()).to.deep.equal(
      dockerfile.expose.map((p) => (p.includes('/') ? p : `${p}/tcp`)).sort(),
    );
    expect(Object.keys(c.Volumes ?? {}).sort()).to.deep.equal([...dockerfile.volumes].sort());
  });

  it('has every ENV of the Dockerfile with the same value, and nothing else but PATH', () => {
    const env = Object.fromEntries(
      (image.config.config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    for (const [k, v] of Object.entries(dockerfile.env)) expect(env[k], k).to.equal(v);
    expect(Object.keys(env).filter((k) => !(k in dockerfile.env))).to.deep.equal(['PATH']);
    expect(env.PATH?.split(':')).to.include('/usr/local/bin');
  });

  it('runs the Node major the Dockerfile names (node:<major>-slim), the pinned version, at /usr/local/bin/node', () => {
    const major = /^FROM node:(\d+)-slim\b/.exec(dockerfile.from)?.[1];
    expect(major, dockerfile.from).to.be.a('string');
    expect(pinnedNode.split('.')[0]).to.equal(major);
    expect(image.config.config.Labels?.['io.migration-gate.node-version']).to.equal(pinnedNode);
    const node = byPath.get('/usr/local/bin/node');
    expect(node?.type).to.equal('file');
    expect([node?.uid, node?.mode]).to.deep.equal([0, 0o755]);
  });

  it('has in WORKDIR exactly what the Dockerfile copies in, byte for byte where the repository has it', () => {
    const top = entries
      .filter((e) => path.posix.dirname(e.path) === dockerfile.workdir)
      .map((e) => path.posix.basename(e.path))
      .sort();
    expect(top).to.deep.equal(dockerfileAppEntries());
    for (const f of ['package.json', 'package-lock.json'])
      expect(readFileSync(path.join(appDir, f)).equals(readFileSync(f)), f).to.equal(true);
    expect(filesUnder(path.join(appDir, 'policies'))).to.deep.equal(filesUnder('policies'));
    for (const f of filesUnder('policies'))
      expect(
        readFileSync(path.join(appDir, 'policies', f)).equals(readFileSync(path.join('policies', f))),
        f,
      ).to.equal(true);
  });

  it('has the compiled JS of every source file (npm run build) and no TypeScript or tests of its own', () => {
    const dist = filesUnder(path.join(appDir, 'dist')).filter((f) => f.endsWith('.js'));
    const sources = filesUnder('src')
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.ts$/, '.js'));
    expect(dist).to.deep.equal(sources);
    expect(dist).to.include('main.js');
    const appOwn = entries.filter(
      (e) =>
        e.path.startsWith(`${dockerfile.workdir}/`) &&
        !e.path.startsWith(`${dockerfile.workdir}/node_modules/`),
    );
    expect(appOwn.filter((e) => /\.ts$|\/test\/|\.test\./.test(e.path)).map((e) => e.path)).to.deep.equal([]);
  });

  it('has only production dependencies (npm ci --omit=dev): every non-dev package of the lock, no dev-only one', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<
        string,
        { dev?: boolean; optional?: boolean; os?: string[]; cpu?: string[]; libc?: string[] }
      >;
    };
    const inImage = new Set(
      entries
        .filter((e) => e.type === 'dir' && byPath.has(`${e.path}/package.json`))
        .map((e) => e.path.slice(`${dockerfile.workdir}/`.length))
        .filter((p) => p.startsWith('node_modules/')),
    );
    const installed = [...inImage].filter((p) => lock.packages[p] !== undefined);
    expect(installed.length, 'packages from the lock').to.be.greaterThan(10);
    const dev = installed.filter((p) => lock.packages[p]!.dev === true);
    expect(dev, 'dev-only packages in the image').to.deep.equal([]);
    for (const name of [
      'node_modules/typescript',
      'node_modules/mocha',
      'node_modules/tsx',
      'node_modules/eslint',
    ])
      expect(inImage.has(name), name).to.equal(false);
    const fits = (list: string[] | undefined, here: string): boolean =>
      list === undefined || list.includes(here);
    const required = Object.entries(lock.packages)
      .filter(([p, v]) => p.startsWith('node_modules/') && v.dev !== true && !v.optional)
      .map(([p]) => p);
    expect(
      required.filter((p) => !inImage.has(p)),
      'non-dev packages missing from the image',
    ).to.deep.equal([]);
    const platform = Object.entries(lock.packages)
      .filter(
        ([p, v]) =>
          p.startsWith('node_modules/') &&
          v.dev !== true &&
          v.optional &&
          fits(v.os, 'linux') &&
          fits(v.cpu, 'x64') &&
          fits(v.libc, 'glibc'),
      )
      .map(([p]) => p);
    expect(
      platform.filter((p) => !inImage.has(p)),
      'linux-x64-gnu optional packages missing',
    ).to.deep.equal([]);
  });

  it("is read-only-rootfs friendly: the gate's user can write only /data, /certs/ca, /certs/tls (Dockerfile chown) and /tmp; no setuid", () => {
    const [uid, gid] = (dockerfile.user ?? '').split(':').map(Number) as [number, number];
    const chowned = dockerfile.runs.flatMap((r) =>
      [...r.matchAll(new RegExp(`chown ${uid}:${gid} ((?:/\\S+\\s*)+)`, 'g'))].flatMap((m) =>
        m[1]!.trim().split(/\s+/),
      ),
    );
    expect(chowned).to.include(dockerfile.env.GATE_DATA_DIR);
    const writable = entries
      .filter((e) => writableBy(e, uid, gid))
      .map((e) => e.path)
      .sort();
    expect(writable).to.deep.equal([...chowned, '/tmp'].sort());
    for (const d of chowned)
      expect([byPath.get(d)?.type, byPath.get(d)?.uid, byPath.get(d)?.gid], d).to.deep.equal([
        'dir',
        uid,
        gid,
      ]);
    expect(byPath.get('/tmp')?.mode, '/tmp is sticky').to.equal(0o1777);
    expect(
      entries.filter((e) => e.path.startsWith(dockerfile.workdir) && e.uid !== 0).map((e) => e.path),
      `${dockerfile.workdir} is root-owned`,
    ).to.deep.equal([]);
    expect(
      entries.filter((e) => e.type === 'file' && (e.mode & 0o6000) !== 0).map((e) => e.path),
      'setuid/setgid files',
    ).to.deep.equal([]);
  });
});
