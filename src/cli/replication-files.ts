// Turns the CLI's file arguments into a streamed T2 request (local mode) or
// into multipart parts (server mode). WAL files go in name order.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ByteSource } from '../core/ports/artifacts.js';
import type { ReplicationRequest } from '../services/validation/validate-replication.js';

export interface ReplicationFileArgs {
  manifest: string;
  snapshot: string;
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
  return { stream: createReadStream(file, { highWaterMark: 1024 * 1024 }), size: (await fs.stat(file)).size, name };
}

/** Local mode: every file streamed, nothing held whole. */
export async function replicationRequestFromFiles(args: ReplicationFileArgs): Promise<ReplicationRequest> {
  const names = await walNames(args.walDir);
  async function* wal(): AsyncGenerator<{ name: string; source: ByteSource }> {
    for (const name of names) yield { name, source: await fileSource(path.join(args.walDir!, name), name) };
  }
  return {
    manifestBytes: await fs.readFile(args.manifest),
    ...(args.signature ? { signature: { kind: args.signature.kind, bytes: await fs.readFile(args.signature.file) } } : {}),
    snapshot: await fileSource(args.snapshot),
    wal: wal(),
  };
}

/**
 * Server mode: fetch's FormData needs the bytes, so the files are read whole.
 * Fine for CI-sized artifacts; for large snapshots use the JSON API with
 * artifact URLs.
 */
export async function replicationPartsFromFiles(args: ReplicationFileArgs): Promise<Part[]> {
  const part = async (name: string, file: string, filename = path.basename(file)): Promise<Part> => ({ name, filename, bytes: await fs.readFile(file) });
  const parts = [await part('replication_manifest', args.manifest)];
  if (args.signature) parts.push(await part(args.signature.kind === 'dsse' ? 'dsse' : 'signature', args.signature.file));
  parts.push(await part('snapshot', args.snapshot));
  for (const name of await walNames(args.walDir)) parts.push(await part('wal_files', path.join(args.walDir!, name), name));
  return parts;
}
