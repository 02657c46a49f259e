/**
 * Injected payment fraud. Farming rings: a few colluding merchants whose helpers pay every member a
 * little over the small-payment threshold each day, and who pay each other. Payer fan-out: one wallet
 * paying dozens of merchants a day. Which notifications are fraud is known, so the report can set
 * what the programme's signals flagged against what was injected.
 */
import { businessDayStart } from '../../src/shared/business-day.ts';
import type { PaymentNotification } from '../../src/payments/notification.ts';
import { picker } from '../invoices/random.ts';
import { TOPIC, mix, uniform } from './hash.ts';
import { merchantAt, type SimMerchant } from './population.ts';
import { notification } from './traffic.ts';
import { dayOf, type World } from './world.ts';

const RING_SIZE = 6;
const HELPERS_PER_RING = 12;
const FAN_OUT_MERCHANTS: readonly [number, number] = [15, 40];
const HELPER_WALLET_BASE = 700_000_000_000;
const FAN_OUT_WALLET_BASE = 800_000_000_000;

export type PaymentFraudKind = 'farming_ring' | 'payer_fan_out';

export interface FraudPayment {
  notification: PaymentNotification;
  kind: PaymentFraudKind;
  /** The ring or the fan-out payer: caught when any of its payments is flagged. */
  actor: string;
}

export function ringCount(world: World): number {
  return world.fraudRate === 0 ? 0 : Math.max(1, Math.round((world.merchants * world.fraudRate) / RING_SIZE));
}

export function fanOutPayerCount(world: World): number {
  return world.fraudRate === 0 ? 0 : Math.max(1, Math.round((world.merchants * world.fraudRate) / 50));
}

/** The ring a merchant farms in, or null: about `fraudRate` of merchants are in one. */
export function ringOf(world: World, index: number): number | null {
  if (uniform(world.seed, TOPIC.ring, index) >= world.fraudRate) return null;
  return mix(world.seed, TOPIC.ringNumber, index) % ringCount(world);
}

function helperWallet(ring: number, helper: number): string {
  return `2088${HELPER_WALLET_BASE + ring * HELPERS_PER_RING + helper}`;
}

/** Every payment of the day's fraud, given the merchants enrolled by then (in index order). */
export function fraudPayments(world: World, day: number, enrolled: readonly SimMerchant[]): FraudPayment[] {
  if (world.fraudRate === 0 || enrolled.length === 0) return [];
  const dayStart = businessDayStart(dayOf(world, day)).getTime();
  const rings = new Map<number, SimMerchant[]>();
  for (const m of enrolled) {
    const ring = ringOf(world, m.index);
    if (ring !== null) rings.set(ring, [...(rings.get(ring) ?? []), m]);
  }
  const out: FraudPayment[] = [];
  for (const [ring, members] of rings) {
    const rand = picker(mix(world.seed, TOPIC.ring, ring, day));
    const actor = `ring-${ring}`;
    for (let h = 0; h < HELPERS_PER_RING; h++) {
      for (const m of members) {
        const paidAt = new Date(dayStart + (9 * 3600 + rand.int(0, 10 * 3600)) * 1000);
        out.push({ kind: 'farming_ring', actor, notification: notification({ tradeNo: `F${world.seed}D${day}R${ring}H${h}M${m.index}`, buyerId: helperWallet(ring, h), sellerId: m.walletUserId, amountFen: rand.int(10, 14), paidAt }) });
      }
    }
    // members pay one another: the merchant-cycle signal's case
    for (const [i, m] of members.entries()) {
      const next = members[(i + 1) % members.length]!;
      if (next === m) continue;
      const paidAt = new Date(dayStart + (20 * 3600 + rand.int(0, 3600)) * 1000);
      out.push({ kind: 'farming_ring', actor, notification: notification({ tradeNo: `F${world.seed}D${day}R${ring}C${m.index}`, buyerId: m.walletUserId, sellerId: next.walletUserId, amountFen: rand.int(10, 14), paidAt }) });
    }
  }
  for (let p = 0; p < fanOutPayerCount(world); p++) {
    const rand = picker(mix(world.seed, TOPIC.fanOut, p, day));
    const actor = `fan-out-${p}`;
    const count = Math.min(enrolled.length, rand.int(...FAN_OUT_MERCHANTS));
    const start = rand.int(0, enrolled.length - 1);
    for (let k = 0; k < count; k++) {
      const m = enrolled[(start + k * 7919) % enrolled.length]!;
      const paidAt = new Date(dayStart + (10 * 3600 + k * 300 + rand.int(0, 200)) * 1000);
      out.push({ kind: 'payer_fan_out', actor, notification: notification({ tradeNo: `F${world.seed}D${day}X${p}K${k}`, buyerId: `2088${FAN_OUT_WALLET_BASE + p}`, sellerId: m.walletUserId, amountFen: rand.int(100, 300), paidAt }) });
    }
  }
  return out;
}

/** Indices of the merchants enrolled by the end of `day`. */
export function enrolledBy(world: World, day: number): SimMerchant[] {
  const out: SimMerchant[] = [];
  for (let i = 0; i < world.merchants; i++) {
    const m = merchantAt(world, i);
    if (m.enrolDay <= day) out.push(m);
  }
  return out;
}
