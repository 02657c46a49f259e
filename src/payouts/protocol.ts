/**
 * The platform's fund-transfer vocabulary, shared by the client (gateway.ts) and the sandbox so both
 * ends speak the same names. Codes follow the v2 ("gateway.do") API: `code` 10000 success, 20000
 * service unavailable, 4000x refused, with the business reason in `sub_code`.
 */

export const TRANSFER_METHOD = 'alipay.fund.trans.uni.transfer';
export const QUERY_METHOD = 'alipay.fund.trans.common.query';
/** The daily bill: a download URL for one day's records (the platform's is a zipped GBK CSV; the sandbox serves plain UTF-8 CSV). */
export const BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query';
export const BILL_TYPE = 'signcustomer';
/** Columns of the sandbox's bill, in order. */
export const BILL_COLUMNS = ['out_biz_no', 'order_id', 'trans_amount', 'status', 'trans_date'] as const;
export const PRODUCT_CODE = 'TRANS_ACCOUNT_NO_PWD';
export const BIZ_SCENE = 'DIRECT_TRANSFER';
export const IDENTITY_TYPE = 'ALIPAY_USER_ID';

export const CODE_SUCCESS = '10000';
export const CODE_UNAVAILABLE = '20000';
export const CODE_MISSING_ARGUMENT = '40001';
export const CODE_INVALID_ARGUMENT = '40002';
export const CODE_BUSINESS_FAILED = '40004';

export const SUB_SYSTEM_ERROR = 'SYSTEM_ERROR';
export const SUB_UNKNOWN_ERROR = 'isp.unknow-error'; // sic: the platform's spelling
export const SUB_INVALID_SIGNATURE = 'isv.invalid-signature';
export const SUB_ORDER_NOT_EXIST = 'ORDER_NOT_EXIST';

/**
 * `40004` sub codes that mean "refused, nothing moved", so the reservation may be voided. An explicit
 * list on purpose: a sub code not on it (SYSTEM_ERROR, a new code, a code for a reused out_biz_no whose
 * first request may have paid) is an unknown outcome and is resolved by querying, never by voiding.
 */
export const DEFINITE_TRANSFER_FAILURES = [
  'PAYEE_NOT_EXIST',
  'PAYEE_USER_INFO_ERROR',
  'PAYEE_ACCOUNT_STATUS_ERROR',
  'PAYEE_ACC_OCUPIED', // sic
  'PAYEE_CERT_INFO_ERROR',
  'PAYEE_NOT_RELNAME_CERTIFY',
  'PAYEE_TRUSTEESHIP_ACC_OVER_LIMIT',
  'NO_ACCOUNT_RECEIVE_PERMISSION',
  'PAYER_BALANCE_NOT_ENOUGH',
  'PAYER_STATUS_ERROR',
  'PAYER_USER_INFO_ERROR',
  'PAYER_PAYEE_CANNOT_SAME',
  'PERMIT_CHECK_PERM_IDENTITY_THEFT',
  'EXCEED_LIMIT_SM_AMOUNT',
  'EXCEED_LIMIT_SM_MIN_AMOUNT',
  'EXCEED_LIMIT_DM_AMOUNT',
  'EXCEED_LIMIT_MM_AMOUNT',
  'EXCEED_LIMIT_PERSONAL_SM_AMOUNT',
  'EXCEED_LIMIT_ENT_SM_AMOUNT',
  'EXCEED_LIMIT_UNRN_DM_AMOUNT',
] as const;
export type DefiniteTransferFailure = (typeof DEFINITE_TRANSFER_FAILURES)[number];

const DEFINITE = new Set<string>(DEFINITE_TRANSFER_FAILURES);
export function isDefiniteTransferFailure(code: string, subCode: string): boolean {
  return code === CODE_BUSINESS_FAILED && DEFINITE.has(subCode);
}

/** out_biz_no: the platform allows up to 64 letters, digits, '-' and '_'. */
export const OUT_BIZ_NO = /^[A-Za-z0-9_-]{1,64}$/;
/** An ALIPAY_USER_ID: 16 digits starting 2088. */
export const ALIPAY_USER_ID = /^2088\d{12}$/;
export const MAX_ORDER_TITLE_CHARS = 128;

/** `alipay.fund.trans.uni.transfer` → `alipay_fund_trans_uni_transfer_response`, the signed member's key. */
export function responseKeyOf(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}
