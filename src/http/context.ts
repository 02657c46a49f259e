import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { ApiRole } from '../config/config.ts';
import type { IngestBatcher } from '../payments/batcher.ts';
import type { Metrics } from './metrics.ts';

/** What every capability's routes receive from the app. */
export interface AppContext {
  pool: pg.Pool;
  apiKeys: ReadonlyMap<string, ApiRole>;
  idHashKey: string;
  metrics: Metrics;
  /** Verifies payment notifications; null = the webhook answers 503. */
  platformPublicKey: KeyObject | null;
  /** Group commit for webhook notifications. */
  ingest: IngestBatcher;
}

export const ERROR_RESPONSES = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;
