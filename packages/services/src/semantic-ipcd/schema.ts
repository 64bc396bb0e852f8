// A small JSON Schema validator for the subset zod's toJSONSchema emits (type, properties, required, items,
// enum, const, minimum/maximum (+exclusive), minLength/maxLength, minItems/maxItems, pattern,
// additionalProperties, anyOf/oneOf/allOf). Trusts nothing: schemas come from agents' manifests, values from askers.
// Unknown keywords are ignored (permissive), so a schema using more than the subset only checks less.

/** One violation: where (a JSON pointer like "/items/0/name", "" for the root) and what. */
export interface SchemaError {
  path: string;
  message: string;
}

/** Validation stops after this many errors (and below this depth), so a hostile schema or value costs little. */
export const MAX_SCHEMA_ERRORS = 20;
export const MAX_SCHEMA_DEPTH = 32;
/** Patterns longer than this are ignored (a schema cannot make us compile huge regular expressions). */
export const MAX_PATTERN_CHARS = 512;

type Schema = Record<string, unknown>;

/** Validates `value` against `schema`; returns the errors (empty when valid). A non-object schema accepts anything (true) or nothing (false). */
export function validateSchema(schema: unknown, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  check(schema, value, '', errors, 0);
  return errors.slice(0, MAX_SCHEMA_ERRORS);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  if (want === 'number') return t === 'number' || t === 'integer';
  return want === t;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Schema)[k], (b as Schema)[k]));
}

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function check(schema: unknown, v: unknown, path: string, errors: SchemaError[], depth: number): void {
  if (errors.length >= MAX_SCHEMA_ERRORS) return;
  if (schema === true || schema === undefined) return;
  if (schema === false) return void errors.push({ path, message: 'no value is allowed here' });
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
  if (depth > MAX_SCHEMA_DEPTH) return void errors.push({ path, message: `nested deeper than ${MAX_SCHEMA_DEPTH} levels` });
  const s = schema as Schema;
  const err = (message: string): void => void errors.push({ path, message });

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
    if (!types.some((t) => typeof t === 'string' && typeMatches(t, v))) {
      return err(`expected ${types.join(' or ')}, got ${typeOf(v) === 'integer' ? 'number' : typeOf(v)}`);
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) err(`must be one of ${JSON.stringify(s.enum)}`);
  if (Object.hasOwn(s, 'const') && !deepEqual(s.const, v)) err(`must be ${JSON.stringify(s.const)}`);

  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) err(`must be >= ${s.minimum}`);
    if (typeof s.maximum === 'number' && v > s.maximum) err(`must be <= ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) err(`must be > ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) err(`must be < ${s.exclusiveMaximum}`);
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) err(`must be a multiple of ${s.multipleOf}`);
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (typeof s.minLength === 'number' && len < s.minLength) err(`must have at least ${s.minLength} characters`);
    if (typeof s.maxLength === 'number' && len > s.maxLength) err(`must have at most ${s.maxLength} characters`);
    if (typeof s.pattern === 'string' && s.pattern.length <= MAX_PATTERN_CHARS) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = null; // an invalid pattern checks nothing
      }
      if (re && !re.test(v)) err(`must match ${s.pattern}`);
    }
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) err(`must have at least ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) err(`must have at most ${s.maxItems} items`);
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as unknown[]) : [];
    v.forEach((item, i) => {
      const sub = i < prefix.length ? prefix[i] : s.items;
      if (sub !== undefined && !Array.isArray(sub)) check(sub, item, `${path}/${i}`, errors, depth + 1);
    });
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Schema;
    const props = typeof s.properties === 'object' && s.properties !== null ? (s.properties as Schema) : {};
    if (Array.isArray(s.required)) {
      for (const k of s.required) if (typeof k === 'string' && !Object.hasOwn(o, k)) errors.push({ path: `${path}/${esc(k)}`, message: 'is required' });
    }
    for (const k of Object.keys(o)) {
      if (Object.hasOwn(props, k)) check(props[k], o[k], `${path}/${esc(k)}`, errors, depth + 1);
      else if (s.additionalProperties === false) errors.push({ path: `${path}/${esc(k)}`, message: 'is not allowed (additionalProperties: false)' });
      else if (typeof s.additionalProperties === 'object') check(s.additionalProperties, o[k], `${path}/${esc(k)}`, errors, depth + 1);
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) check(sub, v, path, errors, depth + 1);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = s[key];
    if (!Array.isArray(list) || list.length === 0) continue;
    const passing = list.filter((sub) => validateDepth(sub, v, path, depth + 1).length === 0).length;
    if (passing === 0) err(`must match ${key === 'anyOf' ? 'at least one' : 'exactly one'} of ${list.length} schemas`);
    else if (key === 'oneOf' && passing > 1) err(`must match exactly one of ${list.length} schemas (matches ${passing})`);
  }
}

function validateDepth(schema: unknown, v: unknown, path: string, depth: number): SchemaError[] {
  const out: SchemaError[] = [];
  check(schema, v, path, out, depth);
  return out;
}
