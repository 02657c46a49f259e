import { generateKeyPairSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/app.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { TEST_ID_HASH_KEY } from './fixtures.ts';

export const OPS_KEY = 'ops_test_key_0123456789abcdefghij';
export const PLATFORM_KEY = 'platform_test_key_0123456789abcdef';
export const REVIEWER_KEY = 'reviewer_test_key_0123456789abcdef';

/** The app id the test app expects in notifications. */
export const TEST_PLATFORM_APP_ID = '2021000000000000';

/** The test's stand-in for the payment platform's signing key. */
export const PLATFORM_KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 });

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A test app with the development endpoints (GET /v1/dev/otp); `options` may set e.g. the clock (`now`). */
export async function createTestApp(options: Partial<Omit<AppOptions, 'pool'>> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const app = await buildApp({
    pool: db.pool,
    apiKeys: new Map([
      [OPS_KEY, 'ops'],
      [PLATFORM_KEY, 'platform'],
      [REVIEWER_KEY, 'reviewer'],
    ]),
    idHashKey: TEST_ID_HASH_KEY,
    platformPublicKey: PLATFORM_KEYS.publicKey,
    platformAppId: TEST_PLATFORM_APP_ID,
    devEndpoints: true,
    ...options,
  });
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export const asOps = { authorization: `Bearer ${OPS_KEY}` };
export const asPlatform = { authorization: `Bearer ${PLATFORM_KEY}` };
export const asReviewer = { authorization: `Bearer ${REVIEWER_KEY}` };
