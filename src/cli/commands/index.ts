// Every CLI command, in the order `migration-gate --help` lists them.
import type { Command } from '../command.js';
import { auditLogsCommand } from './audit-logs.js';
import { auditVerifyCommand } from './audit-verify.js';
import { auditArchiveCommand, auditPgSetupCommand } from './audit-store.js';
import { auditProveCommand, auditVerifyProofCommand, witnessCommand } from './audit-proofs.js';
import { completionCommand } from './completion-command.js';
import { manifestSignCommand } from './manifest-sign.js';
import { policyLintCommand } from './policy-lint.js';
import { policySchemaCommand } from './policy-schema.js';
import { policyTestCommand } from './policy-test.js';
import { serveCommand } from './serve.js';
import { validateMigrationCommand, validateReplicationCommand } from './validate.js';
import { versionCommand } from './version.js';

export const COMMANDS: readonly Command[] = [
  validateMigrationCommand,
  validateReplicationCommand,
  manifestSignCommand,
  policyTestCommand,
  policyLintCommand,
  policySchemaCommand,
  auditLogsCommand,
  auditVerifyCommand,
  auditProveCommand,
  auditVerifyProofCommand,
  witnessCommand,
  auditArchiveCommand,
  auditPgSetupCommand,
  serveCommand,
  versionCommand,
  completionCommand(() => COMMANDS),
];
