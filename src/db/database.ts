import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';

// bigint columns (fen, ids) come back as strings unless told otherwise; ledger amounts are safe integers by CHECK.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${value} exceeds the safe integer range`);
  return n;
});

// int8[] (oid 1016) likewise, element by element
pg.types.setTypeParser(1016 as never, (value: string) =>
  value === '{}' ? [] : value.slice(1, -1).split(',').map((v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${v} exceeds the safe integer range`);
    return n;
  }),
);

export interface Database {
  pool: pg.Pool;
  /** `embedded` when this process started its own PostgreSQL under the data directory. */
  mode: 'embedded' | 'server';
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'carepoints';

export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'carepoints' });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export async function openDatabase(options: { databaseUrl: string | null; dataDir: string; poolSize: number; log: (line: string) => void }): Promise<Database> {
  let embedded: EmbeddedPostgres | null = null;
  let url = options.databaseUrl;
  if (url === null) {
    const server = await startEmbeddedPostgres({ dir: options.dataDir, log: options.log });
    embedded = server;
    url = await ensureDatabase(server.url, EMBEDDED_DATABASE).catch(async (err: unknown) => {
      await server.stop();
      throw err;
    });
  }
  const pool = createPool(url, options.poolSize);
  return {
    pool,
    mode: embedded ? 'embedded' : 'server',
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
