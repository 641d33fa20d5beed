// certManager / existingSecret: tls.crt + tls.key mounted from a Secret in
// GATE_TLS_DIR. The kubelet updates such a volume by writing a new
// `..data_<ts>` dir and renaming the `..data` symlink over the old one, so
// the files change under a stable name without any write to them: watch the
// directory (fs.watch sees the rename) and, because inotify on volumes is not
// always reliable, also re-read on a timer. A half-updated pair (key not
// matching the cert) is ignored until both sides agree.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GateError, describeError } from '../../core/errors.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { ServingTls } from '../../core/ports/self-managed-tls.js';

export interface CertFilesWatcherOptions {
  dir: string;
  onChange(tls: ServingTls): void;
  logger?: Logger;
  pollIntervalMs?: number;
  /** Events come in bursts during a swap; reload once they settle. */
  debounceMs?: number;
}

export interface CertFilesWatcher {
  current(): ServingTls;
  /** Re-reads the files now (the timer and fs.watch call this too). */
  reload(): Promise<boolean>;
  close(): void;
}

export async function watchCertFiles(o: CertFilesWatcherOptions): Promise<CertFilesWatcher> {
  let current: ServingTls;
  try {
    current = await readPair(o.dir);
  } catch (e) {
    throw new GateError(
      'config-invalid',
      `GATE_TLS_DIR: cannot load tls.crt/tls.key from ${o.dir}: ${describeError(e)}`,
      undefined,
      { cause: e },
    );
  }
  let busy: Promise<boolean> | undefined;
  const reload = (): Promise<boolean> =>
    (busy ??= (async () => {
      try {
        const next = await readPair(o.dir);
        if (next.cert === current.cert && next.key === current.key) return false;
        current = next;
        o.logger?.info('reloaded the mounted serving certificate', {
          not_after: next.notAfter.toISOString(),
        });
        o.onChange(next);
        return true;
      } catch (e) {
        o.logger?.debug('mounted certificate not (yet) usable; keeping the current one', {
          error: describeError(e),
        });
        return false;
      }
    })().finally(() => (busy = undefined)));

  let debounce: NodeJS.Timeout | undefined;
  const soon = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void reload(), o.debounceMs ?? 200);
    debounce.unref();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(o.dir, soon);
    watcher.on('error', () => watcher?.close());
  } catch {
    // No inotify (or the dir vanished): the timer still catches every change.
  }
  const timer = setInterval(() => void reload(), o.pollIntervalMs ?? 10_000);
  timer.unref();
  return {
    current: () => current,
    reload,
    close() {
      clearInterval(timer);
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}

async function readPair(dir: string): Promise<ServingTls> {
  const cert = await readFile(path.join(dir, 'tls.crt'), 'utf8');
  const key = await readFile(path.join(dir, 'tls.key'), 'utf8');
  const x = new X509Certificate(cert);
  if (!x.checkPrivateKey(createPrivateKey(key))) throw new Error('tls.key does not match tls.crt');
  return { key, cert, notAfter: new Date(x.validTo) };
}
