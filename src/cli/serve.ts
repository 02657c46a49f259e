import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { buildApp } from '../http/app.ts';
import { expirePendingTransfers } from '../ledger/index.ts';
import { resolveIdHashKey } from '../merchants/store.ts';
import { publicKeyFrom } from '../payments/signature.ts';
import { expireCredits, lapseUncollectedCredits } from '../points/sweeps.ts';
import { devApiKeys, devPlatformKeys } from './dev-keys.ts';

const EXPIRY_SWEEP_INTERVAL_MS = 10_000;

export async function serve(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    log: (line) => logger.debug({ component: 'postgres' }, line),
  });
  logger.info({ mode: db.mode, dataDir: db.mode === 'embedded' ? config.dataDir : undefined }, 'database open');
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    const applied = await migrate(db.pool);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    let apiKeys = config.apiKeys;
    if (!apiKeys) {
      const dev = devApiKeys(config.dataDir);
      apiKeys = dev.keys;
      logger.warn({ file: dev.file, opsKey: dev.byRole.ops, platformKey: dev.byRole.platform }, 'CAREPOINTS_API_KEYS not set: using the generated development keys');
    }
    let platformKey = config.platformPublicKey;
    if (!platformKey) {
      const dev = devPlatformKeys(config.dataDir);
      platformKey = dev.publicKeyPem;
      logger.warn({ privateKeyFile: dev.privateKeyFile }, 'CAREPOINTS_PLATFORM_PUBLIC_KEY not set: notifications must be signed with the development platform key');
    }
    app = await buildApp({ pool: db.pool, apiKeys, idHashKey: await resolveIdHashKey(db.pool, config.idHashKey), platformPublicKey: publicKeyFrom(platformKey), logger });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await db.close();
    throw err;
  }

  // Time-driven work: reservations that timed out, credit not collected in time, credit past validity.
  const sweep = setInterval(() => {
    const jobs: [string, () => Promise<number>][] = [
      ['expired pending transfers voided', async () => (await expirePendingTransfers(db.pool)).filter((r) => r.status === 'created').length],
      ['uncollected credits lapsed', () => lapseUncollectedCredits(db.pool)],
      ['credits expired', () => expireCredits(db.pool)],
    ];
    for (const [what, job] of jobs) {
      job().then(
        (count) => count > 0 && logger.info({ count }, what),
        (err: unknown) => logger.error({ err }, `sweep failed: ${what}`),
      );
    }
  }, EXPIRY_SWEEP_INTERVAL_MS);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: draining HTTP, closing the database');
    clearInterval(sweep);
    await app.close();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
