/**
 * The wallet-gateway client the payout pipeline uses: `alipay.fund.trans.uni.transfer` and
 * `alipay.fund.trans.common.query` through the platform's own SDK (alipay-sdk 4.x, the v2 form-encoded
 * RSA2 protocol), every answer verified, every result one of success / failed / (absent) / unknown.
 *
 * It never retries: after `unknown` the caller queries by out_biz_no before anything else, and sends
 * the identical request again only after `absent`. (One resend is outside our control: urllib, under
 * the SDK, resends a request once when the connection drops before an answer; the gateway's idempotency
 * on out_biz_no makes that resend return the first result instead of paying twice.)
 */
import type { KeyObject } from 'node:crypto';
import { publicKeyFrom } from '../shared/rsa2.ts';
import { fenOfTransAmount, transAmountOf } from './amount.ts';
import { pkcs8Pem, rsaPrivateKeyFrom, spkiPem } from './keys.ts';
import { queryOutcomeOf, transferOutcomeOf, unknownFromError, unknown, type QueryOutcome, type TransferOutcome, type UnknownOutcome } from './outcomes.ts';
import { ALIPAY_USER_ID, BILL_COLUMNS, BILL_METHOD, BILL_TYPE, BIZ_SCENE, CODE_SUCCESS, IDENTITY_TYPE, MAX_ORDER_TITLE_CHARS, OUT_BIZ_NO, PRODUCT_CODE, QUERY_METHOD, TRANSFER_METHOD } from './protocol.ts';
import { VerifyingAlipaySdk } from './verifying-sdk.ts';

export interface WalletGatewayOptions {
  /** The platform's `gateway.do` URL (the sandbox's `url` in development and tests). */
  gatewayUrl: string;
  appId: string;
  /** Our app's RSA private key, PKCS#1 or PKCS#8 PEM: signs every request. */
  appPrivateKeyPem: string;
  /** The gateway's RSA public key (PEM or the console's bare base64): verifies every answer. */
  gatewayPublicKeyPem: string;
  /**
   * Per phase (until the answer's headers, then its body), as urllib applies the SDK's timeout. undici
   * checks these timeouts on a coarse clock: a 200 ms timeout was measured to fire after about 1 s.
   */
  timeoutMs: number;
}

export interface TransferRequest {
  /** Unique per payout: the gateway's idempotency key. */
  outBizNo: string;
  amountFen: number;
  /** ALIPAY_USER_ID: 2088 and 12 more digits. */
  payeeUserId: string;
  /** Shown in the payee's wallet statement. */
  orderTitle: string;
}

export interface WalletGateway {
  /** Sends the transfer once. Rejects (with nothing sent) only for invalid arguments. */
  transfer(request: TransferRequest): Promise<TransferOutcome>;
  /** Asks what became of out_biz_no. Rejects (with nothing sent) only for an invalid out_biz_no. */
  query(outBizNo: string): Promise<QueryOutcome>;
  /** The gateway's records of one Shanghai day (YYYY-MM-DD), from its daily bill. Rejects when it cannot be had. */
  bill(day: string): Promise<GatewayBillRecord[]>;
}

/** One line of the gateway's daily bill. */
export interface GatewayBillRecord {
  outBizNo: string;
  orderId: string;
  amountFen: number;
  status: 'SUCCESS' | 'FAIL';
  /** 'YYYY-MM-DD HH:mm:ss', Asia/Shanghai. */
  transDate: string;
}

/** Explicit limit: a day's bill larger than this is refused rather than read into memory. */
const MAX_BILL_BYTES = 64 * 1024 * 1024;

/** Explicit limit: a payout worker never waits longer than this per phase for one answer. */
export const MAX_GATEWAY_TIMEOUT_MS = 120_000;

type Answer = { ok: true; member: Record<string, unknown> } | { ok: false; outcome: UnknownOutcome };

