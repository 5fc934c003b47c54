// The parts of the API fuzzer (fuzz.test.ts) that know nothing of ktrdr: read an OpenAPI
// document into routes, generate bad requests for a route with fast-check, send them over
// raw HTTP (no URL normalisation, any bytes), and judge the answers.
import http from 'node:http';
import fc from 'fast-check';
import { ERROR_CODES, ERROR_STATUS } from '@ktrdr/shared';

/** The subset of JSON Schema (OpenAPI 3.0 flavour) the services' documents use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
}

interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** An OpenAPI document as `GET /docs/json` serves it. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** A documented parameter. */
export interface Param {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

/** One documented route of one service. */
export interface FuzzRoute {
  service: string;
  method: string;
  /** OpenAPI form: `/api/v1/models/{model_id}`. */
  path: string;
  params: Param[];
  query: Param[];
  headers: Param[];
  /** The JSON body's schema, when the route documents one. */
  body?: JsonSchema;
  /** Every name a 400 may use to point at the problem: parameters and body fields at any depth. */
  fields: Set<string>;
}

/** `METHOD /path` — how routes are named in reports, skips and KTRDR_FUZZ_ROUTE. */
export const routeKey = (route: { method: string; path: string }) =>
  `${route.method} ${route.path}`;

function collectFields(schema: JsonSchema | undefined, into: Set<string>, depth = 0): void {
  if (!schema || depth > 8) return;
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    into.add(name);
    collectFields(child, into, depth + 1);
  }
  for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    collectFields(child, into, depth + 1);
  if (schema.items) collectFields(schema.items, into, depth + 1);
  if (typeof schema.additionalProperties === 'object')
    collectFields(schema.additionalProperties, into, depth + 1);
}

/** Every operation of an OpenAPI document, as routes to fuzz. */
export function routesOf(service: string, doc: OpenApiDocument): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters = operation.parameters ?? [];
      const of = (where: OpenApiParameter['in']): Param[] =>
        parameters
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} }));
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const fields = new Set<string>(['body']);
      for (const p of parameters) fields.add(p.name);
      collectFields(body, fields);
      routes.push({
        service,
        method: method.toUpperCase(),
        path,
        params: of('path'),
        query: of('query'),
        headers: of('header'),
        ...(body ? { body } : {}),
        fields,
      });
    }
  }
  return routes;
}

// ---------------------------------------------------------------------------------------
// Values

