/**
 * The issuer-verification protocol: what the national platform for fiscal e-bills asks and answers
 * (票据代码 8 digits, 票据号码 10 digits, 校验码 6 characters, 开票日期, 金额合计), as commercial
 * verification services offer it over HTTPS with JSON. Some regions answer with three fields only
 * (code, number, total), some without line items: every field of a found bill but its key is optional.
 * Answers are schema-checked; anything else is an unknown answer, never a verdict.
 */
import Type from 'typebox';
import { Compile } from 'typebox/compile';

export const VERIFY_PATH = '/v1/bills/verify';

export const BILL_CODE = /^\d{8}$/;
export const BILL_NUMBER = /^\d{10}$/;
export const CHECK_CODE = /^[0-9A-Za-z]{6}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT = /^\d{1,9}\.\d{2}$/;

/** One bill's question: every field as the platform requires it. */
export interface VerifyRequest {
  billCode: string;
  billNumber: string;
  checkCode: string;
  /** YYYY-MM-DD. */
  issueDate: string;
  totalFen: number;
}

/** What the issuer's record says; absent fields are fields the region does not answer with. */
export interface IssuedBill {
  billCode: string;
  billNumber: string;
  checkCode?: string;
  issueDate?: string;
  totalFen?: number;
  payerName?: string;
  items?: { name: string; amountFen: number }[];
}

/**
 * `found`: the issuer's record; `not_found`: the issuer has no such bill; `unavailable`: no verdict
 * (the service down or slow, an answer we cannot read, the platform's daily limit for the bill).
 */
export type VerifyAnswer =
  | { kind: 'found'; bill: IssuedBill }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: UnavailableReason; detail: string };

export const UNAVAILABLE_REASONS = ['outage', 'timeout', 'busy', 'invalid_answer', 'daily_limit'] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

/** The adapter: asks once, never throws for the service's faults (they are `unavailable`). */
export interface InvoiceVerifier {
  verify(request: VerifyRequest): Promise<VerifyAnswer>;
}

/** Null when the request is one the platform accepts, else what is wrong with it. */
export function requestProblem(r: VerifyRequest): string | null {
  if (!BILL_CODE.test(r.billCode)) return 'billCode must be the 8 digits of 票据代码';
  if (!BILL_NUMBER.test(r.billNumber)) return 'billNumber must be the 10 digits of 票据号码';
  if (!CHECK_CODE.test(r.checkCode)) return 'checkCode must be the 6 characters of 校验码';
  if (!DATE.test(r.issueDate)) return 'issueDate must be YYYY-MM-DD';
  if (!Number.isSafeInteger(r.totalFen) || r.totalFen < 0) return 'totalFen must be whole fen, not negative';
  return null;
}

/** fen → the wire's "123.45". */
export const amountOf = (fen: number): string => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
/** The wire's "123.45" → fen. */
export const fenOf = (amount: string): number => Number(amount.replace('.', ''));

export const WireRequestSchema = Type.Object(
  {
    billCode: Type.String({ pattern: BILL_CODE.source }),
    billNumber: Type.String({ pattern: BILL_NUMBER.source }),
    checkCode: Type.String({ pattern: CHECK_CODE.source }),
    issueDate: Type.String({ pattern: DATE.source }),
    totalAmount: Type.String({ pattern: AMOUNT.source }),
  },
  { additionalProperties: false },
);
export type WireRequest = Type.Static<typeof WireRequestSchema>;

const WireBillSchema = Type.Object({
  billCode: Type.String({ pattern: BILL_CODE.source }),
  billNumber: Type.String({ pattern: BILL_NUMBER.source }),
  checkCode: Type.Optional(Type.String({ pattern: CHECK_CODE.source })),
  issueDate: Type.Optional(Type.String({ pattern: DATE.source })),
  totalAmount: Type.Optional(Type.String({ pattern: AMOUNT.source })),
  payerName: Type.Optional(Type.String({ maxLength: 64 })),
  items: Type.Optional(Type.Array(Type.Object({ name: Type.String({ maxLength: 64 }), amount: Type.String({ pattern: AMOUNT.source }) }), { maxItems: 200 })),
});

export const WireAnswerSchema = Type.Union([
  Type.Object({ result: Type.Literal('found'), bill: WireBillSchema }),
  Type.Object({ result: Type.Literal('not_found') }),
  Type.Object({ result: Type.Literal('busy'), message: Type.Optional(Type.String({ maxLength: 500 })) }),
  Type.Object({ result: Type.Literal('limit_exceeded') }),
]);
export type WireAnswer = Type.Static<typeof WireAnswerSchema>;

const answerChecker = Compile(WireAnswerSchema);
const requestChecker = Compile(WireRequestSchema);

export const wireRequestOf = (r: VerifyRequest): WireRequest => ({ billCode: r.billCode, billNumber: r.billNumber, checkCode: r.checkCode, issueDate: r.issueDate, totalAmount: amountOf(r.totalFen) });
export const isWireRequest = (body: unknown): body is WireRequest => requestChecker.Check(body);

/** The wire's answer as a verdict; an answer outside the schema is `invalid_answer`. */
export function answerOf(body: unknown): VerifyAnswer {
  if (!answerChecker.Check(body)) {
    const first = [...answerChecker.Errors(body)][0];
    return { kind: 'unavailable', reason: 'invalid_answer', detail: `the answer does not match the schema: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim() };
  }
  const a = body as WireAnswer;
  switch (a.result) {
    case 'not_found':
      return { kind: 'not_found' };
    case 'busy':
      return { kind: 'unavailable', reason: 'busy', detail: a.message ?? 'the service is busy' };
    case 'limit_exceeded':
      return { kind: 'unavailable', reason: 'daily_limit', detail: "the platform's daily limit of checks for this bill is reached" };
    case 'found': {
      const { totalAmount, items, ...rest } = a.bill;
      return {
        kind: 'found',
        bill: { ...rest, ...(totalAmount === undefined ? {} : { totalFen: fenOf(totalAmount) }), ...(items === undefined ? {} : { items: items.map((i) => ({ name: i.name, amountFen: fenOf(i.amount) })) }) },
      };
    }
  }
}

/** A found bill on the wire (the sandbox answers with it). */
export function wireBillOf(bill: IssuedBill): WireAnswer {
  const { totalFen, items, ...rest } = bill;
  return {
    result: 'found',
    bill: { ...rest, ...(totalFen === undefined ? {} : { totalAmount: amountOf(totalFen) }), ...(items === undefined ? {} : { items: items.map((i) => ({ name: i.name, amount: amountOf(i.amountFen) })) }) },
  };
}
