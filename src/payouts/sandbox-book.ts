/**
 * The sandbox gateway's books: wallet balances by payee and one record per out_biz_no. Idempotent on
 * out_biz_no as the platform is: the same order again returns its first result and pays nothing more;
 * the same out_biz_no with another amount or payee is refused, never paid a second time.
 */
import { ALIPAY_USER_ID, type DefiniteTransferFailure } from './protocol.ts';

export interface SandboxRecord {
  outBizNo: string;
  orderId: string;
  payFundOrderId: string | null;
  payeeUserId: string;
  amountFen: number;
  /** trans_amount exactly as it arrived on the wire. */
  transAmount: string;
  orderTitle: string;
  status: 'SUCCESS' | 'FAIL';
  failCode: DefiniteTransferFailure | null;
  /** 'YYYY-MM-DD HH:mm:ss', Asia/Shanghai, as the platform writes dates. */
  transDate: string;
  /** Transfer requests seen for this out_biz_no, the first included (resends, retries, replays). */
  requests: number;
}

export interface TransferOrder {
  outBizNo: string;
  amountFen: number;
  transAmount: string;
  payeeUserId: string;
  orderTitle: string;
}

export type BookAnswer = { kind: 'recorded'; record: SandboxRecord; fresh: boolean } | { kind: 'conflict'; record: SandboxRecord } | { kind: 'full' };

export interface BookOptions {
  /** Any 2088… 16-digit user id is a payee (default); otherwise only `payees`. */
  acceptAnyPayee: boolean;
  payees: Iterable<string>;
  /** The platform's own minimum is 10 fen (EXCEED_LIMIT_SM_MIN_AMOUNT); the sandbox's default is 1. */
  minTransferFen: number;
  maxTransferFen: number;
  /** Explicit limit: records are never evicted (that would forget idempotency); new orders are refused. */
  maxRecords: number;
  now: () => Date;
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

export class SandboxBook {
  readonly #options: BookOptions;
  readonly #payees: Set<string>;
  readonly #wallets = new Map<string, number>();
  readonly #records = new Map<string, SandboxRecord>();
  #seq = 0;

  constructor(options: BookOptions) {
    this.#options = options;
    this.#payees = new Set(options.payees);
  }

  find(outBizNo: string): SandboxRecord | undefined {
    return this.#records.get(outBizNo);
  }

  /** Applies a transfer once. `refusal` forces a definite failure for a new order (a fault or a forced outcome). */
  transfer(order: TransferOrder, refusal: DefiniteTransferFailure | null): BookAnswer {
    const existing = this.#records.get(order.outBizNo);
    if (existing) {
      existing.requests += 1;
      const same = existing.amountFen === order.amountFen && existing.payeeUserId === order.payeeUserId;
      return same ? { kind: 'recorded', record: existing, fresh: false } : { kind: 'conflict', record: existing };
    }
    if (this.#records.size >= this.#options.maxRecords) return { kind: 'full' };
    const failCode = refusal ?? this.#refusalOf(order);
    const now = this.#options.now();
    const seq = String(++this.#seq).padStart(14, '0');
    const day = shanghai(now).slice(0, 10).replaceAll('-', '');
    const record: SandboxRecord = {
      outBizNo: order.outBizNo,
      orderId: `${day}1100700000${seq}`,
      payFundOrderId: failCode === null ? `${day}1100730000${seq}` : null,
      payeeUserId: order.payeeUserId,
      amountFen: order.amountFen,
      transAmount: order.transAmount,
      orderTitle: order.orderTitle,
      status: failCode === null ? 'SUCCESS' : 'FAIL',
      failCode,
      transDate: shanghai(now),
      requests: 1,
    };
    this.#records.set(order.outBizNo, record);
    if (failCode === null) this.#wallets.set(order.payeeUserId, this.wallet(order.payeeUserId) + order.amountFen);
    return { kind: 'recorded', record, fresh: true };
  }

  /** Balance in fen; 0 for a payee never paid. */
  wallet(userId: string): number {
    return this.#wallets.get(userId) ?? 0;
  }

  records(): SandboxRecord[] {
    return [...this.#records.values()].map((record) => ({ ...record }));
  }

  #refusalOf(order: TransferOrder): DefiniteTransferFailure | null {
    const known = this.#payees.has(order.payeeUserId) || (this.#options.acceptAnyPayee && ALIPAY_USER_ID.test(order.payeeUserId));
    if (!known) return 'PAYEE_NOT_EXIST';
    if (order.amountFen < this.#options.minTransferFen) return 'EXCEED_LIMIT_SM_MIN_AMOUNT';
    if (order.amountFen > this.#options.maxTransferFen) return 'EXCEED_LIMIT_SM_AMOUNT';
    return null;
  }
}

/** 'YYYY-MM-DD HH:mm:ss' in Asia/Shanghai (UTC+8, no daylight saving). */
function shanghai(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}
