import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { startJetStreamIngest } from '../payments/jetstream-ingest.ts';

const USAGE = 'usage: carepoints ingest --nats nats://host:port [--batch N]   (N: 1..10000, default 8000)';

/** `carepoints ingest --nats URL`: consume payment messages from JetStream until SIGINT/SIGTERM. */
export async function ingestCommand(args: string[]): Promise<number> {
  let servers: string | undefined;
  let batchSize = 8_000;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (flag === '--nats' && value) servers = value;
    else if (flag === '--batch' && value && /^[0-9]{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 10_000) batchSize = Number(value);
    else {
      console.error(`${USAGE}\nunexpected ${flag ?? ''} ${value ?? ''}`.trim());
      return 2;
    }
    i++;
  }
  if (!servers || !/^(nats|tls):\/\/[^\s]+$/.test(servers)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, log: () => {} });
  try {
    await migrate(db.pool);
    const consumer = await startJetStreamIngest(db.pool, { servers, batchSize, log: logger });
    logger.info({ servers, batchSize }, 'consuming payment messages');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      consumer.done.then(resolve, (err: unknown) => {
        logger.error({ err }, 'consumer ended');
        resolve();
      });
    });
    await consumer.stop();
    return 0;
  } finally {
    await db.close();
  }
}
