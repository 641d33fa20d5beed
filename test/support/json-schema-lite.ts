// A small JSON Schema validator for the keywords the Compose Specification
// schema uses (type, properties, patternProperties, additionalProperties,
// required, enum, $ref to #/definitions, oneOf, anyOf, allOf, items,
// uniqueItems, minimum, maximum). `format` is an annotation here, as in most
// validators by default (compose's formats, e.g. "duration", are its own).
// Unknown keywords fail loudly, so a newer schema cannot be half-checked.
type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set([
  '$schema',
  'id',
  '$id',
  'title',
  'description',
  'format',
  'deprecated',
  'definitions',
  'default',
  'examples',
]);
const CHECKED = new Set([
  'type',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'enum',
  '$ref',
  'oneOf',
  'anyOf',
  'allOf',
  'items',
  'uniqueItems',
  'minimum',
  'maximum',
]);

export interface SchemaError {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function checkValue(schema: Exclude<Schema, boolean>, v: unknown, at: string): SchemaError[] {
  const errors: SchemaError[] = [];
  if (
    schema.enum !== undefined &&
    !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(v))
  )
    errors.push({ path: at, message: `must be one of ${JSON.stringify(schema.enum)}` });
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum)
      errors.push({ path: at, message: `must be >= ${schema.minimum}` });
    if (typeof schema.maximum === 'number' && v > schema.maximum)
      errors.push({ path: at, message: `must be <= ${schema.maximum}` });
  }
  return errors;
}

export function validateSchema(root: Record<string, unknown>, value: unknown): SchemaError[] {
  const resolve = (ref: string): Schema => {
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    const parts = m ? m[1]!.split('/') : [];
    let node: unknown = root.definitions;
    for (const p of parts) node = (node as Record<string, unknown> | undefined)?.[p];
    if (!m || node === undefined) throw new Error(`unsupported $ref ${ref}`);
    return node as Schema;
  };
  const check = (schema: Schema, v: unknown, at: string): SchemaError[] => {
    if (schema === true) return [];
    if (schema === false) return [{ path: at, message: 'not allowed' }];
    for (const k of Object.keys(schema)) {
      if (!CHECKED.has(k) && !ANNOTATIONS.has(k))
        throw new Error(`unsupported schema keyword "${k}" at ${at}`);
    }
    const errors: SchemaError[] = [];
    if (schema.$ref !== undefined) errors.push(...check(resolve(String(schema.$ref)), v, at));
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [String(schema.type)];
      if (!types.some((t) => typeMatches(v, t)))
        return [{ path: at, message: `expected ${types.join('|')}, got ${typeOf(v)}` }];
    }
    errors.push(...checkValue(schema, v, at));
    if (typeOf(v) === 'object') errors.push(...checkObject(schema, v as Record<string, unknown>, at));
    if (Array.isArray(v)) errors.push(...checkArray(schema, v, at));
    errors.push(...checkCombinators(schema, v, at));
    return errors;
  };
  const checkArray = (schema: Exclude<Schema, boolean>, v: unknown[], at: string): SchemaError[] => {
    const errors: SchemaError[] = [];
    if (schema.items !== undefined)
      v.forEach((item, i) => errors.push(...check(schema.items as Schema, item, `${at}[${i}]`)));
    if (schema.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length)
      errors.push({ path: at, message: 'items must be unique' });
    return errors;
  };
  const checkCombinators = (schema: Exclude<Schema, boolean>, v: unknown, at: string): SchemaError[] => {
    const errors: SchemaError[] = [];
    if (schema.allOf !== undefined) for (const s of schema.allOf as Schema[]) errors.push(...check(s, v, at));
    if (schema.anyOf !== undefined && !(schema.anyOf as Schema[]).some((s) => check(s, v, at).length === 0))
      errors.push({ path: at, message: 'matches none of anyOf' });
    if (schema.oneOf !== undefined) {
      const passing = (schema.oneOf as Schema[]).filter((s) => check(s, v, at).length === 0).length;
      if (passing !== 1)
        errors.push({ path: at, message: `must match exactly one of oneOf (matched ${passing})` });
    }
    return errors;
  };
  const checkObject = (
    schema: Exclude<Schema, boolean>,
    obj: Record<string, unknown>,
    at: string,
  ): SchemaError[] => {
    const errors: SchemaError[] = [];
    for (const r of (schema.required as string[] | undefined) ?? [])
      if (!(r in obj)) errors.push({ path: at, message: `missing required "${r}"` });
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const patterns = Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>).map(
      ([p, s]) => [new RegExp(p, 'u'), s] as const,
    );
    for (const [k, val] of Object.entries(obj)) {
      const where = `${at}.${k}`;
      let matched = false;
      if (k in props) {
        matched = true;
        errors.push(...check(props[k]!, val, where));
      }
      for (const [re, s] of patterns) {
        if (re.test(k)) {
          matched = true;
          errors.push(...check(s, val, where));
        }
      }
      if (!matched && schema.additionalProperties !== undefined)
        errors.push(...check(schema.additionalProperties as Schema, val, where));
    }
    return errors;
  };
  return check(root, value, '$');
}
