import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { actorOf, authenticate, recordAudit, bearerSecurity } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import type { RulesetVersion } from './accrual-rules.ts';
import { loadRulesets, publishRuleset, RulesetError, type RulesetKind } from './rulesets.ts';

/** What differs between the accrual rulesets' routes and the claims rulesets': the path, the schema, the words. */
export interface RulesetRoutesSpec<R> {
  path: string;
  of: RulesetKind<R>;
  paramsSchema: Type.TSchema;
  tag: string;
  /** What a version governs, for the documentation: "payments", "claims". */
  governs: string;
}

/** List and publish the versions of one kind of ruleset, as the console's rules screen uses them. */
export function rulesetRoutes<R>(spec: RulesetRoutesSpec<R>): FastifyPluginAsync<AppContext> {
  return async (fastify, ctx) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    // the console's admins act as ops on these (analysts read)
    const opsOrAdmin = authenticate(ctx, { staffRoles: ['ops'] });
    const staffOrConsole = authenticate(ctx, { staffRoles: ['ops', 'platform'], consoleRoles: ['admin', 'analyst'] });
    const RulesetSchema = Type.Object({ id: Type.Integer(), name: Type.String(), version: Type.Integer(), effectiveFrom: Type.String(), adopted: Type.Boolean(), rules: spec.paramsSchema });
    const rulesetJson = (v: RulesetVersion<R>) => ({ id: v.id, name: v.name, version: v.version, effectiveFrom: v.effectiveFrom.toISOString(), adopted: v.adopted, rules: v.rules });

    app.get(
      spec.path,
      {
        onRequest: staffOrConsole,
        schema: {
          tags: [spec.tag],
          summary: `Every ${spec.of.kind} ruleset version, oldest first`,
          description: "`paramsSchema` is the JSON Schema of a ruleset's parameters (names, bounds): the console builds its form from it.",
          security: bearerSecurity,
          response: { 200: Type.Object({ data: Type.Array(RulesetSchema), paramsSchema: Type.Unknown() }), ...ERROR_RESPONSES },
        },
      },
      async () => ({ data: (await loadRulesets(ctx.pool, spec.of)).map(rulesetJson), paramsSchema: spec.paramsSchema }),
    );

    app.post(
      spec.path,
      {
        onRequest: opsOrAdmin,
        schema: {
          tags: [spec.tag],
          summary: `Publish a new ${spec.of.kind} ruleset version`,
          description: `It applies to ${spec.governs} from effectiveFrom on (which may not be in the past). A version of the ruleset in force at that instant governs ${spec.governs}; a version of another name is an alternative (for simulations) unless \`adopt\` is true, which makes the programme switch to it at effectiveFrom.`,
          security: bearerSecurity,
          body: Type.Object(
            { name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,40}$' }), effectiveFrom: Type.String({ format: 'date-time' }), params: spec.paramsSchema, adopt: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          response: { 201: RulesetSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        try {
          const { name, effectiveFrom, params, adopt } = request.body;
          const version = await publishRuleset(ctx.pool, { name, effectiveFrom: new Date(effectiveFrom), params, adopt }, ctx.now(), spec.of);
          await recordAudit(ctx.pool, {
            ...actorOf(request),
            action: 'ruleset.publish',
            subjectKind: 'ruleset',
            subjectId: version.id,
            details: { kind: spec.of.kind, name, version: version.version, effectiveFrom, adopted: version.adopted },
          });
          return reply.code(201).send(rulesetJson(version));
        } catch (err) {
          if (err instanceof RulesetError) throw new ApiError(err.status, err.code, err.message, err.field);
          throw err;
        }
      },
    );
  };
}
