/**
 * The sandbox wallet gateway: an HTTP server that speaks the platform's v2 protocol for the two
 * fund-transfer methods, for real (form-encoded RSA2-signed requests, verified; JSON answers signed
 * RSA2), keeps wallet balances in memory, and injects the faults payouts must survive. Development
 * (`npm start`) and the tests run it in-process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes, type KeyObject } from 'node:crypto';
import { publicKeyFrom, verifyRsa2 } from '../shared/rsa2.ts';
import { fenOfTransAmount } from './amount.ts';
import { rsaPrivateKeyFrom } from './keys.ts';
import {
  BILL_COLUMNS,
  BILL_METHOD,
  BILL_TYPE,
  BIZ_SCENE,
  CODE_BUSINESS_FAILED,
  CODE_INVALID_ARGUMENT,
  CODE_MISSING_ARGUMENT,
  CODE_SUCCESS,
  CODE_UNAVAILABLE,
  IDENTITY_TYPE,
  MAX_ORDER_TITLE_CHARS,
  OUT_BIZ_NO,
  PRODUCT_CODE,
  QUERY_METHOD,
  SUB_INVALID_SIGNATURE,
  SUB_ORDER_NOT_EXIST,
  SUB_SYSTEM_ERROR,
  SUB_UNKNOWN_ERROR,
  TRANSFER_METHOD,
  responseKeyOf,
} from './protocol.ts';
import { SandboxBook, type SandboxRecord, type TransferOrder } from './sandbox-book.ts';
import { checkedFaults, drawLatencyMs, drawQueryFault, drawTransferFault, type SandboxFaults } from './sandbox-faults.ts';
import { signedResponseText } from './signed-response.ts';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox moves play money but still only listens locally unless told. */
  host?: string;
  appId: string;
  /** Verifies requests: the public half of the client's appPrivateKeyPem. */
  appPublicKeyPem: string;
  /** Signs answers: the private half of the client's gatewayPublicKeyPem. */
  gatewayPrivateKeyPem: string;
  faults?: SandboxFaults;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** Any 2088… 16-digit user id is a payee (default true); otherwise only `payees`. */
  acceptAnyPayee?: boolean;
  payees?: Iterable<string>;
  /** Default 1 fen (the platform's minimum is 10: set 10 to rehearse EXCEED_LIMIT_SM_MIN_AMOUNT). */
  minTransferFen?: number;
  /** Default 5,000,000 fen (50,000 yuan, the platform's limit per transfer to a person). */
  maxTransferFen?: number;
  /** Explicit limit on records kept; new transfers beyond it are answered 20000. Default 100,000. */
  maxRecords?: number;
  /** Explicit limit on a request body; default 64 KiB. */
  maxBodyBytes?: number;
  now?: () => Date;
}

export interface SandboxGateway {
  /** The gateway URL for WalletGatewayOptions.gatewayUrl: http://host:port/gateway.do */
  url: string;
  close(): Promise<void>;
  setFaults(faults: SandboxFaults): void;
  /** Balance in fen of a payee's wallet. */
  wallet(userId: string): number;
  records(): SandboxRecord[];
  record(outBizNo: string): SandboxRecord | undefined;
}

export const GATEWAY_PATH = '/gateway.do';
const BILL_PATH = '/bills/';
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_MAX_RECORDS = 100_000;

type Member = Record<string, unknown>;

const failed = (subCode: string, subMsg: string): Member => ({ code: CODE_BUSINESS_FAILED, msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg });
const invalid = (subCode: string, subMsg: string): Member => ({ code: CODE_INVALID_ARGUMENT, msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg });
const missing = (subCode: string, subMsg: string): Member => ({ code: CODE_MISSING_ARGUMENT, msg: 'Missing Required Arguments', sub_code: subCode, sub_msg: subMsg });
const SYSTEM_ERROR = failed(SUB_SYSTEM_ERROR, '系统繁忙');
const UNAVAILABLE: Member = { code: CODE_UNAVAILABLE, msg: 'Service Currently Unavailable', sub_code: SUB_UNKNOWN_ERROR, sub_msg: '系统繁忙' };
/** The sandbox's own sub code for a reused out_biz_no; the client must not read it as a definite failure. */
const SUB_OUT_BIZ_NO_REUSED = 'OUT_BIZ_NO_REUSED';