/** A JSON token written as is (`1e999`, which JSON.parse reads as Infinity). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold {@link RawJson} tokens and own `__proto__` keys. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `@@raw${raws.length - 1}@@`;
    }
    return v;
  });
  return (text ?? 'null').replace(/"@@raw(\d+)@@"/g, (_, i: string) => raws[Number(i)]!);
}

/** Sets an own key, even `__proto__`, without touching the prototype. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const HUGE = 200_000;

/** Strings that have broken parsers, file systems and path handling somewhere. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '../../etc/passwd',
  '../../../../../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '..%252F..%252Fetc%252Fpasswd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  '\\\\server\\share\\x',
  '..',
  '.',
  '...',
  '%2e%2e',
  'a/b',
  'a\u0000b',
  '\u0000',
  'x.yaml\u0000.png',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '1_000',
  '00012',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "'; DROP TABLE operations; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '%s%s%s%n',
  '💥🚀',
  'Ǆ̈̈̈̈̈',
  'ﷺ',
  '\u202egnp.exe',
  '\uFEFFbom',
  '\ud800',
  '\udfff\ud800',
  'line\nbreak',
  '\r\n\r\n',
  '\t',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%C0%AE%C0%AE%2F',
  '2020-02-30',
  '9999-99-99',
  '0000-00-00',
  '2020-01-01T25:61:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20',
  '1970-01-01',
  'op_backtesting_20260101_000000_00000000/../..',
  'CON',
  'nul.json',
  'a'.repeat(300),
];

const RAW_NUMBERS: readonly string[] = [
  '1e999',
  '-1e999',
  '1E400',
  '123456789012345678901234567890',
  '0.00000000000000000000000000000000000001',
  '-0',
  '1.7976931348623157e309',
  '5e-324',
  '9007199254740993',
];

const NASTY_NUMBERS: readonly number[] = [
  -1,
  0,
  -0,
  0.5,
  1.5,
  -1e308,
  1e308,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER,
  2 ** 31,
  2 ** 32 + 1,
  -(2 ** 63),
  Number.MIN_VALUE,
  Number.EPSILON,
];

const NASTY_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  ' ',
  'a.b',
  '../x',
  '$ref',
  'colour',
  '💥',
  '\u0000',
  'k'.repeat(10_000),
  '__proto__.polluted',
  'constructor.prototype.polluted',
  'indicators.fast.__proto__',
  'indicators.__proto__.period',
  'indicators.fast.type',
  'indicators.fast.period',
  'entry.long',
  'name',
];

/** A string someone should not have sent. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(HUGE, 10_000).map((n) => 'x'.repeat(n)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('../', '..%2F', '..\\', '%2e%2e/', '/'),
        fc.integer({ min: 1, max: 8 }),
      )
      .map(([step, n]) => `${step.repeat(n)}escape-marker`),
  },
);

/** A JSON value of the wrong kind for nearly any field. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...NASTY_NUMBERS),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constantFrom(...RAW_NUMBERS).map((t) => new RawJson(t)),
);

/** Any bad value: wrong type, nasty string, extreme number. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 3, arbitrary: wrongType },
);

/** Values just outside what a schema allows (and a few just inside, at the edge). */
function edgeValues(schema: JsonSchema): unknown[] {
  const out: unknown[] = [];
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (schema.minimum !== undefined)
    out.push(schema.minimum, schema.minimum - 1, schema.minimum - 1e-9);
  if (schema.maximum !== undefined)
    out.push(schema.maximum, schema.maximum + 1, schema.maximum + 1e-9);
  if (schema.exclusiveMinimum !== undefined) out.push(schema.exclusiveMinimum);
  if (schema.exclusiveMaximum !== undefined) out.push(schema.exclusiveMaximum);
  if (types.includes('integer'))
    out.push(1.5, 2 ** 53 + 2, new RawJson('1e999'), new RawJson('1.0'));
  if (types.includes('number'))
    out.push(new RawJson('1e999'), new RawJson('-1e999'), 1e308, -1e308);
  if (schema.maxLength !== undefined)
    out.push('a'.repeat(schema.maxLength + 1), 'a'.repeat(schema.maxLength));
  if (schema.minLength !== undefined && schema.minLength > 0)
    out.push('a'.repeat(schema.minLength - 1));
  if (schema.enum?.length) {
    const first = String(schema.enum[0]);
    out.push(first.toUpperCase(), ` ${first}`, `${first}\u0000`, first.slice(0, -1), [first]);
  }
  if (schema.maxItems !== undefined) out.push(Array.from({ length: schema.maxItems + 1 }, () => 1));
  if (types.includes('array')) out.push(Array.from({ length: 10_000 }, () => 0));
  return out;
}

// ---------------------------------------------------------------------------------------
// A valid-looking request to start from

/** Picks a valid-looking value for a field by its name (or undefined: derive it from the schema). */
export type Sampler = (name: string, schema: JsonSchema, route: FuzzRoute) => unknown;

/** A value that satisfies `schema` as far as this simple walk can tell. */
export function sampleOf(
  schema: JsonSchema,
  name: string,
  route: FuzzRoute,
  sampler: Sampler,
  depth = 0,
): unknown {
  const chosen = sampler(name, schema, route);
  if (chosen !== undefined) return chosen;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const union = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (union?.length) return sampleOf(union[0]!, name, route, sampler, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return '2020-01-01T00:00:00Z';
      if (schema.format === 'date') return '2020-01-01';
      if (schema.format === 'uri') return 'http://127.0.0.1:9';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum ?? 0) + 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array':
      return schema.items && (schema.minItems ?? 0) > 0 && depth < 6
        ? [sampleOf(schema.items, name, route, sampler, depth + 1)]
        : [];
    case 'object':
    default: {
      if (!schema.properties || depth >= 6) return {};
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const child = schema.properties[key];
        if (child) out[key] = sampleOf(child, key, route, sampler, depth + 1);
      }
      return out;
    }
  }
}

