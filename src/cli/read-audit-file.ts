// An audit file the CLI was pointed at, read whole: a file it cannot read is
// a usage error naming the file and the reason (ENOENT, EACCES), never a crash.
import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from './exit-codes.js';

export async function readAuditFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(
      `cannot read audit file ${file} (${(e as { code?: string }).code ?? String(e)})`,
      EXIT.usage,
    );
  }
}
