import { expect } from 'chai';
import { mkdtemp, readFile, rename, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultFileSinkIo,
  openFileAuditSink,
  readJsonLines,
  type FileAuditSinkOptions,
} from '../../../src/adapters/audit/file-sink.js';
import { verifyChains } from '../../../src/core/audit-record.js';
import { GateError } from '../../../src/core/errors.js';
import type { AuditSink } from '../../../src/core/ports/audit.js';
import type { Logger } from '../../../src/core/ports/runtime.js';
import { report } from './report-fixture.js';

interface Logged {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}
function recordingLogger(into: Logged[]): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    into.push({ level, msg, ...(fields ? { fields } : {}) });
  };
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
  const lines = async (): Promise<string[]> =>
    (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
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
    expect(records.map((r) => [r.writer, r.seq])).to.deep.equal([
      ['pod-a', 1],
      ['pod-a', 2],
    ]);
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
    expect(v.writers.map((w) => [w.writer, w.last_seq])).to.deep.equal([
      ['pod-a', 2],
      ['pod-b', 1],
    ]);
  });

  it('group-commits 200 concurrent appends into a few fsyncs', async () => {
    let syncs = 0;
    const sink = await open({
      lingerMs: 2,
      io: {
        sync: async (fh) => {
          syncs += 1;
          await defaultFileSinkIo.sync(fh);
        },
      },
    });
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

    it('a deleted line: the sink refuses to start over the shorter log, offline verification names it', async () => {
      const ls = await fileOf(5);
      ls.splice(2, 1);
      await rewrite(ls);
      const refused = await rejection(open());
      expect(refused.code).to.equal('audit-unavailable');
      expect(refused.message).to.match(
        /shorter than the \d+ bytes its head file records at writer pod-a seq 5/,
      );
      expect((await verifyChains(readJsonLines(path))).first_bad).to.deep.equal({
        location: 'audit.jsonl:3',
        writer: 'pod-a',
        seq: 4,
        problem: 'seq 4 follows 2: 1 record missing',
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
    const sink = await open({
      io: {
        sync: async (fh) => {
          if (failSync) throw new Error('EIO: fsync failed');
          await defaultFileSinkIo.sync(fh);
        },
      },
    });
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
          if (failTruncate > 0) {
            failTruncate -= 1;
            throw new Error('EIO: truncate');
          }
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
    const held = new Promise<void>((r) => {
      release = r;
    });
    const sink = await open({
      maxPending: 2,
      io: {
        sync: async (fh) => {
          await held;
          await defaultFileSinkIo.sync(fh);
        },
      },
    });
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

  describe('the log cannot disappear or shrink unnoticed', () => {
    const headPath = (): string => `${path}.head`;
    const readHeadFile = async (): Promise<Record<string, unknown>> =>
      JSON.parse(await readFile(headPath(), 'utf8')) as Record<string, unknown>;

    it('keeps a head file (seq, hash, size) beside the log after every commit, private', async () => {
      const sink = await open();
      await sink.append(report(1));
      const r2 = await sink.append(report(2));
      await sink.close(); // the head is written off the answer's path; close waits for it
      expect(await readHeadFile()).to.deep.equal({
        writer: 'pod-a',
        seq: 2,
        hash: r2.hash,
        size: (await stat(path)).size,
      });
      expect((await stat(headPath())).mode & 0o777).to.equal(0o600);
    });

    it('a log deleted under the running sink: no acknowledgement, not healthy, one alert, reads refuse (503-class), restart refuses', async () => {
      const unavailable: string[] = [];
      const sink = await open({ onUnavailable: (d) => unavailable.push(d), identityCheckMs: 0 });
      await sink.append(report(1));
      await unlink(path);
      const e = await rejection(sink.append(report(2)));
      expect(e.code).to.equal('audit-unavailable');
      expect(e.message).to.match(/no longer exists/);
      expect(sink.health()).to.deep.include({ ok: false });
      expect(sink.health().detail).to.match(/no longer exists/);
      // Sticky: a file put back at the path does not make it trust the name again.
      await writeFile(path, '');
      expect((await rejection(sink.append(report(3)))).code).to.equal('audit-unavailable');
      expect(unavailable).to.have.length(1);
      const read = await rejection(verifyChains(sink.readRaw()));
      expect(read.code).to.equal('audit-unavailable');
      await sink.close();
      await unlink(path);
      const refused = await rejection(open());
      expect(refused.code).to.equal('audit-unavailable');
      expect(refused.message).to.match(
        /is missing but audit\.jsonl\.head says it held writer pod-a up to seq 1/,
      );
      expect(refused.message).to.not.contain('\n');
    });

    it('a tail truncated in place under the running sink: the next write is refused, and so is a restart', async () => {
      const sink = await open({ identityCheckMs: 0 });
      await sink.append(report(1));
      await sink.append(report(2));
      const ls = await lines();
      await truncate(path, Buffer.byteLength(`${ls[0]}\n`));
      const e = await rejection(sink.append(report(3)));
      expect(e.message).to.match(/truncated/);
      expect((await rejection(verifyChains(sink.readRaw()))).code).to.equal('audit-unavailable');
      await sink.close();
      const refused = await rejection(open());
      expect(refused.message).to.match(
        /ends at seq 1 of writer pod-a but its head file records writer pod-a seq 2: records were removed/,
      );
    });

    it('a log replaced by another file (rename over it): refused while running and at restart', async () => {
      const sink = await open({ identityCheckMs: 0 });
      await sink.append(report(1));
      // Another chain, by the same writer name, built elsewhere.
      const otherPath = join(dir, 'other.jsonl');
      const other = await openFileAuditSink({
        path: otherPath,
        writer: 'pod-a',
        lingerMs: 0,
        identityCheckMs: 0,
      });
      await other.append(report(7));
      await other.close();
      await rename(otherPath, path);
      const e = await rejection(sink.append(report(2)));
      expect(e.message).to.match(/replaced by another file/);
      expect((await rejection(verifyChains(sink.readRaw()))).message).to.match(/replaced/);
      await sink.close();
      const refused = await rejection(open());
      expect(refused.message).to.match(
        /holds a different record at writer pod-a seq 1 than its head file records/,
      );
    });

    it('notices a deletion between writes (identity timer) so readiness drops without traffic', async () => {
      const unavailable: string[] = [];
      const sink = await open({ identityCheckMs: 10, onUnavailable: (d) => unavailable.push(d) });
      await sink.append(report(1));
      await unlink(path);
      for (let i = 0; i < 100 && sink.health().ok; i += 1) await new Promise((r) => setTimeout(r, 10));
      expect(sink.health().ok).to.equal(false);
      expect(unavailable).to.have.length(1);
    });

    it('at start: a head naming a different last record refuses; a broken head refuses; a log longer than its head (crash before the head write) resumes', async () => {
      const sink = await open();
      await sink.append(report(1));
      await sink.append(report(2));
      await sink.close();
      const good = await readFile(headPath(), 'utf8');
      const head = JSON.parse(good) as { hash: string; seq: number; size: number };
      await writeFile(headPath(), JSON.stringify({ ...head, hash: `${'0'.repeat(64)}` }));
      expect((await rejection(open())).message).to.match(/holds a different record at writer pod-a seq 2/);
      await writeFile(headPath(), '{"writer":');
      expect((await rejection(open())).message).to.match(/not a valid head record/);
      // The head lags by the last batch: seq 1 and its size, as after a SIGKILL between the two fsyncs.
      const first = (await lines())[0]!;
      const r1 = JSON.parse(first) as { hash: string };
      await writeFile(
        headPath(),
        JSON.stringify({ writer: 'pod-a', seq: 1, hash: r1.hash, size: Buffer.byteLength(`${first}\n`) }),
      );
      const again = await open();
      expect((await again.append(report(3))).seq).to.equal(3);
      expect((await verifyChains(again.readRaw())).ok).to.equal(true);
    });

    it("checks between writes never mistake the sink's own appends for tampering (timer and reads racing flushes)", async () => {
      const sink = await open({ identityCheckMs: 1 });
      for (let round = 0; round < 10; round += 1) {
        const reads = Array.from({ length: 3 }, () => verifyChains(sink.readRaw()));
        await Promise.all([
          ...Array.from({ length: 30 }, (_, i) => sink.append(report(round * 30 + i))),
          ...reads,
        ]);
      }
      expect(sink.health()).to.deep.include({ ok: true });
      expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: 300 });
    });

    it('a log from before head files existed opens and gets a head', async () => {
      const sink = await open();
      await sink.append(report(1));
      await sink.close();
      await unlink(headPath());
      const again = await open();
      expect((await again.append(report(2))).seq).to.equal(2);
      await again.close();
      expect(await readHeadFile()).to.include({ seq: 2 });
    });
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
