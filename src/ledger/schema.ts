import Type from 'typebox';
import { MAX_AMOUNT_FEN, MAX_BATCH_TRANSFERS, MAX_REFERENCE_CHARS, MAX_TIMEOUT_S, TRANSFER_ERRORS, type TransferInput } from './types.ts';

const Uuid = Type.String({ format: 'uuid', description: 'UUID chosen by the client' });
const AccountId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const TransferInputSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Client-chosen UUID; the idempotency key of the transfer' }),
    phase: Type.Optional(Type.Union([Type.Literal('single'), Type.Literal('pending'), Type.Literal('post'), Type.Literal('void')], { default: 'single' })),
    debitAccountId: Type.Optional(AccountId),
    creditAccountId: Type.Optional(AccountId),
    amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AMOUNT_FEN, description: 'Positive amount in fen; for post, at most the pending amount (omit for all of it)' })),
    pendingId: Type.Optional(Type.String({ format: 'uuid', description: 'post/void: the pending transfer resolved' })),
    timeoutS: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TIMEOUT_S, description: 'pending: seconds until it can no longer be posted (0 = never)' })),
    code: Type.String({ pattern: '^[a-z][a-z_]{1,31}$', description: 'What the transfer is: accrual, collect, lapse, spend, expire, clawback, debt_repay ...' }),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_REFERENCE_CHARS, description: 'What caused it: payment trade number, claim id' })),
    linked: Type.Optional(Type.Boolean({ description: 'Succeeds or fails together with the next transfer of the batch' })),
  },
  { additionalProperties: false },
);

export const TransferBatchSchema = Type.Object(
  { transfers: Type.Array(TransferInputSchema, { minItems: 1, maxItems: MAX_BATCH_TRANSFERS }) },
  { additionalProperties: false },
);

export const TransferSchema = Type.Object(
  {
    id: Uuid,
    object: Type.Literal('transfer'),
    seq: Type.Integer(),
    debitAccountId: Type.Integer(),
    creditAccountId: Type.Integer(),
    amountFen: Type.Integer(),
    code: Type.String(),
    phase: Type.String(),
    pendingId: Type.Union([Uuid, Type.Null()]),
    timeoutS: Type.Integer(),
    merchantId: Type.Union([Type.String(), Type.Null()]),
    reference: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  {},
);

export const TransferResultSchema = Type.Object(
  {
    id: Type.String(),
    status: Type.Union([Type.Literal('created'), Type.Literal('exists'), Type.Literal('failed')]),
    error: Type.Optional(Type.Union(TRANSFER_ERRORS.map((e) => Type.Literal(e)))),
    transfer: Type.Optional(TransferSchema),
  },
  {},
);

export const BalanceSchema = Type.Object(
  {
    object: Type.Literal('balance'),
    merchantId: Type.String(),
    availableFen: Type.Integer({ description: 'Credit the merchant can spend now' }),
    reservedFen: Type.Integer({ description: 'Available credit held by claims in flight' }),
    pendingFen: Type.Integer({ description: 'Credit earned, waiting to be collected' }),
    debtFen: Type.Integer({ description: 'Clawed-back credit that later credits repay first' }),
  },
  {},
);

export const AccountSchema = Type.Object(
  {
    id: Type.Integer(),
    object: Type.Literal('account'),
    merchantId: Type.Union([Type.String(), Type.Null()]),
    kind: Type.String(),
    debitsPendingFen: Type.Integer(),
    debitsPostedFen: Type.Integer(),
    creditsPendingFen: Type.Integer(),
    creditsPostedFen: Type.Integer(),
    debitsMustNotExceedCredits: Type.Boolean(),
    creditsMustNotExceedDebits: Type.Boolean(),
  },
  {},
);

export type TransferBody = Type.Static<typeof TransferInputSchema>;

/** The combinations the flat schema cannot express; null when the body is a well-formed transfer. */
export function transferBodyProblem(body: TransferBody): { field: string; message: string } | null {
  const phase = body.phase ?? 'single';
  if (phase === 'post' || phase === 'void') {
    if (body.pendingId === undefined) return { field: 'pendingId', message: `a ${phase} transfer needs pendingId` };
    for (const field of ['debitAccountId', 'creditAccountId', 'timeoutS'] as const) {
      if (body[field] !== undefined) return { field, message: `a ${phase} transfer takes its accounts from the pending transfer; remove ${field}` };
    }
    if (phase === 'void' && body.amountFen !== undefined) return { field: 'amountFen', message: 'a void releases the whole pending amount; remove amountFen' };
    return null;
  }
  for (const field of ['debitAccountId', 'creditAccountId', 'amountFen'] as const) {
    if (body[field] === undefined) return { field, message: `a ${phase} transfer needs ${field}` };
  }
  if (body.pendingId !== undefined) return { field: 'pendingId', message: `a ${phase} transfer cannot name pendingId` };
  if (phase === 'single' && body.timeoutS) return { field: 'timeoutS', message: 'only pending transfers time out' };
  return null;
}

export function transferInputOf(body: TransferBody): TransferInput {
  const phase = body.phase ?? 'single';
  const common = { id: body.id, code: body.code, reference: body.reference ?? null, linked: body.linked ?? false };
  if (phase === 'post' || phase === 'void') {
    return { ...common, phase, pendingId: body.pendingId!, ...(body.amountFen !== undefined ? { amountFen: body.amountFen } : {}) };
  }
  return { ...common, phase, debitAccountId: body.debitAccountId!, creditAccountId: body.creditAccountId!, amountFen: body.amountFen!, timeoutS: body.timeoutS ?? 0 };
}
