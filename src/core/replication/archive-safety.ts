// Per-entry safety rules for a snapshot tar, applied before any byte of the
// entry is looked at. Every refusal names the entry.
import { fail, safeName } from './findings.js';
import type { TarEntry } from './tar-reader.js';

export interface ArchiveSafetyLimits {
  maxEntries: number;
  maxPathLength: number;
}

/**
 * Normalises a member name to "a/b/c" (no leading "./", no empty or "."
 * components) or refuses it. "" is the archive root ("./").
 */
export function normalizeEntryPath(name: string, maxPathLength: number): string {
  const q = safeName(name);
  if (Buffer.byteLength(name, 'utf8') > maxPathLength)
    fail(
      'archive-unsafe-path',
      `entry ${q} has a path longer than ${maxPathLength} bytes`,
      name.slice(0, 200),
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    fail('archive-unsafe-path', `entry ${q} has control characters in its path`, name.slice(0, 200));
  if (name.includes('\\'))
    fail(
      'archive-unsafe-path',
      `entry ${q} has a backslash in its path (a separator on Windows)`,
      name.slice(0, 200),
    );
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
    fail('archive-unsafe-path', `entry ${q} has an absolute path`, name.slice(0, 200));
  const all = name.split('/');
  if (all.includes('..'))
    fail('archive-unsafe-path', `entry ${q} escapes the extraction directory with ".."`, name.slice(0, 200));
  // One leading "./" (tar -C dir .) and one trailing "/" (directories) are what
  // every writer emits and every reader agrees on; "a//b", "a/./b" or "x/." are
  // spelled differently by each reader's listing, so they are refused.
  const inner =
    name === '.' || name === './'
      ? []
      : all.slice(all[0] === '.' ? 1 : 0, all.at(-1) === '' ? -1 : undefined);
  if (inner.some((p) => p === '' || p === '.'))
    fail('archive-ambiguous', `entry ${q} has an empty or "." path component`, name.slice(0, 200));
  return inner.join('/');
}

/** Case-insensitive, Unicode-NFC key: two names that collide on some filesystem collide here. */
export function aliasKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

export class ArchiveSafety {
  private readonly seen = new Map<string, string>();
  /** Alias keys of non-directory entries, and of every directory some entry lies in. */
  private readonly files = new Set<string>();
  private readonly parents = new Set<string>();
  private count = 0;

  constructor(private readonly limits: ArchiveSafetyLimits) {}

  /** Returns the normalised path of an acceptable entry; throws a finding otherwise. */
  check(e: TarEntry): string {
    if (++this.count > this.limits.maxEntries) {
      fail(
        'archive-budget-exceeded',
        `the archive has more than ${this.limits.maxEntries} entries (at ${safeName(e.path)})`,
        e.path.slice(0, 200),
      );
    }
    const path = normalizeEntryPath(e.path, this.limits.maxPathLength);
    // A reader that ignores PAX/GNU long names extracts the ustar name: it must be safe too.
    if (e.headerName !== e.path) normalizeEntryPath(e.headerName, this.limits.maxPathLength);
    this.checkKind(e);
    // A trailing "/" makes a regular-file header a directory for GNU tar and
    // Python, whose reader then parses the file's data as the next headers.
    if (e.kind !== 'directory' && (e.path.endsWith('/') || e.headerName.endsWith('/'))) {
      fail(
        'archive-ambiguous',
        `entry ${safeName(e.path)} is a ${e.kind} (type ${JSON.stringify(e.typeflag)}) whose name ends in "/": some readers extract a directory and read its data as headers`,
        e.path.slice(0, 200),
      );
    }
    if (e.linkname !== '')
      fail(
        'archive-ambiguous',
        `entry ${safeName(e.path)} is a ${e.kind} with a link name`,
        e.path.slice(0, 200),
      );
    if (path === '') {
      if (e.kind !== 'directory')
        fail('archive-unsafe-path', `entry ${safeName(e.path)} has an empty name`, e.path);
      return path;
    }
    const key = aliasKey(path);
    const prior = this.seen.get(key);
    if (prior !== undefined) {
      const how =
        prior === path ? 'appears twice' : `collides with ${safeName(prior)} (case or Unicode alias)`;
      fail(
        'archive-duplicate-entry',
        `entry ${safeName(path)} ${how}; a later copy would silently replace the verified one`,
        path,
      );
    }
    this.seen.set(key, path);
    this.checkParents(e, path, key);
    return path;
  }

  /**
   * A file used as a directory ("base" then "base/1/f", either order): every
   * extractor fails or replaces one of them, each in its own way.
   */
  private checkParents(e: TarEntry, path: string, key: string): void {
    for (let slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) {
      const parent = key.slice(0, slash);
      if (this.files.has(parent))
        fail(
          'archive-ambiguous',
          `entry ${safeName(path)} is inside ${safeName(this.seen.get(parent) ?? parent)}, which the archive makes a ${e.kind === 'directory' ? 'non-directory' : 'file'}`,
          path,
        );
      this.parents.add(parent);
    }
    if (e.kind !== 'directory') {
      if (this.parents.has(key))
        fail(
          'archive-ambiguous',
          `entry ${safeName(path)} is a ${e.kind} but earlier entries use it as a directory`,
          path,
        );
      this.files.add(key);
    }
  }

  private checkKind(e: TarEntry): void {
    const q = safeName(e.path);
    switch (e.kind) {
      case 'file':
      case 'directory':
        return;
      case 'hardlink':
      case 'symlink':
        return fail(
          'archive-link',
          `entry ${q} is a ${e.kind} to ${safeName(e.linkname)}; links are refused (they can point outside the data directory)`,
          e.path,
        );
      case 'char-device':
      case 'block-device':
      case 'fifo':
        return fail('archive-device', `entry ${q} is a ${e.kind}; special files are refused`, e.path);
      default:
        return fail(
          'archive-unsupported-entry',
          `entry ${q} has unsupported tar type ${JSON.stringify(e.typeflag)}`,
          e.path,
        );
    }
  }
}
