/**
 * A merchant's day of payment notifications: busy stalls with hundreds of payers, quiet ones with a
 * handful, regulars who come back, tiny payments, refunds later in the day and retried deliveries.
 * Pure: the same world, merchant and day always give the same notifications.
 */
import { businessDayStart } from '../../src/shared/business-day.ts';
import type { PaymentNotification } from '../../src/payments/notification.ts';
import { picker, type Picker } from '../invoices/random.ts';
import { payerWalletOf } from '../payments.ts';
import { TOPIC, mix } from './hash.ts';
import type { SimMerchant } from './population.ts';
import { dayOf, type World } from './world.ts';

const PAYMENTS_A_DAY: Record<SimMerchant['busyness'], readonly [number, number]> = { busy: [80, 300], regular: [8, 40], quiet: [0, 6] };
const REGULAR_SHARE = 0.4;
const TINY_SHARE = 0.04;
const REFUND_SHARE = 0.01;
const RETRY_SHARE = 0.02;
/** Payments between 01:00 and 05:00: night markets and the odd insomniac. */
const ODD_HOUR_SHARE = 0.01;

/** The city's payers: four for every merchant, so that popular payers meet many merchants. */
export function payerPopulation(world: Pick<World, 'merchants'>): number {
  return Math.max(1_000, world.merchants * 4);
}

/** Popular payers meet many merchants: payer k is drawn with density ~ k^(-1/3). */
function walkInPayer(rand: Picker, payers: number): number {
  return Math.floor(rand.next() ** 1.5 * payers);
}

/** Shanghai wall-clock second of the day, mostly 07:00–22:00. */
function secondOfDay(rand: Picker): number {
  if (rand.chance(ODD_HOUR_SHARE)) return 3600 + rand.int(0, 4 * 3600 - 1);
  return 7 * 3600 + Math.floor(((rand.next() + rand.next()) / 2) * 15 * 3600);
}

export function notification(fields: { tradeNo: string; buyerId: string; sellerId: string; amountFen: number; paidAt: Date }): PaymentNotification {
  return {
    notifyId: `N${fields.tradeNo}`,
    notifyTime: new Date(fields.paidAt.getTime() + 2_000),
    notifyType: 'trade_status_sync',
    appId: null,
    tradeNo: fields.tradeNo,
    outTradeNo: null,
    buyerId: fields.buyerId,
    sellerId: fields.sellerId,
    tradeStatus: 'TRADE_SUCCESS',
    totalAmountFen: fields.amountFen,
    receiptAmountFen: fields.amountFen,
    refundFeeFen: null,
    gmtPayment: fields.paidAt,
    gmtRefund: null,
  };
}

/** A refund of the whole payment, `afterS` seconds later. */
export function refundOf(paid: PaymentNotification, afterS: number): PaymentNotification {
  const at = new Date(paid.gmtPayment!.getTime() + afterS * 1000);
  return { ...paid, notifyId: `${paid.notifyId}R`, notifyTime: at, tradeStatus: 'TRADE_CLOSED', refundFeeFen: paid.totalAmountFen, gmtRefund: at };
}

export function merchantDayPayments(world: World, m: SimMerchant, day: number): PaymentNotification[] {
  const rand = picker(mix(world.seed, TOPIC.payments, m.index, day));
  const [min, max] = PAYMENTS_A_DAY[m.busyness];
  // quiet days are common: skew the count towards the low end
  const count = min + Math.floor(rand.next() ** 2 * (max - min + 1));
  const payers = payerPopulation(world);
  const regulars = 5 + (mix(world.seed, TOPIC.payments, m.index) % 25);
  const dayStart = businessDayStart(dayOf(world, day)).getTime();
  const paid: PaymentNotification[] = [];
  for (let k = 0; k < count; k++) {
    const payer = rand.chance(REGULAR_SHARE) ? mix(world.seed, m.index, rand.int(0, regulars - 1)) % payers : walkInPayer(rand, payers);
    const amountFen = rand.chance(TINY_SHARE) ? rand.int(1, 9) : 100 + Math.floor(rand.next() ** 3 * 30_000);
    paid.push(notification({ tradeNo: `S${world.seed}D${day}M${m.index}P${k}`, buyerId: payerWalletOf(payer), sellerId: m.walletUserId, amountFen, paidAt: new Date(dayStart + secondOfDay(rand) * 1000) }));
  }
  paid.sort((a, b) => a.gmtPayment!.getTime() - b.gmtPayment!.getTime());
  const out: PaymentNotification[] = [];
  for (const p of paid) {
    out.push(p);
    if (rand.chance(RETRY_SHARE)) out.push(p);
  }
  for (const p of paid) if (rand.chance(REFUND_SHARE)) out.push(refundOf(p, rand.int(60, 3 * 3600)));
  return out;
}
