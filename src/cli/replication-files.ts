// Turns the CLI's file arguments into a streamed T2 request (local mode) or
// into multipart parts (server mode). WAL files go in name order.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ByteSource } from '../core/ports/artifacts.js';
import type { ReplicationRequest } from '../services/validation/validate-replication.js';
import { readBackupDir, type BackupDir } from '../adapters/artifacts/backup-dir.js';
import type { BackupFileSource } from '../core/replication/backup-set.js';

export interface ReplicationFileArgs {
  manifest: string;
  /** One archive (snapshot.tar.gz), or... */
  snapshot?: string;
  /** ...a pg_basebackup directory (-Ft or -Fp). */
  backup?: string;
  /** An incremental backup's prior backups (directories), oldest (the full backup) first. */
  priors?: readonly string[];
  walDir?: string;
  signature?: { kind: 'detached' | 'dsse'; file: string };
}

export interface Part {
  name: string;
  filename: string;
  bytes: Uint8Array;
}

async function walNames(dir: string | undefined): Promise<string[]> {
  return dir ? (await fs.readdir(dir)).filter((n) => !n.startsWith('.')).sort() : [];
}

async function fileSource(file: string, name = path.basename(file)): Promise<ByteSource> {
  return {
    stream: createReadStream(file, { highWaterMark: 1024 * 1024 }),
    size: (await fs.stat(file)).size,
    name,
  };
}

/** Local mode: every file streamed, nothing held whole. */
export async function replicationRequestFromFiles(args: ReplicationFileArgs): Promise<ReplicationRequest> {
  const names = await walNames(args.walDir);
  async function* wal(): AsyncGenerator<{ name: string; source: ByteSource }> {
    for (const name of names) yield { name, source: await fileSource(path.join(args.walDir!, name), name) };
  }
  return {
    manifestBytes: await fs.readFile(args.manifest),
    ...(args.signature
      ? { signature: { kind: args.signature.kind, bytes: await fs.readFile(args.signature.file) } }
      : {}),
    ...(args.snapshot ? { snapshot: await fileSource(args.snapshot) } : {}),
    ...(args.backup ? { backup: await backupWithPriors(args.backup, args.priors ?? []) } : {}),
    wal: wal(),
  };
}

/** Tars opened one by one as the core asks; two walked at once (the local gate's tar-walk pool puts the second on another core). */
export function backupInput(dir: BackupDir, parallel = 2): NonNullable<ReplicationRequest['backup']> {
  async function* files(): AsyncGenerator<BackupFileSource> {
    for (const f of dir.files) yield { name: f.name, source: await f.open() };
  }
  return { manifestBytes: dir.manifestBytes, files: files(), parallel };
}

/** The backup and its chain; each prior a directory of its own, read as the backup is. */
async function backupWithPriors(
  dir: string,
  priors: readonly string[],
): Promise<NonNullable<ReplicationRequest['backup']>> {
  const input = backupInput(await readBackupDir(dir));
  if (priors.length === 0) return input;
  const links = [];
  for (const p of priors) {
    const { manifestBytes, files } = backupInput(await readBackupDir(p));
    links.push({ manifestBytes, files });
  }
  return { ...input, priors: links };
}

async function streamBytes(source: ByteSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of source.stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * Server mode: fetch's FormData needs the bytes, so the files are read whole.
 * Fine for CI-sized artifacts; for large snapshots use the JSON API with
 * artifact URLs.
 */
export async function replicationPartsFromFiles(args: ReplicationFileArgs): Promise<Part[]> {
  const part = async (name: string, file: string, filename = path.basename(file)): Promise<Part> => ({
    name,
    filename,
    bytes: await fs.readFile(file),
  });
  const parts = [await part('replication_manifest', args.manifest)];
  if (args.signature)
    parts.push(await part(args.signature.kind === 'dsse' ? 'dsse' : 'signature', args.signature.file));
  if (args.snapshot) parts.push(await part('snapshot', args.snapshot));
  if (args.backup) {
    const dir = await readBackupDir(args.backup);
    parts.push({ name: 'backup_manifest', filename: 'backup_manifest', bytes: dir.manifestBytes });
    for (const f of dir.files)
      parts.push({ name: 'backup_file', filename: f.name, bytes: await streamBytes(await f.open()) });
  }
  for (const name of await walNames(args.walDir))
    parts.push(await part('wal_files', path.join(args.walDir!, name), name));
  return parts;
}

/** Snapshot plus WAL bytes: what a local verification reads, for the progress bar's total. */
export async function replicationBytes(args: ReplicationFileArgs): Promise<number> {
  let total =
    args.snapshot !== undefined ? (await fs.stat(args.snapshot)).size : await treeBytes(args.backup!);
  for (const p of args.priors ?? []) total += await treeBytes(p);
  for (const name of await walNames(args.walDir))
    total += (await fs.stat(path.join(args.walDir!, name))).size;
  return total;
}

/** Bytes of every regular file under a backup directory (-Ft: the tars; -Fp: the data directory). */
async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