export function createWalletGateway(options: WalletGatewayOptions): WalletGateway {
  const gateway = gatewayUrlFrom(options.gatewayUrl);
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > MAX_GATEWAY_TIMEOUT_MS) {
    throw new RangeError(`timeoutMs must be a whole number of milliseconds in 1..${MAX_GATEWAY_TIMEOUT_MS}`);
  }
  if (typeof options.appId !== 'string' || !/^\d{1,32}$/.test(options.appId)) throw new TypeError('appId must be the platform app id (digits)');
  const privateKey = pkcs8Pem(rsaPrivateKeyFrom(options.appPrivateKeyPem));
  const gatewayKey: KeyObject = publicKeyFrom(options.gatewayPublicKeyPem);
  const alipayPublicKey = spkiPem(gatewayKey);

  async function call(method: string, bizContent: Record<string, unknown>): Promise<Answer> {
    // A fresh SDK per call: it holds the answer its strict check opened (see verifying-sdk.ts).
    const sdk = new VerifyingAlipaySdk(
      { appId: options.appId, privateKey, keyType: 'PKCS8', alipayPublicKey, gateway, timeout: options.timeoutMs, camelcase: false, signType: 'RSA2' },
      gatewayKey,
    );
    try {
      // validateSign defaults to false in exec(): without it the SDK checks nothing.
      await sdk.exec(method, { bizContent }, { validateSign: true });
    } catch (err) {
      return { ok: false, outcome: unknownFromError(err) };
    }
    if (sdk.opened?.ok !== true) return { ok: false, outcome: unknown('bad_signature', 'the SDK returned an answer without verifying it') };
    return { ok: true, member: sdk.opened.member };
  }

  return {
    async transfer(request) {
      const bizContent = transferBizContent(request);
      const answer = await call(TRANSFER_METHOD, bizContent);
      return answer.ok ? transferOutcomeOf(answer.member, request.outBizNo) : answer.outcome;
    },
    async query(outBizNo) {
      checkOutBizNo(outBizNo);
      const answer = await call(QUERY_METHOD, { out_biz_no: outBizNo, product_code: PRODUCT_CODE, biz_scene: BIZ_SCENE });
      return answer.ok ? queryOutcomeOf(answer.member, outBizNo) : answer.outcome;
    },
    async bill(day) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new TypeError('day must be YYYY-MM-DD');
      const answer = await call(BILL_METHOD, { bill_type: BILL_TYPE, bill_date: day });
      if (!answer.ok) throw new Error(`the bill of ${day} is not available: ${answer.outcome.reason}`);
      const link = answer.member.bill_download_url;
      if (answer.member.code !== CODE_SUCCESS || typeof link !== 'string') throw new Error(`the gateway gave no bill for ${day}: ${String(answer.member.sub_msg ?? answer.member.msg)}`);
      const res = await fetch(link, { signal: AbortSignal.timeout(options.timeoutMs) });
      if (!res.ok) throw new Error(`the bill of ${day} answered ${res.status}`);
      const text = await res.text();
      if (text.length > MAX_BILL_BYTES) throw new Error(`the bill of ${day} is over ${MAX_BILL_BYTES} bytes`);
      return parseBill(text);
    },
  };
}

function parseBill(csv: string): GatewayBillRecord[] {
  const [header, ...lines] = csv.trim().split('\n');
  if (header !== BILL_COLUMNS.join(',')) throw new Error(`unexpected bill columns: ${header}`);
  return lines.map((line) => {
    const [outBizNo, orderId, transAmount, status, transDate] = line.split(',');
    const amountFen = fenOfTransAmount(transAmount);
    if ((status !== 'SUCCESS' && status !== 'FAIL') || amountFen === null || !outBizNo || !orderId || !transDate) throw new Error(`unexpected bill line: ${line}`);
    return { outBizNo, orderId, amountFen, status, transDate };
  });
}

function transferBizContent(request: TransferRequest): Record<string, unknown> {
  checkOutBizNo(request.outBizNo);
  const transAmount = transAmountOf(request.amountFen);
  if (typeof request.payeeUserId !== 'string' || !ALIPAY_USER_ID.test(request.payeeUserId)) {
    throw new TypeError('payeeUserId must be an ALIPAY_USER_ID: 2088 followed by 12 digits');
  }
  if (typeof request.orderTitle !== 'string' || request.orderTitle.trim() === '' || [...request.orderTitle].length > MAX_ORDER_TITLE_CHARS) {
    throw new TypeError(`orderTitle must be 1..${MAX_ORDER_TITLE_CHARS} characters`);
  }
  return {
    out_biz_no: request.outBizNo,
    trans_amount: transAmount,
    product_code: PRODUCT_CODE,
    biz_scene: BIZ_SCENE,
    payee_info: { identity: request.payeeUserId, identity_type: IDENTITY_TYPE },
    order_title: request.orderTitle,
  };
}

function checkOutBizNo(outBizNo: unknown): void {
  if (typeof outBizNo !== 'string' || !OUT_BIZ_NO.test(outBizNo)) throw new TypeError('outBizNo must be 1..64 letters, digits, "-" or "_"');
}

function gatewayUrlFrom(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`gatewayUrl is not a URL: ${text}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('gatewayUrl must be http(s)');
  return url.toString();
}
