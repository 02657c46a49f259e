import { ConfigError, loadConfig } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { EmbeddedStartError } from '../db/embedded.ts';
import { migrate, MigrationError } from '../db/migrate.ts';
import { applyShardPlan } from '../db/shard-apply.ts';
import { keyProblems, shardPlan, shardPlanSql, tableKeys } from '../db/shard-plan.ts';
import { importMerchantsCommand } from './import-merchants.ts';
import { ingestCommand } from './ingest.ts';
import { serve } from './serve.ts';
import { staffCommand } from './staff.ts';
import { workerCommand } from './worker.ts';

const USAGE = `usage: carepoints <command>
  serve [--no-demo]                       run the HTTP API (embedded PostgreSQL unless DATABASE_URL is set); in development
                                          the first start on an empty database seeds a demo city, unless --no-demo
  worker                                  run claim-pipeline jobs (needs DATABASE_URL and CAREPOINTS_WALLET_GATEWAY_URL)
  migrate                                 apply pending database migrations and exit
  shard-plan [--apply]                    print the Citus distribution DDL for this schema (merchant-owned tables by merchant_id);
                                          --apply runs it on the Citus coordinator DATABASE_URL names and reports each table's placement
  ingest --nats URL [--batch N]           consume payment notifications from NATS JetStream
  recognize <file…> [--jsonl|--pretty]    read invoice photos or PDF e-bills: typed fields and findings (JSON)
  import-merchants <file.csv> [--skip-duplicates] [--dry-run]
                                          enrol merchants in bulk (columns: walletUserId,legalName,idNumber,phone,city,enrolledAt)
  staff add <username> --role R [--name N]  add a console user (admin, reviewer or analyst); password from CAREPOINTS_STAFF_PASSWORD or generated
  simulate --merchants N --days D --city CITY [--ruleset NAME | --compare A,B] [--fraud-rate R] [--claim-rate R] [--seed S] [--out DIR]
                                          replay a city's programme through the real code and write report.html (simulate --help)
  capacity --merchants N [--credits-per-merchant C] [--results DIR] [--json]
                                          cores, database nodes, WAL and storage for N merchants from the latest bench results`;

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

/**
 * `carepoints shard-plan [--apply]`: the Citus distribution DDL for this version's schema (migrated
 * first), printed; with --apply, run statement by statement against DATABASE_URL (a Citus
 * coordinator), stopping at the first error, then each table's placement reported.
 */
async function shardPlanCommand(args: string[]): Promise<number> {
  const unknown = args.find((a) => a !== '--apply');
  if (unknown !== undefined) {
    console.error(`unknown option "${unknown}" for shard-plan\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  if (args.includes('--apply') && !config.databaseUrl) {
    console.error('shard-plan --apply needs DATABASE_URL: the coordinator of the Citus cluster to distribute');
    return 2;
  }
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1, log: () => {} });
  try {
    await migrate(db.pool);
    const tables = await tableKeys(db.pool);
    if (!args.includes('--apply')) {
      process.stdout.write(shardPlanSql(tables));
      return keyProblems(tables).length ? 1 : 0;
    }
    const outcome = await applyShardPlan(db.pool, shardPlan(tables));
    for (const line of outcome.report) console.log(line);
    return outcome.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve': {
      const unknown = args.find((a) => a !== '--no-demo');
      if (unknown !== undefined) {
        console.error(`unknown option "${unknown}" for serve\n${USAGE}`);
        return 2;
      }
      await serve({ demo: !args.includes('--no-demo') });
      return -1; // keeps running until a signal
    }
    case 'migrate':
      return migrateCommand();
    case 'shard-plan':
      return shardPlanCommand(args);
    case 'worker':
      return workerCommand();
    case 'import-merchants':
      return importMerchantsCommand(args);
    case 'ingest':
      return ingestCommand(args);
    case 'staff':
      return staffCommand(args);
    case 'simulate': {
      // loaded on demand, like recognize: the simulator brings the claims pipeline and its OCR
      const { simulateCommand } = await import('./simulate.ts');
      return simulateCommand(args);
    }
    case 'capacity': {
      const { capacityCommand } = await import('./capacity.ts');
      return capacityCommand(args);
    }
    case 'recognize': {
      // loaded on demand: the OCR models and image libraries are heavy and other commands need none of them
      const [{ runRecognizeCommand }, { loadHospitalRegistry }] = await Promise.all([import('../recognition/index.ts'), import('../hospitals/index.ts')]);
      return runRecognizeCommand(args, () => loadHospitalRegistry());
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

/**
 * Writes to a pipe are asynchronous: exiting at once would cut what is still queued (at 64 KiB, the
 * pipe's buffer). An empty write's callback runs once every earlier write to the stream has been handed over.
 */
async function exitWhenWritten(code: number): Promise<never> {
  const written = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

// a reader that stops early (`| head`) closes the pipe: that is the reader's choice, not our failure
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') console.error(err.message);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) void exitWhenWritten(code);
  },
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof EmbeddedStartError || err instanceof MigrationError ? err.message : err);
    void exitWhenWritten(1);
  },
);
