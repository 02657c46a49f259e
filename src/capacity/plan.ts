/**
 * The national capacity plan: pure arithmetic from measured rates (each carrying the bench result it
 * came from) and stated workload assumptions (each carrying why) to cores, database nodes, WAL and
 * storage. No I/O: `rates.ts` reads the bench results, `render.ts` prints.
 */

export const SECONDS_PER_DAY = 86_400;

/** A measured figure and the bench result it came from, said in words for the printout. */
export interface Measured {
  value: number;
  source: string;
}

export interface MeasuredRates {
  /** The accrual bench's realistic batch-API rate over its machine's cores (Node and PostgreSQL on one machine). */
  ingestNotificationsPerCoreS: Measured;
  /** The signed webhook: one notification a request, the heaviest HTTP request measured. */
  webhookRequestsPerCoreS: Measured;
  /** The signed webhook relayed to JetStream (answered once the stream holds it; consumers apply it apart). */
  webhookRelayRequestsPerCoreS: Measured;
  /** bench:ledger, batches of 8,000, its concurrent clients over its machine's cores: PostgreSQL-bound. */
  ledgerTransfersPerCoreS: Measured;
  /** bench:sweeps, the slower of the lapse and expiry sweeps. */
  sweepLotsPerCoreS: Measured;
  /** bench:recognition: CPU time (both onnxruntime threads) per photo, p50. */
  recognitionCpuMsPerPhoto: Measured;
  /** bench:claims burst: claims decided and paid a second, end to end (recognition included), per core. */
  claimsPerCoreS: Measured;
  earningNotificationTableBytes: Measured;
  earningNotificationWalBytes: Measured;
  nonEarningNotificationTableBytes: Measured;
  nonEarningNotificationWalBytes: Measured;
  collectionTransferTableBytes: Measured;
  collectionTransferWalBytes: Measured;
  ledgerTransferWalBytes: Measured;
}

export interface Assumption {
  value: number;
  unit: string;
  why: string;
}

export interface Assumptions {
  notificationsPerMerchantPerDay: Assumption;
  creditsPerMerchantPerDay: Assumption;
  peakToAverageRatio: Assumption;
  collectedCreditShare: Assumption;
  claimsPerMerchantPerDay: Assumption;
  photosPerClaim: Assumption;
  apiRequestsPerMerchantPerDay: Assumption;
  dbNodeCores: Assumption;
  dbTargetUtilisationShare: Assumption;
  dbReplicasPerShard: Assumption;
  dbNodeDiskBytes: Assumption;
  dbDiskFillShare: Assumption;
  retentionDays: Assumption;
  walArchiveDays: Assumption;
}

const TIB = 1024 ** 4;

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  notificationsPerMerchantPerDay: { value: 20, unit: 'notifications/merchant/day', why: 'the original programme: about 500 million payment notifications a day over 25 million merchants' },
  creditsPerMerchantPerDay: {
    value: 10,
    unit: 'credits/merchant/day',
    why: "up to 250 million credits a day: classic-2019's ten earning payers a day, every merchant at the cap (an upper bound)",
  },
  peakToAverageRatio: {
    value: 3,
    unit: '×',
    why: "small-merchant payments crowd into the day (lunch to dinner): the simulator's day (99% between 07:00 and 22:00, peaking mid-afternoon) puts 12.8% of payments in the busiest hour, 3.06× the 1/24 average; collections and claims follow the same day",
  },
  collectedCreditShare: { value: 0.8, unit: 'share of credits', why: "the simulator's merchants: 70% collect every evening, 20% now and then, 10% never" },
  claimsPerMerchantPerDay: { value: 1 / 2_500, unit: 'claims/merchant/day', why: 'the original programme: over 10,000 merchants a day claimed of 25 million' },
  photosPerClaim: { value: 1.5, unit: 'photos/claim', why: 'an outpatient invoice is one sheet; some claims add a page or a retake after a photo request' },
  apiRequestsPerMerchantPerDay: {
    value: 10,
    unit: 'requests/merchant/day',
    why: 'the merchant app: the evening collect (home, collect, history) and a few looks at the balance; costed as webhook requests, the heaviest request measured',
  },
  dbNodeCores: { value: 16, unit: 'cores/node', why: 'a common database server size; write capacity is scaled linearly from the bench machine per core' },
  dbTargetUtilisationShare: { value: 0.5, unit: 'share of capacity', why: 'headroom at the peak hour for vacuum, index maintenance, a rebalance or a peak above 3×' },
  dbReplicasPerShard: { value: 2, unit: 'nodes/shard', why: 'a primary and a synchronous standby: a committed credit survives the loss of a node' },
  dbNodeDiskBytes: { value: 4 * TIB, unit: 'bytes/node', why: 'one 4-TiB NVMe volume a node' },
  dbDiskFillShare: { value: 0.7, unit: 'share of disk', why: 'room for WAL, vacuum and a partition being rewritten' },
  retentionDays: {
    value: 400,
    unit: 'days',
    why: 'payments and transfers stay in the database for a year of refunds (a refund must find its payment and lot) plus a month; older day partitions are detached to an archive',
  },
  walArchiveDays: { value: 7, unit: 'days', why: 'point-in-time recovery to any moment of the last week' },
};

