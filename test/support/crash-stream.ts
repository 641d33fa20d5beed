// Shared by the crash-safety tests (file sink, ConfigMap sink): a stream of
// T1 validations against a gate process, and the audit log read back.
import { readFileSync } from 'node:fs';
import type { GateProcess } from './gate-process.js';

const manifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;
const goodConfig = readFileSync('examples/t1_good/app-config.yaml', 'utf8');
const badConfig = readFileSync('examples/t1_bad/tls-off-prod/app-config.yaml', 'utf8');

/** Sends validations until `stop.now` or the gate dies; records the ids that got an answer. */
export async function validationStream(
  gate: GateProcess,
  token: string,
  answered: Set<string>,
  stop: { now: boolean },
  worker: number,
): Promise<void> {
  for (let i = 0; !stop.now; i++) {
    const id = `crash-${worker}-${i}`;
    try {
      const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ manifest, config: i % 3 === 0 ? badConfig : goodConfig }),
      });
      const body = (await res.json()) as { request_id?: string };
      // 422 with [audit-unavailable] is an answer too, but not one whose record is promised.
      // The gate's own request_id names the record (the caller's id is only a correlation id).
      if (res.status === 200 || res.status === 422) answered.add(body.request_id ?? id);
    } catch {
      return; // the gate died under us: this request got no answer
    }
  }
}

export async function auditState(
  gate: GateProcess,
  token: string,
): Promise<{ ids: Set<string>; verify: { ok: boolean; records: number } }> {
  const auth = { authorization: `Bearer ${token}` };
  const ids = new Set<string>();
  let cont: string | undefined;
  do {
    const res = await fetch(
      `${gate.url}/api/v1/audit/logs?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      { headers: auth },
    );
    const page = (await res.json()) as { items: Array<{ request_id: string }>; continue?: string };
    for (const r of page.items) ids.add(r.request_id);
    cont = page.continue;
  } while (cont);
  const verify = (await (await fetch(`${gate.url}/api/v1/audit/verify`, { headers: auth })).json()) as {
    ok: boolean;
    records: number;
  };
  return { ids, verify };
}

/** Runs `rounds` of: start the gate, stream for a while, SIGKILL it. Returns the answered ids. */
export async function killRounds(
  start: () => Promise<GateProcess>,
  token: string,
  rounds: number,
  workers = 8,
): Promise<Set<string>> {
  const answered = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const gate = await start();
    const stop = { now: false };
    const streams = Array.from({ length: workers }, (_, w) =>
      validationStream(gate, token, answered, stop, round * 100 + w),
    );
    await new Promise((r) => setTimeout(r, 1500 + round * 500));
    await gate.kill('SIGKILL');
    stop.now = true;
    await Promise.all(streams);
  }
  return answered;
}
