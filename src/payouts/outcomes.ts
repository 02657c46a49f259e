/**
 * What a wallet-gateway call means for the payout, decided from the verified answer or the error.
 * The rule: only a verified SUCCESS for this out_biz_no is success, only a listed definite refusal is
 * failure, and everything else (errors, timeouts, odd answers) is unknown, to be resolved by a query.
 */
import { AlipayRequestError } from 'alipay-sdk';
import { fenOfTransAmount } from './amount.ts';
import { CODE_SUCCESS, CODE_BUSINESS_FAILED, SUB_ORDER_NOT_EXIST, isDefiniteTransferFailure } from './protocol.ts';
import { UnverifiedResponseError } from './verifying-sdk.ts';

export type UnknownReason =
  /** No answer within the timeout: the transfer may have been applied. */
  | 'timeout'
  /** The connection closed before an answer. */
  | 'connection_dropped'
  /** No connection could be made. Probably nothing was sent, but that is not relied on. */
  | 'connection_failed'
  /** An HTTP status other than 200 (the gateway answers business errors with 200). */
  | 'http_status'
  /** The answer's signature or layout does not verify: possibly forged, never believed. */
  | 'bad_signature'
  /** A verified answer without the fields its code requires. */
  | 'malformed_response'
  /** A verified answer about another out_biz_no (a replay). */
  | 'mismatched_response'
  /** A code or sub code not known to be definite: SYSTEM_ERROR, 20000, invalid signature, ... */
  | 'gateway_error'
  /** Code 10000 with a status that is not final for us (DEALING; REFUND or a FAIL on transfer): ask the query. */
  | 'in_progress'
  /** Anything else the client threw. */
  | 'client_error';

export interface UnknownOutcome {
  kind: 'unknown';
  reason: UnknownReason;
  /** For logs and operators: the code, sub code, status or error message. */
  detail: string;
}

export type TransferOutcome =
  | { kind: 'success'; orderId: string; payFundOrderId: string | null; transDate: string | null }
  /** A definite refusal: nothing moved. `code` is 40004, `subCode` the reason (PAYEE_NOT_EXIST, ...). */
  | { kind: 'failed'; code: string; subCode: string; message: string }
  | UnknownOutcome;

export type QueryOutcome =
  | { kind: 'success'; orderId: string; payFundOrderId: string | null; amountFen: number; payDate: string | null }
  /** The order exists and failed (status FAIL); `code` is the platform's error code for it. */
  | { kind: 'failed'; code: string; message: string }
  /** The gateway has no order with this out_biz_no: the identical request may be sent again. */
  | { kind: 'absent' }
  | UnknownOutcome;

export function unknown(reason: UnknownReason, detail: string): UnknownOutcome {
  return { kind: 'unknown', reason, detail };
}

/** The answer to `alipay.fund.trans.uni.transfer`, already verified. */
export function transferOutcomeOf(member: Record<string, unknown>, outBizNo: string): TransferOutcome {
  const code = text(member.code) ?? '';
  const subCode = text(member.sub_code) ?? '';
  if (code === CODE_SUCCESS) {
    if (member.out_biz_no !== outBizNo) return unknown('mismatched_response', `answer for out_biz_no ${String(member.out_biz_no)}, asked ${outBizNo}`);
    if (member.status !== 'SUCCESS') return unknown('in_progress', `status ${String(member.status)}`);
    const orderId = text(member.order_id);
    if (orderId === null) return unknown('malformed_response', 'SUCCESS without order_id');
    return { kind: 'success', orderId, payFundOrderId: text(member.pay_fund_order_id), transDate: text(member.trans_date) };
  }
  const message = text(member.sub_msg) ?? text(member.msg) ?? '';
  if (isDefiniteTransferFailure(code, subCode)) return { kind: 'failed', code, subCode, message };
  return unknown('gateway_error', describe(code, subCode, message));
}

/** The answer to `alipay.fund.trans.common.query`, already verified. */
export function queryOutcomeOf(member: Record<string, unknown>, outBizNo: string): QueryOutcome {
  const code = text(member.code) ?? '';
  const subCode = text(member.sub_code) ?? '';
  if (code === CODE_SUCCESS) {
    if (member.out_biz_no !== outBizNo) return unknown('mismatched_response', `answer for out_biz_no ${String(member.out_biz_no)}, asked ${outBizNo}`);
    if (member.status === 'SUCCESS') {
      const orderId = text(member.order_id);
      const amountFen = fenOfTransAmount(member.trans_amount);
      if (orderId === null || amountFen === null) return unknown('malformed_response', 'SUCCESS without order_id or a valid trans_amount');
      return { kind: 'success', orderId, payFundOrderId: text(member.pay_fund_order_id), amountFen, payDate: text(member.pay_date) };
    }
    if (member.status === 'FAIL') return { kind: 'failed', code: text(member.error_code) ?? 'FAIL', message: text(member.fail_reason) ?? '' };
    return unknown('in_progress', `status ${String(member.status)}`);
  }
  if (code === CODE_BUSINESS_FAILED && subCode === SUB_ORDER_NOT_EXIST) return { kind: 'absent' };
  return unknown('gateway_error', describe(code, subCode, text(member.sub_msg) ?? text(member.msg) ?? ''));
}

/**
 * alipay-sdk 4.14 throws AlipayRequestError for everything at the HTTP level, with the urllib error as
 * `cause` for network failures and only a message for the rest; the messages are matched to give a
 * reason, but whatever they say the outcome is unknown, so a changed message cannot turn into success.
 */
export function unknownFromError(err: unknown): UnknownOutcome {
  if (err instanceof UnverifiedResponseError) return unknown('bad_signature', err.message);
  if (!(err instanceof AlipayRequestError)) return unknown('client_error', messageOf(err));
  if (err.message.startsWith('HttpClient Request error')) {
    const cause: { name?: unknown; code?: unknown } = typeof err.cause === 'object' && err.cause !== null ? err.cause : {};
    if (cause.name === 'HttpClientRequestTimeoutError') return unknown('timeout', err.message);
    if (cause.name === 'HttpClientConnectTimeoutError') return unknown('connection_failed', err.message);
    if (cause.code === 'ECONNREFUSED' || cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN') return unknown('connection_failed', err.message);
    if (cause.code === 'UND_ERR_SOCKET' || cause.code === 'ECONNRESET' || cause.code === 'EPIPE') return unknown('connection_dropped', err.message);
    return unknown('client_error', err.message);
  }
  const status = /status: (\d{3})/.exec(err.message);
  if (status) return unknown('http_status', `HTTP ${status[1]}`);
  if (err.message.startsWith('验签失败')) return unknown('bad_signature', err.message);
  if (err.message.startsWith('Response 格式错误')) return unknown('malformed_response', err.message);
  return unknown('client_error', err.message);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function describe(code: string, subCode: string, message: string): string {
  return [code || '(no code)', subCode, message].filter((part) => part !== '').join(' ');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
