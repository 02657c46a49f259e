/**
 * Odd requests for every operation of an OpenAPI document: schema-aware values (from each schema's
 * types, patterns, formats, bounds and examples), the same with one field broken, arbitrary JSON,
 * raw bodies no encoder would write, wrong content types, odd path ids, odd queries and headers,
 * and every kind of caller. Pure generation: the test sends them and judges the answers.
 */
import fc from 'fast-check';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  examples?: unknown[];
  $ref?: string;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  /** Content type → body schema. */
  bodies: Record<string, Schema>;
}

export interface FuzzRequest {
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzContext {
  /** Authorization/cookie header sets of every kind of caller, valid or not. */
  callers: Record<string, string>[];
  /** Real values for path parameters by name (so that some requests reach past "not found"). */
  known: Record<string, string[]>;
  /** Signs webhook form fields the way the platform would; the generator breaks what it signs. */
  signForm?: (fields: Record<string, string>) => Record<string, string>;
  /** A valid notification to start webhook cases from. */
  sampleForm?: Record<string, string>;
}

const OVERSIZED = Buffer.alloc(17 * 1024 * 1024, 'x');
const HUGE_TEXT = 'é'.repeat(100_000);

export const ODD_STRINGS: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\u200b', '\u202e名字', '💩', 'e\u0301', '\ufeff1',
  '0', '-1', '01', '1e3', '0x10', '9'.repeat(16), '9'.repeat(400), '9007199254740993', 'NaN', 'null', 'true', '[]',
  '0000-01-01T00:00:00Z', '2030-06-30T23:59:60Z', '9999-12-31T23:59:59Z', '2026-02-30T00:00:00Z', '0100-01-01 00:00:00', '9999-12-31 23:59:59',
  '01.00', '1.001', '-0.01', '1e12', '99999999999.99', '%00', '../../etc/passwd', '<script>alert(1)</script>', "'; DROP TABLE merchants; --",
  HUGE_TEXT,
];

const DEEP = JSON.parse('['.repeat(2000) + ']'.repeat(2000)) as unknown;

export const ODD_VALUES: readonly unknown[] = [
  ...ODD_STRINGS,
  0, -0, -1, 1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER, 1e-300,
  null, true, false, [], {}, [null], { a: { b: { c: [] } } }, DEEP, Array.from({ length: 50 }, () => 'x'.repeat(1000)),
];

/** Bodies no JSON encoder writes: numbers beyond double, prototype keys, broken UTF-8, nesting, truncation. */
const RAW_BODIES: readonly (string | Buffer)[] = [
  '1e400', '[1e400]', '{"amountFen":1e400}', '{"amountFen":123456789012345678901234567890}', '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}', '{"a":1,"a":2}', '['.repeat(50_000), '{', '', 'null', '"x"', '\ufeff{}', '{"x":"\\ud800"}',
  Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x7d]), Buffer.from('{"legalName":"\xc3\x28"}', 'latin1'), 'a=1&a=2&sign=', '%%%%=%',
];

const CONTENT_TYPES: readonly (string | undefined)[] = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/x-www-form-urlencoded',
  'text/plain', 'multipart/form-data', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', '', undefined,
];

const ODD_SEGMENTS: readonly string[] = ['%', '%ZZ', '%ED%A0%80', '%00', '%C0%AF', '..', '.', '0', '-1', '1.0', '9'.repeat(16), '9'.repeat(201), '%20', 'null', '%F0%9F%92%A9'];

function resolve(spec: Spec, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = spec.components?.schemas?.[name] ?? {};
  }
  return s;
}

interface Spec {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Every operation of the document (GET, POST, ...). */
export function operationsOf(spec: Spec): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      // an event stream stays open while the client listens: it has no answer to judge
      if (op.responses?.['200']?.content?.['text/event-stream']) continue;
      const bodies = Object.fromEntries(Object.entries(op.requestBody?.content ?? {}).map(([type, c]) => [type, resolve(spec, c.schema)]));
      out.push({ method: method.toUpperCase(), path, parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(spec, p.schema) })), bodies });
    }
  }
  return out;
}

function integerIn(min: number, max: number): fc.Arbitrary<number> {
  const lo = Math.max(min, -(2 ** 31));
  const hi = Math.min(max, 2 ** 31 - 1);
  return lo <= hi ? fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(min, max)) : fc.constantFrom(min, max);
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  const choices: fc.Arbitrary<string>[] = [];
  if (s.examples?.length) choices.push(fc.constantFrom(...(s.examples as string[])));
  if (s.format === 'uuid') choices.push(fc.uuid());
  else if (s.format === 'date-time') choices.push(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()));
  else if (s.pattern) choices.push(fc.stringMatching(new RegExp(s.pattern, 'u')).filter((x) => x.length <= (s.maxLength ?? 200) && x.length >= (s.minLength ?? 0)));
  else choices.push(fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40), unit: 'grapheme' }));
  return fc.oneof(...choices);
}

