/**
 * Test databases on a real Citus cluster (CAREPOINTS_CITUS_URL names its coordinator): a database of
 * the same name on every node, the citus extension in each, the workers registered, the migrations
 * applied and the sharding plan run as `carepoints shard-plan --apply` runs it. The claims and
 * ingestion tests then run unchanged on distributed tables (`npm run test:citus`).
 */
import pg from 'pg';
import { applyShardPlan } from '../../src/db/shard-apply.ts';
import { migrate } from '../../src/db/migrate.ts';
import { shardPlan, tableKeys } from '../../src/db/shard-plan.ts';

export const CITUS_URL = process.env.CAREPOINTS_CITUS_URL || null;

function at(url: string, database: string, node?: { host: string; port: number }): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (node) {
    u.hostname = node.host;
    u.port = String(node.port);
  }
  return u.toString();
}

async function onNode<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function workersOf(coordinatorUrl: string): Promise<{ host: string; port: number }[]> {
  return onNode(coordinatorUrl, async (c) => {
    const { rows: citus } = await c.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
    if (citus.length === 0) throw new Error('CAREPOINTS_CITUS_URL must name a database of the coordinator where the citus extension is installed and the workers added');
    const { rows } = await c.query<{ node_name: string; node_port: number }>('SELECT node_name, node_port FROM citus_get_active_worker_nodes() ORDER BY 1, 2');
    return rows.map((r) => ({ host: r.node_name, port: r.node_port }));
  });
}

/** The coordinator (as the URL names it) and the active workers, and the database to run CREATE/DROP DATABASE from. */
async function clusterOf(citusUrl: string): Promise<{ coordinator: { host: string; port: number }; workers: { host: string; port: number }[]; adminDatabase: string }> {
  const u = new URL(citusUrl);
  const workers = await workersOf(citusUrl);
  if (workers.length === 0) throw new Error(`CAREPOINTS_CITUS_URL (${u.host}) has no active workers: add them with citus_add_node`);
  return { coordinator: { host: u.hostname, port: Number(u.port || 5432) }, workers, adminDatabase: u.pathname.slice(1) || 'postgres' };
}

/** Creates `name` on every node of the cluster, distributed as the plan says; returns its URL on the coordinator. */
export async function createCitusDatabase(citusUrl: string, name: string, pool: (url: string) => pg.Pool): Promise<string> {
  const { coordinator, workers, adminDatabase } = await clusterOf(citusUrl);
  for (const node of [coordinator, ...workers]) {
    await onNode(at(citusUrl, adminDatabase, node), (c) => c.query(`CREATE DATABASE ${name}`));
    await onNode(at(citusUrl, name, node), (c) => c.query('CREATE EXTENSION citus'));
  }
  const url = at(citusUrl, name);
  await onNode(url, async (c) => {
    await c.query('SELECT citus_set_coordinator_host($1, $2)', [coordinator.host, coordinator.port]);
    for (const w of workers) await c.query('SELECT citus_add_node($1, $2)', [w.host, w.port]);
  });
  const setup = pool(url);
  try {
    await migrate(setup);
    const outcome = await applyShardPlan(setup, shardPlan(await tableKeys(setup)));
    if (!outcome.ok) throw new Error(`the sharding plan failed on the cluster:\n${outcome.report.slice(-3).join('\n')}`);
  } finally {
    await setup.end();
  }
  return url;
}

/** Drops `name` from every node (workers first: the coordinator's copy names them). */
export async function dropCitusDatabase(citusUrl: string, name: string): Promise<void> {
  const { coordinator, workers, adminDatabase } = await clusterOf(citusUrl);
  for (const node of [...workers, coordinator]) {
    await onNode(at(citusUrl, adminDatabase, node), (c) => dropForced(c, name));
  }
}

/**
 * FORCE ends the client sessions, but not Citus's own background worker, which may hold the database
 * for a moment after the last test's transaction (55006 "being accessed by other users"): the drop is
 * tried again until that worker has let go, a bounded number of times.
 */
async function dropForced(c: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt === 50) throw err;
      await c.query('SELECT pg_sleep(0.1)');
    }
  }
}
