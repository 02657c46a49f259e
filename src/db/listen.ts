/**
 * Live fan-out of one PostgreSQL notification channel: one LISTEN connection per process hands each
 * notification (sent on commit with pg_notify) to the listeners watching its key — a claim, a
 * merchant. Used by Server-Sent Events streams, each an open HTTP response.
 */
import type pg from 'pg';

type Listener<N> = (notice: N) => void;

/** Explicit limit: watchers per channel and process. */
export const MAX_WATCHERS = 10_000;
const RECONNECT_MS = 1_000;

export class ChannelWatch<N, K = string> {
  private readonly listeners = new Map<K, Set<Listener<N>>>();
  private client: pg.PoolClient | null = null;
  private connecting: Promise<void> | null = null;
  private watchers = 0;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    /** The key a notification's payload is for (watchers of that key receive it). */
    private readonly keyOf: (notice: N) => K,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new RangeError(`not a channel name: ${channel}`);
  }

  /** Calls `listener` for each notification for `key` until the returned function is called. */
  async watch(key: K, listener: Listener<N>): Promise<() => void> {
    if (this.watchers >= MAX_WATCHERS) throw new RangeError(`more than ${MAX_WATCHERS} live streams on ${this.channel}`);
    await this.connect();
    const set = this.listeners.get(key) ?? new Set<Listener<N>>();
    set.add(listener);
    this.listeners.set(key, set);
    this.watchers++;
    return () => {
      if (!set.delete(listener)) return;
      this.watchers--;
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = await this.pool.connect();
      client.on('notification', (message) => this.dispatch(message.payload));
      client.on('error', () => this.lost(client));
      await client.query(`LISTEN ${this.channel}`);
      this.client = client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private lost(client: pg.PoolClient): void {
    if (this.client !== client) return;
    this.client = null;
    client.release(true);
    if (!this.closed && this.listeners.size > 0) setTimeout(() => void this.connect().catch(() => {}), RECONNECT_MS).unref();
  }

  private dispatch(payload: string | undefined): void {
    if (!payload) return;
    const notice = JSON.parse(payload) as N;
    for (const listener of this.listeners.get(this.keyOf(notice)) ?? []) listener(notice);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = null;
    if (client) {
      await client.query(`UNLISTEN ${this.channel}`).catch(() => {});
      client.release();
    }
  }
}
