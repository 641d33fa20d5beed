// `validate migration` (T1) and `validate replication` (T2): here with the
// shipped (or given) policies, or on a server with --server / GATE_SERVER
// for the audited decision.
import path from 'node:path';
import type { DecisionReport } from '../../core/contracts/report.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../core/replication/pipeline.js';
import { validateConfig } from '../../services/validation/validate-config.js';
import { validateReplication } from '../../services/validation/validate-replication.js';
import type { Command, CommandRun, OptionSpec, Values } from '../command.js';
import {
  keysDirOf,
  LOCAL_OPTION,
  POLICY_OPTIONS,
  policyDirOf,
  remoteOf,
  SERVER_OPTIONS,
  str,
  strs,
} from '../common-options.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { formatReport } from '../format-report.js';
import { localGate } from '../local-gate.js';
import { emit, outputFormatOf } from '../output.js';
import { ensureReadable, readInput } from '../read-input.js';
import { postMultipart } from '../remote.js';
import { exitForDecision, reportFromAnswer } from '../report-answer.js';
import { reportSarif } from '../report-sarif.js';
import {
  replicationBytes,
  replicationPartsFromFiles,
  replicationRequestFromFiles,
  type ReplicationFileArgs,
} from '../replication-files.js';
import { progressBar } from '../progress-bar.js';
import { postMultipartWithProgress } from '../remote-progress.js';

const SIGNATURE_OPTIONS: Record<string, OptionSpec> = {
  signature: {
    type: 'string',
    valueName: 'FILE',
    completeFiles: true,
    description: 'detached signature over the manifest bytes (FILE.sig)',
  },
  dsse: {
    type: 'string',
    valueName: 'FILE',
    completeFiles: true,
    description: 'DSSE envelope whose payload is the manifest',
  },
};

const OUTPUT = ['text', 'json', 'yaml', 'sarif'] as const;

function need(values: Values, name: string): string {
  const v = str(values[name]);
  if (!v) throw usageError(`--${name} is required`);
  return v;
}

function signatureArg(values: Values): { kind: 'dsse' | 'detached'; file: string } | undefined {
  if (str(values.signature) && str(values.dsse)) throw usageError('give --signature or --dsse, not both');
  const file = str(values.signature) ?? str(values.dsse);
  return file ? { kind: str(values.dsse) ? 'dsse' : 'detached', file } : undefined;
}

async function migration({ values, io }: CommandRun): Promise<number> {
  const format = outputFormatOf(values, OUTPUT);
  const manifestFile = need(values, 'manifest');
  const configFile = need(values, 'config');
  const sig = signatureArg(values);
  // One after another: with both missing, the error names the manifest every
  // time (read together, whichever failed first was named: a flaky message).
  const manifest = await readInput(io.cwd, manifestFile, 'manifest');
  const config = await readInput(io.cwd, configFile, 'config');
  const sigBytes = sig ? await readInput(io.cwd, sig.file, 'signature') : undefined;
  const remote = remoteOf(values, io);
  let report: DecisionReport;
  if (remote) {
    const sigParts =
      sig && sigBytes
        ? [
            {
              name: sig.kind === 'dsse' ? 'manifest_dsse' : 'manifest_signature',
              filename: path.basename(sig.file),
              bytes: sigBytes,
            },
          ]
        : [];
    report = reportFromAnswer(
      await postMultipart(remote, '/api/v1/validate/migration', [
        { name: 'migration_manifest', filename: path.basename(manifestFile), bytes: manifest },
        { name: 'app_config', filename: path.basename(configFile), bytes: config },
        ...sigParts,
      ]),
    );
  } else {
    const policyDir = policyDirOf(values, io);
    const gate = await localGate(policyDir, keysDirOf(values, io, policyDir));
    report = await validateConfig(
      gate,
      {
        manifest,
        config,
        ...(sig && sigBytes ? { signature: { kind: sig.kind, bytes: sigBytes } } : {}),
        subject: { source: 'cli' },
      },
      { requestId: gate.ids.next(), source: 'cli', maxConfigBytes: 1024 * 1024, dryRun: true },
    );
  }
  emit(io, format, {
    text: () => formatReport(report),
    data: report,
    sarif: () =>
      reportSarif(report, {
        primary: { file: configFile, text: config.toString('utf8') },
        manifest: { file: manifestFile },
        cwd: io.cwd,
      }),
  });
  return exitForDecision(report);
}

const PRIORS_NEED_LOCAL =
  'an incremental chain (--prior) is verified locally (--local) or by the server from shared storage (POST JSON with backup_url and prior_backup_urls); a multipart upload carries one backup directory';

/** One archive, or a backup directory with its incremental chain (--prior, oldest first). */
function replicationInputs(values: Values): { snapshot?: string; backup?: string; priors: string[] } {
  const snapshot = str(values.snapshot);
  const backup = str(values.backup);
  if (snapshot && backup)
    throw new CliError(
      'give --snapshot (one archive) or --backup (a pg_basebackup directory), not both',
      EXIT.usage,
    );
  if (!snapshot && !backup) throw new CliError('--snapshot FILE or --backup DIR is required', EXIT.usage);
  const priors = strs(values.prior);
  if (priors.length > 0 && !backup)
    throw new CliError(
      '--prior DIR names a link of an incremental chain: give the backup with --backup DIR',
      EXIT.usage,
    );
  return { ...(snapshot ? { snapshot } : {}), ...(backup ? { backup } : {}), priors };
}