class BadRequest extends Error {
  constructor(readonly member: Member) {
    super(String(member.sub_msg));
  }
}

export async function startSandboxGateway(options: SandboxOptions): Promise<SandboxGateway> {
  const appKey: KeyObject = publicKeyFrom(options.appPublicKeyPem);
  const gatewayKey: KeyObject = rsaPrivateKeyFrom(options.gatewayPrivateKeyPem);
  const random = options.random ?? Math.random;
  const maxBodyBytes = positiveInteger(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
  let faults = checkedFaults(options.faults);
  const book = new SandboxBook({
    acceptAnyPayee: options.acceptAnyPayee ?? true,
    payees: options.payees ?? [],
    minTransferFen: positiveInteger(options.minTransferFen ?? 1, 'minTransferFen'),
    maxTransferFen: positiveInteger(options.maxTransferFen ?? 5_000_000, 'maxTransferFen'),
    maxRecords: positiveInteger(options.maxRecords ?? DEFAULT_MAX_RECORDS, 'maxRecords'),
    now: options.now ?? (() => new Date()),
  });
  // Aborted by close(): latency waits and held answers end instead of outliving the server.
  const closing = new AbortController();

  function answer(res: http.ServerResponse, method: string, member: Member): void {
    const body = signedResponseText(responseKeyOf(method), member, gatewayKey);
    res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (req.method === 'GET' && url.pathname.startsWith(BILL_PATH)) return serveBill(res, url);
    if (req.method !== 'POST' || url.pathname !== GATEWAY_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === null) {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('request body too large');
      return;
    }
    const fields = requestFields(url, req.headers['content-type'], body);
    const method = fields?.method;
    if (fields === null || method === undefined) {
      const member = fields === null ? invalid('isv.invalid-parameter', '重复或无法解析的参数') : missing('isv.missing-method', '缺少方法名参数');
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify({ error_response: member }));
      return;
    }
    if (method !== TRANSFER_METHOD && method !== QUERY_METHOD && method !== BILL_METHOD) {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify({ error_response: invalid('isv.invalid-method', `不存在的方法名 ${method}`) }));
      return;
    }
    const refusal = commonParamsProblem(fields, options.appId, appKey);
    if (refusal) return answer(res, method, refusal);
    let biz: Member;
    try {
      biz = bizContentOf(fields.biz_content);
    } catch (err) {
      if (err instanceof BadRequest) return answer(res, method, err.member);
      throw err;
    }
    await sleep(drawLatencyMs(faults, random), undefined, { signal: closing.signal });
    if (method === QUERY_METHOD) return handleQuery(res, biz);
    if (method === BILL_METHOD) return handleBill(req, res, biz);
    return handleTransfer(req, res, biz);
  }

  function handleQuery(res: http.ServerResponse, biz: Member): void {
    if (drawQueryFault(faults, random)) return answer(res, QUERY_METHOD, UNAVAILABLE);
    const outBizNo = biz.out_biz_no;
    if (typeof outBizNo !== 'string' || !OUT_BIZ_NO.test(outBizNo) || biz.product_code !== PRODUCT_CODE || biz.biz_scene !== BIZ_SCENE) {
      return answer(res, QUERY_METHOD, failed('INVALID_PARAMETER', '参数有误：out_biz_no、product_code、biz_scene'));
    }
    const record = book.find(outBizNo);
    if (!record) return answer(res, QUERY_METHOD, failed(SUB_ORDER_NOT_EXIST, '转账订单不存在'));
    const common = { code: CODE_SUCCESS, msg: 'Success', order_id: record.orderId, out_biz_no: record.outBizNo, trans_amount: record.transAmount };
    if (record.status === 'SUCCESS') {
      return answer(res, QUERY_METHOD, { ...common, pay_fund_order_id: record.payFundOrderId, status: 'SUCCESS', pay_date: record.transDate });
    }
    answer(res, QUERY_METHOD, { ...common, status: 'FAIL', error_code: record.failCode, fail_reason: failureMessage(record.failCode) });
  }

  // The bill of one Shanghai day, behind an unguessable link as the platform's (which also expires).
  const billToken = randomBytes(16).toString('hex');

  function handleBill(req: http.IncomingMessage, res: http.ServerResponse, biz: Member): void {
    const day = biz.bill_date;
    if (biz.bill_type !== BILL_TYPE || typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      return answer(res, BILL_METHOD, failed('INVALID_PARAMETER', '参数有误：bill_type、bill_date'));
    }
    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    answer(res, BILL_METHOD, { code: CODE_SUCCESS, msg: 'Success', bill_download_url: `${base}${BILL_PATH}${day}.csv?token=${billToken}` });
  }

  function serveBill(res: http.ServerResponse, url: URL): void {
    const day = url.pathname.slice(BILL_PATH.length).replace(/\.csv$/, '');
    if (url.searchParams.get('token') !== billToken || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const lines = book
      .records()
      .filter((r) => r.transDate.startsWith(day))
      .map((r) => [r.outBizNo, r.orderId, r.transAmount, r.status, r.transDate].join(','));
    res.writeHead(200, { 'content-type': 'text/csv;charset=utf-8' }).end([BILL_COLUMNS.join(','), ...lines].join('\n') + '\n');
  }

  async function handleTransfer(req: http.IncomingMessage, res: http.ServerResponse, biz: Member): Promise<void> {
    const fault = drawTransferFault(faults, random);
    const order = transferOrderOf(biz);
    if (typeof order === 'string') return answer(res, TRANSFER_METHOD, failed('INVALID_PARAMETER', order));
    const fresh = book.find(order.outBizNo) === undefined;
    const forced = fresh ? faults.forcedOutcomes?.[order.payeeUserId] : undefined;
    if (fault === 'http5xx') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>503 Service Temporarily Unavailable</body></html>');
      return;
    }
    if (fault === 'systemErrorBeforeApply' || forced === SUB_SYSTEM_ERROR) return answer(res, TRANSFER_METHOD, SYSTEM_ERROR);
    // A definite refusal is only ever given to a new order: an order that exists keeps its result.
    const refusal = forced ?? (fault === 'definiteFailure' && fresh ? 'PAYEE_USER_INFO_ERROR' : null);
    const applied = book.transfer(order, refusal);
    if (fault === 'systemErrorAfterApply') return answer(res, TRANSFER_METHOD, SYSTEM_ERROR);
    if (fault === 'dropConnectionAfterApply') {
      req.socket.destroy();
      return;
    }
    let member: Member;
    if (applied.kind === 'full') member = UNAVAILABLE;
    else if (applied.kind === 'conflict') member = failed(SUB_OUT_BIZ_NO_REUSED, 'out_biz_no 已用于另一笔转账（金额或收款方不同）');
    else if (applied.record.status === 'FAIL') member = failed(applied.record.failCode ?? 'FAIL', failureMessage(applied.record.failCode));
    else {
      const r = applied.record;
      member = { code: CODE_SUCCESS, msg: 'Success', out_biz_no: r.outBizNo, order_id: r.orderId, pay_fund_order_id: r.payFundOrderId, status: 'SUCCESS', trans_date: r.transDate };
    }
    if (fault === 'timeoutAfterApply') {
      // Held past the client's timeout; the client gives up and closes, which ends the wait early.
      if (req.socket.destroyed) return;
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      await sleep(faults.holdMs, undefined, { signal: AbortSignal.any([closing.signal, gone.signal]) });
    }
    answer(res, TRANSFER_METHOD, member);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (isAbort(err) || res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`sandbox error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}${GATEWAY_PATH}`,
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    setFaults(next) {
      faults = checkedFaults(next);
    },
    wallet: (userId) => book.wallet(userId),
    records: () => book.records(),
    record(outBizNo) {
      const record = book.find(outBizNo);
      return record ? { ...record } : undefined;
    },
  };
}

