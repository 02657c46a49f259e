import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { AuthSettings, EventStreams } from '../auth/index.ts';
import type { ApiRole } from '../config/config.ts';
import type { NotificationSink } from '../payments/sink.ts';
import type { Metrics } from './metrics.ts';

/** What every capability's routes receive from the app. */
export interface AppContext {
  pool: pg.Pool;
  apiKeys: ReadonlyMap<string, ApiRole>;
  idHashKey: string;
  metrics: Metrics;
  /** Verifies payment notifications; null = the webhook answers 503. */
  platformPublicKey: KeyObject | null;
  /** The app id notifications must carry (app_id); null = any (library use without configuration). */
  platformAppId: string | null;
  /** Where webhook notifications go: group commit in this process, or the JetStream relay. */
  ingest: NotificationSink;
  /** The clock (injectable: tests move time instead of waiting). */
  now: () => Date;
  /** Merchant sign-in: SMS dispatch, cookie policy, derived keys, rate limits. */
  auth: AuthSettings;
  /** Development-only routes (GET /v1/dev/otp) are registered. */
  devEndpoints: boolean;
  /** The event streams open in this process, and their limits. */
  eventStreams: EventStreams;
}

export const ERROR_RESPONSES = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;
