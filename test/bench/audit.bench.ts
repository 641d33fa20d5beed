// Audit benchmarks (npm run bench -- audit; BENCH_AUDIT_RECORDS, default 1,000,000):
//   - offline verification (chain + Merkle tree against a signed checkpoint)
//     of an N-record audit file in records/s, beside `sha256sum` of the same bytes;
//   - reads through the file sink's index: p99 of a logs page (limit 50),
//     a `since` page and a decision lookup on N records, against the same
//     reads on a 1,000-record log, in the same run.
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { openFileAuditSink, readJsonLines } from '../../src/adapters/audit/file-sink.js';
import { auditableReport, chainBatch, GENESIS_HEAD, type ChainHead } from '../../src/core/audit-record.js';
import { recordLeafHash } from '../../src/core/tlog/audit-leaf.js';
import { checkpointText } from '../../src/core/tlog/checkpoint.js';
import { CompactRange } from '../../src/core/tlog/compact-range.js';
import { signNoteText, verifierFor } from '../../src/core/tlog/signed-note.js';
import { verifyLogAgainst } from '../../src/cli/audit-tlog.js';
import { findAuditRecords, queryAudit } from '../../src/services/audit/read-audit.js';
import { report } from '../unit/audit/report-fixture.js';
import { timeEach } from './time-each.js';

const NAME = 'migration-gate/bench';
const WRITER = 'bench';

/** Writes an N-record log the way the sink chains it; returns its checkpoint's parts. */
async function writeLog(file: string, n: number): Promise<{ root: Buffer; size: number }> {
  const out = createWriteStream(file);
  const range = new CompactRange();
  let head: ChainHead = GENESIS_HEAD;
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i += 5000) {
    const reports = Array.from({ length: Math.min(5000, n - i) }, (_, k) =>
      auditableReport(
        report(i + k, { request_id: `req-${i + k}`, timestamp: new Date(t0 + (i + k) * 100).toISOString() }),
      ),
    );
    const batch = chainBatch(reports, WRITER, head);
    head = batch.head;
    const text = batch.records
      .map((r) => {
        const line = JSON.stringify(r);
        range.append(recordLeafHash(JSON.parse(line) as Record<string, unknown>));
        return `${line}\n`;
      })
      .join('');
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { root: range.root(), size: range.size };
}

export interface AuditBench {
  records: number;
  bytes: number;
  verifySeconds: number;
  verifyOk: boolean;
  sha256Seconds: number;
  reads: Array<{
    records: number;
    openSeconds: number;
    pageP99: number;
    sinceP99: number;
    lookupP99: number;
  }>;
}

export async function benchAudit(n: number, log: (line: string) => void): Promise<AuditBench> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mg-audit-bench-'));
  try {
    const big = path.join(dir, 'big.jsonl');
    const t = performance.now();
    const cp = await writeLog(big, n);
    const bytes = (await stat(big)).size;
    log(
      `  wrote ${n} records (${(bytes / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const { privateKey } = generateKeyPairSync('ed25519');
    const publicKey = createPublicKey(privateKey);
    const key = verifierFor(NAME, publicKey);
    const origin = `${NAME}/${WRITER}`;
    void signNoteText(checkpointText({ origin, ...cp }), NAME, privateKey, publicKey); // signing is part of the gate's cost, not the verifier's
    const v0 = performance.now();
    const result = await verifyLogAgainst(key, [{ origin, ...cp }], readJsonLines(big));
    const verifySeconds = (performance.now() - v0) / 1000;
    const s0 = performance.now();
    execFileSync('sha256sum', [big], { stdio: ['ignore', 'ignore', 'inherit'] });
    const sha256Seconds = (performance.now() - s0) / 1000;
    const reads: AuditBench['reads'] = [];
    const small = path.join(dir, 'small.jsonl');
    await writeLog(small, 1000);
    for (const [file, count] of [
      [small, 1000],
      [big, n],
    ] as const) {
      const o0 = performance.now();
      const sink = await openFileAuditSink({ path: file, writer: WRITER, identityCheckMs: 0 });
      const openSeconds = (performance.now() - o0) / 1000;
      const since = new Date(Date.UTC(2026, 0, 1) + (count - 200) * 100).toISOString();
      const pageP99 = await timeEach(200, () => queryAudit(sink, { limit: 50 }));
      const sinceP99 = await timeEach(200, () => queryAudit(sink, { since, limit: 100 }));
      const lookupP99 = await timeEach(200, (i) => findAuditRecords(sink, `req-${(i * 7919) % count}`, 20));
      await sink.close();
      reads.push({ records: count, openSeconds, pageP99, sinceP99, lookupP99 });
    }
    return { records: n, bytes, verifySeconds, verifyOk: result.ok, sha256Seconds, reads };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
