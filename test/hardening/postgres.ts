import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/database.ts';

/**
 * A PostgreSQL server of the test's own (the suite's shared server must never be killed), on a fixed
 * port so that pools and server processes find it again after a `kill -9` and a restart.
 */
export class KillablePostgres {
  private server: EmbeddedPostgres | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly ephemeral: boolean,
  ) {}

  static async start(options: { ephemeral?: boolean } = {}): Promise<KillablePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carepoints-killable-pg-'));
    const first = await startEmbeddedPostgres({ dir, ephemeral: options.ephemeral ?? true });
    const killable = new KillablePostgres(dir, first.port, options.ephemeral ?? true);
    killable.server = first;
    return killable;
  }

  /** The admin URL (database `postgres`). */
  get url(): string {
    if (!this.server) throw new Error('the server is down');
    return this.server.url;
  }

  urlOf(database: string): string {
    const url = new URL(this.url);
    url.pathname = `/${database}`;
    return url.toString();
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** SIGKILL of the postmaster: no shutdown, no checkpoint; its backends die with it. */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
  }

  /** Starts again on the same port (crash recovery replays the WAL); retries while the old backends let go. */
  async restart(): Promise<void> {
    if (this.server) return;
    for (let attempt = 1; ; attempt++) {
      try {
        this.server = await startEmbeddedPostgres({ dir: this.dir, ephemeral: this.ephemeral, port: this.port });
        return;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** A new migrated database on this server. */
  async createDatabase(name: string): Promise<string> {
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    } finally {
      await admin.end();
    }
    const pool = createPool(this.urlOf(name), 2);
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    return this.urlOf(name);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