export interface CapacityPlan {
  merchants: number;
  notificationsPerDay: number;
  creditsPerDay: number;
  nonEarningNotificationsPerDay: number;
  peakNotificationsPerS: number;
  collectionTransfersPerDay: number;
  peakCollectionTransfersPerS: number;
  sweptLotsPerDay: number;
  claimsPerDay: number;
  peakClaimsPerS: number;
  peakPhotosPerS: number;
  peakApiRequestsPerS: number;
  ingestionCores: number;
  /** The same notifications one per signed webhook request instead of the batch API (an alternative, not added to the total). */
  ingestionCoresIfWebhook: number;
  /** The same relayed to JetStream: the webhook's cores, plus the consumers' (at the ingestion rate). */
  ingestionCoresIfWebhookRelay: number;
  ledgerCores: number;
  recognitionCores: number;
  /** The claims bench's end-to-end rate: a cross-check of recognitionCores; the larger of the two counts. */
  claimsEndToEndCores: number;
  apiCores: number;
  totalAppCores: number;
  walBytesPerDay: number;
  peakWalBytesPerS: number;
  dbNodeWalCapacityBytesPerS: number;
  storageBytesPerDay: number;
  retainedStorageBytes: number;
  walArchiveBytes: number;
  dbShardsForWrites: number;
  dbShardsForStorage: number;
  dbShards: number;
  dbNodes: number;
}

