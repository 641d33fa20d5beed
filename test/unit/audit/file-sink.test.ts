import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFileSinkIo, openFileAuditSink, readJsonLines, type FileAuditSinkOptions } from '../../../src/adapters/audit/file-sink.js';
import { verifyChains } from '../../../src/core/audit-record.js';
import { GateError } from '../../../src/core/errors.js';
import type { AuditSink, Logger } from '../../../src/core/ports.js';
import { report } from './report-fixture.js';

interface Logged { level: string; msg: string; fields?: Record<string, unknown> }
function recordingLogger(into: Logged[]): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => { into.push({ level, msg, ...(fields ? { fields } : {}) }); };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function rejection(p: Promise<unknown>): Promise<GateError> {
  try {
    await p;
  } catch (e) {
    return e as GateError;
  }
  throw new Error('expected a rejection');
}

describe('file audit sink', () => {
  let dir: string;
  let path: string;
  const sinks: AuditSink[] = [];
  const open = async (extra: Partial<FileAuditSinkOptions> = {}): Promise<AuditSink> => {
    const s = await openFileAuditSink({ path, writer: 'pod-a', lingerMs: 0, ...extra });
    sinks.push(s);
    return s;
  };
  const lines = async (): Promise<string[]> => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  const rewrite = async (ls: string[]): Promise<void> => writeFile(path, ls.map((l) => `${l}\n`).join(''));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mg-audit-'));
    path = join(dir, 'nested', 'audit.jsonl');
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('appends chained JSON lines that verify, with private permissions', async () => {
    const sink = await open();
    const records = [await sink.append(report(1)), await sink.append(report(2))];
    expect(records.map((r) => [r.writer, r.seq])).to.deep.equal([['pod-a', 1], ['pod-a', 2]]);
    expect(await lines()).to.have.length(2);
    const v = await verifyChains(sink.readRaw());
    expect(v).to.deep.include({ ok: true, records: 2 });
    expect(sink.health().ok).to.equal(true);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).to.equal(0o700);
  });

  it('yields basename:line locations', async () => {
    const sink = await open();
    await sink.append(report(1));
    const raw = [];
    for await (const e of sink.readRaw()) raw.push(e.location);
    expect(raw).to.deep.equal(['audit.jsonl:1']);
  });

  it('resumes the chain of its writer after a restart, next to another writer', async () => {
    const a = await open();
    await a.append(report(1));
    await a.close();
    const b = await open({ writer: 'pod-b' });
    await b.append(report(2));
    await b.close();
    const again = await open();
    const r = await again.append(report(3));
    expect(r.seq).to.equal(2);
    const v = await verifyChains(again.readRaw());
    expect(v.ok).to.equal(true);
    expect(v.writers.map((w) => [w.writer, w.last_seq])).to.deep.equal([['pod-a', 2], ['pod-b', 1]]);
  });

  it('group-commits 200 concurrent appends into a few fsyncs', async () => {
    let syncs = 0;
    const sink = await open({ lingerMs: 2, io: { sync: async (fh) => { syncs += 1; await defaultFileSinkIo.sync(fh); } } });
    const records = await Promise.all(Array.from({ length: 200 }, (_, i) => sink.append(report(i))));
    expect(records.map((r) => r.seq)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(syncs).to.be.at.most(3);
    expect((await verifyChains(sink.readRaw())).ok).to.equal(true);
  });

  describe('tampering is named by location', () => {
    async function fileOf(n: number): Promise<string[]> {
      const sink = await open();
      for (let i = 1; i <= n; i += 1) await sink.append(report(i));
      await sink.close();
      return lines();
    }
    const verifyFile = async () => verifyChains((await open()).readRaw());

    it('one digit changed inside a string (JSON stays valid)', async () => {
      const ls = await fileOf(4);
      expect(ls[2]).to.contain('"app_id":"app-3"');
      ls[2] = ls[2]!.replace('"app_id":"app-3"', '"app_id":"app-7"');
      await rewrite(ls);
      const v = await verifyFile();
      expect(v.first_bad).to.include({ location: 'audit.jsonl:3', writer: 'pod-a', seq: 3 });
      expect(v.first_bad!.problem).to.match(/hash mismatch/);
    });

    it('one byte changed so that a middle line is no longer JSON (and it is not repaired)', async () => {
      const ls = await fileOf(4);
      ls[1] = ls[1]!.replace('{', 'x');
      await rewrite(ls);
      const v = await verifyFile();
      expect(v.first_bad!.location).to.equal('audit.jsonl:2');
      expect(v.first_bad!.problem).to.match(/not valid JSON/);
      expect(await lines()).to.have.length(4);
    });

    it('a deleted line', async () => {
      const ls = await fileOf(5);
      ls.splice(2, 1);
      await rewrite(ls);
      expect((await verifyFile()).first_bad).to.deep.equal({
        location: 'audit.jsonl:3', writer: 'pod-a', seq: 4, problem: 'seq 4 follows 2: 1 record missing',
      });
    });

    it('reordered lines', async () => {
      const ls = await fileOf(4);
      [ls[1], ls[2]] = [ls[2]!, ls[1]!];
      await rewrite(ls);
      expect((await verifyFile()).first_bad).to.include({ location: 'audit.jsonl:2', seq: 3 });
    });
  });

  it('repairs a torn last line on open, logs it, and continues the chain', async () => {
    const sink = await open();
    await sink.append(report(1));
    await sink.append(report(2));
    await sink.close();
    const good = await readFile(path);
    const torn = '{"request_id":"req-3","timesta';
    await writeFile(path, Buffer.concat([good, Buffer.from(torn)]));
    const logged: Logged[] = [];
    const reopened = await open({ logger: recordingLogger(logged) });
    expect((await readFile(path)).equals(good)).to.equal(true);
    const warning = logged.find((l) => l.level === 'warn');
    expect(warning?.fields).to.include({ bytes_removed: torn.length, line: 3 });
    expect((await reopened.append(report(3))).seq).to.equal(3);
    expect((await verifyChains(reopened.readRaw())).ok).to.equal(true);
  });

  it('repairs a terminated last line that is not JSON', async () => {
    const sink = await open();
    await sink.append(report(1));
    await sink.close();
    const good = await readFile(path);
    await writeFile(path, Buffer.concat([good, Buffer.from('\0\0\0garbage\n')]));
    const reopened = await open();
    expect((await readFile(path)).equals(good)).to.equal(true);
    expect((await reopened.append(report(2))).seq).to.equal(2);
  });

  it('a failed fsync rejects the whole batch, truncates the file back, and the chain continues', async () => {
    let failSync = false;
    const sink = await open({ io: { sync: async (fh) => { if (failSync) throw new Error('EIO: fsync failed'); await defaultFileSinkIo.sync(fh); } } });
    await sink.append(report(1));
    const sizeBefore = (await stat(path)).size;
    failSync = true;
    const failed = await Promise.allSettled([sink.append(report(2)), sink.append(report(3))]);
    expect(failed.map((f) => f.status)).to.deep.equal(['rejected', 'rejected']);
    const reason = (failed[0] as PromiseRejectedResult).reason as GateError;
    expect(reason.code).to.equal('audit-unavailable');
    expect((await stat(path)).size).to.equal(sizeBefore);
    expect(sink.health()).to.deep.include({ ok: false });
    expect(sink.health().detail).to.contain('EIO');
    failSync = false;
    const next = await Promise.all([sink.append(report(4)), sink.append(report(5))]);
    expect(next.map((r) => r.seq)).to.deep.equal([2, 3]);
    expect(sink.health().ok).to.equal(true);
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: 3 });
  });

  it('a partial write is cut back, and a failed rollback is retried before the next write', async () => {
    let mode: 'ok' | 'partial' = 'ok';
    let failTruncate = 0;
    const sink = await open({
      io: {
        write: async (fh, data) => {
          if (mode === 'partial') {
            await defaultFileSinkIo.write(fh, data.subarray(0, 10));
            throw new Error('ENOSPC');
          }
          await defaultFileSinkIo.write(fh, data);
        },
        truncate: async (fh, length) => {
          if (failTruncate > 0) { failTruncate -= 1; throw new Error('EIO: truncate'); }
          await defaultFileSinkIo.truncate(fh, length);
        },
      },
    });
    await sink.append(report(1));
    const sizeBefore = (await stat(path)).size;
    mode = 'partial';
    failTruncate = 1;
    expect((await rejection(sink.append(report(2)))).message).to.contain('ENOSPC');
    expect((await stat(path)).size).to.equal(sizeBefore + 10);
    mode = 'ok';
    expect((await sink.append(report(3))).seq).to.equal(2);
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: 2 });
  });

  it('rejects at once when the queue is full', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const sink = await open({ maxPending: 2, io: { sync: async (fh) => { await held; await defaultFileSinkIo.sync(fh); } } });
    const pending = [sink.append(report(1)), sink.append(report(2))];
    const full = await rejection(sink.append(report(3)));
    expect(full.code).to.equal('audit-unavailable');
    expect(full.message).to.equal('audit queue full');
    release();
    expect((await Promise.all(pending)).map((r) => r.seq)).to.deep.equal([1, 2]);
  });

  it('close() flushes queued appends, then refuses new ones', async () => {
    const sink = await open({ lingerMs: 10_000 });
    const p = sink.append(report(1));
    await sink.close();
    expect((await p).seq).to.equal(1);
    expect(await lines()).to.have.length(1);
    expect((await rejection(sink.append(report(2)))).code).to.equal('audit-unavailable');
    expect(sink.health().ok).to.equal(false);
  });

  it('rejects a malformed report alone, not its batch', async () => {
    const sink = await open();
    const bad = { ...report(1), scenario: 'T9' } as unknown as ReturnType<typeof report>;
    const [ok, ko] = await Promise.allSettled([sink.append(report(1)), sink.append(bad)]);
    expect(ok.status).to.equal('fulfilled');
    expect(ko.status).to.equal('rejected');
  });
});

describe('readJsonLines', () => {
  it('reads an audit file offline, torn tail included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-audit-'));
    try {
      const path = join(dir, 'audit.jsonl');
      const sink = await openFileAuditSink({ path, writer: 'w', lingerMs: 0 });
      await sink.append(report(1));
      await sink.close();
      await writeFile(path, `${await readFile(path, 'utf8')}{"torn`);
      const entries = [];
      for await (const e of readJsonLines(path)) entries.push(e);
      expect(entries.map((e) => e.location)).to.deep.equal(['audit.jsonl:1', 'audit.jsonl:2']);
      expect((await verifyChains(entries)).first_bad?.location).to.equal('audit.jsonl:2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
