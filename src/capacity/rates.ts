/**
 * The plan's measured rates from the bench result files: each rate per core of the machine the bench
 * ran on, with the file, figure, value and date it came from.
 */
import fs from 'node:fs';
import { BenchResultsError, figure, readBenchResult, type BenchName, type BenchResult } from './results.ts';
import type { Measured, MeasuredRates } from './plan.ts';

function describe(result: BenchResult, name: string, value: number, unit: string): string {
  const seeded = result.source.startsWith('npm run') ? '' : ', README figures';
  return `${result.bench}.json ${name} = ${value.toLocaleString('en')} ${unit} (${result.measured_at.slice(0, 10)}${seeded})`;
}

export function loadMeasuredRates(dir: string): MeasuredRates {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new BenchResultsError(`${dir} is not a directory of bench results`);
  const results = new Map<BenchName, BenchResult>();
  const result = (bench: BenchName) => results.get(bench) ?? results.set(bench, readBenchResult(dir, bench)).get(bench)!;
  const perCore = (bench: BenchName, name: string, unit: string): Measured => {
    const r = result(bench);
    const value = figure(r, dir, name, unit);
    return { value: value / r.machine.cores, source: `${describe(r, name, value, unit)} ÷ ${r.machine.cores} cores` };
  };
  const asIs = (bench: BenchName, name: string, unit: string): Measured => {
    const r = result(bench);
    const value = figure(r, dir, name, unit);
    return { value, source: describe(r, name, value, unit) };
  };
  const lapse = perCore('sweeps', 'lapse_lots_per_s', 'lots/s');
  const expire = perCore('sweeps', 'expire_lots_per_s', 'lots/s');
  return {
    ingestNotificationsPerCoreS: perCore('accrual', 'batch_realistic_notifications_per_s', 'notifications/s'),
    webhookRequestsPerCoreS: perCore('accrual', 'webhook_requests_per_s', 'requests/s'),
    webhookRelayRequestsPerCoreS: perCore('accrual', 'webhook_relay_requests_per_s', 'requests/s'),
    ledgerTransfersPerCoreS: perCore('ledger', 'batch_8000_transfers_per_s', 'transfers/s'),
    sweepLotsPerCoreS: lapse.value <= expire.value ? lapse : expire,
    recognitionCpuMsPerPhoto: asIs('recognition', 'cpu_ms_per_photo_p50', 'ms'),
    claimsPerCoreS: perCore('claims', 'claims_per_s', 'claims/s'),
    earningNotificationTableBytes: asIs('storage', 'earning_notification_table_bytes', 'bytes'),
    earningNotificationWalBytes: asIs('storage', 'earning_notification_wal_bytes', 'bytes'),
    nonEarningNotificationTableBytes: asIs('storage', 'non_earning_notification_table_bytes', 'bytes'),
    nonEarningNotificationWalBytes: asIs('storage', 'non_earning_notification_wal_bytes', 'bytes'),
    collectionTransferTableBytes: asIs('storage', 'collection_transfer_table_bytes', 'bytes'),
    collectionTransferWalBytes: asIs('storage', 'collection_transfer_wal_bytes', 'bytes'),
    ledgerTransferWalBytes: asIs('storage', 'ledger_transfer_wal_bytes', 'bytes'),
  };
}
