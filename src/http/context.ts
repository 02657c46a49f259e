import type pg from 'pg';
import type { ApiRole } from '../config/config.ts';
import type { Metrics } from './metrics.ts';

/** What every capability's routes receive from the app. */
export interface AppContext {
  pool: pg.Pool;
  apiKeys: ReadonlyMap<string, ApiRole>;
  idHashKey: string;
  metrics: Metrics;
}

export const ERROR_RESPONSES = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;
