// The built OCI archive (scripts/image/build.sh), opened the way a runtime
// opens it: index.json -> manifest -> config + layers, straight from the tar,
// and unpacked into a runc bundle by umoci (the same tool that packed it, but
// the run itself is runc's). No Docker engine exists here.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const IMAGE_ARCHIVE = path.resolve('dist/image/migration-gate-oci.tar');

export interface OciConfig {
  architecture: string;
  os: string;
  config: {
    User?: string;
    WorkingDir?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[];
    ExposedPorts?: Record<string, object>;
    Volumes?: Record<string, object>;
    Labels?: Record<string, string>;
  };
  rootfs: { type: string; diff_ids: string[] };
}

export interface LayerEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  link?: string;
}

export interface OpenedImage {
  refName: string;
  config: OciConfig;
  layers: string[];
  layoutDir: string;
}

/** Fails with the command to run when the archive is missing (never skips). */
export function requireArchive(): void {
  if (!existsSync(IMAGE_ARCHIVE))
    throw new Error(`${IMAGE_ARCHIVE} is missing: build it with \`npm run image\` (scripts/image/build.sh)`);
}

function blob(layoutDir: string, digest: string): string {
  const [alg, hex] = digest.split(':');
  if (alg !== 'sha256' || !/^[a-f0-9]{64}$/.test(hex ?? '')) throw new Error(`unexpected digest ${digest}`);
  return path.join(layoutDir, 'blobs', 'sha256', hex!);
}

/** Extracts the archive (an OCI image layout in a tar) into dir and reads its one manifest. */
export function openImage(dir: string): OpenedImage {
  requireArchive();
  const layoutDir = path.join(dir, 'layout');
  mkdirSync(layoutDir, { recursive: true });
  execFileSync('tar', ['-xf', IMAGE_ARCHIVE, '-C', layoutDir]);
  const index = JSON.parse(readFileSync(path.join(layoutDir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  if (index.manifests.length !== 1)
    throw new Error(`expected one manifest in index.json, found ${index.manifests.length}`);
  const m = index.manifests[0]!;
  const manifest = JSON.parse(readFileSync(blob(layoutDir, m.digest), 'utf8')) as {
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  const config = JSON.parse(readFileSync(blob(layoutDir, manifest.config.digest), 'utf8')) as OciConfig;
  return {
    refName: m.annotations?.['org.opencontainers.image.ref.name'] ?? '',
    config,
    layers: manifest.layers.map((l) => blob(layoutDir, l.digest)),
    layoutDir,
  };
}

const TYPES: Record<string, string> = {
  '-': 'file',
  d: 'dir',
  l: 'symlink',
  h: 'hardlink',
  c: 'char',
  b: 'block',
  p: 'fifo',
};

function parseMode(s: string): number {
  let mode = 0;
  const bits = s.slice(1);
  for (let i = 0; i < 9; i++) if (bits[i] !== '-' && bits[i] !== 'S' && bits[i] !== 'T') mode |= 1 << (8 - i);
  if (/[sS]/.test(bits[2] ?? '')) mode |= 0o4000;
  if (/[sS]/.test(bits[5] ?? '')) mode |= 0o2000;
  if (/[tT]/.test(bits[8] ?? '')) mode |= 0o1000;
  return mode;
}

/**
 * Every entry of a (gzip) layer with numeric owner and mode, from GNU tar's
 * verbose listing (its format is fixed for --numeric-owner; paths with
 * newlines would break it, and the image has none: the test would fail).
 */
export function layerEntries(layerPath: string): LayerEntry[] {
  const out = execFileSync('tar', ['--numeric-owner', '--quoting-style=literal', '-tvzf', layerPath], {
    maxBuffer: 512 * 1024 * 1024,
  }).toString();
  const entries: LayerEntry[] = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const m = /^(\S{10})\s+(\d+)\/(\d+)\s+(\d+|\d+,\s*\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (!m) throw new Error(`unparsed tar listing line: ${line}`);
    const type = TYPES[m[1]![0]!] ?? 'other';
    let name = m[5]!;
    let link: string | undefined;
    if (type === 'symlink') [name, link] = name.split(' -> ') as [string, string];
    if (type === 'hardlink') [name, link] = name.split(' link to ') as [string, string];
    entries.push({
      path: '/' + name.replace(/^\.?\//, '').replace(/\/$/, ''),
      type,
      mode: parseMode(m[1]!),
      uid: Number(m[2]),
      gid: Number(m[3]),
      size: Number.parseInt(m[4]!, 10),
      ...(link ? { link } : {}),
    });
  }
  return entries;
}

/** An unpacked runc bundle (config.json + rootfs) of the archive, under dir. */
export function unpackBundle(dir: string): string {
  requireArchive();
  const layout = path.join(dir, 'oci');
  const bundle = path.join(dir, 'bundle');
  execFileSync('skopeo', ['copy', '--quiet', `oci-archive:${IMAGE_ARCHIVE}`, `oci:${layout}:gate`]);
  execFileSync('umoci', ['unpack', '--image', `${layout}:gate`, bundle], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return bundle;
}