/** Every property path a schema documents (optional ones too), with its schema. */
function schemaPaths(
  schema: JsonSchema,
  prefix: string[] = [],
  depth = 0,
): [string[], JsonSchema][] {
  const out: [string[], JsonSchema][] = [];
  if (depth > 4) return out;
  const props = schema.properties ?? {};
  for (const [key, child] of Object.entries(props)) {
    out.push([[...prefix, key], child]);
    out.push(...schemaPaths(child, [...prefix, key], depth + 1));
  }
  for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])])
    out.push(...schemaPaths(child, prefix, depth + 1));
  return out;
}

/** Paths of every node of a JSON value (the root is `[]`). */
function valuePaths(value: unknown, prefix: string[] = [], depth = 0): string[][] {
  const out: string[][] = [prefix];
  if (depth > 6 || value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value))
    out.push(...valuePaths(child, [...prefix, key], depth + 1));
  return out;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

type Container = Record<string, unknown>;

/** The object at `path` of `root`, made when missing (a non-object in the way is replaced). */
function containerAt(root: Container, path: string[]): Container {
  let node = root;
  for (const key of path) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || next instanceof RawJson) {
      const made: Container = {};
      defineKey(node, key, made);
      node = made;
    } else node = next as Container;
  }
  return node;
}

/** One change to a JSON body. */
type BodyEdit =
  | { op: 'delete'; path: string[] }
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'extra'; path: string[]; key: string; value: unknown };

function applyEdit(body: unknown, edit: BodyEdit): unknown {
  if (edit.path.length === 0 && edit.op === 'set') return edit.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    if (edit.op === 'extra') {
      const made: Container = {};
      defineKey(made, edit.key, edit.value);
      return made;
    }
    return body;
  }
  const root = body as Container;
  if (edit.op === 'extra') {
    defineKey(containerAt(root, edit.path), edit.key, edit.value);
  } else {
    const parent = containerAt(root, edit.path.slice(0, -1));
    const last = edit.path[edit.path.length - 1]!;
    if (edit.op === 'delete') delete parent[last];
    else defineKey(parent, last, edit.value);
  }
  return root;
}

function describeEdit(edit: BodyEdit): string {
  const where = edit.path.join('.') || '(root)';
  const show = (v: unknown) => preview(v instanceof RawJson ? v.text : toJsonText(v), 80);
  switch (edit.op) {
    case 'delete':
      return `body: removed ${where}`;
    case 'set':
      return `body: ${where} = ${show(edit.value)}`;
    case 'extra':
      return `body: ${where}.${preview(JSON.stringify(edit.key), 40)} = ${show(edit.value)} (extra)`;
  }
}

/** Changes to the base body: removals, wrong values, edge values, extra fields. */
function bodyEdits(base: unknown, schema: JsonSchema): fc.Arbitrary<BodyEdit> {
  const present = valuePaths(base).filter((p) => p.length > 0);
  const documented = schemaPaths(schema);
  const objects = valuePaths(base).filter((p) => {
    let node: unknown = base;
    for (const k of p) node = (node as Container)[k];
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });
  // documented objects the base leaves out (`parameters`, `capabilities`…) get keys too
  for (const [path, s] of documented) {
    const isObject = s.type === 'object' || s.properties !== undefined;
    if (isObject && !objects.some((o) => o.join('.') === path.join('.'))) objects.push(path);
  }
  const choices: fc.Arbitrary<BodyEdit>[] = [
    fc.record({
      op: fc.constant('set' as const),
      path: fc.constant([] as string[]),
      value: nastyValue,
    }),
  ];
  if (present.length)
    choices.push(fc.constantFrom(...present).map((path) => ({ op: 'delete' as const, path })));
  if (documented.length) {
    choices.push(
      fc
        .tuple(fc.constantFrom(...documented), nastyValue)
        .map(([[path], value]) => ({ op: 'set' as const, path, value })),
    );
    const edges = documented.flatMap(([path, s]) =>
      edgeValues(s).map((value) => ({ path, value })),
    );
    if (edges.length)
      choices.push(fc.constantFrom(...edges).map((e) => ({ op: 'set' as const, ...e })));
  }
  if (objects.length)
    choices.push(
      fc
        .tuple(
          fc.constantFrom(...objects),
          fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 8 })),
          nastyValue,
        )
        .map(([path, key, value]) => ({ op: 'extra' as const, path, key, value })),
    );
  return fc.oneof(...choices);
}

