// PostgreSQL's backup_manifest (written by pg_basebackup, checked by
// pg_verifybackup): JSON with Files[], WAL-Ranges[] and a SHA-256 of itself.
// See the PostgreSQL docs, "Backup Manifest Format".
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { digestsEqual } from '../hashing.js';
import type { PgChecksumAlgorithm } from './entry-digests.js';

const LSN = z.string().regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/);

const FileSchema = z
  .object({
    Path: z.string().optional(),
    'Encoded-Path': z
      .string()
      .regex(/^([0-9a-fA-F]{2})+$/)
      .optional(),
    Size: z.number().int().nonnegative(),
    'Last-Modified': z.string().optional(),
    'Checksum-Algorithm': z.enum(['NONE', 'CRC32C', 'SHA224', 'SHA256', 'SHA384', 'SHA512']).optional(),
    Checksum: z
      .string()
      .regex(/^[0-9a-fA-F]*$/)
      .optional(),
  })
  .loose();

const ManifestSchema = z
  .object({
    'PostgreSQL-Backup-Manifest-Version': z.union([z.literal(1), z.literal(2)]),
    'System-Identifier': z.number().optional(),
    Files: z.array(FileSchema),
    'WAL-Ranges': z.array(
      z.object({ Timeline: z.number().int().positive(), 'Start-LSN': LSN, 'End-LSN': LSN }),
    ),
    'Manifest-Checksum': z.string().regex(/^[0-9a-fA-F]{64}$/),
  })
  .loose();

export interface BackupFile {
  path: string;
  size: number;
  algorithm?: PgChecksumAlgorithm;
  checksum?: string;
}

export interface WalRange {
  timeline: number;
  start: bigint;
  end: bigint;
}

export interface BackupManifest {
  version: number;
  /** Manifest v2 (PostgreSQL 17+): read from the text, a JSON number would lose its low bits. */
  systemId?: bigint;
  files: BackupFile[];
  walRanges: WalRange[];
}

export type BackupManifestParse =
  | { ok: true; manifest: BackupManifest }
  | { ok: false; rule: 'backup-manifest-invalid' | 'backup-manifest-checksum-mismatch'; message: string };

export function parseLsn(text: string): bigint {
  const [hi, lo] = text.split('/') as [string, string];
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/**
 * pg_verifybackup: the checksum covers everything up to and including the
 * penultimate newline; the last line holds the checksum and must end in "\n".
 */
export function manifestChecksumRegion(bytes: Uint8Array): Uint8Array | string {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a) return 'last line not newline-terminated';
  const penultimate = bytes.lastIndexOf(0x0a, bytes.length - 2);
  if (penultimate < 0) return 'expected at least 2 lines';
  return bytes.subarray(0, penultimate + 1);
}

export function parseBackupManifest(bytes: Uint8Array): BackupManifestParse {
  const invalid = (message: string): BackupManifestParse => ({
    ok: false,
    rule: 'backup-manifest-invalid',
    message: `backup_manifest: ${message}`,
  });
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return invalid('not valid UTF-8 JSON');
  }
  const parsed = ManifestSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const region = manifestChecksumRegion(bytes);
  if (typeof region === 'string') return invalid(region);
  const actual = createHash('sha256').update(region).digest('hex');
  if (!digestsEqual(actual, parsed.data['Manifest-Checksum'])) {
    return {
      ok: false,
      rule: 'backup-manifest-checksum-mismatch',
      message: `backup_manifest checksum mismatch: computed ${actual}, manifest says ${parsed.data['Manifest-Checksum']}; the manifest was edited`,
    };
  }
  const files: BackupFile[] = [];
  for (const f of parsed.data.Files) {
    const file = toBackupFile(f);
    if (typeof file === 'string') return invalid(file);
    files.push(file);
  }
  const walRanges = parsed.data['WAL-Ranges'].map((r) => ({
    timeline: r.Timeline,
    start: parseLsn(r['Start-LSN']),
    end: parseLsn(r['End-LSN']),
  }));
  const version = parsed.data['PostgreSQL-Backup-Manifest-Version'];
  const sysid =
    /^\{\s*"PostgreSQL-Backup-Manifest-Version":\s*2,\s*"System-Identifier":\s*([0-9]{1,20}),/.exec(
      Buffer.from(bytes.subarray(0, 200)).toString('utf8'),
    );
  if (version === 2 && !sysid) return invalid('version 2 without a System-Identifier on its first lines');
  return {
    ok: true,
    manifest: { version, files, walRanges, ...(sysid ? { systemId: BigInt(sysid[1]!) } : {}) },
  };
}

function toBackupFile(f: z.infer<typeof FileSchema>): BackupFile | string {
  const encoded = f['Encoded-Path'];
  if ((f.Path === undefined) === (encoded === undefined))
    return 'each file needs exactly one of Path and Encoded-Path';
  const path = f.Path ?? Buffer.from(encoded!, 'hex').toString('utf8');
  const algorithm = f['Checksum-Algorithm'];
  const file: BackupFile = { path, size: f.Size };
  if (algorithm && algorithm !== 'NONE') {
    if (!f.Checksum) return `${JSON.stringify(path.slice(0, 200))} names ${algorithm} but has no Checksum`;
    file.algorithm = algorithm;
    file.checksum = f.Checksum.toLowerCase();
  }
  return file;
}
