// Validates SARIF against the OASIS SARIF 2.1.0 (rtm.5) JSON Schema, as
// shipped in the npm package @microsoft/jest-sarif@1.0.0-beta.0 (MIT;
// lib/schemas/sarif-2.1.0-rtm.5.json), copied to test/fixtures/sarif.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import draft04 from 'ajv/lib/refs/json-schema-draft-04.json' with { type: 'json' };

const schema = JSON.parse(
  readFileSync(new URL('../fixtures/sarif/sarif-2.1.0-rtm.5.json', import.meta.url), 'utf8'),
) as object;

export function sarifErrors(log: unknown): string[] {
  const ajv = new Ajv({ schemaId: 'id', allErrors: true, unknownFormats: 'ignore', logger: false });
  ajv.addMetaSchema(draft04);
  const validate = ajv.compile(schema);
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}
