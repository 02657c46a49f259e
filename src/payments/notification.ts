/**
 * The payment platform's asynchronous notification, parsed the same way whichever path it came by
 * (webhook form fields, JSON batch items, JetStream messages): every field arrives as a string.
 */

export const TRADE_STATUSES = ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export interface PaymentNotification {
  notifyId: string | null;
  notifyTime: Date | null;
  notifyType: string | null;
  appId: string | null;
  tradeNo: string;
  outTradeNo: string | null;
  buyerId: string;
  sellerId: string;
  tradeStatus: TradeStatus;
  totalAmountFen: number;
  receiptAmountFen: number | null;
  refundFeeFen: number | null;
  gmtPayment: Date | null;
  gmtRefund: Date | null;
}

export type ParseResult = { ok: true; notification: PaymentNotification } | { ok: false; field: string; code: string; message: string };

class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TRADE_NO = /^[A-Za-z0-9_-]{1,64}$/;
const PLATFORM_USER_ID = /^2088\d{12}$/;
// no leading zeros: "01.00" is not how the platform writes an amount, so something rewrote it
const YUAN = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const MAX_FEN = 1e12; // 10^10 yuan: far above any real trade, and keeps every amount a safe integer
const BEIJING_OFFSET_HOURS = 8;
/**
 * How far from its receipt a notification's times may lie. Refunds arrive up to a year after the
 * payment they undo and the platform retries for a day; backfills replay older history: three years
 * back. Ahead, only clock skew. Outside, a year-9999 payment earned credit that never lapsed.
 */
const MAX_AGE_MS = 3 * 366 * 86_400_000;
const MAX_AHEAD_MS = 10 * 60_000;
const SETTLED: ReadonlySet<string> = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

/** Yuan text to integer fen by string arithmetic, so that no binary fraction ever touches money. */
export function yuanToFen(text: string): number | null {
  const match = YUAN.exec(text);
  if (!match) return null;
  const whole = match[1]!;
  if (whole.length > 11) return null;
  const fen = Number(whole) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return fen > MAX_FEN ? null : fen;
}

/** `receivedAt`: when we got it; every time in it must lie in a plausible window around that. */
export function parseNotification(fields: Record<string, unknown>, receivedAt: Date = new Date()): ParseResult {
  try {
    return { ok: true, notification: parseFields(fields, receivedAt) };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, field: err.field, code: err.code, message: err.message };
    throw err;
  }
}

// The helpers below are module functions, not closures made per call: a batch parses thousands.

/** The platform omits empty fields, but form encoders often send them as "": both are absent. */
function optional(text: Record<string, string | undefined>, field: string): string | null {
  const value = text[field];
  return value === undefined || value === '' ? null : value;
}

function required(text: Record<string, string | undefined>, field: string): string {
  const value = optional(text, field);
  if (value === null) throw new FieldError(field, 'missing_field', `${field} is required`);
  return value;
}

function matching(field: string, value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new FieldError(field, 'invalid_format', `${field} must be ${what}`);
  return value;
}

function amount(field: string, value: string): number {
  const fen = yuanToFen(value);
  if (fen === null) throw new FieldError(field, 'invalid_amount', `${field} must be a non-negative yuan amount with at most 2 decimals, got "${value}"`);
  return fen;
}

function optionalAmount(text: Record<string, string | undefined>, field: string, totalFen: number): number | null {
  const value = optional(text, field);
  if (value === null) return null;
  const fen = amount(field, value);
  if (fen > totalFen) throw new FieldError(field, 'invalid_amount', `${field} ${value} exceeds total_amount`);
  return fen;
}

function plausibleDate(text: Record<string, string | undefined>, field: string, receivedAtMs: number): Date | null {
  const value = optional(text, field);
  if (value === null) return null;
  const at = beijingTime(field, value);
  if (at.getTime() < receivedAtMs - MAX_AGE_MS || at.getTime() > receivedAtMs + MAX_AHEAD_MS) {
    throw new FieldError(field, 'implausible_date', `${field} ${value} is not within 3 years before and 10 minutes after its receipt`);
  }
  return at;
}

