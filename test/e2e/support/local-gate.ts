// The real gate (`node --import tsx src/main.ts`) as a local process next to
// the e2e control plane, registered with the apiserver in url mode
// (https://127.0.0.1:<port>/validate, caBundle = the gate's local CA).
//
// The gate runs under the harness' tethered.sh wrapper (stdin pipe from this
// process): it cannot outlive the test run, whatever way the run ends. Its
// ports are fixed at the first start and reused by restart(), and so are the
// data dir and the TLS dir, so the CA (and with it the caBundle the
// ValidatingWebhookConfiguration holds) stays valid across restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/ports.js';
import { claim } from '../harness/sweep.js';
import { SCRIPTS_DIR } from '../harness/tools.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
/** A bearer token for the gate's API (the gate wants >= 16 characters). */
export const E2E_API_TOKEN = 'e2e-token-0123456789abcdef';

export interface LocalGateOptions {
  /** Extra GATE_* variables (win over the defaults below). */
  env?: Record<string, string>;
  /** ms to wait for "webhook listening" (default 60 s: tsx compiles on first start, RSA key generation). */
  startTimeoutMs?: number;
}

export interface LocalGate {
  /** Scratch root: data/, tls/, policies/, gate.log. Removed by stop() unless MIGRATION_GATE_E2E_KEEP=1. */
  readonly dir: string;
  readonly dataDir: string;
  readonly tlsDir: string;
  readonly logPath: string;
  readonly webhookPort: number;
  readonly apiPort: number;
  /** https://127.0.0.1:<webhookPort>/validate */
  readonly webhookUrl: string;
  /** http://127.0.0.1:<apiPort> */
  readonly apiUrl: string;
  /** PEM of the local CA ($GATE_TLS_DIR/ca.crt). */
  readonly caPem: string;
  /** base64 of caPem, for webhook.caBundle. */
  readonly caBundle: string;
  readonly auth: Record<string, string>;
  /** The running gate's pid (node itself, not the wrapper). */
  pid(): number | undefined;
  running(): boolean;
  /** Kills the gate process with the signal and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the gate again on the same ports, data dir and TLS dir; resolves once the webhook listens. */
  restart(): Promise<void>;
  logTail(lines?: number): Promise<string>;
  /** Stops the gate (SIGTERM through the wrapper) and removes the scratch dir. */
  stop(): Promise<void>;
}

interface Running {
  wrapper: ChildProcess;
  exited: Promise<void>;
  done: boolean;
}

const live = new Set<ChildProcess>();
let exitHooked = false;