async function replication({ values, io }: CommandRun): Promise<number> {
  const format = outputFormatOf(values, OUTPUT);
  const sig = signatureArg(values);
  const resolve = (f: string): string => path.resolve(io.cwd, f);
  const manifestFile = need(values, 'manifest');
  const { snapshot, backup, priors } = replicationInputs(values);
  const files: ReplicationFileArgs = {
    manifest: resolve(manifestFile),
    ...(snapshot ? { snapshot: resolve(snapshot) } : { backup: resolve(backup!) }),
    ...(priors.length > 0 ? { priors: priors.map(resolve) } : {}),
    ...(str(values['wal-dir']) ? { walDir: resolve(str(values['wal-dir'])!) } : {}),
    ...(sig ? { signature: { kind: sig.kind, file: resolve(sig.file) } } : {}),
  };
  // Every named file must be readable before anything is judged (2, not a BLOCK).
  await ensureReadable(io.cwd, manifestFile, 'manifest');
  await ensureReadable(io.cwd, files.snapshot ?? files.backup!, snapshot ? 'snapshot' : 'backup directory');
  for (const p of priors) await ensureReadable(io.cwd, p, 'prior backup directory');
  if (files.signature) await ensureReadable(io.cwd, files.signature.file, 'signature');
  const remote = remoteOf(values, io);
  if (remote && priors.length > 0) throw new CliError(PRIORS_NEED_LOCAL, EXIT.usage);
  let report: DecisionReport;
  if (remote) {
    // The upload streams through a counter (remote-progress.ts): the bar shows what the socket took; none when stderr is not a TTY.
    const parts = await replicationPartsFromFiles(files);
    const bar = progressBar(process.stderr, { label: 'uploading' });
    let res;
    try {
      res = await postMultipartWithProgress(remote, '/api/v1/validate/replication', parts, (sent, total) =>
        bar.update(sent, total),
      );
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e), EXIT.unavailable);
    } finally {
      bar.finish();
    }
    report = reportFromAnswer(res);
  } else {
    const policyDir = policyDirOf(values, io);
    const gate = await localGate(policyDir, keysDirOf(values, io, policyDir));
    const bar = progressBar(process.stderr, { label: 'verifying', total: await replicationBytes(files) });
    report = await validateReplication(
      gate,
      {
        ...(await replicationRequestFromFiles(files)),
        subject: { source: 'cli' },
        onProgress: (read) => bar.update(read),
      },
      {
        requestId: gate.ids.next(),
        source: 'cli',
        dryRun: true,
        limits: DEFAULT_REPLICATION_LIMITS,
      },
    ).finally(() => bar.finish());
  }
  emit(io, format, {
    text: () => formatReport(report),
    data: report,
    sarif: () =>
      reportSarif(report, { primary: { file: manifestFile }, manifest: { file: manifestFile }, cwd: io.cwd }),
  });
  return exitForDecision(report);
}

const EXITS =
  'exit codes: 0 ALLOW, 1 BLOCK, 2 usage/input/credentials refused, 3 server unreachable or failed';

export const validateMigrationCommand: Command = {
  words: ['validate', 'migration'],
  summary: 'T1: check an app config against its signed-off migration manifest and the policies',
  options: {
    manifest: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'migration_manifest.json (required)',
    },
    config: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'app-config.yaml or .json (required)',
    },
    ...SIGNATURE_OPTIONS,
    ...POLICY_OPTIONS,
    ...SERVER_OPTIONS,
    ...LOCAL_OPTION,
  },
  outputs: OUTPUT,
  details: `--output sarif puts each finding on the config line it is about (for CI code scanning).\n${EXITS}`,
  run: migration,
};

export const validateReplicationCommand: Command = {
  words: ['validate', 'replication'],
  summary: 'T2: verify a database snapshot, its WAL and its replication manifest',
  options: {
    manifest: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'replication_manifest.yaml (required)',
    },
    snapshot: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'snapshot.tar.gz (one archive; or --backup)',
    },
    backup: {
      type: 'string',
      valueName: 'DIR',
      completeFiles: true,
      description: 'what pg_basebackup -Ft or -Fp wrote (backup_manifest beside the tars)',
    },
    prior: {
      type: 'string',
      multiple: true,
      valueName: 'DIR',
      completeFiles: true,
      description:
        'for an incremental --backup: a backup it depends on (repeatable, oldest = the full backup first; each pinned in expected_prior_backup_manifest_hashes)',
    },
    'wal-dir': {
      type: 'string',
      valueName: 'DIR',
      completeFiles: true,
      description: 'directory of WAL segment files',
    },
    ...SIGNATURE_OPTIONS,
    ...POLICY_OPTIONS,
    ...SERVER_OPTIONS,
    ...LOCAL_OPTION,
  },
  outputs: OUTPUT,
  details: EXITS,
  run: replication,
};
