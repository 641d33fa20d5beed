// Runs every real loader over a batch of config texts: one process per
// loader (not per config), each printing a header line with its reader
// names and then one JSON line per config with one reading per reader.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Reading = { ok: true; v: unknown } | { ok: false; e: string };

/** Builds (once, cached) and locates the loaders; throws with the install command when a toolchain is missing. */
export function ensureLoaders(): Record<'PYTHON_LOADER' | 'GO_LOADER' | 'JAVA_CLASSPATH', string> {
  const r = spawnSync('bash', ['test/differential/loaders/ensure-loaders.sh'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0)
    throw new Error(
      `the real YAML loaders are not available (run .ci/run or the command below):\n${r.stderr || r.error?.message}`,
    );
  const out: Record<string, string> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const i = line.indexOf('=');
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out as Record<'PYTHON_LOADER' | 'GO_LOADER' | 'JAVA_CLASSPATH', string>;
}

/** readings[loaderName][configIndex] */
export function runLoaders(texts: string[]): Record<string, Reading[]> {
  const tools = ensureLoaders();
  const dir = mkdtempSync(join(tmpdir(), 'config-loaders-'));
  try {
    const json = join(dir, 'configs.json');
    const b64 = join(dir, 'configs.b64');
    writeFileSync(json, JSON.stringify(texts));
    writeFileSync(
      b64,
      texts.map((t) => Buffer.from(t, 'utf8').toString('base64')).join('\n') + (texts.length ? '\n' : ''),
    );
    const all: Record<string, Reading[]> = {};
    const runs: Array<[string, string[]]> = [
      ['python3', [tools.PYTHON_LOADER, json]],
      [tools.GO_LOADER, [json]],
      ['java', ['-Xss16m', '-cp', tools.JAVA_CLASSPATH, 'SnakeLoader', b64]],
    ];
    for (const [cmd, args] of runs) {
      const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
      if (r.status !== 0)
        throw new Error(
          `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').slice(0, 2000)}`,
        );
      const lines = r.stdout.split('\n').filter((l) => l !== '');
      const names = JSON.parse(lines[0]!) as string[];
      if (lines.length - 1 !== texts.length)
        throw new Error(`${cmd}: ${lines.length - 1} readings for ${texts.length} configs`);
      names.forEach((n) => {
        all[n] = [];
      });
      for (const line of lines.slice(1)) {
        const per = JSON.parse(line) as Reading[];
        names.forEach((n, i) => all[n]!.push(per[i]!));
      }
    }
    return all;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
