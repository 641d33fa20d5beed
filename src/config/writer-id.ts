// The audit writer id: one hash chain per writer, and the ConfigMap sink puts
// it in segment names and a label, so it must be a DNS label of at most 40
// characters and differ for every replica. Pod names are unique but may be
// longer; cutting them off could give two replicas of a long-named
// Deployment the same id (their names differ only at the end), and two
// writers on one chain break it. So a long name keeps a readable prefix and
// ends with a digest of the whole name.
import { createHash } from 'node:crypto';

export const MAX_WRITER_ID = 40;
const DIGEST_CHARS = 10;

export function writerIdFrom(name: string): string {
  const clean = trimDashes(name.toLowerCase().replace(/[^a-z0-9-]/g, '-'));
  if (clean.length === 0) return 'gate';
  if (clean.length <= MAX_WRITER_ID) return clean;
  const digest = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, DIGEST_CHARS);
  return `${trimDashes(clean.slice(0, MAX_WRITER_ID - DIGEST_CHARS - 1))}-${digest}`;
}

function trimDashes(s: string): string {
  return s.replace(/^-+|-+$/g, '');
}
