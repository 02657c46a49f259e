/** The plan as a readable table: each figure with how it was computed and the bench result it rests on. */
import { SECONDS_PER_DAY, type Assumption, type Assumptions, type CapacityPlan, type Measured, type MeasuredRates } from './plan.ts';

const count = (n: number) => Math.round(n).toLocaleString('en');
const rate = (n: number) => (n >= 100 ? count(n) : n.toLocaleString('en', { maximumSignificantDigits: 3 }));
function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${n.toLocaleString('en', { maximumFractionDigits: n >= 100 ? 0 : 1 })} ${units[i]}`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

export function renderPlan(plan: CapacityPlan, rates: MeasuredRates, a: Assumptions, resultsDir: string): string {
  const peak = `at ${a.peakToAverageRatio.value}× the day's average`;
  const workload = [
    ['payment notifications', `${count(plan.notificationsPerDay)}/day`, `${count(plan.peakNotificationsPerS)}/s ${peak}`],
    ['  of which earn a credit', `${count(plan.creditsPerDay)}/day`, ''],
    ['collection transfers', `${count(plan.collectionTransfersPerDay)}/day`, `${count(plan.peakCollectionTransfersPerS)}/s ${peak}`],
    ['lots lapsed or expired by sweeps', `${count(plan.sweptLotsPerDay)}/day`, 'spread over the day'],
    ['claims', `${count(plan.claimsPerDay)}/day`, `${rate(plan.peakPhotosPerS)} photos/s ${peak}`],
    ['merchant API requests', `${count(plan.merchants * a.apiRequestsPerMerchantPerDay.value)}/day`, `${count(plan.peakApiRequestsPerS)}/s ${peak}`],
  ];
  const r = rates;
  // each measured rate once, numbered; a figure names the numbers it rests on
  const sources: string[] = [];
  const from = (...measured: Measured[]) => `[${measured.map((x) => (sources.includes(x.source) ? sources.indexOf(x.source) : sources.push(x.source) - 1) + 1).join(',')}]`;
  const figures = [
    ['figure', 'value', 'how', 'from'],
    ['ingestion cores (batch API)', count(plan.ingestionCores), `${count(plan.peakNotificationsPerS)} notifications/s ÷ ${rate(r.ingestNotificationsPerCoreS.value)}/s a core`, from(r.ingestNotificationsPerCoreS)],
    ['  the same by webhook (alternative)', count(plan.ingestionCoresIfWebhook), `${count(plan.peakNotificationsPerS)} requests/s ÷ ${rate(r.webhookRequestsPerCoreS.value)}/s a core`, from(r.webhookRequestsPerCoreS)],
    [
      '  by webhook relayed to JetStream',
      count(plan.ingestionCoresIfWebhookRelay),
      `${count(plan.peakNotificationsPerS)} requests/s ÷ ${rate(r.webhookRelayRequestsPerCoreS.value)}/s a core + the consumers' ${count(plan.ingestionCores)}`,
      from(r.webhookRelayRequestsPerCoreS, r.ingestNotificationsPerCoreS),
    ],
    ['ledger cores (collect, sweeps)', count(plan.ledgerCores), `${count(plan.peakCollectionTransfersPerS)} transfers/s ÷ ${rate(r.ledgerTransfersPerCoreS.value)}/s + ${count(plan.sweptLotsPerDay / SECONDS_PER_DAY)} lots/s ÷ ${rate(r.sweepLotsPerCoreS.value)}/s`, from(r.ledgerTransfersPerCoreS, r.sweepLotsPerCoreS)],
    ['recognition cores', count(plan.recognitionCores), `${rate(plan.peakPhotosPerS)} photos/s × ${count(r.recognitionCpuMsPerPhoto.value)} CPU ms a photo`, from(r.recognitionCpuMsPerPhoto)],
    ['  claims end to end (cross-check)', count(plan.claimsEndToEndCores), `${rate(plan.peakClaimsPerS)} claims/s ÷ ${rate(r.claimsPerCoreS.value)}/s a core`, from(r.claimsPerCoreS)],
    ['API cores', count(plan.apiCores), `${count(plan.peakApiRequestsPerS)} requests/s ÷ ${rate(r.webhookRequestsPerCoreS.value)}/s a core`, from(r.webhookRequestsPerCoreS)],
    ['application cores in all', count(plan.totalAppCores), 'ingestion + ledger + the larger of recognition and claims + API', ''],
    ['WAL per day', bytes(plan.walBytesPerDay), `${bytes(plan.peakWalBytesPerS)}/s ${peak}`, from(r.earningNotificationWalBytes, r.nonEarningNotificationWalBytes, r.collectionTransferWalBytes)],
    [`WAL archive (${a.walArchiveDays.value} days)`, bytes(plan.walArchiveBytes), `${a.walArchiveDays.value} × WAL per day`, ''],
    ['storage per day', bytes(plan.storageBytesPerDay), 'tables with their indexes', from(r.earningNotificationTableBytes, r.nonEarningNotificationTableBytes, r.collectionTransferTableBytes)],
    [`storage kept (${a.retentionDays.value} days)`, bytes(plan.retainedStorageBytes), `${a.retentionDays.value} × storage per day`, ''],
    ['database node write capacity', `${bytes(plan.dbNodeWalCapacityBytesPerS)}/s`, `${rate(r.ledgerTransfersPerCoreS.value)} transfers/s a core × ${count(r.ledgerTransferWalBytes.value)} WAL bytes × ${a.dbNodeCores.value} cores × ${a.dbTargetUtilisationShare.value}`, from(r.ledgerTransfersPerCoreS, r.ledgerTransferWalBytes)],
    ['database shards for writes', count(plan.dbShardsForWrites), 'WAL/s at peak ÷ node write capacity', ''],
    ['database shards for storage', count(plan.dbShardsForStorage), `storage kept ÷ (${bytes(a.dbNodeDiskBytes.value)} × ${a.dbDiskFillShare.value})`, ''],
    ['database nodes', count(plan.dbNodes), `${count(plan.dbShards)} shards × ${a.dbReplicasPerShard.value} (primary and standby)`, ''],
  ];
  const assumptions = Object.entries(a).map(([name, x]: [string, Assumption]) => `  ${name} = ${x.unit.startsWith('bytes') ? bytes(x.value) + x.unit.slice('bytes'.length) : `${rate(x.value)}${x.unit === '×' ? '×' : ` ${x.unit}`}`}: ${x.why}`);
  return [
    `capacity for ${count(plan.merchants)} merchants (bench results from ${resultsDir})`,
    '',
    'workload',
    table(workload.map((w) => [`  ${w[0]}`, w[1]!, w[2]!])),
    '',
    table(figures),
    '',
    'measured (bench results)',
    ...sources.map((text, i) => `  [${i + 1}] ${text}`),
    '',
    'Ingestion cores are the whole measured stack (Node and PostgreSQL on one machine, as the accrual bench ran), so they',
    'overlap the database nodes: the plan errs high. Rates are per core of the bench machine, scaled linearly.',
    '',
    'assumptions',
    ...assumptions,
    '',
  ].join('\n');
}
