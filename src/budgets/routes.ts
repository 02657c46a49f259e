/**
 * The programme's liability and its budgets: the liability by day and city with its expected cost
 * and forecast (from the rollup), city budgets (created once per city and month, with an
 * Idempotency-Key) and their alerts, for operators; and for a merchant, its city's budget this month
 * and what happens when it is reached.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { nullable } from '../http/schemas.ts';
import { actorOf, authenticate, bearerSecurity, recordAudit, SESSION_SECURITY } from '../auth/index.ts';
import { ERROR_RESPONSES, type AppContext } from '../http/context.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';
import { listSchema, pageOf, pageQuery } from '../http/list.ts';
import { ApiError } from '../http/errors.ts';
import { runIdempotent } from '../http/idempotency.ts';
import { addDays, businessDay } from '../shared/business-day.ts';
import { budgetPeriodOf, periodResumesOn } from './budget-rules.ts';
import { liabilityReport } from './liability.ts';
import { liabilityRows } from './rollup.ts';
import { budgetOfCity, BudgetExists, createBudget, listBudgets, type CityBudget } from './store.ts';

const Fen = Type.Integer({ minimum: 0 });
const staffSecurity = [...bearerSecurity, { staffCookie: [] }];
const Period = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'A calendar month of business days (Asia/Shanghai), YYYY-MM' });
const City = Type.String({ minLength: 1, maxLength: 32, pattern: '^\\S(.*\\S)?$' });

const BudgetSchema = Type.Object({
  id: Type.String(),
  object: Type.Literal('city_budget'),
  city: Type.String(),
  period: Type.String(),
  limitFen: Fen,
  grantedFen: Type.Integer({ minimum: 0, description: "Credit granted to the city's merchants for payments of the month" }),
  alertPercents: Type.Array(Type.Integer()),
  reachedAt: nullable(Type.String({ format: 'date-time', description: 'When a credit first did not fit: from then on the month earns nothing in the city' })),
  alerts: Type.Array(Type.Object({ percent: Type.Integer(), at: Type.String({ format: 'date-time' }) }), { description: 'Thresholds reached, each raised once (also in GET /v1/ops/alerts)' }),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
});

function budgetJson(b: CityBudget) {
  return {
    id: String(b.budgetId),
    object: 'city_budget' as const,
    city: b.city,
    period: b.period,
    limitFen: b.limitFen,
    grantedFen: b.grantedFen,
    alertPercents: b.alertPercents,
    reachedAt: b.reachedAt?.toISOString() ?? null,
    alerts: b.alerts.map((a) => ({ percent: a.percent, at: a.at.toISOString() })),
    createdAt: b.createdAt.toISOString(),
    createdBy: b.createdBy,
  };
}

const Liability = Type.Object({ pendingFen: Fen, availableFen: Fen, reservedFen: Fen, outstandingFen: Fen, expectedCostFen: nullable(Type.Integer()) });

const LiabilitySchema = Type.Object({
  object: Type.Literal('liability'),
  claimRatio: nullable(Type.Number({ description: 'Claims paid over credit granted in the window, all cities: the share of a fen of credit expected to be paid' })),
  refreshedAt: nullable(Type.String({ format: 'date-time', description: 'When the rollup was last refreshed (the periodic work: hourly)' })),
  days: Type.Array(Type.Intersect([Type.Object({ day: Type.String({ format: 'date' }), grantedFen: Fen, claimedFen: Fen, lostFen: Fen }), Liability])),
  cities: Type.Array(Type.Intersect([Type.Object({ city: Type.String(), day: Type.String({ format: 'date' }), claimRatio: nullable(Type.Number()) }), Liability])),
  forecast: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), outstandingFen: Fen, expectedCostFen: nullable(Type.Integer()) })),
});

export const budgetRoutes: FastifyPluginAsync<AppContext> = async (fastify, ctx) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const readers = authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin', 'analyst'] });
  const admins = authenticate(ctx, { staffRoles: ['ops'], consoleRoles: ['admin'] });

  app.get(
    '/v1/liability',
    {
      onRequest: readers,
      schema: {
        tags: ['budgets'],
        summary: "The programme's liability (credit waiting to be collected, available, reserved) by day and city, its expected cost and a forecast",
        description: "Read from the daily rollup the periodic work refreshes, never from the ledger. Expected cost: outstanding credit × claimed fen / granted fen over the window (each city at its own ratio). Forecast: the window's mean daily net flow (granted − claimed − lapsed and expired) run forward.",
        security: staffSecurity,
        querystring: Type.Object(
          {
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'The window: business days up to today' })),
            horizon: Type.Optional(Type.Integer({ minimum: 0, maximum: 90, default: 14, description: 'Days forecast' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: LiabilitySchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const today = businessDay(ctx.now());
      const rows = await liabilityRows(ctx.pool, addDays(today, -((request.query.days ?? 30) - 1)));
      const report = liabilityReport(rows, request.query.horizon ?? 14, (day) => addDays(day, 1));
      return { object: 'liability' as const, ...report, refreshedAt: report.refreshedAt?.toISOString() ?? null };
    },
  );

  app.get(
    '/v1/budgets',
    {
      onRequest: readers,
      schema: {
        tags: ['budgets'],
        summary: 'City budgets, newest first, with their use and the alerts raised',
        security: staffSecurity,
        querystring: pageQuery(20, 100),
        response: { 200: listSchema(BudgetSchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const rows = await listBudgets(ctx.pool, { before: decodeCursor(request.query.cursor), limit: limit + 1 });
      const { page, ...more } = pageOf(rows, limit, (last) => encodeCursor(last.budgetId));
      return { object: 'list' as const, data: page.map(budgetJson), ...more };
    },
  );

  app.post(
    '/v1/budgets',
    {
      onRequest: admins,
      schema: {
        tags: ['budgets'],
        summary: "Set a city's budget for a month (audited)",
        description:
          "Caps the credit the city's merchants are granted for payments of the month. When the next credit would pass it, new credit stops in the city until the month ends; credit already held is kept, collected and spent as before. Operators are alerted once at each threshold. 409 budget_exists: one budget per city and month. Accepts an Idempotency-Key header.",
        security: staffSecurity,
        body: Type.Object(
          {
            city: City,
            period: Period,
            limitFen: Type.Integer({ minimum: 1, maximum: 10_000_000_000_000 }),
            alertPercents: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), { minItems: 1, maxItems: 5, default: [80, 100], description: 'Shares of the limit (percent) at which operators are alerted, once each' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: BudgetSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const now = ctx.now();
      if (body.period < budgetPeriodOf(businessDay(now))) throw new ApiError(422, 'budget_period_over', `${body.period} is over`, 'period');
      try {
        const outcome = await runIdempotent(ctx.pool, request, async (client) => {
          const actor = actorOf(request);
          const budget = await createBudget(client, { city: body.city, period: body.period, limitFen: body.limitFen, alertPercents: body.alertPercents ?? [80, 100], createdBy: actor.actorId, now });
          await recordAudit(client, { ...actor, action: 'city_budget.create', subjectKind: 'city_budget', subjectId: String(budget.budgetId), details: { city: body.city, period: body.period, limitFen: body.limitFen } });
          return { statusCode: 201, body: budgetJson(budget) };
        });
        if (outcome.replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(outcome.statusCode).send(outcome.body);
      } catch (err) {
        if (err instanceof BudgetExists) throw new ApiError(409, 'budget_exists', err.message, 'period');
        throw err;
      }
    },
  );

  app.get(
    '/v1/me/budget',
    {
      onRequest: authenticate(ctx, { merchant: true }),
      schema: {
        tags: ['budgets'],
        summary: "The signed-in merchant's city budget this month, and whether new credit has stopped",
        security: SESSION_SECURITY,
        response: {
          200: Type.Object({
            object: Type.Literal('budget_policy'),
            city: Type.String(),
            period: Type.String(),
            resumesOn: Type.String({ format: 'date', description: 'The first day of the next month: when new credit starts again if the budget is reached' }),
            budget: nullable(Type.Object({ limitFen: Fen, grantedFen: Fen, reached: Type.Boolean() })),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      if (principal.kind !== 'merchant') throw new ApiError(403, 'forbidden', 'only a merchant session has a /v1/me/budget');
      const { rows } = await ctx.pool.query<{ city: string }>('SELECT city FROM merchants WHERE merchant_id = $1', [principal.merchantId]);
      const city = rows[0]?.city;
      if (city === undefined) throw new ApiError(404, 'merchant_not_found', `no merchant ${principal.merchantId}`);
      const period = budgetPeriodOf(businessDay(ctx.now()));
      const budget = await budgetOfCity(ctx.pool, city, period);
      return {
        object: 'budget_policy' as const,
        city,
        period,
        resumesOn: periodResumesOn(period),
        budget: budget && { limitFen: budget.limitFen, grantedFen: budget.grantedFen, reached: budget.reachedAt !== null },
      };
    },
  );
};
