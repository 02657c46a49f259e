/**
 * City budgets in the database: created by operators, read with their alerts, and, inside an
 * ingestion batch, locked and added to (budget-rules.ts says what a batch may grant). A threshold
 * reached raises an operator alert once (operator_alerts is unique by kind and subject).
 */
import type pg from 'pg';
import { textArray } from '../db/arrays.ts';
import { budgetKey, thresholdsReached, type BudgetRoom } from './budget-rules.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

const BUDGET_ALERT_KIND = 'city_budget_threshold';

interface BudgetAlert {
  percent: number;
  at: Date;
}

export interface CityBudget {
  budgetId: number;
  city: string;
  period: string;
  limitFen: number;
  grantedFen: number;
  alertPercents: number[];
  reachedAt: Date | null;
  createdAt: Date;
  createdBy: string;
  alerts: BudgetAlert[];
}

const COLUMNS = `b.budget_id::int AS "budgetId", b.city, b.period, b.limit_fen::float8 AS "limitFen", b.granted_fen::float8 AS "grantedFen",
  b.alert_percents::int[] AS "alertPercents", b.reached_at AS "reachedAt", b.created_at AS "createdAt", b.created_by AS "createdBy",
  coalesce((SELECT json_agg(json_build_object('percent', (o.details ->> 'percent')::int, 'at', o.at) ORDER BY (o.details ->> 'percent')::int)
              FROM operator_alerts o WHERE o.kind = '${BUDGET_ALERT_KIND}' AND o.subject LIKE b.budget_id || ':%'), '[]') AS alerts`;

function budgetOf(row: Omit<CityBudget, 'alerts'> & { alerts: { percent: number; at: string }[] }): CityBudget {
  return { ...row, alerts: row.alerts.map((a) => ({ percent: a.percent, at: new Date(a.at) })) };
}

export class BudgetExists extends Error {
  constructor(
    readonly city: string,
    readonly period: string,
  ) {
    super(`${city} has a budget for ${period} already`);
    this.name = 'BudgetExists';
  }
}

export async function createBudget(client: pg.PoolClient, input: { city: string; period: string; limitFen: number; alertPercents: number[]; createdBy: string; now: Date }): Promise<CityBudget> {
  const { rows } = await client
    .query<{ budget_id: number }>(
      `INSERT INTO city_budgets (city, period, limit_fen, alert_percents, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (city, period) DO NOTHING RETURNING budget_id::int`,
      [input.city, input.period, input.limitFen, [...new Set(input.alertPercents)].sort((a, b) => a - b), input.now, input.createdBy],
    );
  const id = rows[0]?.budget_id;
  if (id === undefined) throw new BudgetExists(input.city, input.period);
  return (await getBudget(client, id))!;
}

async function getBudget(db: Queryable, budgetId: number): Promise<CityBudget | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM city_budgets b WHERE b.budget_id = $1`, [budgetId]);
  return rows[0] ? budgetOf(rows[0]) : null;
}

/** Budgets newest first, before the budget id `before` (the cursor). */
export async function listBudgets(db: Queryable, page: { before?: number | undefined; limit: number }): Promise<CityBudget[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM city_budgets b WHERE $1::bigint IS NULL OR b.budget_id < $1 ORDER BY b.budget_id DESC LIMIT $2`, [page.before ?? null, page.limit]);
  return rows.map(budgetOf);
}

/** A city's budget for a period, if it has one (what its merchants are shown). */
export async function budgetOfCity(db: Queryable, city: string, period: string): Promise<CityBudget | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM city_budgets b WHERE b.city = $1 AND b.period = $2`, [city, period]);
  return rows[0] ? budgetOf(rows[0]) : null;
}

interface LockedBudget extends BudgetRoom {
  limitFen: number;
  grantedFen: number;
  alertPercents: number[];
  reachedAt: Date | null;
}

/**
 * The budgets of the batch's (city, period) pairs, locked for the rest of the transaction, in
 * budget_id order, as the planner's rooms (by budgetKey). Called after the batch's merchants are
 * locked: every batch takes merchants then budgets, so two batches cannot wait on each other in a
 * circle. Concurrent batches of one budgeted city run their grants one after the other; other
 * cities' batches do not wait.
 */
export async function lockBudgetRooms(client: pg.PoolClient, pairs: readonly { city: string; period: string }[]): Promise<Map<string, LockedBudget>> {
  if (pairs.length === 0) return new Map();
  const { rows } = await client.query<{ budget_id: number; city: string; period: string; limit_fen: string; granted_fen: string; alert_percents: number[]; reached_at: Date | null }>(
    `SELECT budget_id::int, city, period, limit_fen, granted_fen, alert_percents::int[], reached_at FROM city_budgets
      WHERE (city, period) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY budget_id FOR UPDATE`,
    [textArray(pairs.map((p) => p.city)), textArray(pairs.map((p) => p.period))],
  );
  return new Map(
    rows.map((r) => {
      const limitFen = Number(r.limit_fen);
      const grantedFen = Number(r.granted_fen);
      const room: LockedBudget = { budgetId: r.budget_id, city: r.city, period: r.period, remainingFen: limitFen - grantedFen, refused: false, limitFen, grantedFen, alertPercents: r.alert_percents, reachedAt: r.reached_at };
      return [budgetKey(r.city, r.period), room];
    }),
  );
}

/**
 * Writes what the batch granted against each locked budget (the planner took it from the rooms),
 * marks a budget reached when a credit did not fit or nothing is left, and raises the alerts of the
 * thresholds crossed, once each. A reached budget counts as wholly used for its alerts: the month
 * has stopped earning even when a few fen are left that no credit fits in.
 */
export async function recordBudgetGrants(client: pg.PoolClient, rooms: ReadonlyMap<string, LockedBudget>, now: Date): Promise<void> {
  for (const b of [...rooms.values()].sort((x, y) => x.budgetId - y.budgetId)) {
    const afterFen = b.limitFen - b.remainingFen;
    const reached = b.refused || b.remainingFen === 0;
    if (afterFen === b.grantedFen && (!reached || b.reachedAt !== null)) continue;
    await client.query('UPDATE city_budgets SET granted_fen = $2, reached_at = coalesce(reached_at, CASE WHEN $3 THEN $4::timestamptz END) WHERE budget_id = $1', [b.budgetId, afterFen, reached, now]);
    const wasReached = b.reachedAt !== null || b.grantedFen === b.limitFen;
    const before = wasReached ? b.limitFen : b.grantedFen;
    for (const percent of thresholdsReached(before, reached ? b.limitFen : afterFen, b.limitFen, b.alertPercents)) {
      await client.query(
        `INSERT INTO operator_alerts (kind, subject, at, details) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, subject) DO NOTHING`,
        [BUDGET_ALERT_KIND, `${b.budgetId}:${percent}`, now, JSON.stringify({ budgetId: b.budgetId, city: b.city, period: b.period, percent, grantedFen: afterFen, limitFen: b.limitFen })],
      );
    }
  }
}