function parseFields(fields: Record<string, unknown>, receivedAt: Date): PaymentNotification {
  // Every field, even one we ignore, must be a string: anything else means the producer is broken.
  for (const field in fields) {
    if (!Object.hasOwn(fields, field)) continue;
    const value = fields[field];
    if (typeof value !== 'string') throw new FieldError(field, 'invalid_type', `${field} must be a string, got ${value === null ? 'null' : typeof value}`);
    // PostgreSQL text cannot hold NUL: refuse it here rather than fail a whole batch at insert
    if (value.includes('\u0000')) throw new FieldError(field, 'invalid_characters', `${field} contains a NUL character`);
  }
  const text = fields as Record<string, string | undefined>;
  const receivedAtMs = receivedAt.getTime();

  const tradeNo = matching('trade_no', required(text, 'trade_no'), TRADE_NO, '1 to 64 letters, digits, "_" or "-"');
  const buyerId = matching('buyer_id', required(text, 'buyer_id'), PLATFORM_USER_ID, 'a platform user id (2088 and 12 digits)');
  const sellerId = matching('seller_id', required(text, 'seller_id'), PLATFORM_USER_ID, 'a platform user id (2088 and 12 digits)');
  const status = required(text, 'trade_status');
  if (!isTradeStatus(status)) throw new FieldError('trade_status', 'unknown_status', `trade_status "${status}" is not one of ${TRADE_STATUSES.join(', ')}`);
  const totalAmountFen = amount('total_amount', required(text, 'total_amount'));
  if (totalAmountFen === 0) throw new FieldError('total_amount', 'invalid_amount', 'total_amount must be greater than 0');
  const receiptAmountFen = optionalAmount(text, 'receipt_amount', totalAmountFen);
  const refundFeeFen = optionalAmount(text, 'refund_fee', totalAmountFen);
  const gmtPayment = plausibleDate(text, 'gmt_payment', receivedAtMs);
  if (gmtPayment === null && SETTLED.has(status)) throw new FieldError('gmt_payment', 'missing_field', `gmt_payment is required when trade_status is ${status}`);

  return {
    notifyId: optional(text, 'notify_id'),
    notifyTime: plausibleDate(text, 'notify_time', receivedAtMs),
    notifyType: optional(text, 'notify_type'),
    appId: optional(text, 'app_id'),
    tradeNo,
    outTradeNo: optional(text, 'out_trade_no'),
    buyerId,
    sellerId,
    tradeStatus: status,
    totalAmountFen,
    receiptAmountFen,
    refundFeeFen,
    gmtPayment,
    gmtRefund: plausibleDate(text, 'gmt_refund', receivedAtMs),
  };
}

function isTradeStatus(value: string): value is TradeStatus {
  return (TRADE_STATUSES as readonly string[]).includes(value);
}

/** `yyyy-MM-dd HH:mm:ss` as the platform sends it, in Beijing time (UTC+8, no daylight saving). */
function beijingTime(field: string, value: string): Date {
  const match = DATE_TIME.exec(value);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    const hour = Number(match[4]);
    const minute = Number(match[5]);
    const second = Number(match[6]);
    const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
    const utc = new Date(utcMs);
    // Date.UTC rolls 2026-02-30 over to March: a changed field means the date does not exist.
    const exists =
      utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day && utc.getUTCHours() === hour && utc.getUTCMinutes() === minute && utc.getUTCSeconds() === second;
    if (exists) return new Date(utcMs - BEIJING_OFFSET_HOURS * 3_600_000);
  }
  throw new FieldError(field, 'invalid_date', `${field} must be a date "yyyy-MM-dd HH:mm:ss", got "${value}"`);
}