/** The body, or null once it passes the limit (the rest is not read). */
async function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * alipay-sdk sends the common parameters (app_id, method, sign, timestamp, ...) in the query string and
 * biz_content in the form body; both count. A name given twice is refused (null): which value was signed?
 */
function requestFields(url: URL, contentType: string | undefined, body: string): Record<string, string> | null {
  const fields: Record<string, string> = {};
  const sources = [url.searchParams];
  if (body !== '') {
    if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return null;
    sources.push(new URLSearchParams(body));
  }
  for (const source of sources) {
    for (const [name, value] of source) {
      if (Object.hasOwn(fields, name)) return null;
      fields[name] = value;
    }
  }
  return fields;
}

function commonParamsProblem(fields: Record<string, string>, appId: string, appKey: KeyObject): Member | null {
  if (fields.app_id !== appId) return invalid('isv.invalid-app-id', `无效的AppID参数 ${fields.app_id ?? ''}`);
  if (!fields.sign) return missing('isv.missing-signature', '缺少签名参数');
  if (fields.sign_type !== 'RSA2') return invalid('isv.invalid-signature-type', '无效的签名类型');
  if (fields.charset !== undefined && fields.charset.toLowerCase() !== 'utf-8') return invalid('isv.invalid-charset', '字符集错误');
  if (!fields.timestamp) return missing('isv.missing-timestamp', '缺少时间戳参数');
  // Requests are signed with sign_type along (notifications are not).
  if (!verifyRsa2(fields, appKey, { withSignType: true })) return invalid(SUB_INVALID_SIGNATURE, '验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配');
  return null;
}

