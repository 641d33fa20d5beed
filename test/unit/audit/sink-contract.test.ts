// The shared audit sink suite (test/support/audit-sink-contract.ts) on the
// file sink and on the ConfigMap sink over the in-memory apiserver fake. The
// PostgreSQL sink runs it in test/integration/audit-postgres.test.ts, the
// ConfigMap sink against a real apiserver in the e2e suite.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfigMapAuditSink } from '../../../src/adapters/audit/configmap-sink.js';
import { openFileAuditSink } from '../../../src/adapters/audit/file-sink.js';
import { auditSinkContract } from '../../support/audit-sink-contract.js';
import { FakeConfigMapStore } from './configmap-fake-store.js';

const isRecord =
  (writer: string, seq: number) =>
  (line: string): boolean =>
    line.includes(`"seq":${seq},"writer":"${writer}"`);

let dir = '';
auditSinkContract('file', {
  sharedByWriters: false,
  async reset() {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = await mkdtemp(join(tmpdir(), 'mg-contract-'));
  },
  open: (writer, tuning) =>
    openFileAuditSink({ path: join(dir, 'audit.jsonl'), writer, lingerMs: 0, identityCheckMs: 0, ...tuning }),
  async tamper(writer, seq, edit) {
    const path = join(dir, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, lines.map((l) => (isRecord(writer, seq)(l) ? edit(l) : l)).join('\n'));
  },
});

let store = new FakeConfigMapStore();
auditSinkContract('configmap (apiserver fake)', {
  sharedByWriters: true,
  async reset() {
    store = new FakeConfigMapStore();
  },
  open: (writer, tuning) =>
    openConfigMapAuditSink({ store, writer, lingerMs: 0, retryBaseMs: 1, random: () => 0.5, ...tuning }),
  async tamper(writer, seq, edit) {
    for (const [name, cm] of store.objects) {
      const text = cm.data['records.jsonl'] ?? '';
      if (text.split('\n').some(isRecord(writer, seq)))
        store.edit(name, (t) =>
          t
            .split('\n')
            .map((l) => (isRecord(writer, seq)(l) ? edit(l) : l))
            .join('\n'),
        );
    }
  },
});
