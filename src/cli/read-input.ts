// Input files named on the command line: unreadable is a usage error (2)
// naming the file, never a BLOCK (the gate was not asked anything).
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

export async function readInput(cwd: string, file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path.resolve(cwd, file));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CliError(`cannot read ${what} ${file}${code ? ` (${code})` : ''}`, EXIT.usage);
  }
}

/** For inputs that are streamed later (a snapshot): readable now, without reading it. */
export async function ensureReadable(cwd: string, file: string, what: string): Promise<void> {
  try {
    await access(path.resolve(cwd, file), constants.R_OK);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CliError(`cannot read ${what} ${file}${code ? ` (${code})` : ''}`, EXIT.usage);
  }
}
