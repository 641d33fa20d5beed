// The built image runs: its rootfs unpacked by umoci into a runc bundle and
// started by runc (no Docker engine here) with the image's own user, env,
// workdir and command, a read-only root filesystem, no capabilities, a tmpfs
// /tmp and a host directory as the /data volume. Only the network namespace is
// dropped (the host's 127.0.0.1 then reaches it) and the ports/token are set
// the way an operator sets them. Needs root (runc) and
// dist/image/migration-gate-oci.tar: fails (never skips), naming what is missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { unpackBundle } from '../support/oci-image.js';

const TOKEN = 'image-run-test-token-0123456789abcdef';
const pinnedNode =
  /^NODE_VERSION=(\S+)$/m.exec(readFileSync('scripts/node/node-version.env', 'utf8'))?.[1] ?? '';

interface RuncSpec {
  process: {
    terminal: boolean;
    user: { uid: number; gid: number };
    args: string[];
    env: string[];
    cwd: string;
    capabilities?: Record<string, string[]>;
    noNewPrivileges?: boolean;
  };
  root: { path: string; readonly?: boolean };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string }[] };
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

function runc(args: string[]): string {
  return execFileSync('runc', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

describe('image: the built rootfs runs under runc', function () {
  this.timeout(300_000);
  const id = `gate-image-smoke-${process.pid}`;
  let tmp = '';
  let dataDir = '';
  let spec: RuncSpec;
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let url = '';
  const logs: string[] = [];

  before(async () => {
    if (process.getuid?.() !== 0)
      throw new Error('the image smoke test runs containers with runc and needs root');
    try {
      execFileSync('runc', ['--version']);
    } catch {
      throw new Error('runc is missing: apt-get install -y runc (see .ci/run)');
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'gate-image-run-'));
    const bundle = unpackBundle(tmp);
    spec = JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuncSpec;
    const [uid, gid] = [spec.process.user.uid, spec.process.user.gid];
    dataDir = path.join(tmp, 'data');
    mkdirSync(dataDir);
    chownSync(dataDir, uid, gid);
    const [apiPort, webhookPort] = [await freePort(), await freePort()];
    // As a hardened pod runs it: read-only root, no capabilities, /tmp tmpfs, /data a volume.
    spec.process.terminal = false;
    spec.root.readonly = true;
    spec.process.capabilities = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
    spec.process.noNewPrivileges = true;
    spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== 'network');
    spec.mounts = spec.mounts.filter((m) => m.destination !== '/data');
    spec.mounts.push({
      destination: '/data',
      type: 'bind',
      source: dataDir,
      options: ['rbind', 'rw', 'nosuid', 'nodev', 'noexec'],
    });
    spec.mounts.push({
      destination: '/tmp',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'],
    });
    // Host network: loopback, free ports, and a token as an operator would set them.
    const override: Record<string, string> = {
      GATE_BIND_ADDRESS: '127.0.0.1',
      GATE_API_PORT: String(apiPort),
      GATE_WEBHOOK_PORT: String(webhookPort),
      GATE_API_TOKEN: TOKEN,
    };
    spec.process.env = [
      ...spec.process.env.filter((e) => !(e.slice(0, e.indexOf('=')) in override)),
      ...Object.entries(override).map(([k, v]) => `${k}=${v}`),
    ];
    writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
    child = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => logs.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => logs.push(c.toString()));
    exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    url = `http://127.0.0.1:${apiPort}`;
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null)
        throw new Error(`the container exited ${child.exitCode}:\n${logs.join('')}`);
      try {
        if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the container did not answer /healthz within 60 s:\n${logs.join('')}`);
  });

  after(async () => {
    try {
      runc(['kill', id, 'KILL']);
    } catch {
      /* already gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    try {
      runc(['delete', '--force', id]);
    } catch {
      /* already deleted */
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("answers /healthz and /readyz with the bundled policies, as the image's numeric user", async () => {
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    const state = JSON.parse(runc(['state', id])) as { pid: number; status: string };
    expect(state.status).to.equal('running');
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${state.pid}/status`, 'utf8'));
    expect([Number(uids?.[1]), Number(uids?.[2])]).to.deep.equal([
      spec.process.user.uid,
      spec.process.user.uid,
    ]);
  });

  it('runs the pinned Node from /usr/local/bin', () => {
    expect(runc(['exec', id, 'node', '-p', 'process.version + " " + process.execPath']).trim()).to.equal(
      `v${pinnedNode} /usr/local/bin/node`,
    );
  });

  it('cannot write its root filesystem or /app, only /data and /tmp', () => {
    const probe = (p: string): string =>
      runc([
        'exec',
        id,
        'node',
        '-e',
        `try { require('fs').writeFileSync(${JSON.stringify(p)}, 'x'); console.log('written') } catch (e) { console.log(e.code) }`,
      ]).trim();
    expect(probe('/app/x')).to.equal('EROFS');
    expect(probe('/etc/x')).to.equal('EROFS');
    expect(probe('/tmp/x')).to.equal('written');
    expect(probe('/data/probe')).to.equal('written');
  });

  it('validates a T1 example over REST and writes the audit log into the /data volume', async () => {
    const res = await fetch(`${url}/api/v1/validate/migration`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        manifest: JSON.parse(readFileSync('examples/t1_staging_warn/migration_manifest.json', 'utf8')),
        config: readFileSync('examples/t1_staging_warn/app-config.yaml', 'utf8'),
      }),
    });
    // The image trusts no key, so an unsigned staging manifest is the ALLOW (t1-signature-required only warns in staging).
    expect(res.status, await res.clone().text()).to.equal(200);
    const body = (await res.json()) as { decision?: string };
    expect(body.decision).to.equal('ALLOW');
    const bad = await fetch(`${url}/api/v1/validate/migration`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-wrong-token-wrong', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).to.equal(401);
    const written = readdirSync(dataDir, { recursive: true }).map(String);
    expect(
      written.some((f) => /audit/.test(f)),
      `audit files in /data: ${written.join(', ')}`,
    ).to.equal(true);
  });

  it('stops on SIGTERM with exit code 0 (PID 1 handles it; no grace-period wait)', async () => {
    runc(['kill', id, 'TERM']);
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000)),
    ]);
    expect(code, logs.join('')).to.equal(0);
  });
});