/** A value the schema accepts (mostly: patterns and bounds are followed, cross-field rules are not). */
export function valueOf(spec: Spec, raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(spec, raw);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return fc.oneof(...variants.map((v) => valueOf(spec, v, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : (s.type ?? (s.properties ? 'object' : undefined));
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return integerIn(s.minimum ?? -1_000_000, s.maximum ?? 2 ** 53 - 1);
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(valueOf(spec, s.items ?? {}, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const props = s.properties ?? {};
      if (Object.keys(props).length > 0) {
        const arbs = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueOf(spec, v, depth + 1)]));
        return fc.record(arbs, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
      const extra = Object.values(s.patternProperties ?? {})[0] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      return fc.dictionary(fc.string({ maxLength: 12 }), extra ? valueOf(spec, extra, depth + 1) : fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** One field of a body broken: replaced by an odd value, dropped, or joined by an unknown one (in an item of an array body too). */
function mutate(value: unknown, pick: number, odd: unknown, how: number): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || how === 0) return [...value, odd];
    const copy = [...value];
    copy[pick % copy.length] = mutate(copy[pick % copy.length], pick >> 3, odd, how);
    return copy;
  }
  if (typeof value !== 'object' || value === null) return odd;
  const obj = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(obj);
  const key = keys[pick % Math.max(1, keys.length)];
  if (how === 0 || key === undefined) obj[`unknown_${pick % 7}`] = odd;
  else if (how === 1) delete obj[key];
  else obj[key] = odd;
  return obj;
}

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate cannot be percent-encoded as UTF-8; send what a broken client would
  }
}

function multipartBody(parts: { name: string; filename?: string; type?: string; data: string | Buffer }[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const multipartArb: fc.Arbitrary<{ payload: Buffer; type: string }> = fc
  .record({
    field: fc.constantFrom('invoice', 'record', 'merchantId', 'other', ''),
    filename: fc.option(fc.constantFrom('a.jpg', 'a.pdf', '', '../../x', 'a\u0000.png'), { nil: undefined }),
    type: fc.constantFrom('image/jpeg', 'image/png', 'application/pdf', 'text/plain', ''),
    data: fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.constantFrom('%PDF-1.4\n', '\x89PNG\r\n\x1a\n', '')),
    count: fc.integer({ min: 0, max: 8 }),
    boundary: fc.constantFrom('b0undary', 'x'),
    brokenBoundary: fc.boolean(),
  })
  .map((m) => {
    const parts = Array.from({ length: m.count }, () => ({ name: m.field, ...(m.filename !== undefined ? { filename: m.filename } : {}), type: m.type, data: m.data }));
    return { payload: multipartBody(parts, m.boundary), type: `multipart/form-data; boundary=${m.brokenBoundary ? 'other' : m.boundary}` };
  });

function pathArb(spec: Spec, op: Operation, ctx: FuzzContext): fc.Arbitrary<string> {
  const names = op.parameters.filter((p) => p.in === 'path');
  if (names.length === 0) return fc.constant(op.path);
  const segments = names.map((p) =>
    fc.oneof(
      { weight: 3, arbitrary: ctx.known[p.name]?.length ? fc.constantFrom(...ctx.known[p.name]!) : (valueOf(spec, p.schema) as fc.Arbitrary<string>).map(String) },
      { weight: 2, arbitrary: (valueOf(spec, p.schema) as fc.Arbitrary<unknown>).map((v) => encodeSegment(String(v))) },
      { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS.filter((s) => s.length < 1000)).map(encodeSegment) },
      { weight: 2, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
    ),
  );
  return fc.tuple(...segments).map((values) => names.reduce((path, p, i) => path.replace(`{${p.name}}`, values[i]!), op.path));
}

function queryArb(spec: Spec, op: Operation): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'query');
  const entries = params.map((p) =>
    fc.option(
      fc.oneof(
        (valueOf(spec, p.schema) as fc.Arbitrary<unknown>).map((v) => [[p.name, String(v)]]),
        fc.constantFrom(...ODD_STRINGS).map((v) => [[p.name, v]]),
        fc.constant([
          [p.name, '1'],
          [p.name, '2'],
        ]),
      ),
      { nil: [] as string[][] },
    ),
  );
  const unknown = fc.option(fc.constantFrom<string[][]>([['unknown', '1']], [['__proto__', 'x']], [['a'.repeat(300), '']]), { nil: [] as string[][] });
  return fc.tuple(fc.tuple(...entries), unknown).map(([parts, extra]) => {
    const pairs = [...parts.flat(), ...extra] as string[][];
    if (pairs.length === 0) return '';
    return '?' + pairs.map(([k, v]) => `${encodeSegment(k!)}=${encodeSegment(v!)}`).join('&');
  });
}

