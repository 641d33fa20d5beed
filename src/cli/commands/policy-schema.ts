// `policy schema`: the JSON Schema of policy files (the same bytes as the
// shipped schemas/policyset.v1alpha1.schema.json).
import { policyFileJsonSchema } from '../../core/contracts/policy-file-json-schema.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const policySchemaCommand: Command = {
  words: ['policy', 'schema'],
  summary: 'print the JSON Schema of policy files (for editors and CI)',
  options: {},
  outputs: ['json'],
  async run({ io }) {
    io.out(JSON.stringify(policyFileJsonSchema(), null, 2));
    return EXIT.ok;
  },
};
