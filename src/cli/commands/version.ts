// `version`: the CLI's version, and the runtime it runs on.
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { emit, outputFormatOf } from '../output.js';

export const versionCommand: Command = {
  words: ['version'],
  summary: 'print the version of migration-gate',
  options: {},
  outputs: ['text', 'json', 'yaml'],
  async run({ values, io }) {
    const format = outputFormatOf(values, ['text', 'json', 'yaml']);
    const data = {
      version: VERSION,
      node: process.versions.node,
      platform: `${process.platform}/${process.arch}`,
    };
    emit(io, format, { data, text: () => `migration-gate ${VERSION} (node ${data.node}, ${data.platform})` });
    return EXIT.ok;
  },
};
