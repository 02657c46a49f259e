import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { onlyRow } from '../shared/assert.ts';

/** One registry per app instance, so several apps in one process (tests) keep separate figures. */
export function createMetrics(pool: pg.Pool) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'carepoints_' });
  const httpDuration = new Histogram({
    name: 'carepoints_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const ledgerTransfers = new Counter({
    name: 'carepoints_ledger_transfers_total',
    help: 'Transfers submitted to the ledger through the API, by outcome',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  // read from the table at each scrape: every process's parking (webhook, batch, JetStream) in one figure
  new Gauge({
    name: 'carepoints_parked_notifications',
    help: 'Payment notifications parked for operators (refused by the database on their own), in all and in the last hour',
    labelNames: ['window'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ all: number; hour: number }>("SELECT count(*)::int AS all, count(*) FILTER (WHERE last_parked_at > now() - interval '1 hour')::int AS hour FROM parked_notifications");
      const counts = onlyRow(rows, 'the counts of parked notifications');
      this.set({ window: 'all' }, counts.all);
      this.set({ window: '1h' }, counts.hour);
    },
  });
  return { registry, httpDuration, ledgerTransfers };
}

export type Metrics = ReturnType<typeof createMetrics>;
