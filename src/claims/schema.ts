import Type from 'typebox';
import { CLAIM_STATUSES, MAX_CLAIMS_PAGE, type Claim, type ClaimEvent } from './store.ts';

const Status = Type.Union(CLAIM_STATUSES.map((s) => Type.Literal(s)));

export const ClaimIdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Claim id' }) }, { additionalProperties: false });

export const ClaimFileParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
  { additionalProperties: false },
);

export const ClaimListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CLAIMS_PAGE, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })),
    status: Type.Optional(Status),
    merchantId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'Staff only: one merchant' })),
  },
  { additionalProperties: false },
);

const EventSchema = Type.Object({ at: Type.String({ format: 'date-time' }), status: Status, code: Type.String(), zh: Type.String(), en: Type.String(), details: Type.Unknown() });

export const ClaimSchema = Type.Object({
  object: Type.Literal('claim'),
  id: Type.String({ format: 'uuid' }),
  merchantId: Type.String(),
  status: Status,
  submittedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  files: Type.Array(Type.Object({ sha256: Type.String(), mediaType: Type.String(), sizeBytes: Type.Integer(), role: Type.String() })),
  invoice: Type.Object({
    code: Type.Union([Type.String(), Type.Null()]),
    number: Type.Union([Type.String(), Type.Null()]),
    visitDate: Type.Union([Type.String(), Type.Null()]),
    hospitalId: Type.Union([Type.String(), Type.Null()]),
  }),
  decision: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('review'), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  reasonCodes: Type.Array(Type.String()),
  coveredFen: Type.Union([Type.Integer(), Type.Null()]),
  benefitFen: Type.Union([Type.Integer(), Type.Null()]),
  paidFen: Type.Union([Type.Integer(), Type.Null()]),
  findings: Type.Unknown({ description: 'Each check: code, outcome, ground, zh, en, evidence' }),
  timeline: Type.Optional(Type.Array(EventSchema)),
});

export const ClaimListSchema = Type.Object({ object: Type.Literal('list'), data: Type.Array(ClaimSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ReviewDecisionSchema = Type.Object(
  {
    action: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('request_photo')]),
    amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'approve: a corrected amount, never above what the rules allow' })),
    reasonCode: Type.String({ pattern: '^[a-z][a-z0-9_]{2,63}$', description: 'Why, as a stable code (e.g. not_covered, wrong_patient, photo_unreadable)' }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    invoiceCode: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{1,20}$', description: 'approve: the 票据代码 as printed, where the machine did not read it' })),
    invoiceNumber: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{1,20}$', description: 'approve: the 票据号码 as printed, where the machine did not read it' })),
    visitDate: Type.Optional(Type.String({ format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'approve: the 开票日期 as printed (YYYY-MM-DD)' })),
    hospitalId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', description: 'approve: the issuing hospital, a registry id' })),
    coveredFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'approve: covered charges in fen, less what any fund paid' })),
  },
  { additionalProperties: false },
);

export function claimJson(claim: Claim, timeline?: ClaimEvent[]) {
  return {
    object: 'claim' as const,
    id: claim.claimId,
    merchantId: String(claim.merchantId),
    status: claim.status,
    submittedAt: claim.submittedAt.toISOString(),
    updatedAt: claim.updatedAt.toISOString(),
    files: claim.files,
    invoice: { code: claim.invoiceCode, number: claim.invoiceNumber, visitDate: claim.visitDate, hospitalId: claim.hospitalId },
    decision: claim.decision,
    decidedBy: claim.decidedBy,
    reasonCodes: claim.reasonCodes,
    coveredFen: claim.coveredFen,
    benefitFen: claim.benefitFen,
    paidFen: claim.paidFen,
    findings: claim.findings ?? [],
    ...(timeline ? { timeline: timeline.map((e) => ({ ...e, at: e.at.toISOString() })) } : {}),
  };
}
