import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ASSUMPTIONS, planCapacity, type MeasuredRates } from '../../src/capacity/index.ts';

const m = (value: number) => ({ value, source: 'test' });
/** Round rates, so that every expectation below can be worked out by hand. */
const RATES: MeasuredRates = {
  ingestNotificationsPerCoreS: m(7),
  webhookRequestsPerCoreS: m(4),
  webhookRelayRequestsPerCoreS: m(20),
  ledgerTransfersPerCoreS: m(8),
  sweepLotsPerCoreS: m(5),
  recognitionCpuMsPerPhoto: m(1_000),
  claimsPerCoreS: m(0.001),
  earningNotificationTableBytes: m(2_000),
  earningNotificationWalBytes: m(1_000),
  nonEarningNotificationTableBytes: m(500),
  nonEarningNotificationWalBytes: m(100),
  collectionTransferTableBytes: m(250),
  collectionTransferWalBytes: m(500),
  ledgerTransferWalBytes: m(625),
};

test('86,400 merchants (one a second of the day) under the default assumptions, by hand', () => {
  const plan = planCapacity(86_400, RATES, DEFAULT_ASSUMPTIONS);
  // 20 notifications a merchant a day: 20/s on average, 60/s at the 3× peak; half of them earn
  assert.equal(plan.notificationsPerDay, 1_728_000);
  assert.equal(plan.creditsPerDay, 864_000);
  assert.equal(plan.nonEarningNotificationsPerDay, 864_000);
  assert.equal(plan.peakNotificationsPerS, 60);
  assert.equal(plan.ingestionCores, 9, '60/s ÷ 7/s a core = 8.6, rounded up');
  assert.equal(plan.ingestionCoresIfWebhook, 15, '60/s ÷ 4/s a core');
  assert.equal(plan.ingestionCoresIfWebhookRelay, 12, '60/s ÷ 20/s a core, and the consumers: the 9 ingestion cores');
  // 80% of 864,000 credits collected: 691,200 a day = 8/s, 24/s at peak ÷ 8 = 3 cores; 864,000 swept lots = 10/s ÷ 5 = 2 cores
  assert.equal(plan.collectionTransfersPerDay, 691_200);
  assert.equal(plan.peakCollectionTransfersPerS, 24);
  assert.equal(plan.sweptLotsPerDay, 864_000);
  assert.equal(plan.ledgerCores, 5);
  // 86,400 / 2,500 = 34.56 claims a day: 0.0012 claims/s at peak, 0.0018 photos/s × 1 CPU s = a fraction of one core
  assert.ok(Math.abs(plan.claimsPerDay - 34.56) < 1e-9);
  assert.ok(Math.abs(plan.peakPhotosPerS - 0.0018) < 1e-12);
  assert.equal(plan.recognitionCores, 1);
  assert.equal(plan.claimsEndToEndCores, 2, '0.0012 claims/s ÷ 0.001 a core = 1.2');
  // 10 requests a merchant a day: 10/s, 30/s at peak ÷ 4/s a core = 7.5
  assert.equal(plan.peakApiRequestsPerS, 30);
  assert.equal(plan.apiCores, 8);
  assert.equal(plan.totalAppCores, 9 + 5 + 2 + 8, 'the larger of recognition and claims end to end counts');
  // WAL: 864,000 × 1,000 + 864,000 × 100 + (691,200 + 864,000) × 500 = 1,728,000,000 bytes a day
  assert.equal(plan.walBytesPerDay, 1_728_000_000);
  assert.equal(plan.peakWalBytesPerS, 60_000);
  assert.equal(plan.walArchiveBytes, 7 * 1_728_000_000);
  // a node: 8 transfers/s a core × 625 WAL bytes × 16 cores × 0.5 = 40,000 bytes/s; 60,000 needs 2 shards
  assert.equal(plan.dbNodeWalCapacityBytesPerS, 40_000);
  assert.equal(plan.dbShardsForWrites, 2);
  // storage: 864,000 × 2,000 + 864,000 × 500 + 691,200 × 250 = 2,332,800,000 bytes a day; 400 days fit one 4-TiB node at 70%
  assert.equal(plan.storageBytesPerDay, 2_332_800_000);
  assert.equal(plan.retainedStorageBytes, 933_120_000_000);
  assert.equal(plan.dbShardsForStorage, 1);
  assert.equal(plan.dbShards, 2);
  assert.equal(plan.dbNodes, 4, 'a primary and a standby a shard');
});

test('storage decides the database when history outgrows the disks', () => {
  // 100 × the merchants: 93.3 TB kept ÷ (4 TiB × 0.7 = 3.08 TB) = 30.3 → 31 shards; writes need 100 × 60,000 / 40,000 = 150
  const plan = planCapacity(8_640_000, RATES, DEFAULT_ASSUMPTIONS);
  assert.equal(plan.dbShardsForWrites, 150);
  assert.equal(plan.dbShardsForStorage, 31);
  assert.equal(plan.dbNodes, 300);
  const fewWrites = planCapacity(8_640_000, { ...RATES, ledgerTransferWalBytes: m(625_000) }, DEFAULT_ASSUMPTIONS);
  assert.equal(fewWrites.dbShardsForWrites, 1);
  assert.equal(fewWrites.dbShards, 31);
  assert.equal(fewWrites.dbNodes, 62);
});

test('credits never exceed notifications, and a bad merchant count is refused', () => {
  const a = { ...DEFAULT_ASSUMPTIONS, creditsPerMerchantPerDay: { ...DEFAULT_ASSUMPTIONS.creditsPerMerchantPerDay, value: 50 } };
  const plan = planCapacity(1_000, RATES, a);
  assert.equal(plan.creditsPerDay, 20_000);
  assert.equal(plan.nonEarningNotificationsPerDay, 0);
  assert.throws(() => planCapacity(0, RATES), RangeError);
  assert.throws(() => planCapacity(1.5, RATES), RangeError);
});
