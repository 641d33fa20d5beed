// What a leaf of a writer's tree is: the RFC 8785 canonical JSON of the
// record as stored (every field, `hash` included). Canonical bytes make the
// leaf independent of how a sink stores the record (a JSON line, a
// ConfigMap, a PostgreSQL jsonb column that reorders keys): any sink that
// gives back the same JSON value gives back the same leaf. Pure.
import { chainedRecordText } from '../audit-record.js';
import { canonicalJson } from '../hashing.js';
import { leafHash } from './rfc6962.js';

export function recordLeafBytes(record: Record<string, unknown>): Buffer {
  // A record this process just chained has its canonical text already (audit-record.ts).
  return Buffer.from(chainedRecordText(record) ?? canonicalJson(record), 'utf8');
}

export function recordLeafHash(record: Record<string, unknown>): Buffer {
  return leafHash(recordLeafBytes(record));
}

/** The origin of a writer's tree: `<key name>/<writer>`, the key name being `migration-gate/<cluster>`. */
export function writerOrigin(keyName: string, writer: string): string {
  return `${keyName}/${writer}`;
}

export function auditKeyName(cluster: string): string {
  return `migration-gate/${cluster}`;
}
