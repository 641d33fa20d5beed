// Fixtures for `policy test`: every directory under DIR holding an
// expected.json is one case, T1 (migration_manifest.json + app-config.*) or
// T2 (replication_manifest.yaml + snapshot.tar.gz [+ wal/]), with its
// signature beside the manifest when there is one. The layout is the one
// examples/ already uses, so `policy test examples` runs them all.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DecisionSchema } from '../core/contracts/report.js';
import { EnvironmentSchema } from '../core/contracts/migration-manifest.js';
import { CliError, EXIT } from './exit-codes.js';

export const ExpectedSchema = z.object({
  decision: DecisionSchema,
  /** One rule id the report must name ("" = none in particular). */
  rule: z.string().optional(),
  /** Rule ids the report must all name. */
  rules: z.array(z.string().min(1)).optional(),
  /** The namespace's environment the case is judged in (T1); absent: the manifest's. */
  env: EnvironmentSchema.optional(),
  why: z.string().optional(),
  note: z.string().optional(),
});
export type Expected = z.infer<typeof ExpectedSchema>;

export interface PolicyCase {
  name: string;
  dir: string;
  scenario: 'T1' | 'T2';
  expected: Expected;
  files: Record<string, string>;
}

const MAX_DEPTH = 6;

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

async function firstExisting(dir: string, names: string[]): Promise<string | undefined> {
  for (const n of names) if (await exists(path.join(dir, n))) return path.join(dir, n);
  return undefined;
}

async function caseAt(root: string, dir: string): Promise<PolicyCase> {
  const name = path.relative(root, dir).split(path.sep).join('/') || path.basename(dir);
  let expected: Expected;
  try {
    expected = ExpectedSchema.parse(JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')));
  } catch (e) {
    throw new CliError(
      `${name}/expected.json is not a valid expectation: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`,
      EXIT.usage,
    );
  }
  const t1Manifest = await firstExisting(dir, ['migration_manifest.json']);
  if (t1Manifest) {
    const config = await firstExisting(dir, ['app-config.yaml', 'app-config.yml', 'app-config.json']);
    if (!config)
      throw new CliError(`${name}: migration_manifest.json without app-config.yaml|yml|json`, EXIT.usage);
    const sig = await firstExisting(dir, ['migration_manifest.json.sig']);
    const dsse = await firstExisting(dir, ['migration_manifest.dsse.json']);
    return {
      name,
      dir,
      scenario: 'T1',
      expected,
      files: { manifest: t1Manifest, config, ...(sig ? { signature: sig } : {}), ...(dsse ? { dsse } : {}) },
    };
  }
  const t2Manifest = await firstExisting(dir, ['replication_manifest.yaml']);
  const snapshot = await firstExisting(dir, ['snapshot.tar.gz']);
  if (t2Manifest && snapshot) {
    const sig = await firstExisting(dir, ['replication_manifest.yaml.sig']);
    const dsse = await firstExisting(dir, ['replication_manifest.dsse.json']);
    const wal = await firstExisting(dir, ['wal']);
    return {
      name,
      dir,
      scenario: 'T2',
      expected,
      files: {
        manifest: t2Manifest,
        snapshot,
        ...(wal ? { walDir: wal } : {}),
        ...(sig ? { signature: sig } : {}),
        ...(dsse ? { dsse } : {}),
      },
    };
  }
  throw new CliError(
    `${name}: expected.json beside neither a T1 pair (migration_manifest.json + app-config.yaml) nor a T2 pair (replication_manifest.yaml + snapshot.tar.gz)`,
    EXIT.usage,
  );
}

export async function findCases(root: string): Promise<PolicyCase[]> {
  const out: PolicyCase[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw new CliError(`cannot read ${dir} (${(e as { code?: string }).code ?? String(e)})`, EXIT.usage);
    }
    if (entries.some((e) => e.isFile() && e.name === 'expected.json')) {
      out.push(await caseAt(root, dir));
      return;
    }
    if (depth >= MAX_DEPTH) return;
    for (const e of entries
      .filter((x) => x.isDirectory() && !x.name.startsWith('.') && x.name !== 'node_modules')
      .sort((a, b) => a.name.localeCompare(b.name))) {
      await walk(path.join(dir, e.name), depth + 1);
    }
  };
  await walk(root, 0);
  return out;
}
