// --output text|json|yaml|sarif. A command hands over its data and how to
// show it to a person; json and yaml are the data itself, sarif is built
// only where findings have a file to point at (sarif.ts).
import yaml from 'js-yaml';
import type { CommandIo, OutputFormat, Values } from './command.js';
import { usageError } from './exit-codes.js';

export function outputFormatOf(values: Values, allowed: readonly OutputFormat[]): OutputFormat {
  const given = values.json === true ? 'json' : values.output;
  if (given === undefined) return allowed[0] ?? 'text';
  if (typeof given !== 'string' || !(allowed as readonly string[]).includes(given)) {
    throw usageError(`--output must be one of ${allowed.join(', ')} for this command`);
  }
  return given as OutputFormat;
}

export interface Renderable {
  text: () => string;
  data: unknown;
  sarif?: () => unknown;
}

export function emit(io: CommandIo, format: OutputFormat, r: Renderable): void {
  if (format === 'text') io.out(r.text());
  else if (format === 'json') io.out(JSON.stringify(r.data, null, 2));
  else if (format === 'yaml') io.out(yaml.dump(r.data, { noRefs: true, lineWidth: -1 }));
  else if (r.sarif) io.out(JSON.stringify(r.sarif(), null, 2));
  else throw usageError('--output sarif is not available for this command');
}
