import pino from 'pino';
import { isNatsServerList, loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { startJetStreamIngest } from '../payments/jetstream-ingest.ts';
import { DEFAULT_LANES, MAX_LANES } from '../payments/jetstream.ts';

const USAGE = `usage: carepoints ingest --nats nats://host:port[,nats://host2:port…] [--batch N] [--lanes L] [--replicas R] [--ack-wait S]
  --batch N      notifications a transaction, 1..10000 (default 8000)
  --lanes L      batches applied at once, each seller's in one lane and in order, 1..16 (default 2)
  --replicas R   copies of the PAYMENTS stream when this process creates it, 1..5 (default 1; 3 on a three-node cluster)
  --ack-wait S   seconds before the unacknowledged batches of a consumer that died go to another, 1..3600 (default 60)`;

/** `--flag value` as an integer in min..max, or null when the value is anything else. */
function integerFlag(value: string | undefined, min: number, max: number): number | null {
  if (!value || !/^[0-9]{1,5}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** `carepoints ingest --nats URL`: consume payment messages from JetStream until SIGINT/SIGTERM. */
export async function ingestCommand(args: string[]): Promise<number> {
  let servers: string | undefined;
  let batchSize: number | null = 8_000;
  let replicas: number | null = null;
  let ackWaitS: number | null = 60;
  let lanes: number | null = DEFAULT_LANES;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (flag === '--nats' && value) servers = value;
    else if (flag === '--batch') batchSize = integerFlag(value, 1, 10_000);
    else if (flag === '--replicas') replicas = integerFlag(value, 1, 5);
    else if (flag === '--lanes') lanes = integerFlag(value, 1, MAX_LANES);
    else if (flag === '--ack-wait') ackWaitS = integerFlag(value, 1, 3600);
    else {
      console.error(`${USAGE}\nunexpected ${flag ?? ''} ${value ?? ''}`.trim());
      return 2;
    }
    i++;
  }
  if (!servers || !isNatsServerList(servers)) {
    console.error(USAGE);
    return 2;
  }
  if (batchSize === null || ackWaitS === null || lanes === null || (replicas === null && args.includes('--replicas'))) {
    console.error(`${USAGE}\na flag's value is out of range`);
    return 2;
  }
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  // a connection a lane beside the requests' share (a split batch's halves run one after the other)
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize + lanes, log: () => {} });
  try {
    await migrate(db.pool);
    const consumer = await startJetStreamIngest(db.pool, { servers, batchSize, lanes, replicas: replicas ?? undefined, ackWaitMs: ackWaitS * 1000, log: logger });
    logger.info({ servers, batchSize, lanes, replicas, ackWaitS }, 'consuming payment messages');
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
