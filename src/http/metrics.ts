import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so several apps in one process (tests) keep separate figures. */
export function createMetrics() {
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
  return { registry, httpDuration, ledgerTransfers };
}

export type Metrics = ReturnType<typeof createMetrics>;
