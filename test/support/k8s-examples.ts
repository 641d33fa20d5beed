// The Kubernetes examples (examples/k8s) as objects, and the rewrite that
// points their in-pod artifact URLs (file:///artifacts/…) at this checkout's
// examples directory, for tests that run the gate as a local process.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const EXAMPLES = path.resolve('examples');

export const k8sExample = (file: string): Record<string, unknown> =>
  parse(readFileSync(`examples/k8s/${file}`, 'utf8')) as Record<string, unknown>;

export const localArtifacts = (o: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(o).replaceAll('file:///artifacts/', `file://${EXAMPLES}/`)) as Record<
    string,
    unknown
  >;
