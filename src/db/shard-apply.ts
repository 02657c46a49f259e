/** Runs a sharding plan on a Citus coordinator (`carepoints shard-plan --apply`) and reads back where each table went. */
import type pg from 'pg';
import type { ShardPlan } from './shard-plan.ts';

export interface ShardApplyOutcome {
  ok: boolean;
  /** What was done, statement by statement, then each table's placement; or the statement that failed and why. */
  report: string[];
}

export async function applyShardPlan(pool: pg.Pool, plan: ShardPlan): Promise<ShardApplyOutcome> {
  if (plan.problems.length) return { ok: false, report: ['the schema has problems to fix before it can be distributed:', ...plan.problems.map((p) => `  ${p}`)] };
  const { rows: citus } = await pool.query<{ installed: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS installed");
  if (!citus[0]?.installed) return { ok: false, report: ['DATABASE_URL is not a Citus coordinator: the citus extension is not installed in this database'] };
  const report: string[] = [];
  // one session: SET applies to the statements after it
  const client = await pool.connect();
  try {
    for (const step of plan.steps) {
      try {
        await client.query(step.sql);
        report.push(`ok    ${step.sql}`);
      } catch (err) {
        report.push(`error ${step.sql}`, `      ${(err as Error).message}`);
        return { ok: false, report };
      }
    }
  } finally {
    client.release();
  }
  return { ok: true, report: [...report, '', ...(await placements(pool))] };
}

/** Each distributed or reference table: its kind, its column, its shards, and the nodes holding them. */
async function placements(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string; citus_table_type: string; distribution_column: string; shard_count: number; colocation_id: number; nodes: string }>(`
    SELECT t.table_name::text, t.citus_table_type, t.distribution_column, t.shard_count, t.colocation_id,
           (SELECT string_agg(n.node || ' ' || n.shards, ', ' ORDER BY n.node)
              FROM (SELECT s.nodename || ':' || s.nodeport AS node, count(*) AS shards FROM citus_shards s WHERE s.table_name = t.table_name GROUP BY 1) n) AS nodes
      FROM citus_tables t ORDER BY t.citus_table_type, t.colocation_id, t.table_name::text`);
  return [
    'table                         kind          column            shards  colocation  shards by node',
    ...rows.map((r) => `${r.table_name.padEnd(30)}${r.citus_table_type.padEnd(14)}${r.distribution_column.padEnd(18)}${String(r.shard_count).padEnd(8)}${String(r.colocation_id).padEnd(12)}${r.nodes ?? ''}`),
  ];
}