function bizContentOf(text: string | undefined): Member {
  if (text === undefined) throw new BadRequest(missing('isv.missing-biz-content', '缺少业务参数 biz_content'));
  let biz: unknown;
  try {
    biz = JSON.parse(text);
  } catch {
    throw new BadRequest(invalid('isv.invalid-biz-content', 'biz_content 不是 JSON'));
  }
  if (typeof biz !== 'object' || biz === null || Array.isArray(biz)) throw new BadRequest(invalid('isv.invalid-biz-content', 'biz_content 不是 JSON 对象'));
  return biz as Member;
}

/** The order a transfer asks for, or what is wrong with it. */
function transferOrderOf(biz: Member): TransferOrder | string {
  const payee = typeof biz.payee_info === 'object' && biz.payee_info !== null ? (biz.payee_info as Member) : {};
  const amountFen = fenOfTransAmount(biz.trans_amount);
  if (typeof biz.out_biz_no !== 'string' || !OUT_BIZ_NO.test(biz.out_biz_no)) return 'out_biz_no 有误';
  if (amountFen === null || amountFen < 1) return 'trans_amount 须为两位小数的元金额';
  if (biz.product_code !== PRODUCT_CODE || biz.biz_scene !== BIZ_SCENE) return `product_code 须为 ${PRODUCT_CODE}，biz_scene 须为 ${BIZ_SCENE}`;
  if (typeof payee.identity !== 'string' || payee.identity_type !== IDENTITY_TYPE) return `payee_info 须有 identity 与 identity_type ${IDENTITY_TYPE}`;
  if (typeof biz.order_title !== 'string' || biz.order_title === '' || [...biz.order_title].length > MAX_ORDER_TITLE_CHARS) return 'order_title 有误';
  // An identity of the wrong shape is an unknown payee (PAYEE_NOT_EXIST, from the book), not a malformed request.
  return { outBizNo: biz.out_biz_no, amountFen, transAmount: biz.trans_amount as string, payeeUserId: payee.identity, orderTitle: biz.order_title };
}

const FAILURE_MESSAGES: Partial<Record<string, string>> = {
  PAYEE_NOT_EXIST: '收款账号不存在',
  PAYEE_USER_INFO_ERROR: '收款方用户信息不匹配',
  PAYEE_ACCOUNT_STATUS_ERROR: '收款方账户状态异常',
  PAYER_BALANCE_NOT_ENOUGH: '付款方余额不足',
  EXCEED_LIMIT_SM_MIN_AMOUNT: '单笔最低转账金额0.1元',
  EXCEED_LIMIT_SM_AMOUNT: '单笔额度超限',
};

function failureMessage(code: string | null): string {
  return (code && FAILURE_MESSAGES[code]) ?? '转账失败';
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number, not ${value}`);
  return value;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
