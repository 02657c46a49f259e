import { loadConfig, ConfigError } from '../config/config.ts';
import { createPool } from '../db/database.ts';
import { localFileStore } from '../storage/index.ts';
import { claimWorkerConnections, startClaimWorkers } from '../claims/index.ts';
import { PERIODIC_CONNECTIONS, startPeriodicWork } from './periodic.ts';
import { verificationFor, walletGatewayFor } from './wallet.ts';

const STOP_DEADLINE_MS = 30_000;

/**
 * `carepoints worker`: runs the claim pipeline's jobs against the database of DATABASE_URL (the
 * API processes' database; any number of workers share its queue) until SIGINT or SIGTERM.
 */
export async function workerCommand(): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL', 'a worker joins the database of the API processes: set DATABASE_URL');
  if (!config.walletGateway) throw new ConfigError('CAREPOINTS_WALLET_GATEWAY_URL', 'a separate worker must pay through a shared gateway: set it and its keys');
  const concurrency = Math.max(1, config.workerConcurrency);
  const pool = createPool(config.databaseUrl, claimWorkerConnections(concurrency) + PERIODIC_CONNECTIONS);
  const wallet = await walletGatewayFor(config);
  const workers = await startClaimWorkers(pool, {
    files: localFileStore(config.filesDir),
    gateway: wallet.gateway,
    bills: (day) => wallet.gateway.bill(day),
    concurrency,
    auditSampling: config.auditSampling,
    ...(config.invoiceVerifier && { verification: verificationFor(config) }),
    log: (level, message) => console.error(`[${level}] ${message}`),
  });
  // sweeps too: whichever process holds the lock does a round
  const periodic = startPeriodicWork(pool, (level, fields, message) => console.error(`[${level}] ${message} ${JSON.stringify(fields)}`), { ...config, files: localFileStore(config.filesDir) });
  console.error(`worker running ${concurrency} jobs at a time`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // a job that does not end (a gateway that never answers) must not keep the process from stopping:
  // its lease runs out and another worker takes it up, each step being idempotent
  const deadline = setTimeout(() => {
    console.error(`worker did not stop within ${STOP_DEADLINE_MS} ms; exiting with its jobs left to their leases`);
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  await periodic.stop();
  await workers.stop();
  await pool.end();
  return 0;
}
