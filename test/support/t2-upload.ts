// Builds the multipart upload of a T2 example directory in the order the
// route streams it: manifest, signature, snapshot, WAL files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function t2Form(dir: string, overrides: { walNames?: Record<string, string> } = {}): FormData {
  const form = new FormData();
  form.append(
    'replication_manifest',
    new Blob([readFileSync(path.join(dir, 'replication_manifest.yaml'))]),
    'replication_manifest.yaml',
  );
  const sig = path.join(dir, 'replication_manifest.yaml.sig');
  const dsse = path.join(dir, 'replication_manifest.dsse.json');
  if (existsSync(sig))
    form.append('signature', new Blob([readFileSync(sig)]), 'replication_manifest.yaml.sig');
  else if (existsSync(dsse))
    form.append('dsse', new Blob([readFileSync(dsse)]), 'replication_manifest.dsse.json');
  form.append('snapshot', new Blob([readFileSync(path.join(dir, 'snapshot.tar.gz'))]), 'snapshot.tar.gz');
  const walDir = path.join(dir, 'wal');
  if (existsSync(walDir)) {
    for (const name of readdirSync(walDir).sort()) {
      form.append(
        'wal_files',
        new Blob([readFileSync(path.join(walDir, name))]),
        overrides.walNames?.[name] ?? name,
      );
    }
  }
  return form;
}
