// Byte streams the pipelines read: uploads, files and https:// artifacts
// (adapters/artifacts/, the HTTP multipart reader).

/**
 * A byte stream whose length may be known up front. Each chunk yielded is
 * handed over: the producer neither keeps nor reuses it (the tar-walk pool
 * moves such chunks to a worker thread instead of copying them).
 */
export interface ByteSource {
  stream: AsyncIterable<Uint8Array>;
  size?: number;
  /** A human name for reports (a URL without credentials, a file name). */
  name: string;
}

/** Opens `file://` / `https://` artifacts with limits (adapters/artifacts). */
export interface ArtifactSource {
  open(url: string, signal?: AbortSignal): Promise<ByteSource>;
  /** A pg_basebackup output directory (file:// only): backup_manifest bytes and its tars, opened lazily. */
  openBackupDir?(url: string, signal?: AbortSignal): Promise<BackupDirArtifact>;
}

export interface BackupDirArtifact {
  manifestBytes: Uint8Array;
  files: { name: string; open(): Promise<ByteSource> }[];
}
