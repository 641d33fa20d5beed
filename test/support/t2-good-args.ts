// The CLI arguments of the good T2 example (examples/t2_good), signed: the
// one replication the CLI tests send locally, to a server and through a pty.
export const T2_GOOD_ARGS: readonly string[] = [
  '--manifest',
  'examples/t2_good/replication_manifest.yaml',
  '--snapshot',
  'examples/t2_good/snapshot.tar.gz',
  '--wal-dir',
  'examples/t2_good/wal',
  '--signature',
  'examples/t2_good/replication_manifest.yaml.sig',
];
