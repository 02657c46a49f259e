/**
 * `carepoints simulate`: replays a city's programme through the real code paths (sim/) and writes
 * report.html and report.json. Flags are checked before anything is created; Ctrl-C stops between
 * two transactions and says how to resume.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/config.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { loadHospitalRegistry } from '../hospitals/record.ts';
import { localFileStore } from '../storage/index.ts';
import { openWorldDatabase } from '../../sim/run/database.ts';
import { SimulationInterrupted } from '../../sim/run/context.ts';
import { terminalProgress } from '../../sim/run/progress.ts';
import { simulateWorld } from '../../sim/run/simulate.ts';
import { buildReport, type SimReport } from '../../sim/report/metrics.ts';
import { renderReportHtml } from '../../sim/report/html.ts';
import { cityHospitals, simulatedCities } from '../../sim/world/claims.ts';
import { parseSimulateArgs, SIMULATE_USAGE, SimulateUsageError } from '../../sim/world/options.ts';

/** Shell-quoted, so the printed resume command can be pasted back. */
function commandLine(args: readonly string[]): string {
  return ['carepoints simulate', ...args.filter((a) => a !== '--fresh').map((a) => (/^[\p{L}\p{N}_./=,:-]+$/u.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))].join(' ');
}

export async function simulateCommand(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log(SIMULATE_USAGE);
    return 0;
  }
  const registry = await loadHospitalRegistry();
  let options;
  try {
    options = parseSimulateArgs(args, simulatedCities(registry.hospitals));
  } catch (err) {
    if (!(err instanceof SimulateUsageError)) throw err;
    console.error(`${err.message}\n${SIMULATE_USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const progress = terminalProgress();
  if (options.cityDefaulted) progress.note(`no --city given: simulating ${options.worlds[0]!.city}, the seed programme's city (--city names another of the registry)`);
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'simulations') });
  const adminUrl = config.databaseUrl ?? embedded!.url;
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) progress.note('\nstopping after the current transaction (Ctrl-C again to stop at once: the database rolls back what is unfinished)');
    else process.exit(130);
  };
  process.on('SIGINT', onInterrupt);
  try {
    const hospitals = cityHospitals(registry.hospitals, options.worlds[0]!.city);
    const reports: SimReport[] = [];
    for (const world of options.worlds) {
      const { pool, name } = await openWorldDatabase(adminUrl, world, { fresh: options.fresh });
      try {
        progress.note(`simulating ${world.merchants.toLocaleString('en')} merchants × ${world.days} day${world.days === 1 ? '' : 's'} in ${world.city} under ${world.ruleset} (database ${name})`);
        const files = localFileStore(path.join(config.dataDir, 'simulations', 'files', name));
        await simulateWorld(pool, world, { progress, hospitals, files, stopping: () => interrupts > 0, auditSampling: config.auditSampling });
        reports.push(await buildReport(pool, world));
      } finally {
        await pool.end();
      }
    }
    fs.mkdirSync(options.out, { recursive: true });
    fs.writeFileSync(path.join(options.out, 'report.json'), JSON.stringify({ reports }, null, 2) + '\n');
    fs.writeFileSync(path.join(options.out, 'report.html'), renderReportHtml(reports));
    for (const r of reports) {
      console.log(
        `${r.world.ruleset}: ${r.coverage.enrolled} merchants, ${r.cost.collections} collections, ${r.claims.total} claims (automatic ${(r.claims.automaticDecisionRate * 100).toFixed(1)}%), reimbursed ${(r.cost.reimbursedFen / 100).toFixed(2)} CNY, ${r.reminders.reduce((n, o) => n + o.messages, 0)} reminders (${(r.reminders.reduce((n, o) => n + o.savedFen, 0) / 100).toFixed(2)} CNY saved); ${Math.round(r.measured.notificationsPerS)} notifications/s, ${r.measured.claimsPerS.toFixed(2)} claims/s, database ${(r.measured.databaseBytes / 1024 ** 2).toFixed(0)} MiB`,
      );
    }
    console.log(`report: ${path.join(options.out, 'report.html')} (data: report.json)`);
    return 0;
  } catch (err) {
    if (!(err instanceof SimulationInterrupted)) throw err;
    console.error(`${err.message}; the database is consistent (every step is a whole transaction).\nresume with: ${commandLine(args)}`);
    return 130;
  } finally {
    process.off('SIGINT', onInterrupt);
    await embedded?.stop();
  }
}
