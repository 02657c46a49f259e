import Type from 'typebox';
import type { HospitalRegistry } from '../recognition/index.ts';
import { appealDeadline } from './appeal-rules.ts';
import type { Appeal } from './appeal-store.ts';
import { CLAIM_STATUSES, MAX_CLAIMS_PAGE, type Claim, type ClaimEvent, type ClaimStatus } from './store.ts';

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

const fen = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description });

/** The benefit's arithmetic (DESIGN.md §1): amount = min(covered, cap, credit on the visit day, credit now). */
const ArithmeticSchema = Type.Object({
  totalFen: fen("The invoice's total"),
  fundsPaidFen: fen('What the pooling fund and every other fund paid; null when the split was not read'),
  patientPaidFen: fen('What the patient paid: the total less the funds'),
  coveredFen: fen('Covered charges: the covered items, never more than the patient paid'),
  capFen: fen('The most one claim pays'),
  creditAtVisitFen: fen('Credit available at the end of the visit day'),
  creditNowFen: fen('Credit available when the claim was judged'),
  amountFen: fen('What the claim pays; null for a refused claim'),
  decidingLimit: Type.Union([Type.Literal('covered'), Type.Literal('cap'), Type.Literal('balance_at_visit'), Type.Literal('balance_now'), Type.Literal('reviewer'), Type.Null()], {
    description: 'Which bound gave the amount (reviewer: a reviewer approved less); null for a refused claim',
  }),
});

const FileSchema = Type.Object({ sha256: Type.String(), mediaType: Type.String(), sizeBytes: Type.Integer(), role: Type.String() });
const dateOrNull = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** The claim's one appeal (claim_appeals): who refused and who decided are shown to staff only. */
const AppealSchema = Type.Object({
  appealedAt: Type.String({ format: 'date-time' }),
  message: Type.String({ description: "The merchant's words" }),
  previousFiles: Type.Array(FileSchema, { description: 'The files the claim had when it was refused; the appeal\'s photos are the claim\'s files now' }),
  refusedReasonCodes: Type.Array(Type.String()),
  outcome: Type.Union([Type.Literal('approved'), Type.Literal('rejected'), Type.Null()], { description: 'null while a reviewer has not decided' }),
  decidedAt: dateOrNull,
  messageToMerchant: Type.Union([Type.String(), Type.Null()], { description: "The deciding reviewer's reason, as the merchant is told it" }),
  refusedBy: Type.Optional(Type.String({ description: 'Staff only: who refused the claim (machine or a member of staff); they cannot decide the appeal' })),
  decidedBy: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Staff only' })),
});

export const ClaimSchema = Type.Object({
  object: Type.Literal('claim'),
  id: Type.String({ format: 'uuid' }),
  merchantId: Type.String(),
  status: Status,
  submittedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  files: Type.Array(FileSchema),
  invoice: Type.Object({
    code: Type.Union([Type.String(), Type.Null()]),
    number: Type.Union([Type.String(), Type.Null()]),
    visitDate: Type.Union([Type.String(), Type.Null()]),
    hospitalId: Type.Union([Type.String(), Type.Null()]),
    hospitalName: Type.Union([Type.String(), Type.Null()], { description: "The registry's name of the hospital (null when none was read or the registry has no such id)" }),
  }),
  decision: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('review'), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  reasonCodes: Type.Array(Type.String()),
  coveredFen: Type.Union([Type.Integer(), Type.Null()]),
  benefitFen: Type.Union([Type.Integer(), Type.Null()]),
  paidFen: Type.Union([Type.Integer(), Type.Null()]),
  arithmetic: Type.Union([ArithmeticSchema, Type.Null()], { description: 'How the amount follows from the bill and the credit; null before the claim was judged' }),
  findings: Type.Unknown({ description: 'Each check: code, outcome, ground, zh, en, evidence' }),
  timeline: Type.Optional(Type.Array(EventSchema)),
  appeal: Type.Optional(Type.Union([AppealSchema, Type.Null()], { description: "The claim's appeal; null when it has none (given with the timeline)" })),
  appealUntil: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Until when the refusal can be appealed (POST /v1/claims/{id}/appeal); null when it cannot' })),
});

export const ClaimListSchema = Type.Object({ object: Type.Literal('list'), data: Type.Array(ClaimSchema), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ReviewDecisionSchema = Type.Object(
  {
    action: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('request_photo')]),
    amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'approve: a corrected amount, never above what the rules allow' })),
    reasonCode: Type.String({ pattern: '^[a-z][a-z0-9_]{2,63}$', description: 'Why, as a stable code (e.g. not_covered, wrong_patient, photo_unreadable)' }),
    note: Type.Optional(Type.String({ maxLength: 500, description: 'Internal: kept in the audit log, never shown to the merchant' })),
    messageToMerchant: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Shown to the merchant in the claim timeline' })),
    invoiceCode: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{1,20}$', description: 'approve: the 票据代码 as printed, where the machine did not read it' })),
    invoiceNumber: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z]{1,20}$', description: 'approve: the 票据号码 as printed, where the machine did not read it' })),
    visitDate: Type.Optional(Type.String({ format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'approve: the 开票日期 as printed (YYYY-MM-DD)' })),
    hospitalId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', description: 'approve: the issuing hospital, a registry id' })),
    coveredFen: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'approve: covered charges in fen, less what any fund paid' })),
  },
  { additionalProperties: false },
);