function headersArb(spec: Spec, op: Operation, ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  const own = op.parameters.filter((p) => p.in === 'header');
  const ownArbs = own.map((p) =>
    fc.option(
      fc.oneof((valueOf(spec, p.schema) as fc.Arbitrary<unknown>).map(String), fc.constantFrom(...ODD_STRINGS.filter((s) => s.length < 1000))),
      { nil: undefined },
    ),
  );
  const extra = fc.option(
    fc.constantFrom<Record<string, string>>({ 'x-csrf-token': 'x' }, { 'x-request-id': '\u00e9'.repeat(300) }, { accept: 'text/html' }, { 'content-encoding': 'gzip' }, { 'transfer-encoding': 'chunked' }),
    { nil: {} },
  );
  return fc.tuple(fc.constantFrom(...ctx.callers), fc.tuple(...ownArbs), extra).map(([caller, values, more]) => {
    const headers: Record<string, string> = { ...caller, ...more };
    own.forEach((p, i) => {
      if (values[i] !== undefined) headers[p.name] = values[i]!;
    });
    return headers;
  });
}

type Body = { kind: string; payload?: string | Buffer; type?: string };

function bodyArb(spec: Spec, op: Operation, ctx: FuzzContext): fc.Arbitrary<Body> {
  const [declared, schema] = Object.entries(op.bodies)[0] ?? [undefined, undefined];
  const odd = fc.constantFrom(...ODD_VALUES);
  const anyType = fc.constantFrom(...CONTENT_TYPES);
  const choices: fc.WeightedArbitrary<Body>[] = [
    { weight: 2, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 3 }), anyType).map(([v, type]) => ({ kind: 'arbitrary-json', payload: JSON.stringify(v), type })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...RAW_BODIES), anyType).map(([payload, type]) => ({ kind: 'raw', payload, type })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' }) },
    { weight: 1, arbitrary: anyType.map((type) => ({ kind: 'oversized', payload: OVERSIZED, type })) },
  ];
  if (schema && declared === 'application/json') {
    const aware = valueOf(spec, schema);
    choices.push(
      { weight: 4, arbitrary: aware.map((v) => ({ kind: 'schema-aware', payload: JSON.stringify(v), type: 'application/json' })) },
      {
        weight: 8,
        arbitrary: fc.tuple(aware, fc.nat(), odd, fc.integer({ min: 0, max: 4 })).map(([v, pick, o, how]) => ({ kind: 'one-field-broken', payload: JSON.stringify(mutate(v, pick, o, how)), type: 'application/json' })),
      },
      { weight: 1, arbitrary: aware.map((v) => ({ kind: 'form-instead-of-json', payload: new URLSearchParams(flatStrings(v)).toString(), type: 'application/x-www-form-urlencoded' })) },
    );
  }
  if (declared === 'application/x-www-form-urlencoded' && ctx.sampleForm) {
    const sample = ctx.sampleForm;
    const sign = ctx.signForm ?? ((f: Record<string, string>) => f);
    const fieldNames = [...Object.keys(sample), 'sign_type', 'app_id', 'sign', 'refund_fee', 'gmt_refund', 'receipt_amount'];
    choices.push(
      {
        weight: 8,
        arbitrary: fc.tuple(fc.constantFrom(...fieldNames), fc.constantFrom(...ODD_STRINGS), fc.boolean(), fc.uuid()).map(([field, value, signAfter, id]) => {
          const fields = { ...sample, trade_no: `F${id.replaceAll('-', '').slice(0, 20)}`, [field]: value };
          const signed = signAfter ? sign(fields) : { ...sign({ ...sample, trade_no: fields.trade_no }), [field]: value };
          return { kind: 'signed-form-one-field-odd', payload: new URLSearchParams(signed).toString(), type: 'application/x-www-form-urlencoded' };
        }),
      },
      { weight: 2, arbitrary: fc.uuid().map((id) => ({ kind: 'signed-form-as-json', payload: JSON.stringify(sign({ ...sample, trade_no: `J${id.slice(0, 8)}` })), type: 'application/json' })) },
    );
  }
  if (declared === 'multipart/form-data' || op.path.startsWith('/v1/claims')) {
    choices.push({ weight: 4, arbitrary: multipartArb.map((m) => ({ kind: 'multipart', payload: m.payload, type: m.type })) });
  }
  return fc.oneof(...choices);
}

function flatStrings(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { value: JSON.stringify(v) };
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

/** Requests for one operation. GET and DELETE get bodies too: a careless client sends them. */
export function requestsFor(spec: Spec, op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(pathArb(spec, op, ctx), queryArb(spec, op), headersArb(spec, op, ctx), op.method === 'GET' ? fc.oneof({ weight: 6, arbitrary: fc.constant<Body>({ kind: 'none' }) }, { weight: 4, arbitrary: bodyArb(spec, op, ctx) }) : bodyArb(spec, op, ctx)).map(
    ([path, query, headers, body]) => {
      const all = { ...headers };
      if (body.type !== undefined) all['content-type'] = body.type;
      return { kind: body.kind, method: op.method, url: path + query, headers: all, ...(body.payload !== undefined ? { payload: body.payload } : {}) };
    },
  );
}