export async function startLocalGate(opts: LocalGateOptions = {}): Promise<LocalGate> {
  const keep = process.env.MIGRATION_GATE_E2E_KEEP === '1';
  // The prefix is the control plane's: a dir left by a SIGKILLed run is swept
  // by the next startControlPlane() (its owner pid is gone).
  const dir = mkdtempSync(path.join(tmpdir(), 'migration-gate-e2e-gate-'));
  if (!keep) claim(dir);
  const onExit = () => keep || rmSync(dir, { recursive: true, force: true });
  process.once('exit', onExit);
  const dataDir = path.join(dir, 'data');
  const tlsDir = path.join(dataDir, 'tls');
  const policyDir = path.join(dir, 'policies');
  cpSync(path.join(REPO_ROOT, 'policies'), policyDir, { recursive: true });
  const logPath = path.join(dir, 'gate.log');
  const [webhookPort, apiPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    GATE_TLS_MODE: 'local',
    GATE_TLS_SANS: '127.0.0.1',
    GATE_BIND_ADDRESS: '127.0.0.1',
    GATE_WEBHOOK_PORT: String(webhookPort),
    GATE_API_PORT: String(apiPort),
    GATE_DATA_DIR: dataDir,
    GATE_POLICY_DIR: policyDir,
    // The examples' own trust directory: nothing is trusted by default.
    GATE_KEYS_DIR: path.join(REPO_ROOT, 'examples/keys/trusted'),
    GATE_AUDIT_SINK: 'file',
    GATE_AUDIT_LINGER_MS: '1',
    GATE_API_TOKEN: E2E_API_TOKEN,
    // The examples' MigrationRequests point at file:///artifacts/...; the
    // tests rewrite that prefix to this directory (see localArtifacts()).
    GATE_ARTIFACT_ROOT: EXAMPLES_DIR,
    GATE_WRITER_ID: 'e2e-gate',
    GATE_LOG_LEVEL: 'info',
    ...opts.env,
  };
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;

  let current: Running | undefined;
  const spawnOnce = async (): Promise<void> => {
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => {
        for (const c of live) c.kill('SIGTERM');
      });
    }
    const offset = await readFile(logPath, 'utf8').then(
      (t) => t.length,
      () => 0,
    );
    const fd = openSync(logPath, 'a');
    const wrapper = spawn(
      'bash',
      [SCRIPTS_DIR + 'tethered.sh', process.execPath, '--import', 'tsx', 'src/main.ts'],
      {
        cwd: REPO_ROOT,
        stdio: ['pipe', fd, fd],
        env: { ...process.env, ...env, TETHER_RMDIR: '' },
      },
    );
    closeSync(fd);
    live.add(wrapper);
    wrapper.unref();
    (wrapper.stdin as Socket | null)?.unref();
    wrapper.stdin?.on('error', () => undefined);
    const run: Running = { wrapper, done: false, exited: Promise.resolve() };
    run.exited = new Promise<void>((resolve) => {
      const fin = () => {
        run.done = true;
        live.delete(wrapper);
        resolve();
      };
      wrapper.once('exit', fin);
      wrapper.once('error', fin);
    });
    current = run;
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const text = (await readFile(logPath, 'utf8').catch(() => '')).slice(offset);
      if (/"msg":"webhook listening"/.test(text)) return;
      if (run.done) throw new Error(`the gate exited during start; ${logPath}:\n${tail(text, 40)}`);
      if (Date.now() > deadline) {
        await stopRun(run);
        throw new Error(
          `the gate did not log "webhook listening" within ${startTimeoutMs} ms; ${logPath}:\n${tail(text, 40)}`,
        );
      }
      await sleep(100);
    }
  };

  const stopRun = async (run: Running, timeoutMs = 20_000): Promise<void> => {
    if (run.done) return;
    run.wrapper.stdin?.end(); // the wrapper SIGTERMs the gate, SIGKILLs it after 10 s
    const timer = setTimeout(() => run.wrapper.kill('SIGKILL'), timeoutMs);
    await run.exited;
    clearTimeout(timer);
  };

  const pid = (): number | undefined => {
    const w = current?.wrapper.pid;
    if (!w || current?.done) return undefined;
    return childPids(w).find((p) => comm(p) === 'node' || cmdline(p).includes('src/main.ts'));
  };

  try {
    await spawnOnce();
  } catch (e) {
    process.removeListener('exit', onExit);
    onExit();
    throw e;
  }
  const caPem = readFileSync(path.join(tlsDir, 'ca.crt'), 'utf8');

  return {
    dir,
    dataDir,
    tlsDir,
    logPath,
    webhookPort,
    apiPort,
    caPem,
    caBundle: Buffer.from(caPem).toString('base64'),
    webhookUrl: `https://127.0.0.1:${webhookPort}/validate`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    auth: { authorization: `Bearer ${E2E_API_TOKEN}` },
    pid,
    running: () => current !== undefined && !current.done,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const run = current;
      if (!run || run.done) return;
      const p = pid();
      if (p === undefined) throw new Error('cannot find the gate process under its wrapper');
      process.kill(p, signal);
      // The wrapper exits right after its child. The timer also keeps the
      // event loop alive meanwhile (the wrapper itself is unref'd).
      const timer = setTimeout(() => run.wrapper.kill('SIGKILL'), 20_000);
      await run.exited;
      clearTimeout(timer);
    },
    async restart() {
      if (current && !current.done) throw new Error('restart(): the gate is still running');
      await spawnOnce();
      const again = readFileSync(path.join(tlsDir, 'ca.crt'), 'utf8');
      if (again !== caPem)
        throw new Error('the restarted gate made a new CA: the caBundle no longer matches');
    },
    logTail: async (lines = 40) => tail(await readFile(logPath, 'utf8').catch(() => ''), lines),
    async stop() {
      if (current) await stopRun(current);
      process.removeListener('exit', onExit);
      onExit();
    },
  };
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (kids) out.push(...kids.split(/\s+/).map(Number));
    }
  } catch {
    /* gone */
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

export interface AuditItem {
  request_id?: string;
  decision?: string;
  subject: {
    kind?: string;
    name?: string;
    namespace?: string;
    source?: string;
    operation?: string;
    user?: string;
  };
  [key: string]: unknown;
}

/** Every record of the gate's audit log (GET /api/v1/audit/logs, all pages). */
export async function auditRecords(gate: Pick<LocalGate, 'apiUrl' | 'auth'>): Promise<AuditItem[]> {
  const items: AuditItem[] = [];
  let cont: string | undefined;
  for (let page = 0; page < 100; page++) {
    const url = `${gate.apiUrl}/api/v1/audit/logs?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const res = await fetch(url, { headers: gate.auth });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { items: AuditItem[]; continue?: string };
    items.push(...body.items);
    if (!body.continue) return items;
    cont = body.continue;
  }
  throw new Error('audit log: more than 100 pages');
}
