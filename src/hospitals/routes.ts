import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, authenticate, recordAudit, bearerSecurity } from '../auth/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { pageOf } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { HOSPITAL_GRADES, HOSPITAL_OWNERSHIPS, HOSPITAL_TYPES, readHospitalsCsv, type Hospital } from './record.ts';
import { changeDetails, planImport } from './import-plan.ts';
import { databaseHospitalRegistry } from './registry.ts';
import { changeHospital, hospitalsById, lockRegistry, writeImport } from './store.ts';

const MAX_PAGE = 200;
/** Explicit limits of an import: the seed file is about 60 KiB and 772 rows. */
export const MAX_IMPORT_BYTES = 1024 * 1024;
export const MAX_IMPORT_ROWS = 10_000;
/** A refusal lists this many line errors at most (and says how many there were). */
const MAX_LISTED_ERRORS = 200;

const HospitalSchema = Type.Object({
  object: Type.Literal('hospital'),
  id: Type.String(),
  name: Type.String(),
  aliases: Type.Array(Type.String()),
  province: Type.String(),
  city: Type.String(),
  grade: Type.String(),
  ownership: Type.String(),
  type: Type.String(),
});

const HospitalParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Hospital id, e.g. H110001' }) }, { additionalProperties: false });

const HospitalChangeSchema = Type.Object(
  {
    grade: Type.Optional(Type.Union(HOSPITAL_GRADES.map((g) => Type.Literal(g)))),
    ownership: Type.Optional(Type.Union(HOSPITAL_OWNERSHIPS.map((o) => Type.Literal(o)))),
    type: Type.Optional(Type.Union(HOSPITAL_TYPES.map((t) => Type.Literal(t)))),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ImportRefusalSchema = Type.Object({
  error: Type.Object({
    code: Type.Literal('import_refused'),
    message: Type.String(),
    lines: Type.Array(Type.Object({ line: Type.Integer({ description: 'Line of the file; the header is line 1' }), message: Type.String() })),
  }),
});

function hospitalJson(h: Hospital) {
  return { object: 'hospital' as const, id: h.id, name: h.name, aliases: [...h.aliases], province: h.province, city: h.city, grade: h.grade, ownership: h.ownership, type: h.type };
}

/** The hospital registry the claim checks use: listed for console users, kept by admins (audited). */
export const hospitalRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // the list shows an admin the change just made: the version is read on every request
  const registry = databaseHospitalRegistry(ctx.pool, { maxStaleMs: 0 });
  const admins = authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin'] });
  // the body is the file itself; the parser belongs to this plugin's routes only
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));

  app.get(
    '/v1/hospitals',
    {
      onRequest: authenticate(ctx, { staffRoles: ['ops', 'reviewer'], consoleRoles: ['admin', 'reviewer', 'analyst'] }),
      schema: {
        tags: ['hospitals'],
        summary: 'The hospital registry (grade, ownership, type), by id',
        description: 'q matches a part of the name, an alias or the id; city matches exactly. Cursor pagination: pass nextCursor back as cursor.',
        security: [...bearerSecurity, { staffCookie: [] }],
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            city: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 50 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(HospitalSchema), total: Type.Integer(), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { q, city } = request.query;
      const matching = (await registry.current()).hospitals.filter((h) => (!city || h.city === city) && (!q || h.id === q || h.name.includes(q) || h.aliases.some((a) => a.includes(q))));
      const limit = request.query.limit ?? 50;
      const from = decodeCursor(request.query.cursor) ?? 0;
      const { page, ...more } = pageOf(matching.slice(from, from + limit + 1), limit, () => encodeCursor(from + limit));
      return { object: 'list' as const, data: page.map(hospitalJson), total: matching.length, ...more };
    },
  );

  app.patch(
    '/v1/hospitals/:id',
    {
      onRequest: admins,
      schema: {
        tags: ['hospitals'],
        summary: "Change a hospital's grade, ownership or type (audited)",
        description: 'The claim checks judge claims decided from now on by the new values (the claim workers take a change within seconds). Names and aliases change with an import.',
        security: [...bearerSecurity, { staffCookie: [] }],
        params: HospitalParams,
        body: HospitalChangeSchema,
        response: { 200: HospitalSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { id } = request.params;
      // the seed comes first: an edit of a registry never read is an edit of the seed's row
      await registry.current();
      return inTransaction(ctx.pool, async (client) => {
        await lockRegistry(client);
        const changed = await changeHospital(client, id, request.body);
        if (!changed) throw new ApiError(404, 'hospital_not_found', `no hospital ${id} in the registry`, 'id');
        await recordAudit(client, { ...actorOf(request), action: 'hospital.change', subjectKind: 'hospital', subjectId: id, details: changeDetails(changed.before, changed.after) });
        return hospitalJson(changed.after);
      });
    },
  );

  app.post(
    '/v1/hospitals::import',
    {
      onRequest: admins,
      // before the schema check: a JSON body is the wrong kind of body, not a wrong field
      preValidation: async (request) => {
        if (!/^text\/csv\b/i.test(request.headers['content-type'] ?? '')) throw new ApiError(415, 'unsupported_media_type', 'send the file itself with Content-Type: text/csv', 'content-type');
      },
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        tags: ['hospitals'],
        summary: 'Import hospitals from a CSV file: new ids are added, known ones updated (audited)',
        description: `The body is the file (Content-Type: text/csv, at most ${MAX_IMPORT_BYTES / 1024} KiB and ${MAX_IMPORT_ROWS} rows) with the columns id,name,aliases,province,city,grade,ownership,type (aliases separated by "|"). All or nothing: a file with any fault is refused (422 import_refused) with every faulty line listed, and nothing is written. Hospitals missing from the file are kept.`,
        security: [...bearerSecurity, { staffCookie: [] }],
        consumes: ['text/csv'],
        body: Type.String({ description: 'The CSV file' }),
        response: {
          200: Type.Object({
            object: Type.Literal('hospital_import'),
            created: Type.Integer(),
            updated: Type.Integer(),
            unchanged: Type.Integer(),
            version: Type.String({ description: "The registry's version after the import" }),
          }),
          422: ImportRefusalSchema,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const { hospitals, errors } = readHospitalsCsv(request.body);
      if (errors.length === 0 && hospitals.length === 0) errors.push({ line: 2, message: 'the file has no hospitals' });
      if (hospitals.length > MAX_IMPORT_ROWS) errors.push({ line: MAX_IMPORT_ROWS + 2, message: `more than ${MAX_IMPORT_ROWS} hospitals: import the file in parts` });
      if (errors.length) {
        const message = `${errors.length} fault${errors.length > 1 ? 's' : ''} in the file; nothing was imported`;
        return reply.code(422).send({ error: { code: 'import_refused' as const, message, lines: errors.slice(0, MAX_LISTED_ERRORS) } });
      }
      await registry.current();
      return inTransaction(ctx.pool, async (client) => {
        const version = await lockRegistry(client);
        const plan = planImport(await hospitalsById(client, hospitals.map((h) => h.id)), hospitals);
        await writeImport(client, plan);
        await recordAudit(client, {
          ...actorOf(request),
          action: 'hospital.import',
          subjectKind: 'hospital_registry',
          subjectId: version,
          details: { created: plan.created.map((h) => h.id), updated: plan.updated.map((u) => changeDetails(u.before, u.after)), unchanged: plan.unchanged },
        });
        return { object: 'hospital_import' as const, created: plan.created.length, updated: plan.updated.length, unchanged: plan.unchanged, version };
      });
    },
  );
};
