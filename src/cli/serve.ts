import pino from 'pino';
import { ensureWebBuild } from '../http/web-build.ts';
import { loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { buildApp, LIVE_CHANNEL_CONNECTIONS } from '../server/app.ts';
import { resolveIdHashKey } from '../merchants/store.ts';
import { publicKeyFrom } from '../shared/rsa2.ts';
import { HttpSmsProvider } from '../auth/sms.ts';
import { localFileStore } from '../storage/index.ts';
import { claimWorkerConnections, startClaimWorkers, type ClaimWorkers } from '../claims/index.ts';
import { PERIODIC_CONNECTIONS, startPeriodicWork } from './periodic.ts';
import { devApiKeys, devPlatformKeys } from './dev-keys.ts';
import { devConsoleUsers } from './dev-staff.ts';
import { verificationFor, walletGatewayFor } from './wallet.ts';
import { JetStreamRelay } from '../payments/relay.ts';
import { JETSTREAM_INGEST_CONNECTIONS, startJetStreamIngest } from '../payments/jetstream-ingest.ts';
import type { PaymentConsumer } from '../payments/jetstream.ts';


/** `demo`: whether a development start on an empty database seeds the demo city (`serve --no-demo`: not). */
export async function serve(options: { demo: boolean } = { demo: true }): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  // the web apps build (when web/ changed) while the database starts
  const webBuild = ensureWebBuild({ log: (message) => logger.info(message) });
  webBuild.catch(() => {});
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    // requests get their own share: the live channels, the workers and the sweeps hold theirs beside it
    poolSize:
      config.databasePoolSize + LIVE_CHANNEL_CONNECTIONS + (config.workerConcurrency > 0 ? claimWorkerConnections(config.workerConcurrency) : 0) + PERIODIC_CONNECTIONS +
      (config.natsServers ? JETSTREAM_INGEST_CONNECTIONS : 0),
    log: (line) => logger.debug({ component: 'postgres' }, line),
    // the reason only: a pg error carries its whole client, which would flood the log during an outage
    warn: (message, err) => logger.warn({ component: 'postgres', reason: err instanceof Error ? err.message : undefined, code: (err as { code?: string } | undefined)?.code }, message),
  });
  logger.info({ mode: db.mode, dataDir: db.mode === 'embedded' ? config.dataDir : undefined }, 'database open');
  let app: Awaited<ReturnType<typeof buildApp>>;
  let wallet: Awaited<ReturnType<typeof walletGatewayFor>> | null = null;
  let workers: ClaimWorkers | null = null;
  let relay: JetStreamRelay | null = null;
  let consumer: PaymentConsumer | null = null;
  try {
    const applied = await migrate(db.pool);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    let apiKeys = config.apiKeys;
    if (!apiKeys) {
      const dev = devApiKeys(config.dataDir);
      apiKeys = dev.keys;
      logger.warn(
        { file: dev.file, opsKey: dev.byRole.ops, platformKey: dev.byRole.platform, reviewerKey: dev.byRole.reviewer },
        'CAREPOINTS_API_KEYS not set: using the generated development keys',
      );
    }
    let platformKey = config.platformPublicKey;
    if (!platformKey) {
      const dev = devPlatformKeys(config.dataDir);
      platformKey = dev.publicKeyPem;
      logger.warn({ privateKeyFile: dev.privateKeyFile }, 'CAREPOINTS_PLATFORM_PUBLIC_KEY not set: notifications must be signed with the development platform key');
    }
    const web = await webBuild;
    logger.info({ built: web.built, seconds: Number(web.seconds.toFixed(1)), merchantFirstLoadKbGzip: Number((web.merchantFirstLoadGzipBytes / 1024).toFixed(1)) }, 'web apps ready');
    const idHashKey = await resolveIdHashKey(db.pool, config.idHashKey);
    if (config.env === 'development') {
      for (const user of await devConsoleUsers(db.pool, config.dataDir)) {
        logger.warn({ username: user.username, password: user.password, file: user.file }, `development console ${user.role}: sign in at /console/`);
      }
      // loaded on demand: the demo city is the simulator's, which production never needs
      const { demoMerchant, seedDemoCity } = await import('./dev-demo.ts');
      // a demo that fails leaves the server usable; what it committed is resumed at the next start
      // only into the embedded database npm start makes: a DATABASE_URL may name a shared or a
      // production database whose CAREPOINTS_ENV was forgotten
      const city = options.demo && db.mode === 'embedded'
        ? await seedDemoCity(db.pool, { idHashKey, files: localFileStore(config.filesDir) }).catch((err: unknown) => {
            logger.error({ err }, 'the demo city could not be seeded; the next start tries again');
            return null;
          })
        : null;
      if (city) logger.info({ merchants: city.merchants, days: city.days, claims: city.claims, seconds: Number(city.seconds.toFixed(1)) }, 'seeded the demo city (first start on an empty database; `--no-demo` skips it)');
      const demo = await demoMerchant(db.pool);
      if (demo) logger.warn({ phone: demo.phone, name: demo.legalName }, 'development demo merchant: sign in at / with this phone; the code is printed in this log (and at GET /v1/dev/otp)');
    }
    if (config.natsServers) {
      // the webhook answers once the stream holds a notification; this server also applies the stream
      // (more consumers: `carepoints ingest --nats`, each seller's messages still in order)
      relay = await JetStreamRelay.connect({ servers: config.natsServers });
      consumer = await startJetStreamIngest(db.pool, { servers: config.natsServers, log: logger.child({ component: 'jetstream' }) });
      logger.info({ servers: config.natsServers }, 'webhook notifications go through NATS JetStream');
    }
    app = await buildApp({
      pool: db.pool,
      ...(relay && { notificationSink: relay }),
      apiKeys,
      idHashKey,
      platformPublicKey: publicKeyFrom(platformKey),
      platformAppId: config.platformAppId,
      logger,
      devEndpoints: config.env === 'development',
      secureCookies: config.env === 'production',
      trustedProxies: config.trustedProxies,
      files: localFileStore(config.filesDir),
      ...(config.smsGateway && { smsProvider: new HttpSmsProvider(config.smsGateway) }),
    });
    wallet = await walletGatewayFor(config);
    if (wallet.sandboxUrl) logger.warn({ url: wallet.sandboxUrl }, 'CAREPOINTS_WALLET_GATEWAY_URL not set: payouts go to the sandbox gateway in this process');
    if (config.workerConcurrency > 0) {
      const gateway = wallet.gateway;
      workers = await startClaimWorkers(db.pool, {
        files: localFileStore(config.filesDir),
        gateway,
        bills: (day) => gateway.bill(day),
        concurrency: config.workerConcurrency,
        auditSampling: config.auditSampling,
        ...(config.invoiceVerifier && { verification: verificationFor(config) }),
        log: (level, message) => logger[level]({ component: 'jobs' }, message),
      });
    }
    // last: a client that finds the port open finds everything behind it running
    await app.listen({ port: config.port, host: config.host });
    logger.info({ merchantApp: `http://localhost:${config.port}/`, console: `http://localhost:${config.port}/console/`, docs: `http://localhost:${config.port}/docs` }, 'open in a browser');
  } catch (err) {
    await workers?.stop();
    await wallet?.close();
    await relay?.close();
    await consumer?.stop();
    await db.close();
    throw err;
  }

  const periodic = startPeriodicWork(db.pool, (level, fields, message) => logger[level]({ component: 'periodic', ...fields }, message), { ...config, files: localFileStore(config.filesDir) });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: draining HTTP, closing the database');
    await periodic.stop();
    await app.close();
    await relay?.close();
    await consumer?.stop();
    await workers?.stop();
    await wallet?.close();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
