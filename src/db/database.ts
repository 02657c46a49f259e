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

/**
 * A query's type parsers with dates (oid 1082) kept as their text, YYYY-MM-DD: for a RETURNING list,
 * where Citus refuses a cast to text (not immutable) that a SELECT may use.
 */
export const DATES_AS_TEXT: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 1082 ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

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

/**
 * A pool whose clients never crash the process when the server goes away. The pool listens for errors
 * only on idle clients; a checked-out client that hears "terminating connection" (57P01) between two
 * queries would emit an unhandled 'error' event. Every client gets a listener of its own for its whole
 * life: its next query fails instead, and the pool discards it on release.
 */
export function createPool(url: string, max: number, onConnectionLost: (err: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'carepoints', keepAlive: true });
  pool.on('error', onConnectionLost);
  pool.on('connect', (client) => client.on('error', onConnectionLost));
  return pool;
}

const UNAVAILABLE_NODE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// 57P01-57P03: shut down, crashed, starting or in recovery; 53300: out of connection slots
const UNAVAILABLE_SQLSTATES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);
// what node-postgres says, without a code, about a connection that is gone or cannot be had
const UNAVAILABLE_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end)/;

/**
 * Whether an error means the database cannot be reached (down, restarting, out of connections) rather
 * than that a statement failed: such requests answer 503 and are worth retrying.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}

export async function openDatabase(options: {
  databaseUrl: string | null;
  dataDir: string;
  poolSize: number;
  log: (line: string) => void;
  /** Lost connections and embedded-server restarts: worth a warning, never fatal. */
  warn?: (message: string, err?: unknown) => void;
}): Promise<Database> {
  const warn = options.warn ?? (() => {});
  let embedded: SupervisedPostgres | null = null;
  let url = options.databaseUrl;
  if (url === null) {
    const server = await startEmbeddedPostgres({ dir: options.dataDir, log: options.log });
    embedded = superviseEmbedded(server, () => startEmbeddedPostgres({ dir: options.dataDir, log: options.log, port: server.port }), warn);
    const supervised = embedded;
    url = await ensureDatabase(server.url, EMBEDDED_DATABASE).catch(async (err: unknown) => {
      await supervised.stop();
      throw err;
    });
  }
  const pool = createPool(url, options.poolSize, (err) => warn('a database connection was lost', err));
  return {
    pool,
    mode: embedded ? 'embedded' : 'server',
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

interface SupervisedPostgres {
  stop(): Promise<void>;
}

const RESTART_BACKOFF_MS = [200, 500, 1_000, 2_000, 5_000];

/**
 * The embedded server is this process's own: if it dies (a crash, an OOM kill, kill -9), nobody else
 * will start it again. Restarted on the same port, so the pool reconnects by itself; until then the API
 * answers 503. Old backends may hold the shared memory for a moment: retried with backoff.
 */
function superviseEmbedded(first: EmbeddedPostgres, restart: () => Promise<EmbeddedPostgres>, warn: (message: string, err?: unknown) => void): SupervisedPostgres {
  let current = first;
  let closing = false;
  let restarting: Promise<void> | null = null;
  const watch = (server: EmbeddedPostgres) => {
    void server.exited.then((code) => {
      if (closing) return;
      warn(`the embedded PostgreSQL exited unexpectedly (code ${code}); restarting it on port ${server.port}`);
      restarting = (async () => {
        for (let attempt = 0; !closing; attempt++) {
          try {
            current = await restart();
            if (closing) await current.stop();
            else {
              warn('the embedded PostgreSQL is back');
              watch(current);
            }
            return;
          } catch (err) {
            warn('the embedded PostgreSQL did not restart; trying again', err);
            await new Promise((r) => setTimeout(r, RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)]));
          }
        }
      })();
    });
  };
  watch(first);
  return {
    async stop() {
      closing = true;
      await restarting;
      await current.stop();
    },
  };
}
