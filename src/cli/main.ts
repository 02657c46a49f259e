import { ConfigError, loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { importMerchantsCommand } from './import-merchants.ts';
import { ingestCommand } from './ingest.ts';
import { serve } from './serve.ts';

const USAGE = `usage: carepoints <command>
  serve                                   run the HTTP API (embedded PostgreSQL unless DATABASE_URL is set)
  migrate                                 apply pending database migrations and exit
  ingest --nats URL [--batch N]           consume payment notifications from NATS JetStream
  recognize <file…> [--pretty]            read invoice photos or PDF e-bills: typed fields and findings (JSON)
  import-merchants <file.csv> [--skip-duplicates] [--dry-run]
                                          enrol merchants in bulk (columns: walletUserId,legalName,idNumber,phone,city,enrolledAt)`;

async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1, log: () => {} });
  try {
    const applied = await migrate(db.pool);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
    return 0;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1; // keeps running until a signal
    case 'migrate':
      return migrateCommand();
    case 'import-merchants':
      return importMerchantsCommand(args);
    case 'ingest':
      return ingestCommand(args);
    case 'recognize': {
      // loaded on demand: the OCR models and image libraries are heavy and other commands need none of them
      const { runRecognizeCommand } = await import('../recognition/index.ts');
      return runRecognizeCommand(args);
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