// ---------------------------------------------------------------------------------------
// Requests

/** A request as sent: raw target, headers and body bytes. */
export interface FuzzRequest {
  method: string;
  /** The request target exactly as written on the wire (path and query). */
  target: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in chunks without a content-length. */
  chunked?: boolean;
  /** What was broken, for the report. */
  defects: string[];
}

/** A body a route takes besides JSON (CSV, YAML): its content type and text. */
export interface TextBody {
  contentType: string;
  text: string;
  note: string;
}

/** What a route's requests start from and what else they may carry. */
export interface RouteSetup {
  sampler: Sampler;
  /** The valid-looking JSON body to mutate (default: derived from the schema). */
  body?: unknown;
  /** Non-JSON bodies the route takes (data import's CSV, a strategy's YAML). */
  text?: fc.Arbitrary<TextBody>;
  /** The service's default body limit in bytes: oversized bodies go just over it. */
  bodyLimit: number;
}

/** Percent-encodes every byte outside unreserved characters; never throws (lone surrogates too). */
export function encodeAll(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Encodes only what cannot be on the wire at all, keeping `/`, `%` and `..` as they are. */
function encodeRaw(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out +=
      byte > 0x20 && byte < 0x7f && c !== '?' && c !== '#'
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

type Encoding = 'encoded' | 'raw' | 'double';
const encode = (value: string, how: Encoding) =>
  how === 'raw'
    ? encodeRaw(value)
    : how === 'double'
      ? encodeAll(encodeAll(value))
      : encodeAll(value);

/** Query values as text: strings as they are, anything else as JSON. */
const asText = (value: unknown): string =>
  typeof value === 'string' ? value : value instanceof RawJson ? value.text : toJsonText(value);

const WRONG_CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'application/jsonx',
  'APPLICATION/JSON',
  'application/yaml',
  'image/png',
  ';;;',
  'application/json, text/plain',
];

const INVALID_JSON: readonly string[] = [
  '{',
  '{"a":',
  '[',
  'nul',
  'tru',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{a:1}',
  '\uFEFF{}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '',
  ' ',
  '\u0000',
  'null',
  '"a string"',
  '123',
  '[]',
  '[{}]',
  'true',
  '{"a":1,"a":"twice"}',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
];

/** A body in the JSON form of a route: every kind of broken. */
function jsonBodyArb(
  base: unknown,
  schema: JsonSchema,
  limit: number,
): fc.Arbitrary<Partial<FuzzRequest>> {
  const json = 'application/json';
  const baseText = toJsonText(base);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.array(bodyEdits(base, schema), { minLength: 1, maxLength: 3 }).map((edits) => {
        let body = clone(base);
        for (const e of edits) body = applyEdit(body, e);
        return {
          headers: { 'content-type': json },
          body: toJsonText(body),
          defects: edits.map(describeEdit),
        };
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom(...INVALID_JSON), fc.string({ unit: 'binary', maxLength: 30 }))
        .map((text) => ({
          headers: { 'content-type': json },
          body: text,
          defects: [`body: invalid JSON ${preview(JSON.stringify(text), 60)}`],
        })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: Math.max(0, baseText.length - 1) }).map((cut) => ({
        headers: { 'content-type': json },
        body: baseText.slice(0, cut),
        defects: [`body: the valid body cut after ${cut} characters`],
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Partial<FuzzRequest>>({
        headers: { 'content-type': json },
        body: Buffer.concat([
          Buffer.from('{"x":"'),
          Buffer.from([0xff, 0xfe, 0xc0, 0xae]),
          Buffer.from('"}'),
        ]),
        defects: ['body: bytes that are not UTF-8'],
      }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...WRONG_CONTENT_TYPES, '').map((type): Partial<FuzzRequest> => ({
        headers: type ? { 'content-type': type } : {},
        body: baseText,
        defects: [`content-type: ${JSON.stringify(type)} for a JSON body`],
      })),
    },
    { weight: 1, arbitrary: oversized(limit) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('none', 'empty').map((kind): Partial<FuzzRequest> => ({
        headers: kind === 'empty' ? { 'content-type': json } : {},
        ...(kind === 'empty' ? { body: '' } : {}),
        defects: [kind === 'empty' ? 'body: empty with content-type JSON' : 'body: none'],
      })),
    },
  );
}

/** A body just over the service's body limit, with a content-length or chunked. */
function oversized(limit: number): fc.Arbitrary<Partial<FuzzRequest>> {
  return fc.constantFrom(false, true).map((chunked) => ({
    headers: { 'content-type': 'application/json' },
    body: `{"x":"${'a'.repeat(limit + 1024)}"}`,
    chunked,
    defects: [
      `body: ${limit + 1032} bytes (over the ${limit}-byte limit), ${chunked ? 'chunked' : 'with content-length'}`,
    ],
  }));
}

/** Bodies for a route that documents none (GET, DELETE, raw uploads). */
function strayBodyArb(
  limit: number,
  text?: fc.Arbitrary<TextBody>,
): fc.Arbitrary<Partial<FuzzRequest>> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ defects: [] as string[] }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...WRONG_CONTENT_TYPES, 'application/json'),
          fc.oneof(nastyString, fc.constantFrom(...INVALID_JSON)),
        )
        .map(([type, body]) => ({
          headers: { 'content-type': type },
          body,
          defects: [`body: ${preview(JSON.stringify(body), 60)} as ${type}`],
        })),
    },
    { weight: 1, arbitrary: oversized(limit) },
    ...(text
      ? [
          {
            weight: 8,
            arbitrary: text.map((t) => ({
              headers: { 'content-type': t.contentType },
              body: t.text,
              defects: [`body (${t.contentType}): ${t.note}`],
            })),
          },
        ]
      : []),
  );
}