export function planCapacity(merchants: number, rates: MeasuredRates, a: Assumptions = DEFAULT_ASSUMPTIONS): CapacityPlan {
  if (!Number.isInteger(merchants) || merchants < 1) throw new RangeError(`merchants must be a positive integer, got ${merchants}`);
  const atPeakPerS = (perDay: number) => (perDay / SECONDS_PER_DAY) * a.peakToAverageRatio.value;
  const notificationsPerDay = merchants * a.notificationsPerMerchantPerDay.value;
  // a notification earns at most one credit: more credits than notifications would be an inconsistent set of assumptions
  const creditsPerDay = Math.min(notificationsPerDay, merchants * a.creditsPerMerchantPerDay.value);
  const nonEarningNotificationsPerDay = notificationsPerDay - creditsPerDay;
  const peakNotificationsPerS = atPeakPerS(notificationsPerDay);
  // every credit is earned by ingestion (its transfer posted there), then collected (a ledger transfer)
  // or lapsed, and at last retired by a sweep (lapse or expiry): about one swept lot per credit a day
  const collectionTransfersPerDay = creditsPerDay * a.collectedCreditShare.value;
  const peakCollectionTransfersPerS = atPeakPerS(collectionTransfersPerDay);
  const sweptLotsPerDay = creditsPerDay;
  const claimsPerDay = merchants * a.claimsPerMerchantPerDay.value;
  const peakClaimsPerS = atPeakPerS(claimsPerDay);
  const peakPhotosPerS = peakClaimsPerS * a.photosPerClaim.value;
  const peakApiRequestsPerS = atPeakPerS(merchants * a.apiRequestsPerMerchantPerDay.value);

  const ingestionCores = Math.ceil(peakNotificationsPerS / rates.ingestNotificationsPerCoreS.value);
  const ingestionCoresIfWebhook = Math.ceil(peakNotificationsPerS / rates.webhookRequestsPerCoreS.value);
  const ingestionCoresIfWebhookRelay = Math.ceil(peakNotificationsPerS / rates.webhookRelayRequestsPerCoreS.value) + ingestionCores;
  // sweeps run in periodic rounds all day long: their average rate, not the peak's
  const ledgerCores = Math.ceil(peakCollectionTransfersPerS / rates.ledgerTransfersPerCoreS.value + sweptLotsPerDay / SECONDS_PER_DAY / rates.sweepLotsPerCoreS.value);
  const recognitionCores = Math.ceil((peakPhotosPerS * rates.recognitionCpuMsPerPhoto.value) / 1000);
  const claimsEndToEndCores = Math.ceil(peakClaimsPerS / rates.claimsPerCoreS.value);
  const apiCores = Math.ceil(peakApiRequestsPerS / rates.webhookRequestsPerCoreS.value);
  const totalAppCores = ingestionCores + ledgerCores + Math.max(recognitionCores, claimsEndToEndCores) + apiCores;

  // a swept lot's WAL is taken as a collection transfer's (both update a lot and post a transfer)
  const walBytesPerDay =
    creditsPerDay * rates.earningNotificationWalBytes.value +
    nonEarningNotificationsPerDay * rates.nonEarningNotificationWalBytes.value +
    (collectionTransfersPerDay + sweptLotsPerDay) * rates.collectionTransferWalBytes.value;
  const peakWalBytesPerS = atPeakPerS(walBytesPerDay);
  // a database node writes what the ledger bench's PostgreSQL-bound batches write per core, scaled to its cores
  const dbNodeWalCapacityBytesPerS = rates.ledgerTransfersPerCoreS.value * rates.ledgerTransferWalBytes.value * a.dbNodeCores.value * a.dbTargetUtilisationShare.value;
  // sweeps change lots in place (dead tuples that vacuum reuses): they add WAL, not stored bytes
  const storageBytesPerDay =
    creditsPerDay * rates.earningNotificationTableBytes.value +
    nonEarningNotificationsPerDay * rates.nonEarningNotificationTableBytes.value +
    collectionTransfersPerDay * rates.collectionTransferTableBytes.value;
  const retainedStorageBytes = storageBytesPerDay * a.retentionDays.value;
  const dbShardsForWrites = Math.ceil(peakWalBytesPerS / dbNodeWalCapacityBytesPerS);
  const dbShardsForStorage = Math.ceil(retainedStorageBytes / (a.dbNodeDiskBytes.value * a.dbDiskFillShare.value));
  const dbShards = Math.max(dbShardsForWrites, dbShardsForStorage, 1);

  return {
    merchants,
    notificationsPerDay,
    creditsPerDay,
    nonEarningNotificationsPerDay,
    peakNotificationsPerS,
    collectionTransfersPerDay,
    peakCollectionTransfersPerS,
    sweptLotsPerDay,
    claimsPerDay,
    peakClaimsPerS,
    peakPhotosPerS,
    peakApiRequestsPerS,
    ingestionCores,
    ingestionCoresIfWebhook,
    ingestionCoresIfWebhookRelay,
    ledgerCores,
    recognitionCores,
    claimsEndToEndCores,
    apiCores,
    totalAppCores,
    walBytesPerDay,
    peakWalBytesPerS,
    dbNodeWalCapacityBytesPerS,
    storageBytesPerDay,
    retainedStorageBytes,
    walArchiveBytes: walBytesPerDay * a.walArchiveDays.value,
    dbShardsForWrites,
    dbShardsForStorage,
    dbShards,
    dbNodes: dbShards * a.dbReplicasPerShard.value,
  };
}
