// `manifest sign --key PRIVATE.pem FILE`: writes FILE.sig, the detached
// signature the gate verifies against its pinned public keys.
import { createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { signDetached } from '../../core/signing/sign.js';
import type { Command } from '../command.js';
import { str } from '../common-options.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { readInput } from '../read-input.js';

export const manifestSignCommand: Command = {
  words: ['manifest', 'sign'],
  args: 'FILE',
  summary: 'sign a manifest with a private key (writes FILE.sig: Ed25519, or ECDSA P-256 low-S)',
  options: {
    key: {
      type: 'string',
      valueName: 'PRIVATE_KEY.pem',
      completeFiles: true,
      description: 'PEM private key (required)',
    },
  },
  outputs: ['text'],
  async run({ values, positionals, io }) {
    const key = str(values.key);
    if (!key) throw usageError('--key is required');
    if (positionals.length !== 1) throw usageError('give exactly one FILE to sign');
    const file = positionals[0]!;
    const pem = (await readInput(io.cwd, key, 'key')).toString('utf8');
    // Example keys carry a comment line before the PEM block.
    const begin = pem.indexOf('-----BEGIN');
    let privateKey;
    try {
      privateKey = createPrivateKey(begin > 0 ? pem.slice(begin) : pem);
    } catch {
      throw new CliError(`--key ${key} is not a PEM private key`, EXIT.usage);
    }
    const sig = signDetached(await readInput(io.cwd, file, 'file'), privateKey);
    await writeFile(path.resolve(io.cwd, `${file}.sig`), sig);
    io.out(`wrote ${file}.sig`);
    return EXIT.ok;
  },
};
