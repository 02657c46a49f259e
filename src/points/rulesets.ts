import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { rulesetAt, rulesProblem, type AccrualRules, type RulesetVersion } from './accrual-rules.ts';
import { onlyRow } from '../shared/assert.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export async function loadRulesets(db: Queryable): Promise<RulesetVersion[]> {
  const { rows } = await db.query<{ ruleset_id: number; name: string; version: number; effective_from: Date; adopted: boolean; params: AccrualRules }>(
    'SELECT ruleset_id, name, version, effective_from, adopted, params FROM rulesets ORDER BY effective_from, ruleset_id',
  );
  return rows.map((r) => ({ id: r.ruleset_id, name: r.name, version: r.version, effectiveFrom: r.effective_from, adopted: r.adopted, rules: r.params }));
}

export class RulesetError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'RulesetError';
  }
}

/**
 * A new version of a ruleset, applying to payments from `effectiveFrom` on (never retroactively).
 * It governs when its name is the one in force at that instant, or when `adopt` says so; otherwise
 * it is an alternative. Publishes are serialised, so concurrent ones get consecutive versions.
 */
export async function publishRuleset(pool: pg.Pool, input: { name: string; effectiveFrom: Date; params: unknown; adopt?: boolean }, now = new Date()): Promise<RulesetVersion> {
  const problem = rulesProblem(input.params);
  if (problem) throw new RulesetError(`params.${problem.field}`, problem.message);
  if (input.effectiveFrom.getTime() < now.getTime()) throw new RulesetError('effectiveFrom', 'a ruleset cannot take effect in the past');
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('carepoints.rulesets'))");
    const inForce = rulesetAt(await loadRulesets(client), input.effectiveFrom);
    const adopted = input.adopt ?? inForce.name === input.name;
    const { rows } = await client.query<{ ruleset_id: number; version: number; effective_from: Date }>(
      `INSERT INTO rulesets (name, version, effective_from, adopted, params)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM rulesets WHERE name = $1
       RETURNING ruleset_id, version, effective_from`,
      [input.name, input.effectiveFrom, adopted, JSON.stringify(input.params)],
    );
    const row = onlyRow(rows, 'the inserted ruleset version');
    return { id: row.ruleset_id, name: input.name, version: row.version, effectiveFrom: row.effective_from, adopted, rules: input.params as AccrualRules };
  }).catch((err: unknown) => {
    if ((err as { code?: string }).code === '23505') throw new RulesetError('effectiveFrom', 'another version takes effect at that instant', 409);
    throw err;
  });
}