/** Bad requests for one route: broken path parameters, query, headers and body. */
export function requestArb(route: FuzzRoute, setup: RouteSetup): fc.Arbitrary<FuzzRequest> {
  const params = Object.fromEntries(
    route.params.map((p) => [p.name, asText(sampleOf(p.schema, p.name, route, setup.sampler))]),
  );
  const query = Object.fromEntries(
    route.query
      .filter((p) => p.required)
      .map((p) => [p.name, asText(sampleOf(p.schema, p.name, route, setup.sampler))]),
  );
  const pathArb = route.params.length
    ? fc.option(
        fc.record({
          name: fc.constantFrom(...route.params.map((p) => p.name)),
          value: nastyString,
          how: fc.constantFrom<Encoding>('encoded', 'encoded', 'raw', 'double'),
        }),
        { freq: 2 },
      )
    : fc.constant(null);
  type QueryEdit = { name: string; value?: string; extra?: string };
  const queryNames = route.query.map((p) => p.name);
  const queryEdit: fc.Arbitrary<QueryEdit> = fc.oneof(
    ...(queryNames.length
      ? [
          fc.record({ name: fc.constantFrom(...queryNames), value: nastyValue.map(asText) }),
          fc.record({ name: fc.constantFrom(...queryNames) }),
          fc.record({
            name: fc.constantFrom(...queryNames),
            value: fc.constant('1'),
            extra: fc.constant('2'),
          }),
        ]
      : []),
    fc.record({ name: fc.constantFrom(...NASTY_KEYS, 'limit'), value: nastyString }),
  );
  const queryArb = fc.array(queryEdit, { maxLength: queryNames.length ? 3 : 1 });
  const headerArb = route.headers.length
    ? fc.option(
        fc.record({
          name: fc.constantFrom(...route.headers.map((h) => h.name)),
          value: nastyString,
        }),
        { freq: 2 },
      )
    : fc.constant(null);
  const base =
    route.body === undefined
      ? undefined
      : setup.body !== undefined
        ? setup.body
        : sampleOf(route.body, 'body', route, setup.sampler);
  const bodyArb =
    route.body === undefined
      ? strayBodyArb(setup.bodyLimit, setup.text)
      : setup.text
        ? fc.oneof(
            jsonBodyArb(base, route.body, setup.bodyLimit),
            strayBodyArb(setup.bodyLimit, setup.text),
          )
        : jsonBodyArb(base, route.body, setup.bodyLimit);

  return fc
    .tuple(pathArb, queryArb, headerArb, bodyArb)
    .map(([pathEdit, queryEdits, headerEdit, body]) => {
      const defects: string[] = [];
      let path = route.path;
      for (const p of route.params) {
        const edited = pathEdit?.name === p.name;
        const value = edited ? encode(pathEdit.value, pathEdit.how) : encodeAll(params[p.name]!);
        if (edited)
          defects.push(
            `path.${p.name} = ${preview(JSON.stringify(pathEdit.value), 80)} (${pathEdit.how})`,
          );
        path = path.replace(`{${p.name}}`, value);
      }
      const pairs: [string, string][] = Object.entries(query);
      for (const edit of queryEdits) {
        const at = pairs.findIndex(([k]) => k === edit.name);
        if (edit.value === undefined) {
          if (at >= 0) pairs.splice(at, 1);
          defects.push(`query.${edit.name} removed`);
        } else {
          if (at >= 0) pairs.splice(at, 1);
          pairs.push([edit.name, edit.value]);
          if (edit.extra !== undefined) pairs.push([edit.name, edit.extra]);
          defects.push(
            `query.${preview(edit.name, 40)} = ${preview(JSON.stringify(edit.value), 80)}${edit.extra ? ' (twice)' : ''}`,
          );
        }
      }
      const search = pairs.map(([k, v]) => `${encodeAll(k)}=${encodeAll(v)}`).join('&');
      const headers: Record<string, string> = { ...(body.headers ?? {}) };
      if (headerEdit) {
        // a header value carries only visible Latin-1: whatever else is sent percent-encoded
        headers[headerEdit.name] = encodeRaw(headerEdit.value);
        defects.push(`header ${headerEdit.name}: ${preview(JSON.stringify(headerEdit.value), 60)}`);
      }
      return {
        method: route.method,
        target: search ? `${path}?${search}` : path,
        headers,
        ...(body.body !== undefined ? { body: body.body } : {}),
        ...(body.chunked ? { chunked: true } : {}),
        defects: [...defects, ...(body.defects ?? [])],
      };
    });
}

