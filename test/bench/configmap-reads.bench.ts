// ConfigMap sink reads through its read index (npm run bench -- audit-configmap;
// BENCH_CM_RECORDS, default 1,000,000): N records chained as the sink chains
// them, cut into sealed ~900 KiB segment ConfigMaps in the in-memory
// apiserver fake (the apiserver's own list cost is not in these figures),
// then p99 of a logs page (limit 50), a `since` page and a decision lookup,
// against the same reads on a 1,000-record log, in the same run; and the
// first read's cost (every segment fetched and summarized once) beside a
// warm one. A read lists the segments with metadata only and fetches only
// the segments it shows that are not in its body cache: the bytes of
// segment data it fetched per read are reported (what would cross the
// wire from the apiserver), also with the body cache off.
import { openConfigMapAuditSink } from '../../src/adapters/audit/configmap-sink.js';
import { ConfigMapReadIndex } from '../../src/adapters/audit/configmap-read-index.js';
import {
  DEFAULT_SEGMENT_MAX_BYTES,
  RECORDS_KEY,
  segmentLabels,
  segmentName,
} from '../../src/adapters/audit/configmap-segments.js';
import { auditableReport, chainBatch, GENESIS_HEAD, type ChainHead } from '../../src/core/audit-record.js';
import { findAuditRecords, queryAudit } from '../../src/services/audit/read-audit.js';
import { FakeConfigMapStore } from '../unit/audit/configmap-fake-store.js';
import { report } from '../unit/audit/report-fixture.js';
import { timeEach } from './time-each.js';

const WRITER = 'bench';

async function fill(store: FakeConfigMapStore, n: number): Promise<number> {
  let head: ChainHead = GENESIS_HEAD;
  let seg = 1;
  let text = '';
  const t0 = Date.UTC(2026, 0, 1);
  const seal = async (immutable: boolean) => {
    await store.create({
      name: segmentName(WRITER, seg),
      labels: segmentLabels(WRITER),
      annotations: {},
      data: { [RECORDS_KEY]: text },
      immutable,
    });
    seg += 1;
    text = '';
  };
  for (let i = 0; i < n; i += 5000) {
    const reports = Array.from({ length: Math.min(5000, n - i) }, (_, k) =>
      auditableReport(
        report(i + k, { request_id: `req-${i + k}`, timestamp: new Date(t0 + (i + k) * 100).toISOString() }),
      ),
    );
    const batch = chainBatch(reports, WRITER, head);
    head = batch.head;
    for (const r of batch.records) {
      const line = `${JSON.stringify(r)}\n`;
      if (text.length + line.length > DEFAULT_SEGMENT_MAX_BYTES) await seal(true);
      text += line;
    }
  }
  if (text) await seal(false);
  return seg - 1;
}

export interface ConfigMapReads {
  records: number;
  segments: number;
  firstReadMs: number;
  pageP99: number;
  sinceP99: number;
  lookupP99: number;
  segmentsReadPerLookup: number;
  /** Segment data fetched per warm page / lookup (bytes), with the default body cache. */
  pageBytes: number;
  lookupBytes: number;
  /** The same without a body cache: every segment a read shows is fetched again. */
  uncachedPageP99: number;
  uncachedLookupP99: number;
  uncachedPageBytes: number;
  uncachedLookupBytes: number;
}

const READS = 100;

/** p99 of READS calls of fn, and the segment data bytes they fetched per call. */
async function timed(
  store: FakeConfigMapStore,
  fn: (i: number) => Promise<unknown>,
): Promise<{ p99: number; bytes: number }> {
  const before = store.dataBytes;
  const p99 = await timeEach(READS, fn);
  return { p99, bytes: Math.round((store.dataBytes - before) / READS) };
}

async function measure(n: number): Promise<ConfigMapReads> {
  const store = new FakeConfigMapStore();
  const segments = await fill(store, n);
  const since = new Date(Date.UTC(2026, 0, 1) + Math.floor(n / 2) * 100).toISOString();
  const lookup = (sink: Awaited<ReturnType<typeof openConfigMapAuditSink>>) => (i: number) =>
    findAuditRecords(sink, `req-${(i * 7919) % n}`, 10);
  const index = new ConfigMapReadIndex(store);
  const sink = await openConfigMapAuditSink({ store, writer: 'reader', readIndex: index, lingerMs: 0 });
  const bare = new ConfigMapReadIndex(store, { bodyCacheBytes: 0 });
  const uncached = await openConfigMapAuditSink({ store, writer: 'reader2', readIndex: bare, lingerMs: 0 });
  try {
    const t = performance.now();
    await queryAudit(sink, { limit: 50 });
    const firstReadMs = performance.now() - t;
    const page = await timed(store, () => queryAudit(sink, { limit: 50 }));
    const sinceP99 = await timeEach(READS, () => queryAudit(sink, { since, limit: 50 }));
    const before = index.stats.read;
    const look = await timed(store, lookup(sink));
    const segmentsReadPerLookup = (index.stats.read - before) / READS;
    await queryAudit(uncached, { limit: 50 });
    const uPage = await timed(store, () => queryAudit(uncached, { limit: 50 }));
    const uLook = await timed(store, lookup(uncached));
    return {
      records: n,
      segments,
      firstReadMs,
      pageP99: page.p99,
      sinceP99,
      lookupP99: look.p99,
      segmentsReadPerLookup,
      pageBytes: page.bytes,
      lookupBytes: look.bytes,
      uncachedPageP99: uPage.p99,
      uncachedLookupP99: uLook.p99,
      uncachedPageBytes: uPage.bytes,
      uncachedLookupBytes: uLook.bytes,
    };
  } finally {
    await sink.close();
    await uncached.close();
  }
}

export async function benchConfigMapReads(n: number): Promise<[ConfigMapReads, ConfigMapReads]> {
  return [await measure(1000), await measure(n)];
}
