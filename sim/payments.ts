import { formatFenAsYuan } from '../src/shared/money.ts';

/**
 * A day of payment notifications for a city's merchants, as the platform would send them:
 * payers drawn with a skewed (Zipf-like) popularity, regulars paying the same merchant again,
 * tiny payments, refunds that close a trade later, and retried deliveries. Deterministic per seed.
 */
export interface DayOptions {
  /** Wallet user ids of the enrolled merchants (payees). */
  merchantWallets: readonly string[];
  payments: number;
  payers: number;
  day: string; // YYYY-MM-DD, Shanghai
  seed: number;
  tinyShare?: number;
  refundShare?: number;
  retryShare?: number;
  /** Every payment at least 10 fen and no refunds: credit totals then do not depend on arrival order. */
  orderIndependent?: boolean;
}

/** xorshift32: small, fast and reproducible. */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}


function beijing(day: string, secondOfDay: number): string {
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  const s = secondOfDay % 60;
  return `${day} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function payerWalletOf(n: number): string {
  return `2088${String(500_000_000_000 + n).padStart(12, '0')}`;
}

export function generatePaymentDay(o: DayOptions): Record<string, string>[] {
  const rnd = random(o.seed);
  const tiny = o.orderIndependent ? 0 : (o.tinyShare ?? 0.05);
  const refunds = o.orderIndependent ? 0 : (o.refundShare ?? 0.01);
  const retries = o.retryShare ?? 0.03;
  // Zipf-like: payer k is chosen with weight ~ 1/(k+1); sample by inverse transform on the harmonic CDF
  const harmonic = Math.log(o.payers) + 0.5772;
  const pickPayer = () => Math.min(o.payers - 1, Math.floor(Math.exp(rnd() * harmonic)) - 1);
  const out: Record<string, string>[] = [];
  const trades: Record<string, string>[] = [];
  for (let i = 0; i < o.payments; i++) {
    const second = Math.floor((i / o.payments) * 86_399);
    const merchant = o.merchantWallets[Math.floor(rnd() ** 1.5 * o.merchantWallets.length)]!;
    const amountFen = rnd() < tiny ? 1 + Math.floor(rnd() * 9) : 10 + Math.floor(rnd() ** 3 * 50_000);
    const fields = {
      notify_id: `n${o.seed}-${i}`,
      notify_time: beijing(o.day, second),
      notify_type: 'trade_status_sync',
      trade_no: `${o.day.replaceAll('-', '')}${o.seed}${String(i).padStart(9, '0')}`,
      out_trade_no: `o${o.seed}-${i}`,
      buyer_id: payerWalletOf(pickPayer()),
      seller_id: merchant,
      trade_status: 'TRADE_SUCCESS',
      total_amount: formatFenAsYuan(amountFen),
      receipt_amount: formatFenAsYuan(amountFen),
      gmt_payment: beijing(o.day, second),
    };
    out.push(fields);
    trades.push(fields);
    if (rnd() < retries) out.push(fields);
    if (rnd() < refunds && i > 10) {
      const earlier = trades[Math.floor(rnd() * trades.length)]!;
      out.push({ ...earlier, notify_id: `${earlier.notify_id}-r`, trade_status: 'TRADE_CLOSED', refund_fee: earlier.total_amount!, gmt_refund: beijing(o.day, second) });
    }
  }
  return out;
}