// ---------------------------------------------------------------------------------------
// Sending and judging

/** What came back. */
export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
  /** An event stream that was opened (and closed again by the fuzzer). */
  stream?: boolean;
  /** No answer: the connection failed or timed out. */
  error?: string;
}

/** Sends a request exactly as given (no URL normalisation) and reads the whole answer. */
export function send(
  base: string,
  request: FuzzRequest,
  token: string,
  timeoutMs = 20_000,
): Promise<FuzzAnswer> {
  const url = new URL(base);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...request.headers };
  // Node frames a body in chunks by itself only for methods that usually have one: say it
  if (body)
    headers[request.chunked ? 'transfer-encoding' : 'content-length'] = request.chunked
      ? 'chunked'
      : String(body.length);
  const connection = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<FuzzAnswer>((resolve) => {
    let settled = false;
    let late: ReturnType<typeof setTimeout> | undefined;
    const finish = (answer: FuzzAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(late);
      connection.destroy();
      resolve(answer);
    };
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.target,
      headers,
      // a connection of its own (a body the server leaves unread may end the connection), kept
      // alive: on `Connection: close` the server would close it, unread body and all, at once
      agent: connection,
    });
    const timer = setTimeout(() => {
      finish({ status: 0, contentType: '', text: '', error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.startsWith('text/event-stream')) {
        finish({ status: res.statusCode ?? 0, contentType, text: '', stream: true });
        res.destroy();
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        finish({
          status: res.statusCode ?? 0,
          contentType,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', (error) =>
        finish({
          status: res.statusCode ?? 0,
          contentType,
          text: '',
          error: `answer cut: ${error.message}`,
        }),
      );
    });
    req.on('error', (error) => {
      // a refused upload may break the pipe before the answer is read: wait for it a moment
      late ??= setTimeout(
        () =>
          finish({ status: 0, contentType: '', text: '', error: `connection: ${error.message}` }),
        1000,
      );
    });
    if (!body) req.end();
    else if (request.chunked) {
      for (let at = 0; at < body.length; at += 64 * 1024)
        req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

/** 503s that are answers, not crashes (the wire contract, packages/shared/src/contracts). */
export const DOCUMENTED_503 = ['SERVICE_UNAVAILABLE', 'WORKER_UNAVAILABLE', 'WORKER_BUSY'];

/**
 * Whether a 400's message names what is wrong: a documented field (or `body`), or the
 * field its details name (an unknown field is named too) at the start of the message.
 */
function namesField(route: FuzzRoute, message: string, details: unknown): boolean {
  if ([...route.fields].some((f) => message.includes(f))) return true;
  const field = (details as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' && field.trim() !== '' && message.startsWith(`${field}:`);
}

/** Why an answer is wrong, or undefined when it is fine. */
export function judge(route: FuzzRoute, answer: FuzzAnswer): string | undefined {
  if (answer.error) return answer.error;
  const { status } = answer;
  if (answer.stream) return status === 200 ? undefined : `an event stream with status ${status}`;
  if (status < 400) {
    if (answer.contentType.includes('json') && answer.text) {
      try {
        JSON.parse(answer.text);
      } catch {
        return `${status} whose JSON body does not parse`;
      }
    }
    return undefined;
  }
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(answer.text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  if (!error || typeof error !== 'object')
    return `${status} without a JSON error {"error":{"code","message"}}`;
  const { code, message } = error;
  if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code))
    return `${status} with an unknown error code ${JSON.stringify(code)}`;
  if (typeof message !== 'string' || !message.trim()) return `${status} ${code} without a message`;
  if (status >= 500 && !(status === 503 && DOCUMENTED_503.includes(code)))
    return `${status} ${code}: a crash, not an answer to bad input`;
  const expected = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
  // a more exact status than 400 for some bad requests: 414 URI too long, 415 media type, 431 headers
  if (expected !== status && !([414, 415, 431].includes(status) && code === 'VALIDATION_ERROR'))
    return `${status} with code ${code}, which travels with ${expected}`;
  if (status === 400 && !namesField(route, message, (error as { details?: unknown }).details))
    return `400 whose message names neither a field nor the body: "${message}"`;
  return undefined;
}

/** Shortens text for a report. */
export function preview(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** A request as a reader (and a replay) needs it. */
export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : `\n  body: ${preview(typeof request.body === 'string' ? JSON.stringify(request.body) : `<${request.body.length} bytes> ${JSON.stringify(request.body.toString('latin1'))}`, 400)}`;
  return (
    [
      `${request.method} ${preview(request.target, 400)}`,
      ...Object.entries(request.headers).map(([k, v]) => `  ${k}: ${preview(v, 200)}`),
      ...(request.chunked ? ['  transfer-encoding: chunked'] : []),
    ].join('\n') +
    body +
    (request.defects.length ? `\n  defects: ${request.defects.join('; ')}` : '')
  );
}

/** A stable 32-bit number per route, so each route gets its own stream from one seed. */
export function routeSeed(seed: number, key: string): number {
  let h = seed | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}
