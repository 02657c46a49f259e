import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import { rulesetAt, rulesProblem, type AccrualRules, type RulesetVersion } from './accrual-rules.ts';
import { onlyRow } from '../shared/assert.ts';
import type { SchemaProblem } from '../shared/schema-problem.ts';

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * What a ruleset governs: accrual's rules (payments to credit) or the claims' (invoices to money).
 * Both are versions in one table, published and chosen the same way; each kind validates its own.
 */
export interface RulesetKind<R> {
  kind: 'accrual' | 'claims';
  problem(params: unknown): SchemaProblem | null;
  /** Never used: carries R so a kind's versions are typed by it. */
  readonly rules?: R;
}

export const ACCRUAL_RULESETS: RulesetKind<AccrualRules> = { kind: 'accrual', problem: rulesProblem };

export async function loadRulesets(db: Queryable): Promise<RulesetVersion[]>;
export async function loadRulesets<R>(db: Queryable, of: RulesetKind<R>): Promise<RulesetVersion<R>[]>;
export async function loadRulesets(db: Queryable, of: RulesetKind<unknown> = ACCRUAL_RULESETS): Promise<RulesetVersion<unknown>[]> {
  const { rows } = await db.query<{ ruleset_id: number; name: string; version: number; effective_from: Date; adopted: boolean; params: unknown }>(
    'SELECT ruleset_id, name, version, effective_from, adopted, params FROM rulesets WHERE kind = $1 ORDER BY effective_from, ruleset_id',
    [of.kind],
  );
  return rows.map((r) => ({ id: r.ruleset_id, name: r.name, version: r.version, effectiveFrom: r.effective_from, adopted: r.adopted, rules: r.params }));
}

export class RulesetError extends Error {
  constructor(
    readonly code: 'invalid_ruleset' | 'ruleset_time_taken' | 'ruleset_name_taken',
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'RulesetError';
  }
}

export interface RulesetInput {
  name: string;
  effectiveFrom: Date;
  params: unknown;
  adopt?: boolean;
}

/**
 * A new version of a ruleset, applying from `effectiveFrom` on (never retroactively). It governs
 * when its name is the one of its kind in force at that instant, or when `adopt` says so; otherwise
 * it is an alternative. Publishes are serialised, so concurrent ones get consecutive versions.
 */
export async function publishRuleset(pool: pg.Pool, input: RulesetInput, now?: Date): Promise<RulesetVersion>;
export async function publishRuleset<R>(pool: pg.Pool, input: RulesetInput, now: Date, of: RulesetKind<R>): Promise<RulesetVersion<R>>;
export async function publishRuleset(pool: pg.Pool, input: RulesetInput, now = new Date(), of: RulesetKind<unknown> = ACCRUAL_RULESETS): Promise<RulesetVersion<unknown>> {
  const problem = of.problem(input.params);
  if (problem) throw new RulesetError('invalid_ruleset', `params.${problem.field}`, problem.message);
  if (input.effectiveFrom.getTime() < now.getTime()) throw new RulesetError('invalid_ruleset', 'effectiveFrom', 'a ruleset cannot take effect in the past');
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('carepoints.rulesets'))");
    const other = await client.query<{ kind: string }>('SELECT kind FROM rulesets WHERE name = $1 AND kind <> $2 LIMIT 1', [input.name, of.kind]);
    if (other.rows[0]) throw new RulesetError('ruleset_name_taken', 'name', `${input.name} is the name of a ${other.rows[0].kind} ruleset`, 409);
    const inForce = rulesetAt(await loadRulesets(client, of), input.effectiveFrom);
    const adopted = input.adopt ?? inForce.name === input.name;
    const { rows } = await client.query<{ ruleset_id: number; version: number; effective_from: Date }>(
      `INSERT INTO rulesets (kind, name, version, effective_from, adopted, params)
       SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5 FROM rulesets WHERE name = $2
       RETURNING ruleset_id, version, effective_from`,
      [of.kind, input.name, input.effectiveFrom, adopted, JSON.stringify(input.params)],
    );
    const row = onlyRow(rows, 'the inserted ruleset version');
    return { id: row.ruleset_id, name: input.name, version: row.version, effectiveFrom: row.effective_from, adopted, rules: input.params };
  }).catch((err: unknown) => {
    if ((err as { code?: string }).code === '23505') throw new RulesetError('ruleset_time_taken', 'effectiveFrom', 'another version takes effect at that instant', 409);
    throw err;
  });
}
