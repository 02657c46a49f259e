import type pg from 'pg';
import { rulesProblem, type AccrualRules, type RulesetVersion } from './rules.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export async function loadRulesets(db: Queryable): Promise<RulesetVersion[]> {
  const { rows } = await db.query<{ ruleset_id: number; name: string; version: number; effective_from: Date; params: AccrualRules }>(
    'SELECT ruleset_id, name, version, effective_from, params FROM rulesets ORDER BY effective_from',
  );
  return rows.map((r) => ({ id: r.ruleset_id, name: r.name, version: r.version, effectiveFrom: r.effective_from, rules: r.params }));
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

/** A new version of a ruleset, applying to payments from `effectiveFrom` on (never retroactively). */
export async function publishRuleset(db: Queryable, input: { name: string; effectiveFrom: Date; params: unknown }, now = new Date()): Promise<RulesetVersion> {
  const problem = rulesProblem(input.params);
  if (problem) throw new RulesetError(`params.${problem.field}`, problem.message);
  if (input.effectiveFrom.getTime() < now.getTime()) throw new RulesetError('effectiveFrom', 'a ruleset cannot take effect in the past');
  const { rows } = await db.query<{ ruleset_id: number; version: number; effective_from: Date }>(
    `INSERT INTO rulesets (name, version, effective_from, params)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM rulesets WHERE name = $1
     RETURNING ruleset_id, version, effective_from`,
    [input.name, input.effectiveFrom, JSON.stringify(input.params)],
  );
  const row = rows[0]!;
  return { id: row.ruleset_id, name: input.name, version: row.version, effectiveFrom: row.effective_from, rules: input.params as AccrualRules };
}