const BENEFIT_CODES = new Set(['benefit_computed', 'nothing_to_reimburse', 'no_credit']);
/** Timeline details that name staff or carry their internal notes (rows written before notes were kept apart). */
const INTERNAL_DETAILS = new Set(['note', 'decidedBy']);

/**
 * A refused claim pays nothing: no amount is shown beside it. Nor, to its merchant, beside one whose
 * appeal is not decided yet; its reviewer sees the amount the rules allow for the appeal's photos.
 */
const APPEAL_UNDECIDED: ReadonlySet<ClaimStatus> = new Set(['appealed', 'appeal_review']);
const showsNoAmount = (claim: Claim, forMerchant: boolean): boolean => claim.status === 'rejected' || (forMerchant && APPEAL_UNDECIDED.has(claim.status));

const numberOr = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The arithmetic from the benefit finding; a refused claim shows no amount. */
function arithmeticOf(claim: Claim, forMerchant: boolean) {
  const findings = Array.isArray(claim.findings) ? (claim.findings as { code?: string; evidence?: Record<string, unknown> }[]) : [];
  const e = findings.find((f) => f.code !== undefined && BENEFIT_CODES.has(f.code))?.evidence;
  if (!e) return null;
  const refused = showsNoAmount(claim, forMerchant);
  const amountFen = refused ? null : (claim.paidFen ?? claim.benefitFen);
  const ruled = numberOr(e.benefitFen);
  const limit = e.limitedBy as 'covered' | 'cap' | 'balance_at_visit' | 'balance_now';
  return {
    totalFen: numberOr(e.totalFen),
    fundsPaidFen: numberOr(e.fundsPaidFen),
    patientPaidFen: numberOr(e.patientPaidFen),
    coveredFen: claim.coveredFen ?? numberOr(e.coveredFen),
    capFen: numberOr(e.capFen),
    creditAtVisitFen: numberOr(e.balanceAtVisitFen),
    creditNowFen: numberOr(e.balanceNowFen),
    amountFen,
    decidingLimit: amountFen === null ? null : ruled !== null && amountFen < ruled ? ('reviewer' as const) : limit,
  };
}

/**
 * `forMerchant`: the merchant's view — who decided is 'machine' or 'reviewer', never a member of
 * staff, and no internal note reaches the timeline.
 */
export function claimJson(claim: Claim, timeline?: ClaimEvent[], options: { forMerchant?: boolean; hospitals?: Pick<HospitalRegistry, 'byId'>; appeal?: Appeal | null } = {}) {
  const decidedBy = options.forMerchant && claim.decidedBy !== null ? (claim.decidedBy === 'machine' ? 'machine' : 'reviewer') : claim.decidedBy;
  const details = (d: Record<string, unknown>) => (options.forMerchant ? Object.fromEntries(Object.entries(d).filter(([k]) => !INTERNAL_DETAILS.has(k))) : d);
  return {
    object: 'claim' as const,
    id: claim.claimId,
    merchantId: String(claim.merchantId),
    status: claim.status,
    submittedAt: claim.submittedAt.toISOString(),
    updatedAt: claim.updatedAt.toISOString(),
    files: claim.files,
    invoice: {
      code: claim.invoiceCode,
      number: claim.invoiceNumber,
      visitDate: claim.visitDate,
      hospitalId: claim.hospitalId,
      // people read hospitals by name: the id alone (H440085) says nothing to a reviewer or a merchant
      hospitalName: claim.hospitalId === null ? null : (options.hospitals?.byId(claim.hospitalId)?.name ?? null),
    },
    decision: claim.decision,
    decidedBy,
    reasonCodes: claim.reasonCodes,
    coveredFen: claim.coveredFen,
    // a refused claim pays nothing: no amount is shown beside it
    benefitFen: showsNoAmount(claim, options.forMerchant ?? false) ? null : claim.benefitFen,
    paidFen: claim.paidFen,
    arithmetic: arithmeticOf(claim, options.forMerchant ?? false),
    findings: claim.findings ?? [],
    ...(timeline ? { timeline: timeline.map((e) => ({ ...e, details: details(e.details), at: e.at.toISOString() })) } : {}),
    ...(options.appeal === undefined ? {} : appealJson(claim, options.appeal, options.forMerchant ?? false)),
  };
}

function appealJson(claim: Claim, appeal: Appeal | null, forMerchant: boolean) {
  const deadline = appeal === null ? appealDeadline(claim) : null;
  return {
    appealUntil: deadline?.toISOString() ?? null,
    appeal:
      appeal === null
        ? null
        : {
            appealedAt: appeal.appealedAt.toISOString(),
            message: appeal.message,
            previousFiles: appeal.previousFiles,
            refusedReasonCodes: appeal.refusedReasonCodes,
            outcome: appeal.outcome,
            decidedAt: appeal.decidedAt?.toISOString() ?? null,
            messageToMerchant: appeal.messageToMerchant,
            // a merchant is never told which member of staff refused or decided
            ...(forMerchant ? {} : { refusedBy: appeal.refusedBy, decidedBy: appeal.decidedBy }),
          },
  };
}
