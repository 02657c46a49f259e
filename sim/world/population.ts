/**
 * The merchants of a simulated city: who they are, when they enrol (an S-shaped curve: a first wave,
 * then word of mouth), how busy they are and how diligently they collect. Every fact is a pure
 * function of the seed and the merchant's index.
 */
import { residentIdCheckChar } from '../../src/merchants/resident-id.ts';
import type { EnrolmentInput } from '../../src/merchants/types.ts';
import { businessDayStart } from '../../src/shared/business-day.ts';
import { TOPIC, mix, uniform } from './hash.ts';
import { dayOf, type World } from './world.ts';

export type Busyness = 'busy' | 'regular' | 'quiet';
/** daily: collects every evening; sometimes: now and then, so some credit lapses; never: lets it all lapse. */
export type Collector = 'daily' | 'sometimes' | 'never';

export interface SimMerchant {
  index: number;
  walletUserId: string;
  legalName: string;
  enrolDay: number;
  busyness: Busyness;
  collector: Collector;
}

const MERCHANT_WALLET_BASE = 100_000_000_000;
/** Names from characters the invoice generator also prints, so the patient check compares like with like. */
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志新海波云峰辉鹏宇浩然子涵欣怡梓轩雨晨思远嘉琪文博晓东春梅';
/** Guangzhou's district codes: resident IDs need a region prefix, and three give room for 30 million. */
const REGIONS = ['440103', '440104', '440105', '440106', '440111', '440112'];
const BIRTH_DAYS = 14_600;

export function merchantWallet(index: number): string {
  return `2088${MERCHANT_WALLET_BASE + index}`;
}

export function merchantIndexOfWallet(wallet: string): number {
  return Number(wallet.slice(4)) - MERCHANT_WALLET_BASE;
}

/** Share of merchants enrolled by the end of `day`: a third at launch, the rest on a logistic curve. */
export function enrolledShare(world: Pick<World, 'days'>, day: number): number {
  if (world.days === 1) return 1;
  const logistic = (d: number) => 1 / (1 + Math.exp(-8 * (d / (world.days - 1) - 0.5)));
  const [first, last] = [logistic(0), logistic(world.days - 1)];
  return 1 / 3 + (2 / 3) * ((logistic(day) - first) / (last - first));
}

function enrolDayOf(world: World, index: number): number {
  const u = uniform(world.seed, TOPIC.enrolment, index);
  for (let d = 0; d < world.days; d++) if (u < enrolledShare(world, d)) return d;
  return world.days - 1;
}

export function merchantAt(world: World, index: number): SimMerchant {
  const tier = uniform(world.seed, TOPIC.tier, index);
  const collector = uniform(world.seed, TOPIC.collector, index);
  const name = mix(world.seed, TOPIC.name, index);
  return {
    index,
    walletUserId: merchantWallet(index),
    legalName: SURNAMES[name % SURNAMES.length]! + GIVEN[(name >>> 8) % GIVEN.length]! + (name & 1 ? GIVEN[(name >>> 16) % GIVEN.length]! : ''),
    enrolDay: enrolDayOf(world, index),
    busyness: tier < 0.02 ? 'busy' : tier < 0.32 ? 'regular' : 'quiet',
    collector: collector < 0.7 ? 'daily' : collector < 0.9 ? 'sometimes' : 'never',
  };
}

function residentId(index: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + (Math.floor(index / 1000) % BIRTH_DAYS) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${REGIONS[Math.floor(index / (1000 * BIRTH_DAYS)) % REGIONS.length]}${birth}${String(index % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/** The enrolment the programme receives for the merchant, stamped at a moment of its enrolment day. */
export function enrolmentOf(world: World, m: SimMerchant): EnrolmentInput {
  const at = new Date(businessDayStart(dayOf(world, m.enrolDay)).getTime() + (7 * 3600 + (m.index % 36_000)) * 1000);
  return {
    walletUserId: m.walletUserId,
    legalName: m.legalName,
    idNumber: residentId(m.index),
    phone: `13${String(m.index).padStart(9, '0')}`,
    city: world.city,
    enrolledAt: at.toISOString(),
  };
}

/** Whether the merchant opens the app and collects on `day`. */
export function collectsOn(world: World, m: SimMerchant, day: number): boolean {
  if (m.collector === 'never') return false;
  return m.collector === 'daily' || uniform(world.seed, TOPIC.collectDay, m.index, day) < 0.3;
}
