// Issue 12: the pinned key directory is watched like the policy directory. A
// removed key stops verifying within seconds, without a restart; a broken key
// file is an alert and the last good set stays in force.
import { expect } from 'chai';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { t2Form } from '../support/t2-upload.js';

async function postT2Good(gate: RunningGate): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
    method: 'POST',
    headers: gate.auth,
    body: t2Form('examples/t2_good'),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, f: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('pinned key directory: reloaded on change (issue 12)', () => {
  let gate: RunningGate;
  const keys = mkdtempSync(path.join(tmpdir(), 'gate-keydir-'));
  before(async () => {
    cpSync('examples/keys/trusted', keys, { recursive: true });
    gate = await startGate({ GATE_KEYS_DIR: keys });
  });
  after(async () => {
    await gate.stop();
    rmSync(keys, { recursive: true, force: true });
  });

  const decision = async (): Promise<string> => (await postT2Good(gate)).body.decision as string;
  const keyAlert = async (): Promise<Record<string, unknown> | undefined> => {
    const res = await getJson(gate, '/api/v1/alerts');
    const items = res.body.items as Array<Record<string, unknown>>;
    return items.find((a) => a.kind === 'key-load');
  };

  it('a broken key file raises an alert and keeps the last good set; removing the key stops it verifying', async () => {
    expect(await decision()).to.equal('ALLOW');
    writeFileSync(
      path.join(keys, 'broken.pub.pem'),
      '-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n',
    );
    await until('the key-load alert', async () => (await keyAlert()) !== undefined);
    expect(String((await keyAlert())!.message)).to.contain('broken.pub.pem');
    expect(await decision(), 'last good set still in force').to.equal('ALLOW');
    rmSync(path.join(keys, 'broken.pub.pem'));
    rmSync(path.join(keys, 'example-ed25519.pub.pem'));
    await until('the removed key to stop verifying', async () => (await decision()) === 'BLOCK');
    const res = await postT2Good(gate);
    expect((res.body.reasons as string[]).join('\n')).to.match(/signature-invalid/);
    await until('the alert to clear', async () => (await keyAlert()) === undefined);
  });
});
