// Writes schemas/policyset.v1alpha1.schema.json from the zod schema.
// test/unit/policy-json-schema.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { policyFileJsonSchema } from '../src/core/contracts/policy-file-json-schema.js';

writeFileSync(
  new URL('../schemas/policyset.v1alpha1.schema.json', import.meta.url),
  `${JSON.stringify(policyFileJsonSchema(), null, 2)}\n`,
);
